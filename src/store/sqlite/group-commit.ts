// Group commit: hot-path writes (SQN reservations, serving-node updates) queued while a commit is
// under way run together in the next transaction and share one fsync (synchronous=FULL). Each
// promise settles only after COMMIT has returned, so a caller that awaits it answers only once its
// write is on disk: an SQN handed out survives a crash or power loss.
//
// Where the commit runs: for a database file, on a worker thread with its own connection, so the
// event loop goes on decoding and answering while the disk syncs (the blocking commit took 25-30%
// of the loop's time in the S6a benchmark, docs/benchmarks.md). One batch is in flight at a time;
// what arrives meanwhile forms the next one, so batches grow with load. For ':memory:', or when the
// worker cannot start, the batch commits inline on the caller's connection at the end of the turn.
import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';

/** What a statement's promise resolves with: the first column of the first row, or "changed a row". */
export type GroupResult = 'pluck' | 'changed';

export interface GroupStatement {
  readonly id: number;
  readonly sql: string;
  readonly result: GroupResult;
}

interface Op {
  stmt: GroupStatement;
  params: Record<string, unknown>;
  resolve: (v: never) => void;
  reject: (e: unknown) => void;
}

/** One op's outcome: [true, value] or [false, error message, SQLite error code]. */
type Outcome = [true, unknown] | [false, string, string | undefined];

interface BatchAnswer {
  batch: number;
  outcomes?: Outcome[];
  error?: string;
  code?: string;
}

export interface GroupCommitOptions {
  /** The database file; ':memory:' (or undefined) commits inline. */
  readonly file?: string;
  readonly busyTimeoutMs?: number;
  readonly synchronous?: 'full' | 'normal';
}

