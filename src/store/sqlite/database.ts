// Opens the SQLite file: WAL, synchronous=FULL (a commit is on disk when it returns, so an SQN
// handed out can never be handed out again after a crash or power loss), foreign keys on, and the
// versioned migrations of migrations.ts applied on open.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCode } from '../../errors.js';
import { StoreError } from '../store-error.js';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.js';
import { CACHE_GENERATION_SQL } from './read-cache.js';

export type SqliteDatabase = Database.Database;

export interface OpenOptions {
  /** 'full' (default) survives power loss; 'normal' only process crashes. */
  readonly synchronous?: 'full' | 'normal';
  /** Wait for another process's write lock (CLI next to a running node), ms. */
  readonly busyTimeoutMs?: number;
  /** Page cache per connection, KiB (SQLite default 2000). */
  readonly cacheKiB?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
export const DEFAULT_CACHE_KIB = 16 * 1024;

export function openDatabase(file: string, opts: OpenOptions = {}, migrations: readonly Migration[] = MIGRATIONS): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  let db: SqliteDatabase;
  try {
    db = new Database(file);
  } catch (err) {
    throw new StoreError(ErrorCode.STORE_MIGRATION, `cannot open ${file}: ${(err as Error).message}`);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS}`);
    db.pragma(`cache_size = -${opts.cacheKiB ?? DEFAULT_CACHE_KIB}`);
    migrate(db, file, migrations);
    if (migrations === MIGRATIONS) db.exec(CACHE_GENERATION_SQL);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Applies the steps above PRAGMA user_version; returns the versions applied. */
export function migrate(db: SqliteDatabase, file: string, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  const applied: number[] = [];
  // BEGIN IMMEDIATE: two processes opening a fresh file at once migrate one after the other.
  const step = db.transaction((m: Migration) => {
    const now = db.pragma('user_version', { simple: true }) as number;
    if (now >= m.version) return;
    db.exec(m.sql);
    db.pragma(`user_version = ${m.version}`);
    applied.push(m.version);
  });
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) {
    throw new StoreError(ErrorCode.STORE_MIGRATION, `${file} has schema version ${current}, newer than this Diamond (${latest}); upgrade Diamond`);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    try {
      step.immediate(m);
    } catch (err) {
      throw new StoreError(ErrorCode.STORE_MIGRATION, `${file}: migration ${m.version} (${m.description}) failed: ${(err as Error).message}`);
    }
  }
  return applied;
}

export { SCHEMA_VERSION };
