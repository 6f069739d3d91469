// AuC entries and SQN_HE (TS 33.102 Annex C). The SQN rule here is the one of src/hss/auth/sqn.ts
// (nextSqn: SEQ + 1 and IND + 1 mod 2^indBits per vector) written as one UPDATE ... RETURNING, so a
// batch of n vectors reserves n SQNs in one statement and two HSS processes on one database can
// never both take the same SQN. test/store/sqn.test.ts checks it against reserve() of sqn.ts.
//
// Durability: reserveSqns resolves only after COMMIT returned with synchronous=FULL, so the new
// SQN_HE is on disk before any vector built from it can leave the process. Requests arriving in
// one event-loop turn share one transaction and one fsync (group-commit.ts): one commit costs
// ~0.4 ms here, a shared one serves hundreds of requests.
import type { Statement } from 'better-sqlite3';
import { checkAuc } from '../check.js';
import { parseSqn } from '../fields.js';
import type { Actor, AucAlgorithm, AucCredentials, AucInput, AucPatch, AucRepository, AucView, Page, PageRequest, ReserveFailure, ReserveResult } from '../model.js';
import { badReference, conflict, invalid, notFound } from '../store-error.js';
import type { GroupStatement } from './group-commit.js';
import { ReadCache } from './read-cache.js';
import { changedFields, pageLimit, toPage, type Ctx } from './shared.js';

const SQN_BITS = 48;
export const DEFAULT_AMF = '8000';

interface AucRow {
  imsi: string;
  algorithm: string;
  k: Buffer;
  opc: Buffer | null;
  op: Buffer | null;
  amf: Buffer;
  sqn: number;
  updated_at: string;
}

const hexBuf = (s: string): Buffer => Buffer.from(s, 'hex');

/** SEQ += n, IND = (IND + n) mod 2^b, refused when SEQ would pass its maximum. SQLite integers are 64-bit: the shifts are exact for 48-bit SQNs. */
const ADVANCE_SQL = `UPDATE auc SET sqn = (((sqn >> @b) + @n) << @b) | (((sqn & @mask) + @n) & @mask)
  WHERE imsi = @imsi AND (sqn >> @b) + @n <= @seqMax
  RETURNING sqn`;

interface AdvanceParams {
  [key: string]: unknown;
  imsi: string;
  n: number;
  b: number;
  mask: number;
  seqMax: number;
}

function advanceParams(imsi: string, n: number, b: number): AdvanceParams {
  return { imsi, n, b, mask: 2 ** b - 1, seqMax: 2 ** (SQN_BITS - b) - 1 };
}

function credentialsOf(r: AucRow): AucCredentials {
  return { imsi: r.imsi, algorithm: r.algorithm as AucAlgorithm, k: r.k, opc: r.opc, op: r.op, amf: r.amf };
}

/** SQNs issued when SQN_HE moved from `before` by n vectors (the sqn.ts rule, in JS for the caller). */
export function sqnsAfter(before: number, n: number, indBits: number): number[] {
  const a = 2 ** indBits;
  const seq = Math.floor(before / a);
  const ind = before % a;
  const out = new Array<number>(n);
  for (let i = 1; i <= n; i++) out[i - 1] = (seq + i) * a + ((ind + i) % a);
  return out;
}

