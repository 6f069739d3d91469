// Subscribers (TS 29.272 §7.3.2 Subscription-Data) with their APN list and roaming rules.
// get/getByMsisdn are on the request path (ULR): primary key / unique index, prepared once.
import type { Statement } from 'better-sqlite3';
import { checkAuc, checkSubscriber, normaliseApns } from '../check.js';
import type {
  Actor,
  AucInput,
  NetworkAccessMode,
  Page,
  PageRequest,
  RatName,
  Subscriber,
  SubscriberInput,
  SubscriberPatch,
  SubscriberRepository,
} from '../model.js';
import { badReference, conflict, invalid, notFound } from '../store-error.js';
import type { SqliteAuc } from './auc.js';
import type { SqliteServingNodes } from './serving-nodes.js';
import { ReadCache } from './read-cache.js';
import { bool, changedFields, pageLimit, toPage, type Ctx } from './shared.js';

interface SubscriberRow {
  imsi: string;
  msisdn: string | null;
  enabled: number;
  ambr_ul: number;
  ambr_dl: number;
  network_access_mode: string;
  access_restriction: number;
  rat_restrictions: string;
  periodic_tau: number | null;
  default_apn: string | null;
  roaming_allowed: number;
  charging_characteristics: string | null;
  created_at: string;
  updated_at: string;
  apns_json: string;
  rules_json: string;
}

/** Defaults for a new subscriber: 1 Gbit/s AMBR each way, packet and circuit, no restrictions. */
export const SUBSCRIBER_DEFAULTS = {
  enabled: true,
  ambr: { uplink: 1_000_000_000, downlink: 1_000_000_000 },
  networkAccessMode: 'packet-and-circuit' as NetworkAccessMode,
  accessRestriction: 0,
  ratRestrictions: [] as RatName[],
  periodicTau: null,
  roamingAllowed: true,
  chargingCharacteristics: null,
};

export class SqliteSubscribers implements SubscriberRepository {
  private readonly ctx: Ctx;
  private readonly auc: SqliteAuc;
  private readonly serving: SqliteServingNodes;
  private readonly byImsi: Statement<[string], SubscriberRow>;
  private readonly byMsisdn: Statement<[string], SubscriberRow>;
  private readonly insert: Statement;
  private readonly insertApn: Statement;
  private readonly insertRule: Statement;
  private readonly apnIdByName: Statement<[string], { id: number }>;
  private readonly ruleExists: Statement<[number], { id: number }>;
  private readonly imsiTaken: Statement<[string], { x: number }>;
  private readonly msisdnTaken: Statement<[string], { x: number }>;
  private readonly listFirst: Statement<[number], SubscriberRow>;
  private readonly listAfter: Statement<[string, number], SubscriberRow>;
  /** ULR/AIR read the subscriber on every request (read-cache.ts). */
  private readonly cache: ReadCache<Subscriber>;

  constructor(ctx: Ctx, auc: SqliteAuc, serving: SqliteServingNodes) {
    this.ctx = ctx;
    this.auc = auc;
    this.serving = serving;
    const db = ctx.db;
    this.cache = new ReadCache(ctx.epochs);
    // One statement per lookup: the APN list and roaming rules come along as JSON arrays, which
    // saves two more trips into SQLite per ULR (half the lookup time at 1M subscribers).
    const full = `SELECT s.*,
        (SELECT json_group_array(json_array(name, static_ip)) FROM (SELECT a.name, sa.static_ip FROM subscriber_apn sa JOIN apn a ON a.id = sa.apn_id
           WHERE sa.imsi = s.imsi ORDER BY sa.position)) AS apns_json,
        (SELECT json_group_array(rule_id) FROM (SELECT rule_id FROM subscriber_roaming_rule WHERE imsi = s.imsi ORDER BY rule_id)) AS rules_json
      FROM subscriber s`;
    this.byImsi = db.prepare(`${full} WHERE s.imsi = ?`);
    this.byMsisdn = db.prepare(`${full} WHERE s.msisdn = ?`);
    this.insert = db.prepare(
      `INSERT INTO subscriber (imsi, msisdn, enabled, ambr_ul, ambr_dl, network_access_mode, access_restriction, rat_restrictions,
         periodic_tau, default_apn, roaming_allowed, charging_characteristics, created_at, updated_at)
       VALUES (@imsi, @msisdn, @enabled, @ambr_ul, @ambr_dl, @network_access_mode, @access_restriction, @rat_restrictions,
         @periodic_tau, @default_apn, @roaming_allowed, @charging_characteristics, @created_at, @updated_at)`,
    );
    this.insertApn = db.prepare('INSERT INTO subscriber_apn (imsi, position, apn_id, static_ip) VALUES (?, ?, ?, ?)');
    this.insertRule = db.prepare('INSERT INTO subscriber_roaming_rule (imsi, rule_id) VALUES (?, ?)');
    // Existence checks touch only the key's index, not the whole record.
    this.imsiTaken = db.prepare('SELECT 1 AS x FROM subscriber WHERE imsi = ?');
    this.msisdnTaken = db.prepare('SELECT 1 AS x FROM subscriber WHERE msisdn = ?');
    this.apnIdByName = db.prepare('SELECT id FROM apn WHERE name = ?');
    this.ruleExists = db.prepare('SELECT id FROM roaming_rule WHERE id = ?');
    this.listFirst = db.prepare(`${full} ORDER BY s.imsi LIMIT ?`);
    this.listAfter = db.prepare(`${full} WHERE s.imsi > ? ORDER BY s.imsi LIMIT ?`);
  }

