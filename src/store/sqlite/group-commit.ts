// Group commit: writes queued during one event-loop turn run in one transaction and share one
// fsync (synchronous=FULL); each promise settles only after COMMIT has returned, so a caller that
// awaits it answers only once its write is on disk. SQN reservations (auc.ts) and serving-node
// writes (serving-nodes.ts) share the queue: an attach's AIR and ULR of one turn share an fsync.
// (Measured: moving the fsync to the libuv pool, with commits at synchronous=NORMAL, cost more CPU
// per answer on a loaded 2-core machine than the blocked loop did; docs/benchmarks.md, S6a.)
import type { Transaction } from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';

interface Op {
  run: () => unknown;
  resolve: (v: never) => void;
  reject: (e: unknown) => void;
}

/** What one queued op produced inside the transaction. */
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit {
  private queue: Op[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private readonly tx: Transaction<(ops: Op[]) => Outcome[]>;
  private readonly afterCommit: (() => void)[] = [];

  constructor(db: SqliteDatabase) {
    // Each op is one statement: one that throws is undone by SQLite alone and fails only its caller.
    this.tx = db.transaction((ops: Op[]) =>
      ops.map((op): Outcome => {
        try {
          return { ok: true, value: op.run() };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  /** Runs `run` inside the next group transaction; resolves with its result after COMMIT. */
  enqueue<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: never) => void, reject });
      this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Called after every commit attempt, committed or not (serving-nodes.ts drops its read overlay). */
  onCommitted(fn: () => void): void {
    this.afterCommit.push(fn);
  }

  /** Commits every queued op in one transaction, then settles their promises. */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    let outcomes: Outcome[];
    try {
      outcomes = this.tx.immediate(batch);
    } catch (err) {
      for (const fn of this.afterCommit) fn();
      for (const op of batch) op.reject(err);
      return;
    }
    for (const fn of this.afterCommit) fn();
    for (let i = 0; i < batch.length; i++) {
      const o = outcomes[i]!;
      if (o.ok) batch[i]!.resolve(o.value as never);
      else batch[i]!.reject(o.error);
    }
  }
}
