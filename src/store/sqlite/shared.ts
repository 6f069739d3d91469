// What the SQLite repositories share: the connection, the clock, audit rows written in the same
// transaction as the change, events emitted after commit, keyset pages.
import type { SqliteDatabase } from './database.js';
import { GroupCommit, type GroupCommitOptions } from './group-commit.js';
import { CacheEpoch } from './read-cache.js';
import type { Actor, AuditAction, Page, PageRequest, StoreEvents } from '../model.js';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../model.js';
import { invalid } from '../store-error.js';

/** Fields whose values never reach the audit log (or any log). */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(['k', 'opc', 'op', 'digestPassword', 'digestHa1', 'password', 'ha1']);
export const MASK = '***';

/** A deep copy with secret fields replaced by "***" (null stays null: "cleared" is not secret). */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELDS.has(k) && v !== null && v !== undefined ? MASK : maskSecrets(v);
  return out;
}

export class Ctx {
  readonly db: SqliteDatabase;
  readonly emit: <E extends keyof StoreEvents>(event: E, payload: StoreEvents[E]) => void;
  /** Hot-path writes (SQN reservations, serving nodes): one transaction and fsync per event-loop turn. */
  readonly group: GroupCommit;
  /** Validity of the request-path read caches (read-cache.ts); moved by every committed write. */
  readonly epochs: CacheEpoch;
  private readonly insertAudit;
  /** Events wait here until the surrounding transaction has committed. */
  private pending: (() => void)[] = [];

  constructor(db: SqliteDatabase, emit: <E extends keyof StoreEvents>(event: E, payload: StoreEvents[E]) => void, group: GroupCommitOptions = {}) {
    this.db = db;
    this.emit = emit;
    this.group = new GroupCommit(db, group);
    this.epochs = new CacheEpoch(db);
    this.insertAudit = db.prepare('INSERT INTO audit_log (at, actor, action, resource, resource_id, details) VALUES (?, ?, ?, ?, ?, ?)');
  }

  now(): string {
    return new Date().toISOString();
  }

  audit(actor: Actor, action: AuditAction, resource: string, resourceId: string | number, details: unknown): void {
    this.insertAudit.run(this.now(), actor, action, resource, String(resourceId), JSON.stringify(maskSecrets(details) ?? {}));
  }

  /** Queues an event for after commit. */
  later<E extends keyof StoreEvents>(event: E, payload: StoreEvents[E]): void {
    this.pending.push(() => this.emit(event, payload));
  }

  /** Runs fn in a write transaction, then delivers the events it queued (none if it threw). */
  write<T>(fn: () => T): T {
    const tx = this.db.transaction(fn);
    let result: T;
    try {
      result = tx.immediate();
    } catch (err) {
      this.pending = [];
      throw err;
    }
    this.epochs.bump();
    const events = this.pending;
    this.pending = [];
    for (const e of events) e();
    return result;
  }
}

export function pageLimit(page: PageRequest | undefined): number {
  const limit = page?.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) throw invalid('limit', `limit: must be an integer 1..${MAX_PAGE_LIMIT}`);
  return limit;
}

/** Builds a page from limit + 1 rows fetched in key order. */
export function toPage<R, T>(rows: R[], limit: number, map: (r: R) => T, key: (t: T) => string): Page<T> {
  const items = rows.slice(0, limit).map(map);
  return { items, next: rows.length > limit && items.length ? key(items[items.length - 1]!) : null };
}

/** The changed field names of a patch (undefined values are "not given"). */
export function changedFields(patch: object): string[] {
  return Object.entries(patch)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
}

export const bool = (v: unknown): boolean => v === 1 || v === 1n;
