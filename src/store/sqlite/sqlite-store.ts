// The SQLite store: one file (default <dataDir>/diamond.sqlite), every repository on one connection.
// better-sqlite3 is synchronous, so a repository call is atomic with respect to the event loop;
// separate processes (the CLI next to a running node) are serialised by SQLite's write lock.
import { EventEmitter } from 'node:events';
import { checkAuc, checkSubscriber } from '../check.js';
import type { Actor, AucInput, Store, StoreEvents, SubscriberInput } from '../model.js';
import { StoreError } from '../store-error.js';
import { SqliteApns } from './apns.js';
import { SqliteAuc } from './auc.js';
import { SqliteAuditLog } from './audit-log.js';
import { openDatabase, type OpenOptions, type SqliteDatabase } from './database.js';
import { SqliteIfcTemplates } from './ifc-templates.js';
import { SqliteImsSubscribers } from './ims-subscribers.js';
import { SqliteRoamingRules } from './roaming-rules.js';
import { SqliteScscfPools } from './scscf-pools.js';
import { SqliteServingNodes } from './serving-nodes.js';
import { SqliteShData } from './sh-data.js';
import { Ctx } from './shared.js';
import { SqliteSubscribers } from './subscribers.js';

/** Page cache during a bulk import, KiB. */
const IMPORT_CACHE_KIB = 256 * 1024;

/** One row of a bulk import: subscriber fields plus the AuC keys (k, opc | op, amf, sqn, algorithm). */
export type ImportRecord = SubscriberInput & Omit<AucInput, 'imsi'>;

export interface ImportOptions {
  readonly actor: Actor;
  /** Named in the audit row and in errors ("FILE row 12: imsi: ..."). */
  readonly source: string;
  /** Called every `progressEvery` rows with the count so far. */
  readonly onProgress?: (done: number) => void;
  readonly progressEvery?: number;
}

/** A bulk-import row that was refused; nothing of the import was written. */
export class ImportError extends StoreError {
  readonly row: number;
  /** The row's problem without the source and row prefix ("imsi: must be 5-15 digits"). */
  readonly detail: string;
  constructor(cause: StoreError, source: string, row: number) {
    super(cause.code as ConstructorParameters<typeof StoreError>[0], `${source} row ${row}: ${cause.message}`, cause.field, cause.location);
    this.row = row;
    this.detail = cause.message;
  }
}

export class SqliteStore implements Store {
  readonly file: string;
  readonly db: SqliteDatabase;
  readonly subscribers: SqliteSubscribers;
  readonly auc: SqliteAuc;
  readonly apns: SqliteApns;
  readonly imsSubscribers: SqliteImsSubscribers;
  readonly ifcTemplates: SqliteIfcTemplates;
  readonly roamingRules: SqliteRoamingRules;
  readonly scscfPools: SqliteScscfPools;
  readonly servingNodes: SqliteServingNodes;
  readonly sh: SqliteShData;
  readonly audit: SqliteAuditLog;
  private readonly events = new EventEmitter();
  private readonly ctx: Ctx;

  constructor(file: string, opts: OpenOptions = {}) {
    this.file = file;
    this.db = openDatabase(file, opts);
    this.ctx = new Ctx(this.db, (event, payload) => {
      // A failing listener must not turn a committed change into an error for the caller.
      try {
        this.events.emit(event, payload);
      } catch (err) {
        this.events.emit('listener-error', err);
      }
    }, { file, ...(opts.busyTimeoutMs !== undefined ? { busyTimeoutMs: opts.busyTimeoutMs } : {}), ...(opts.synchronous ? { synchronous: opts.synchronous } : {}) });
    this.servingNodes = new SqliteServingNodes(this.ctx);
    this.auc = new SqliteAuc(this.ctx);
    this.subscribers = new SqliteSubscribers(this.ctx, this.auc, this.servingNodes);
    this.apns = new SqliteApns(this.ctx, this.servingNodes);
    this.imsSubscribers = new SqliteImsSubscribers(this.ctx);
    this.ifcTemplates = new SqliteIfcTemplates(this.ctx, this.imsSubscribers);
    this.roamingRules = new SqliteRoamingRules(this.ctx);
    this.scscfPools = new SqliteScscfPools(this.ctx);
    this.sh = new SqliteShData(this.ctx);
    this.audit = new SqliteAuditLog(this.ctx);
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  on<E extends keyof StoreEvents>(event: E, listener: (e: StoreEvents[E]) => void): void {
    this.events.on(event, listener);
  }

  off<E extends keyof StoreEvents>(event: E, listener: (e: StoreEvents[E]) => void): void {
    this.events.off(event, listener);
  }

  /**
   * Imports subscribers with their AuC keys in one transaction: all rows or none. Rows are checked
   * with the API's rules; the first bad row aborts the import with its number and field.
   */
  importSubscribers(rows: Iterable<ImportRecord>, opts: ImportOptions): number {
    const every = opts.progressEvery ?? 10_000;
    let n = 0;
    // A large page cache while the B-trees grow (an import is a CLI process, not the node).
    const cache = this.db.pragma('cache_size', { simple: true }) as number;
    this.db.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
    try {
      this.importRows(rows, opts, every, () => ++n);
    } finally {
      this.db.pragma(`cache_size = ${cache}`);
    }
    if (n % every !== 0 || n === 0) opts.onProgress?.(n);
    return n;
  }

  private importRows(rows: Iterable<ImportRecord>, opts: ImportOptions, every: number, count: () => number): void {
    let n = 0;
    this.ctx.write(() => {
      for (const rec of rows) {
        n = count();
        try {
          const { k, opc, op, amf, sqn, algorithm, ...sub } = rec;
          const auc = { imsi: rec.imsi, k, opc, op, amf, sqn, algorithm };
          for (const key of Object.keys(auc) as (keyof typeof auc)[]) if (auc[key] === undefined) delete auc[key];
          checkSubscriber(sub, true);
          checkAuc(auc, true);
          this.subscribers.insertRecord(sub);
          this.auc.insertRecord(auc);
        } catch (err) {
          if (err instanceof StoreError) throw new ImportError(err, opts.source, n);
          throw err;
        }
        if (opts.onProgress && n % every === 0) opts.onProgress(n);
      }
      this.ctx.audit(opts.actor, 'import', 'subscriber', '*', { source: opts.source, count: n });
    });
  }

  close(): void {
    this.ctx.group.close();
    if (this.db.open) this.db.close();
  }
}

export function openSqliteStore(file: string, opts?: OpenOptions): SqliteStore {
  return new SqliteStore(file, opts);
}