  private toSubscriber(r: SubscriberRow): Subscriber {
    return {
      imsi: r.imsi,
      msisdn: r.msisdn,
      enabled: bool(r.enabled),
      ambr: { uplink: r.ambr_ul, downlink: r.ambr_dl },
      networkAccessMode: r.network_access_mode as NetworkAccessMode,
      accessRestriction: r.access_restriction,
      ratRestrictions: JSON.parse(r.rat_restrictions) as RatName[],
      periodicTau: r.periodic_tau,
      defaultApn: r.default_apn,
      apns: (JSON.parse(r.apns_json) as [string, string | null][]).map(([name, staticIp]) => ({ name, staticIp })),
      roamingAllowed: bool(r.roaming_allowed),
      roamingRules: JSON.parse(r.rules_json) as number[],
      chargingCharacteristics: r.charging_characteristics,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  get(imsi: string): Subscriber | undefined {
    return this.cache.get(imsi, this.load);
  }

  private readonly load = (imsi: string): Subscriber | undefined => {
    const r = this.byImsi.get(imsi);
    return r ? this.toSubscriber(r) : undefined;
  };

  getByMsisdn(msisdn: string): Subscriber | undefined {
    const r = this.byMsisdn.get(msisdn);
    return r ? this.toSubscriber(r) : undefined;
  }

  list(page?: PageRequest): Page<Subscriber> {
    const limit = pageLimit(page);
    const rows = page?.after !== undefined ? this.listAfter.all(page.after, limit + 1) : this.listFirst.all(limit + 1);
    return toPage(rows, limit, (r) => this.toSubscriber(r), (s) => s.imsi);
  }

  count(): number {
    return (this.ctx.db.prepare('SELECT count(*) AS n FROM subscriber').get() as { n: number }).n;
  }

  create(input: SubscriberInput, actor: Actor): Subscriber {
    checkSubscriber(input, true);
    return this.ctx.write(() => {
      this.insertRecord(input);
      this.ctx.audit(actor, 'create', 'subscriber', input.imsi, input);
      return this.get(input.imsi)!;
    });
  }

  createWithAuc(input: SubscriberInput, auc: Omit<AucInput, 'imsi'>, actor: Actor): Subscriber {
    checkSubscriber(input, true);
    checkAuc({ ...auc, imsi: input.imsi }, true);
    return this.ctx.write(() => {
      this.insertRecord(input);
      this.auc.insertRecord({ ...auc, imsi: input.imsi });
      this.ctx.audit(actor, 'create', 'subscriber', input.imsi, { ...input, auc });
      return this.get(input.imsi)!;
    });
  }

  /** Inserts one subscriber; the caller holds the transaction (bulk import uses this directly). */
  insertRecord(input: SubscriberInput): void {
    if (this.imsiTaken.get(input.imsi)) throw conflict('imsi', `imsi: subscriber ${input.imsi} already exists`);
    if (input.msisdn != null && this.msisdnTaken.get(input.msisdn)) throw conflict('msisdn', `msisdn: ${input.msisdn} already belongs to another subscriber`);
    const now = this.ctx.now();
    const d = SUBSCRIBER_DEFAULTS;
    const apns = normaliseApns(input.apns);
    const defaultApn = input.defaultApn ?? apns[0]?.name ?? null;
    this.checkDefaultApn(defaultApn, apns);
    this.insert.run({
      imsi: input.imsi,
      msisdn: input.msisdn ?? null,
      enabled: (input.enabled ?? d.enabled) ? 1 : 0,
      ambr_ul: input.ambr?.uplink ?? d.ambr.uplink,
      ambr_dl: input.ambr?.downlink ?? d.ambr.downlink,
      network_access_mode: input.networkAccessMode ?? d.networkAccessMode,
      access_restriction: input.accessRestriction ?? d.accessRestriction,
      rat_restrictions: JSON.stringify(input.ratRestrictions ?? d.ratRestrictions),
      periodic_tau: input.periodicTau ?? d.periodicTau,
      default_apn: defaultApn,
      roaming_allowed: (input.roamingAllowed ?? d.roamingAllowed) ? 1 : 0,
      charging_characteristics: input.chargingCharacteristics ?? d.chargingCharacteristics,
      created_at: now,
      updated_at: now,
    });
    this.writeApns(input.imsi, apns);
    this.writeRules(input.imsi, input.roamingRules ?? []);
  }

  private checkDefaultApn(defaultApn: string | null, apns: { name: string }[]): void {
    if (defaultApn !== null && !apns.some((a) => a.name.toLowerCase() === defaultApn.toLowerCase())) {
      throw invalid('defaultApn', `defaultApn: ${defaultApn} is not in the subscriber's apns`);
    }
  }

  private writeApns(imsi: string, apns: { name: string; staticIp: string | null }[]): void {
    apns.forEach((a, i) => {
      const row = this.apnIdByName.get(a.name);
      if (!row) throw badReference(`apns[${i}]`, `apns[${i}]: APN ${a.name} does not exist (create it under /api/v1/apns first)`);
      this.insertApn.run(imsi, i, row.id, a.staticIp);
    });
  }

  private writeRules(imsi: string, rules: number[]): void {
    rules.forEach((id, i) => {
      if (!this.ruleExists.get(id)) throw badReference(`roamingRules[${i}]`, `roamingRules[${i}]: roaming rule ${id} does not exist`);
      this.insertRule.run(imsi, id);
    });
  }

  update(imsi: string, patch: SubscriberPatch, actor: Actor): Subscriber {
    checkSubscriber(patch, false);
    const fields = changedFields(patch);
    const result = this.ctx.write(() => {
      const cur = this.get(imsi);
      if (!cur) throw notFound('subscriber', imsi);
      if (patch.msisdn != null && patch.msisdn !== cur.msisdn && this.msisdnTaken.get(patch.msisdn)) {
        throw conflict('msisdn', `msisdn: ${patch.msisdn} already belongs to another subscriber`);
      }
      const apns = patch.apns !== undefined ? normaliseApns(patch.apns) : cur.apns;
      let defaultApn = patch.defaultApn !== undefined ? patch.defaultApn : cur.defaultApn;
      if (patch.apns !== undefined && patch.defaultApn === undefined && defaultApn !== null && !apns.some((a) => a.name.toLowerCase() === defaultApn!.toLowerCase())) {
        defaultApn = apns[0]?.name ?? null;
      }
      this.checkDefaultApn(defaultApn, apns);
      this.ctx.db
        .prepare(
          `UPDATE subscriber SET msisdn = ?, enabled = ?, ambr_ul = ?, ambr_dl = ?, network_access_mode = ?, access_restriction = ?,
             rat_restrictions = ?, periodic_tau = ?, default_apn = ?, roaming_allowed = ?, charging_characteristics = ?, updated_at = ?
           WHERE imsi = ?`,
        )
        .run(
          patch.msisdn !== undefined ? patch.msisdn : cur.msisdn,
          (patch.enabled ?? cur.enabled) ? 1 : 0,
          patch.ambr?.uplink ?? cur.ambr.uplink,
          patch.ambr?.downlink ?? cur.ambr.downlink,
          patch.networkAccessMode ?? cur.networkAccessMode,
          patch.accessRestriction ?? cur.accessRestriction,
          JSON.stringify(patch.ratRestrictions ?? cur.ratRestrictions),
          patch.periodicTau !== undefined ? patch.periodicTau : cur.periodicTau,
          defaultApn,
          (patch.roamingAllowed ?? cur.roamingAllowed) ? 1 : 0,
          patch.chargingCharacteristics !== undefined ? patch.chargingCharacteristics : cur.chargingCharacteristics,
          this.ctx.now(),
          imsi,
        );
      if (patch.apns !== undefined) {
        this.ctx.db.prepare('DELETE FROM subscriber_apn WHERE imsi = ?').run(imsi);
        this.writeApns(imsi, apns);
      }
      if (patch.roamingRules !== undefined) {
        this.ctx.db.prepare('DELETE FROM subscriber_roaming_rule WHERE imsi = ?').run(imsi);
        this.writeRules(imsi, patch.roamingRules);
      }
      this.ctx.audit(actor, 'update', 'subscriber', imsi, patch);
      this.ctx.later('subscriber-changed', { imsi, kind: 'updated', fields, servingNode: this.serving.get(imsi) ?? null });
      return this.get(imsi)!;
    });
    return result;
  }

  delete(imsi: string, actor: Actor): void {
    this.ctx.write(() => {
      if (!this.imsiTaken.get(imsi)) throw notFound('subscriber', imsi);
      const servingNode = this.serving.get(imsi) ?? null;
      this.ctx.db.prepare('DELETE FROM subscriber WHERE imsi = ?').run(imsi);
      this.ctx.audit(actor, 'delete', 'subscriber', imsi, {});
      this.ctx.later('subscriber-changed', { imsi, kind: 'deleted', fields: [], servingNode });
    });
  }
}
