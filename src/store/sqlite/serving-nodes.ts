// Serving nodes per subscriber: the MME / SGSN of the last ULR (TS 29.272 §7.2.3) and PUR state.
// Writes are group-committed (group-commit.ts): the promise resolves once the row is on disk, so a
// ULA sent after it names an MME that survives a crash. Until that commit, get() sees the queued
// state (the overlay), so a second ULR in the same turn still finds the first one's MME to cancel.
import type { Statement } from 'better-sqlite3';
import type { ServingNode, ServingNodeRepository } from '../model.js';
import { bool, type Ctx } from './shared.js';

interface Row {
  imsi: string;
  mme_host: string | null;
  mme_realm: string | null;
  mme_updated_at: string | null;
  sgsn_host: string | null;
  sgsn_realm: string | null;
  sgsn_updated_at: string | null;
  purged: number;
}

export class SqliteServingNodes implements ServingNodeRepository {
  private readonly ctx: Ctx;
  private readonly byImsi: Statement<[string], Row>;
  private readonly upsertMme: Statement;
  private readonly upsertSgsn: Statement;
  private readonly upsertPurged: Statement;
  private readonly subscriberExists: Statement<[string], { x: number }>;
  /** Fields set by queued, not yet committed writes, per IMSI. */
  private readonly overlay = new Map<string, Staged>();

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    const db = ctx.db;
    this.byImsi = db.prepare('SELECT * FROM serving_node WHERE imsi = ?');
    this.subscriberExists = db.prepare('SELECT 1 AS x FROM subscriber WHERE imsi = ?');
    ctx.group.onCommitted(() => this.overlay.clear());
    // INSERT ... SELECT FROM subscriber: a serving node only for a subscriber that exists.
    this.upsertMme = db.prepare(
      `INSERT INTO serving_node (imsi, mme_host, mme_realm, mme_updated_at, purged) SELECT imsi, @a, @b, @at, 0 FROM subscriber WHERE imsi = @imsi
       ON CONFLICT (imsi) DO UPDATE SET mme_host = @a, mme_realm = @b, mme_updated_at = @at, purged = 0`,
    );
    this.upsertSgsn = db.prepare(
      `INSERT INTO serving_node (imsi, sgsn_host, sgsn_realm, sgsn_updated_at, purged) SELECT imsi, @a, @b, @at, 0 FROM subscriber WHERE imsi = @imsi
       ON CONFLICT (imsi) DO UPDATE SET sgsn_host = @a, sgsn_realm = @b, sgsn_updated_at = @at, purged = 0`,
    );
    this.upsertPurged = db.prepare(
      `INSERT INTO serving_node (imsi, purged) SELECT imsi, @a FROM subscriber WHERE imsi = @imsi
       ON CONFLICT (imsi) DO UPDATE SET purged = @a`,
    );
  }

  get(imsi: string): ServingNode | undefined {
    const r = this.byImsi.get(imsi);
    const staged = this.overlay.get(imsi);
    if (!r) return staged && this.subscriberExists.get(imsi) ? { ...empty(imsi), ...staged } : undefined;
    const row: ServingNode = {
      imsi: r.imsi,
      mmeHost: r.mme_host,
      mmeRealm: r.mme_realm,
      mmeUpdatedAt: r.mme_updated_at,
      sgsnHost: r.sgsn_host,
      sgsnRealm: r.sgsn_realm,
      sgsnUpdatedAt: r.sgsn_updated_at,
      purged: bool(r.purged),
    };
    return staged ? { ...row, ...staged } : row;
  }

  setMme(imsi: string, host: string, realm: string): Promise<boolean> {
    const at = this.ctx.now();
    this.stage(imsi, { mmeHost: host, mmeRealm: realm, mmeUpdatedAt: at, purged: false });
    return this.ctx.group.enqueue(() => this.upsertMme.run({ imsi, a: host, b: realm, at }).changes > 0);
  }

  setSgsn(imsi: string, host: string, realm: string): Promise<boolean> {
    const at = this.ctx.now();
    this.stage(imsi, { sgsnHost: host, sgsnRealm: realm, sgsnUpdatedAt: at, purged: false });
    return this.ctx.group.enqueue(() => this.upsertSgsn.run({ imsi, a: host, b: realm, at }).changes > 0);
  }

  setPurged(imsi: string, purged: boolean): Promise<boolean> {
    this.stage(imsi, { purged });
    return this.ctx.group.enqueue(() => this.upsertPurged.run({ imsi, a: purged ? 1 : 0 }).changes > 0);
  }

  /** Records the fields a queued write sets; get() lays them over the row (no read here: ULR just did one). */
  private stage(imsi: string, fields: Staged): void {
    const prev = this.overlay.get(imsi);
    this.overlay.set(imsi, prev ? { ...prev, ...fields } : fields);
  }
}

type Staged = Partial<Omit<ServingNode, 'imsi'>>;

const empty = (imsi: string): ServingNode => ({
  imsi,
  mmeHost: null,
  mmeRealm: null,
  mmeUpdatedAt: null,
  sgsnHost: null,
  sgsnRealm: null,
  sgsnUpdatedAt: null,
  purged: false,
});
