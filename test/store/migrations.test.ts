// Versioned migrations on open: idempotent, a newer file is refused, a failing step leaves the
// previous version intact; WAL and FULL synchronous are what the file runs with.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { MIGRATIONS, SCHEMA_VERSION, StoreError, migrate, openSqliteStore } from '../../src/store/index.js';
import { K1, OPC1, tempStore, type TempStore } from './helpers.js';

let t: TempStore;
beforeEach(() => (t = tempStore()));
afterEach(() => t.cleanup());

describe('migrations', () => {
  it('a new file is created under its directory at the latest version, in WAL mode with synchronous FULL', () => {
    expect(t.store.schemaVersion).toBe(SCHEMA_VERSION);
    expect(t.store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(t.store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(t.store.db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('reopening applies nothing and keeps the data', () => {
    t.store.subscribers.createWithAuc({ imsi: '001010000000001' }, { k: K1, opc: OPC1 }, 'test');
    const tables = t.store.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get();
    t.store.close();
    const again = openSqliteStore(t.file);
    expect(migrate(again.db, t.file)).toEqual([]);
    expect(again.schemaVersion).toBe(SCHEMA_VERSION);
    expect(again.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual(tables);
    expect(again.subscribers.get('001010000000001')?.imsi).toBe('001010000000001');
    t.store = again;
  });

  it('a file from a newer Diamond is refused, not modified', () => {
    t.store.db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    t.store.close();
    let err: unknown;
    try {
      openSqliteStore(t.file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe(ErrorCode.STORE_MIGRATION);
    const raw = new Database(t.file);
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    raw.close();
    t.store = openSqliteStore(':memory:');
  });

  it('a failing step rolls back and leaves the previous version', () => {
    const db = new Database(':memory:');
    const steps = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, description: 'broken', sql: 'CREATE TABLE extra (x); INSERT INTO nowhere VALUES (1);' }];
    expect(() => migrate(db, 'mem', steps)).toThrow(new RegExp(`migration ${SCHEMA_VERSION + 1} \\(broken\\) failed`));
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'extra'").get()).toBeUndefined();
    // The next release fixes the step: it applies once, then never again.
    steps[steps.length - 1] = { version: SCHEMA_VERSION + 1, description: 'fixed', sql: 'CREATE TABLE extra (x);' };
    expect(migrate(db, 'mem', steps)).toEqual([SCHEMA_VERSION + 1]);
    expect(migrate(db, 'mem', steps)).toEqual([]);
    db.close();
  });

  it('request-path lookups use indexes, not scans', () => {
    const plans: [string, string][] = [
      ['SELECT * FROM subscriber WHERE imsi = ?', 'PRIMARY KEY'],
      ['SELECT * FROM subscriber WHERE msisdn = ?', 'subscriber_msisdn'],
      ['SELECT * FROM auc WHERE imsi = ?', 'PRIMARY KEY'],
      ['SELECT impi FROM ims_public_identity WHERE impu = ?', 'PRIMARY KEY'],
      ['SELECT * FROM ims_subscriber WHERE impi = ?', 'PRIMARY KEY'],
      ['SELECT * FROM serving_node WHERE imsi = ?', 'PRIMARY KEY'],
    ];
    for (const [sql, index] of plans) {
      const plan = (t.store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x') as { detail: string }[]).map((r) => r.detail).join('; ');
      expect(plan, sql).toContain(index);
      expect(plan, sql).not.toMatch(/^SCAN/);
    }
  });
});