export class SqliteAuc implements AucRepository {
  private readonly ctx: Ctx;
  private readonly byImsi: Statement<[string], AucRow>;
  private readonly subscriberExists: Statement<[string], { imsi: string }>;
  private readonly aucTaken: Statement<[string], { x: number }>;
  private readonly insert: Statement;
  /** One statement: SEQ += n, IND = (IND + n) mod a, refused when SEQ would pass its maximum. */
  private readonly advance: Statement<AdvanceParams, number>;
  /** The same statement, run by the group commit (on its worker thread for a file). */
  private readonly advanceGrouped: GroupStatement;
  /** Keys read by every AIR/MAR (read-cache.ts); the SQN itself is never cached. */
  private readonly keys: ReadCache<AucCredentials>;
  private readonly listFirst: Statement<[number], AucRow>;
  private readonly listAfter: Statement<[string, number], AucRow>;

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    const db = ctx.db;
    this.byImsi = db.prepare('SELECT * FROM auc WHERE imsi = ?');
    this.subscriberExists = db.prepare('SELECT imsi FROM subscriber WHERE imsi = ?');
    this.aucTaken = db.prepare('SELECT 1 AS x FROM auc WHERE imsi = ?');
    this.insert = db.prepare('INSERT INTO auc (imsi, algorithm, k, opc, op, amf, sqn, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.advance = db.prepare(ADVANCE_SQL).pluck() as Statement<AdvanceParams, number>;
    this.advanceGrouped = ctx.group.prepare(ADVANCE_SQL, 'pluck');
    // Fewer than the other caches: each entry may hold an AES key schedule (src/hss/auc.ts algorithmOf).
    this.keys = new ReadCache(ctx.epochs, 20_000);
    this.listFirst = db.prepare('SELECT * FROM auc ORDER BY imsi LIMIT ?');
    this.listAfter = db.prepare('SELECT * FROM auc WHERE imsi > ? ORDER BY imsi LIMIT ?');
  }

  private view(r: AucRow): AucView {
    return {
      imsi: r.imsi,
      algorithm: r.algorithm as AucAlgorithm,
      operatorKey: r.opc ? 'opc' : r.op ? 'op' : null,
      amf: r.amf.toString('hex'),
      sqn: r.sqn,
      updatedAt: r.updated_at,
    };
  }

  get(imsi: string): AucView | undefined {
    const r = this.byImsi.get(imsi);
    return r ? this.view(r) : undefined;
  }

  list(page?: PageRequest): Page<AucView> {
    const limit = pageLimit(page);
    const rows = page?.after !== undefined ? this.listAfter.all(page.after, limit + 1) : this.listFirst.all(limit + 1);
    return toPage(rows, limit, (r) => this.view(r), (v) => v.imsi);
  }

  credentials(imsi: string): AucCredentials | undefined {
    return this.keys.get(imsi, (key) => {
      const r = this.byImsi.get(key);
      return r ? credentialsOf(r) : undefined;
    });
  }

  create(input: AucInput, actor: Actor): AucView {
    checkAuc(input, true);
    return this.ctx.write(() => {
      this.insertRecord(input);
      this.ctx.audit(actor, 'create', 'auc', input.imsi, input);
      return this.get(input.imsi)!;
    });
  }

  /** Inserts one AuC entry; the caller holds the transaction and has run checkAuc. */
  insertRecord(input: AucInput): void {
    if (!this.subscriberExists.get(input.imsi)) throw badReference('imsi', `imsi: subscriber ${input.imsi} does not exist`);
    if (this.aucTaken.get(input.imsi)) throw conflict('imsi', `imsi: subscriber ${input.imsi} already has an AuC entry`);
    this.insert.run(
      input.imsi,
      input.algorithm ?? 'milenage',
      hexBuf(input.k),
      input.opc !== undefined ? hexBuf(input.opc) : null,
      input.op !== undefined ? hexBuf(input.op) : null,
      hexBuf(input.amf ?? DEFAULT_AMF),
      input.sqn !== undefined ? parseSqn(input.sqn)! : 0,
      this.ctx.now(),
    );
  }