// The worker, as plain CommonJS (it runs from a string, so it needs no build step or loader).
// It receives statements once, then batches, and answers each batch after COMMIT.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const port = workerData.port;
const Database = require(workerData.sqlite);
const db = new Database(workerData.file);
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
db.pragma('foreign_keys = ON');
const stmts = new Map();
const run = db.transaction((ops) => ops.map(([id, params]) => {
  const s = stmts.get(id);
  try {
    return [true, s.result === 'pluck' ? s.stmt.get(params) : s.stmt.run(params).changes > 0];
  } catch (e) {
    return [false, String(e && e.message || e), e && e.code];
  }
}));
port.on('message', (m) => {
  if (m.prepare) {
    for (const [id, sql, result] of m.prepare) {
      const stmt = db.prepare(sql);
      stmts.set(id, { stmt: result === 'pluck' ? stmt.pluck() : stmt, result });
    }
  } else if (m.ops) {
    let out;
    try { out = { batch: m.batch, outcomes: run.immediate(m.ops) }; }
    catch (e) { out = { batch: m.batch, error: String(e && e.message || e), code: e && e.code }; }
    port.postMessage(out);
    Atomics.add(workerData.done, 0, 1);
    Atomics.notify(workerData.done, 0);
  } else if (m.close) {
    db.close();
    port.close();
  }
});
`;

export class GroupCommit {
  private readonly db: SqliteDatabase;
  private readonly opts: GroupCommitOptions;
  private readonly statements: GroupStatement[] = [];
  private readonly inlineStatements = new Map<number, Statement>();
  private readonly afterCommit: ((batch: number) => void)[] = [];
  private queue: Op[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  /** Number of the batch being filled; ops queued now commit with it. */
  private batch = 1;
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  /** Batches sent to the worker so far. */
  private sent = 0;
  /** Set when the worker died; DIAMOND_GROUP_COMMIT=inline starts that way (A/B benchmarks, diagnosis). */
  private workerFailed = process.env.DIAMOND_GROUP_COMMIT === 'inline';
  private inFlight: Op[] | undefined;
  /** Statements the worker has prepared (it prepares the rest before the next batch). */
  private preparedInWorker = 0;
  /** Batches the worker has finished (shared, so close() can wait for the one in flight). */
  private readonly done = new Int32Array(new SharedArrayBuffer(4));
  private closed = false;

  constructor(db: SqliteDatabase, opts: GroupCommitOptions = {}) {
    this.db = db;
    this.opts = opts;
  }

  /** Registers a statement for enqueue(); named parameters (@x) only. */
  prepare(sql: string, result: GroupResult): GroupStatement {
    const s: GroupStatement = { id: this.statements.length, sql, result };
    this.statements.push(s);
    return s;
  }

  /** The batch that ops queued now belong to (serving-nodes.ts keeps its read overlay per batch). */
  get currentBatch(): number {
    return this.batch;
  }

  /** Runs the statement in the next group transaction; resolves with its result after COMMIT. */
  enqueue<T>(stmt: GroupStatement, params: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ stmt, params, resolve: resolve as (v: never) => void, reject });
      if (!this.inFlight) this.scheduled ??= setImmediate(() => this.send());
    });
  }

  /** Called after every commit attempt with the batch number, committed or not. */
  onCommitted(fn: (batch: number) => void): void {
    this.afterCommit.push(fn);
  }

  /**
   * Commits everything queued before returning: waits for the worker's batch in flight, then commits
   * the rest inline. For close() and callers that must see their writes on disk synchronously.
   */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.awaitInFlight();
    const batch = this.takeBatch();
    if (batch) this.commitInline(batch);
  }

  close(): void {
    this.flush();
    this.closed = true;
    if (this.port) {
      this.port.postMessage({ close: true });
      this.port.close();
      this.port = undefined;
      this.worker = undefined;
    }
  }

  private takeBatch(): { n: number; ops: Op[] } | undefined {
    if (this.queue.length === 0) return undefined;
    const ops = this.queue;
    this.queue = [];
    return { n: this.batch++, ops };
  }

  private send(): void {
    this.scheduled = undefined;
    if (this.inFlight) return;
    const batch = this.takeBatch();
    if (!batch) return;
    const port = this.workerPort();
    if (!port) return this.commitInline(batch);
    if (this.preparedInWorker < this.statements.length) {
      port.postMessage({ prepare: this.statements.slice(this.preparedInWorker).map((s) => [s.id, s.sql, s.result]) });
      this.preparedInWorker = this.statements.length;
    }
    this.inFlight = batch.ops;
    this.sent++;
    // A batch in flight keeps the process alive (its callers are waiting); an idle store does not.
    port.ref();
    port.postMessage({ batch: batch.n, ops: batch.ops.map((op) => [op.stmt.id, op.params]) });
  }

  private onWorkerMessage(m: BatchAnswer, sendNext = true): void {
    const ops = this.inFlight;
    this.inFlight = undefined;
    if (!ops) return;
    this.settle(m.batch, ops, m.outcomes, m.error === undefined ? undefined : sqliteError(m.error, m.code));
    if (sendNext && this.queue.length) this.send();
    if (!this.inFlight) this.port?.unref();
  }

  private settle(batch: number, ops: Op[], outcomes: Outcome[] | undefined, error: unknown): void {
    for (const fn of this.afterCommit) fn(batch);
    for (let i = 0; i < ops.length; i++) {
      const o = outcomes?.[i];
      if (!o) ops[i]!.reject(error ?? new Error('group commit failed'));
      else if (o[0]) ops[i]!.resolve(o[1] as never);
      else ops[i]!.reject(sqliteError(o[1], o[2]));
    }
  }

  private commitInline(batch: { n: number; ops: Op[] }): void {
    let outcomes: Outcome[] | undefined;
    let error: unknown;
    try {
      outcomes = this.db.transaction((ops: Op[]) => ops.map((op): Outcome => this.runInline(op))).immediate(batch.ops);
    } catch (err) {
      error = err;
    }
    this.settle(batch.n, batch.ops, outcomes, error);
  }

  private runInline(op: Op): Outcome {
    let s = this.inlineStatements.get(op.stmt.id);
    if (!s) {
      s = this.db.prepare(op.stmt.sql);
      if (op.stmt.result === 'pluck') s.pluck();
      this.inlineStatements.set(op.stmt.id, s);
    }
    try {
      return [true, op.stmt.result === 'pluck' ? s.get(op.params) : s.run(op.params).changes > 0];
    } catch (e) {
      return [false, (e as Error).message, (e as { code?: string }).code];
    }
  }

  /** Blocks until the worker has answered the batch in flight (its COMMIT takes milliseconds), and settles it. */
  private awaitInFlight(): void {
    if (!this.inFlight || !this.port) return;
    for (let seen = Atomics.load(this.done, 0); seen < this.sent; seen = Atomics.load(this.done, 0)) {
      if (Atomics.wait(this.done, 0, seen, 30_000) === 'timed-out') break;
    }
    const m = receiveMessageOnPort(this.port);
    if (m) this.onWorkerMessage(m.message as BatchAnswer, false);
  }

  private workerPort(): MessagePort | undefined {
    if (this.port) return this.port;
    const file = this.opts.file;
    if (this.workerFailed || !file || file === ':memory:') return undefined;
    try {
      const { port1, port2 } = new MessageChannel();
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        transferList: [port2],
        workerData: {
          port: port2,
          file,
          sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
          synchronous: this.opts.synchronous === 'normal' ? 'NORMAL' : 'FULL',
          busyTimeoutMs: this.opts.busyTimeoutMs ?? 5000,
          done: this.done,
        },
      });
      // The thread never keeps the process alive; the port does while a batch is in flight.
      w.unref();
      port1.on('message', (m: BatchAnswer) => this.onWorkerMessage(m));
      port1.unref();
      w.on('error', (err) => this.onWorkerFailed(err));
      this.worker = w;
      this.port = port1;
      return port1;
    } catch (err) {
      this.onWorkerFailed(err);
      return undefined;
    }
  }

  /** The worker died: its batch is failed (not committed: the caller answered nothing), later ones go inline. */
  private onWorkerFailed(err: unknown): void {
    this.workerFailed = true;
    this.worker = undefined;
    this.port?.close();
    this.port = undefined;
    const ops = this.inFlight;
    this.inFlight = undefined;
    if (ops) this.settle(this.batch - 1, ops, undefined, err);
    if (this.queue.length) this.send();
  }
}

function sqliteError(message: string, code: string | undefined): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}
