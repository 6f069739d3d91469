// Serving nodes per subscriber: the MME / SGSN of the last ULR (TS 29.272 §7.2.3) and PUR state.
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

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    const db = ctx.db;
    this.byImsi = db.prepare('SELECT * FROM serving_node WHERE imsi = ?');
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
    if (!r) return undefined;
    return {
      imsi: r.imsi,
      mmeHost: r.mme_host,
      mmeRealm: r.mme_realm,
      mmeUpdatedAt: r.mme_updated_at,
      sgsnHost: r.sgsn_host,
      sgsnRealm: r.sgsn_realm,
      sgsnUpdatedAt: r.sgsn_updated_at,
      purged: bool(r.purged),
    };
  }

  setMme(imsi: string, host: string, realm: string): boolean {
    return this.upsertMme.run({ imsi, a: host, b: realm, at: this.ctx.now() }).changes > 0;
  }

  setSgsn(imsi: string, host: string, realm: string): boolean {
    return this.upsertSgsn.run({ imsi, a: host, b: realm, at: this.ctx.now() }).changes > 0;
  }

  setPurged(imsi: string, purged: boolean): boolean {
    return this.upsertPurged.run({ imsi, a: purged ? 1 : 0 }).changes > 0;
  }
}