  update(imsi: string, patch: AucPatch, actor: Actor): AucView {
    checkAuc(patch, false);
    return this.ctx.write(() => {
      const cur = this.byImsi.get(imsi);
      if (!cur) throw notFound('AuC entry', imsi);
      // A new OPc replaces a stored OP and vice versa.
      const opc = patch.opc !== undefined ? hexBuf(patch.opc) : patch.op !== undefined ? null : cur.opc;
      const op = patch.op !== undefined ? hexBuf(patch.op) : patch.opc !== undefined ? null : cur.op;
      const algorithm = patch.algorithm ?? cur.algorithm;
      if (algorithm === 'milenage' && !opc && !op) throw invalid('opc', 'opc: one of opc or op is required for milenage');
      this.ctx.db
        .prepare('UPDATE auc SET algorithm = ?, k = ?, opc = ?, op = ?, amf = ?, sqn = ?, updated_at = ? WHERE imsi = ?')
        .run(
          algorithm,
          patch.k !== undefined ? hexBuf(patch.k) : cur.k,
          opc,
          op,
          patch.amf !== undefined ? hexBuf(patch.amf) : cur.amf,
          patch.sqn !== undefined ? parseSqn(patch.sqn)! : cur.sqn,
          this.ctx.now(),
          imsi,
        );
      this.ctx.audit(actor, 'update', 'auc', imsi, { ...patch, fields: changedFields(patch) });
      return this.get(imsi)!;
    });
  }

  delete(imsi: string, actor: Actor): void {
    this.ctx.write(() => {
      if (!this.byImsi.get(imsi)) throw notFound('AuC entry', imsi);
      this.ctx.db.prepare('DELETE FROM auc WHERE imsi = ?').run(imsi);
      this.ctx.audit(actor, 'delete', 'auc', imsi, {});
    });
  }

  /** The SQNs taken, given SQN_HE after the UPDATE moved it by n (undefined: no row moved, and why). */
  private taken(imsi: string, sqn: number | undefined, n: number, b: number): number[] | ReserveFailure {
    if (sqn === undefined) return this.aucTaken.get(imsi) ? 'sqn-exhausted' : 'unknown-subscriber';
    const a = 2 ** b;
    const before = (Math.floor(sqn / a) - n) * a + ((((sqn % a) - n) % a) + a) % a;
    return sqnsAfter(before, n, b);
  }

  /** The reservation with the subscriber's keys, read (from the cache) after COMMIT. */
  private withKeys(imsi: string, r: number[] | ReserveFailure): ReserveResult {
    if (typeof r === 'string') return { ok: false, reason: r };
    const credentials = this.credentials(imsi);
    // Deleted between the UPDATE and now: its SQNs are spent, and it has no keys to use them with.
    if (!credentials) return { ok: false, reason: 'unknown-subscriber' };
    return { ok: true, credentials, sqns: r };
  }

  private checkReserve(n: number, indBits: number): void {
    if (!Number.isInteger(n) || n < 1 || n > 1024) throw invalid('n', 'n: must be an integer 1..1024');
    if (!Number.isInteger(indBits) || indBits < 0 || indBits > 16) throw invalid('indBits', 'indBits: must be an integer 0..16');
  }

  reserveSqns(imsi: string, n: number, indBits: number): Promise<ReserveResult> {
    this.checkReserve(n, indBits);
    return this.ctx.group.enqueue<number | undefined>(this.advanceGrouped, advanceParams(imsi, n, indBits)).then((sqn) => this.withKeys(imsi, this.taken(imsi, sqn, n, indBits)));
  }

  reserveSqnsNow(imsi: string, n: number, indBits: number): ReserveResult {
    this.checkReserve(n, indBits);
    const sqn = this.ctx.db.transaction(() => this.advance.get(advanceParams(imsi, n, indBits))).immediate();
    return this.withKeys(imsi, this.taken(imsi, sqn, n, indBits));
  }

  /** Commits every queued reservation (and serving-node write) now. */
  flush(): void {
    this.ctx.group.flush();
  }

  applyResync(imsi: string, sqnMs: number, actor: Actor): boolean {
    if (parseSqn(sqnMs) === undefined) throw invalid('sqnMs', 'sqnMs: must be an integer 0..2^48-1');
    return this.ctx.write(() => {
      const r = this.ctx.db.prepare('UPDATE auc SET sqn = ?, updated_at = ? WHERE imsi = ?').run(sqnMs, this.ctx.now(), imsi);
      if (r.changes === 0) return false;
      this.ctx.audit(actor, 'resync', 'auc', imsi, { sqnMs });
      return true;
    });
  }
}
