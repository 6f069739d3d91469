// Read-through caches for rows read on every request (subscriber, its APN profiles, AuC keys: a ULR
// or AIR read them each time, 20-30 µs of SQLite work per request). A cached row is valid for one
// "epoch". The epoch moves when this connection commits an API write (Ctx.write), and when the
// generation counter below has moved: triggers bump it on every change to a cached table, whoever
// made it (this node, the CLI, a second node on the same file), but not on SQN reservations or
// serving-node writes, which are neither cached nor rare. The counter is read at most once per
// event-loop turn: another process's commit is seen by the first request of the next turn. Reads
// inside a transaction bypass the cache, so a write that reads back its own row sees the new one.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';

/** Rows kept per cache; beyond it the oldest entries go first (1M subscribers must not mean 1M objects). */
export const DEFAULT_CACHE_ENTRIES = 100_000;

const bump = 'BEGIN UPDATE cache_generation SET n = n + 1; END';
const everyChange = (table: string): string =>
  ['INSERT', 'UPDATE', 'DELETE'].map((op) => `CREATE TRIGGER IF NOT EXISTS cache_gen_${table}_${op.toLowerCase()} AFTER ${op} ON ${table} ${bump};`).join('\n');

/**
 * The counter and its triggers. Created at every open rather than by a migration: they hold no
 * data, and a file written by an older Diamond gets them the first time this one opens it.
 */
export const CACHE_GENERATION_SQL = `
CREATE TABLE IF NOT EXISTS cache_generation (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT OR IGNORE INTO cache_generation (id, n) VALUES (1, 0);
${['subscriber', 'subscriber_apn', 'subscriber_roaming_rule', 'apn'].map(everyChange).join('\n')}
CREATE TRIGGER IF NOT EXISTS cache_gen_auc_insert AFTER INSERT ON auc ${bump};
CREATE TRIGGER IF NOT EXISTS cache_gen_auc_delete AFTER DELETE ON auc ${bump};
CREATE TRIGGER IF NOT EXISTS cache_gen_auc_keys AFTER UPDATE OF algorithm, k, opc, op, amf ON auc ${bump};
-- IMS profiles (Cx read caches): not the per-IMPU S-CSCF and state columns, which SAR/MAR write.
${['ims_subscriber', 'ifc_template', 'scscf_pool'].map(everyChange).join('\n')}
CREATE TRIGGER IF NOT EXISTS cache_gen_ims_public_identity_insert AFTER INSERT ON ims_public_identity ${bump};
CREATE TRIGGER IF NOT EXISTS cache_gen_ims_public_identity_delete AFTER DELETE ON ims_public_identity ${bump};
CREATE TRIGGER IF NOT EXISTS cache_gen_ims_public_identity_profile AFTER UPDATE OF impu, impi, position, barred, irs ON ims_public_identity ${bump};
-- The per-IMPU S-CSCF and registration state have their own counter: SAR/MAR write them, and their
-- cache (STATE_GENERATION) may be dropped on each such write without dropping the profiles.
CREATE TABLE IF NOT EXISTS state_generation (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT OR IGNORE INTO state_generation (id, n) VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS state_gen_ims_public_identity_state AFTER UPDATE OF scscf_name, registration_state ON ims_public_identity BEGIN UPDATE state_generation SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS state_gen_ims_public_identity_insert AFTER INSERT ON ims_public_identity BEGIN UPDATE state_generation SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS state_gen_ims_public_identity_delete AFTER DELETE ON ims_public_identity BEGIN UPDATE state_generation SET n = n + 1; END;
`;

/** The counters a CacheEpoch follows: every cached table but the IMS state, or the IMS state. */
export type Generation = 'cache_generation' | 'state_generation';

export class CacheEpoch {
  private readonly db: SqliteDatabase;
  private readonly generation: Statement<[], number>;
  private version: number;
  private epoch = 0;
  private checked = false;

  constructor(db: SqliteDatabase, counter: Generation = 'cache_generation') {
    this.db = db;
    this.generation = db.prepare(`SELECT n FROM ${counter}`).pluck() as Statement<[], number>;
    this.version = this.generation.get()!;
  }

  /** Changes whenever a cached row may be stale; undefined inside a transaction (do not cache). */
  current(): number | undefined {
    if (this.db.inTransaction) return undefined;
    if (!this.checked) {
      this.checked = true;
      setImmediate(() => (this.checked = false));
      const v = this.generation.get()!;
      if (v !== this.version) {
        this.version = v;
        this.epoch++;
      }
    }
    return this.epoch;
  }

  /** This connection committed a write that cached rows may reflect. */
  bump(): void {
    this.epoch++;
  }
}

export class ReadCache<V> {
  private readonly epochs: CacheEpoch;
  private readonly max: number;
  private readonly rows = new Map<string, V>();
  private epoch = -1;

  constructor(epochs: CacheEpoch, max = DEFAULT_CACHE_ENTRIES) {
    this.epochs = epochs;
    this.max = max;
  }

  /** The cached value of `key`, or `load(key)` (cached unless inside a transaction). Misses are not cached. */
  get(key: string, load: (key: string) => V | undefined): V | undefined {
    const epoch = this.epochs.current();
    if (epoch === undefined) return load(key);
    if (epoch !== this.epoch) {
      this.rows.clear();
      this.epoch = epoch;
    }
    const hit = this.rows.get(key);
    if (hit !== undefined) return hit;
    const v = load(key);
    if (v === undefined) return undefined;
    if (this.rows.size >= this.max) this.rows.delete(this.rows.keys().next().value!);
    this.rows.set(key, v);
    return v;
  }
}
