// Test helpers: a fresh store file in a temp dir per test, and a provisioned subscriber.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.js';

export interface TempStore {
  store: SqliteStore;
  dir: string;
  file: string;
  cleanup(): void;
}

export function tempStore(): TempStore {
  const dir = mkdtempSync(join(tmpdir(), 'diamond-store-'));
  const file = join(dir, 'data', 'diamond.sqlite');
  const t: TempStore = {
    store: openSqliteStore(file),
    dir,
    file,
    // Closes whatever store the test left in t.store (tests reopen the file).
    cleanup: () => {
      t.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

/** TS 35.208 test set 1 keys. */
export const K1 = '465b5ce8b199b49faa5f0a2ee238a6bc';
export const OPC1 = 'cd63cb71954a9f4e48a5994e37a02baf';
export const OP1 = 'cdc202d5123e20f62b6d676ac72cb318';
