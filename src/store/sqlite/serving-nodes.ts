// Serving nodes per subscriber: the MME / SGSN of the last ULR (TS 29.272 §7.2.3) and PUR state.
// Writes are group-committed (group-commit.ts): the promise resolves once the row is on disk, so a
// ULA sent after it names an MME that survives a crash. Until that commit, get() sees the queued
// state (the overlay), so a second ULR before the commit still finds the first one's MME to cancel.
import type { Statement } from 'better-sqlite3';
import type { S6aNotification, ServingNode, ServingNodeRepository } from '../model.js';
import type { GroupStatement } from './group-commit.js';
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
  imei: string | null;
  software_version: string | null;
  terminal_updated_at: string | null;
}

interface NotificationRow {
  imsi: string;
  from_host: string;
  at: string;
  nor_flags: number | null;
  alert_reason: number | null;
  context_identifier: number | null;
  service_selection: string | null;
  pdn_gw_host: string | null;
  imei: string | null;
  software_version: string | null;
}

export class SqliteServingNodes implements ServingNodeRepository {
  private readonly ctx: Ctx;
  private readonly byImsi: Statement<[string], Row>;
  private readonly upsertMme: GroupStatement;
  private readonly upsertSgsn: GroupStatement;
  private readonly upsertPurged: GroupStatement;
  private readonly sgsnCleared: GroupStatement;
  private readonly upsertTerminal: GroupStatement;
  private readonly upsertNotification: GroupStatement;
  private readonly notificationOf: Statement<[string], NotificationRow>;
  /** NORs queued and not yet committed, by IMSI (lastNotification sees them at once). */
  private readonly pendingNotifications = new Map<string, { n: S6aNotification; batch: number }>();
  private readonly subscriberExists: Statement<[string], { x: number }>;
  private readonly hostsOf: Statement<{ p: string }, { kind: 'mme' | 'sgsn'; host: string; realm: string | null }>;
  /** Fields set by queued, not yet committed writes, per IMSI, with the batch of the last one. */
  private readonly overlay = new Map<string, { fields: Staged; batch: number }>();

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    const db = ctx.db;
    this.byImsi = db.prepare('SELECT * FROM serving_node WHERE imsi = ?');
    this.subscriberExists = db.prepare('SELECT 1 AS x FROM subscriber WHERE imsi = ?');
    // A range on the primary key, not LIKE: the prefix's rows are one index scan.
    this.hostsOf = db.prepare(
      `SELECT DISTINCT 'mme' AS kind, mme_host AS host, mme_realm AS realm FROM serving_node WHERE imsi >= @p AND imsi < @p || ':' AND mme_host IS NOT NULL AND purged = 0
       UNION SELECT DISTINCT 'sgsn', sgsn_host, sgsn_realm FROM serving_node WHERE imsi >= @p AND imsi < @p || ':' AND sgsn_host IS NOT NULL AND purged = 0`,
    );
    // A commit settles its own batch only: writes queued while it ran stay in the overlay.
    ctx.group.onCommitted((batch) => {
      for (const [imsi, o] of this.overlay) if (o.batch <= batch) this.overlay.delete(imsi);
      for (const [imsi, o] of this.pendingNotifications) if (o.batch <= batch) this.pendingNotifications.delete(imsi);
    });
    this.upsertTerminal = ctx.group.prepare(
      `INSERT INTO serving_node (imsi, imei, software_version, terminal_updated_at) SELECT imsi, @imei, @sv, @at FROM subscriber WHERE imsi = @imsi
       ON CONFLICT (imsi) DO UPDATE SET imei = @imei, software_version = @sv, terminal_updated_at = @at`,
      'changed',
    );
    this.upsertNotification = ctx.group.prepare(
      `INSERT OR REPLACE INTO s6a_notification (imsi, from_host, at, nor_flags, alert_reason, context_identifier, service_selection, pdn_gw_host, imei, software_version)
       SELECT imsi, @from, @at, @norFlags, @alertReason, @contextIdentifier, @serviceSelection, @pdnGwHost, @imei, @softwareVersion FROM subscriber WHERE imsi = @imsi`,
      'changed',
    );
    this.notificationOf = db.prepare('SELECT * FROM s6a_notification WHERE imsi = ?');
    // INSERT ... SELECT FROM subscriber: a serving node only for a subscriber that exists.
    this.upsertMme = ctx.group.prepare(
      `INSERT INTO serving_node (imsi, mme_host, mme_realm, mme_updated_at, purged) SELECT imsi, @a, @b, @at, 0 FROM subscriber WHERE imsi = @imsi
       ON CONFLICT (imsi) DO UPDATE SET mme_host = @a, mme_realm = @b, mme_updated_at = @at, purged = 0`,
      'changed',
    );
    this.upsertSgsn = ctx.group.prepare(
      `INSERT INTO serving_node (imsi, sgsn_host, sgsn_realm, sgsn_updated_at, purged) SELECT imsi, @a, @b, @at, 0 FROM subscriber WHERE imsi = @imsi
       ON CONFLICT (imsi) DO UPDATE SET sgsn_host = @a, sgsn_realm = @b, sgsn_updated_at = @at, purged = 0`,
      'changed',
    );
    this.sgsnCleared = ctx.group.prepare('UPDATE serving_node SET sgsn_host = NULL, sgsn_realm = NULL, sgsn_updated_at = NULL WHERE imsi = @imsi', 'changed');
    this.upsertPurged = ctx.group.prepare(
      `INSERT INTO serving_node (imsi, purged) SELECT imsi, @a FROM subscriber WHERE imsi = @imsi
       ON CONFLICT (imsi) DO UPDATE SET purged = @a`,
      'changed',
    );
  }

  get(imsi: string): ServingNode | undefined {
    const r = this.byImsi.get(imsi);
    const staged = this.overlay.get(imsi)?.fields;
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
      imei: r.imei,
      softwareVersion: r.software_version,
      terminalUpdatedAt: r.terminal_updated_at,
    };
    return staged ? { ...row, ...staged } : row;
  }

  setTerminal(imsi: string, imei: string, softwareVersion: string | null): Promise<boolean> {
    const at = this.ctx.now();
    this.stage(imsi, { imei, softwareVersion, terminalUpdatedAt: at });
    return this.ctx.group.enqueue(this.upsertTerminal, { imsi, imei, sv: softwareVersion, at });
  }

  recordNotification(n: S6aNotification): Promise<boolean> {
    this.pendingNotifications.set(n.imsi, { n, batch: this.ctx.group.currentBatch });
    return this.ctx.group.enqueue(this.upsertNotification, { ...n });
  }

  lastNotification(imsi: string): S6aNotification | undefined {
    const pending = this.pendingNotifications.get(imsi);
    if (pending) return pending.n;
    const r = this.notificationOf.get(imsi);
    if (!r) return undefined;
    return {
      imsi: r.imsi,
      from: r.from_host,
      at: r.at,
      norFlags: r.nor_flags,
      alertReason: r.alert_reason,
      contextIdentifier: r.context_identifier,
      serviceSelection: r.service_selection,
      pdnGwHost: r.pdn_gw_host,
      imei: r.imei,
      softwareVersion: r.software_version,
    };
  }

  setMme(imsi: string, host: string, realm: string): Promise<boolean> {
    const at = this.ctx.now();
    this.stage(imsi, { mmeHost: host, mmeRealm: realm, mmeUpdatedAt: at, purged: false });
    return this.ctx.group.enqueue(this.upsertMme, { imsi, a: host, b: realm, at });
  }

  setSgsn(imsi: string, host: string, realm: string): Promise<boolean> {
    const at = this.ctx.now();
    this.stage(imsi, { sgsnHost: host, sgsnRealm: realm, sgsnUpdatedAt: at, purged: false });
    return this.ctx.group.enqueue(this.upsertSgsn, { imsi, a: host, b: realm, at });
  }

  clearSgsn(imsi: string): Promise<boolean> {
    this.stage(imsi, { sgsnHost: null, sgsnRealm: null, sgsnUpdatedAt: null });
    return this.ctx.group.enqueue(this.sgsnCleared, { imsi });
  }

  setPurged(imsi: string, purged: boolean): Promise<boolean> {
    this.stage(imsi, { purged });
    return this.ctx.group.enqueue(this.upsertPurged, { imsi, a: purged ? 1 : 0 });
  }

  servingHosts(prefixes: readonly string[]): { host: string; realm: string; kind: 'mme' | 'sgsn' }[] {
    const seen = new Map<string, { host: string; realm: string; kind: 'mme' | 'sgsn' }>();
    for (const p of prefixes.length ? prefixes : ['']) {
      for (const r of this.hostsOf.all({ p })) seen.set(`${r.kind} ${r.host.toLowerCase()}`, { host: r.host, realm: r.realm ?? '', kind: r.kind });
    }
    return [...seen.values()];
  }

  /** Records the fields a queued write sets; get() lays them over the row (no read here: ULR just did one). */
  private stage(imsi: string, fields: Staged): void {
    const prev = this.overlay.get(imsi)?.fields;
    this.overlay.set(imsi, { fields: prev ? { ...prev, ...fields } : fields, batch: this.ctx.group.currentBatch });
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
  imei: null,
  softwareVersion: null,
  terminalUpdatedAt: null,
});
