// APN profiles (TS 29.272 §7.3.35 APN-Configuration): PDN type, QCI, ARP, APN-AMBR, charging.
import type { Statement } from 'better-sqlite3';
import { FIELD, matches } from '../fields.js';
import type { Actor, ApnInput, ApnPatch, ApnProfile, ApnRepository, Page, PageRequest, PdnType } from '../model.js';
import { conflict, invalid, notFound } from '../store-error.js';
import type { SqliteServingNodes } from './serving-nodes.js';
import { ReadCache } from './read-cache.js';
import { bool, changedFields, pageLimit, toPage, type Ctx } from './shared.js';

interface Row {
  id: number;
  name: string;
  pdn_type: string;
  qci: number;
  arp_priority: number;
  arp_preemption_capability: number;
  arp_preemption_vulnerability: number;
  ambr_ul: number;
  ambr_dl: number;
  charging_characteristics: string | null;
  created_at: string;
  updated_at: string;
}

/** QCI 9 (default bearer, best effort), ARP 8 without pre-emption, 1 Gbit/s APN-AMBR. */
export const APN_DEFAULTS = {
  pdnType: 'ipv4' as PdnType,
  qci: 9,
  arp: { priority: 8, preemptionCapability: false, preemptionVulnerability: true },
  ambr: { uplink: 1_000_000_000, downlink: 1_000_000_000 },
};

const PDN_TYPES = ['ipv4', 'ipv6', 'ipv4v6', 'ipv4-or-ipv6'];

function checkApn(a: ApnPatch): void {
  if (a.name !== undefined && !matches(FIELD.apn, a.name)) throw invalid('name', `name: ${FIELD.apn.description}`);
  if (a.pdnType !== undefined && !PDN_TYPES.includes(a.pdnType)) throw invalid('pdnType', `pdnType: must be one of ${PDN_TYPES.join(', ')}`);
  if (a.qci !== undefined && (!Number.isInteger(a.qci) || a.qci < 1 || a.qci > 255)) throw invalid('qci', 'qci: must be an integer 1..255');
  if (a.arp !== undefined && (!Number.isInteger(a.arp.priority) || a.arp.priority < 1 || a.arp.priority > 15)) {
    throw invalid('arp.priority', 'arp.priority: must be an integer 1..15');
  }
  if (a.chargingCharacteristics != null && !matches(FIELD.chargingCharacteristics, a.chargingCharacteristics)) {
    throw invalid('chargingCharacteristics', `chargingCharacteristics: ${FIELD.chargingCharacteristics.description}`);
  }
}

export class SqliteApns implements ApnRepository {
  private readonly ctx: Ctx;
  private readonly byId: Statement<[number], Row>;
  private readonly byName: Statement<[string], Row>;
  private readonly ofSubscriber: Statement<[string], Row>;
  /** A subscriber's profiles, read by every ULR (read-cache.ts). */
  private readonly profilesOf: ReadCache<ApnProfile[]>;

  private readonly serving: SqliteServingNodes;

  constructor(ctx: Ctx, serving: SqliteServingNodes) {
    this.ctx = ctx;
    this.serving = serving;
    this.profilesOf = new ReadCache(ctx.epochs);
    this.byId = ctx.db.prepare('SELECT * FROM apn WHERE id = ?');
    this.byName = ctx.db.prepare('SELECT * FROM apn WHERE name = ?');
    this.ofSubscriber = ctx.db.prepare('SELECT a.* FROM subscriber_apn sa JOIN apn a ON a.id = sa.apn_id WHERE sa.imsi = ? ORDER BY sa.position');
  }

  private toApn(r: Row): ApnProfile {
    return {
      id: r.id,
      name: r.name,
      pdnType: r.pdn_type as PdnType,
      qci: r.qci,
      arp: { priority: r.arp_priority, preemptionCapability: bool(r.arp_preemption_capability), preemptionVulnerability: bool(r.arp_preemption_vulnerability) },
      ambr: { uplink: r.ambr_ul, downlink: r.ambr_dl },
      chargingCharacteristics: r.charging_characteristics,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  get(id: number): ApnProfile | undefined {
    const r = this.byId.get(id);
    return r ? this.toApn(r) : undefined;
  }

  getByName(name: string): ApnProfile | undefined {
    const r = this.byName.get(name);
    return r ? this.toApn(r) : undefined;
  }

  forSubscriber(imsi: string): ApnProfile[] {
    return this.profilesOf.get(imsi, (key) => this.ofSubscriber.all(key).map((r) => this.toApn(r)))!;
  }

  list(page?: PageRequest): Page<ApnProfile> {
    const limit = pageLimit(page);
    const after = page?.after !== undefined ? Number(page.after) : 0;
    const rows = this.ctx.db.prepare('SELECT * FROM apn WHERE id > ? ORDER BY id LIMIT ?').all(after, limit + 1) as Row[];
    return toPage(rows, limit, (r) => this.toApn(r), (a) => String(a.id));
  }

  create(input: ApnInput, actor: Actor): ApnProfile {
    if (input.name === undefined) throw invalid('name', `name: is required and ${FIELD.apn.description}`);
    checkApn(input);
    return this.ctx.write(() => {
      if (this.byName.get(input.name)) throw conflict('name', `name: APN ${input.name} already exists`);
      const d = APN_DEFAULTS;
      const arp = input.arp ?? d.arp;
      const ambr = input.ambr ?? d.ambr;
      const now = this.ctx.now();
      const r = this.ctx.db
        .prepare(
          `INSERT INTO apn (name, pdn_type, qci, arp_priority, arp_preemption_capability, arp_preemption_vulnerability, ambr_ul, ambr_dl,
             charging_characteristics, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(input.name, input.pdnType ?? d.pdnType, input.qci ?? d.qci, arp.priority, arp.preemptionCapability ? 1 : 0, arp.preemptionVulnerability ? 1 : 0, ambr.uplink, ambr.downlink, input.chargingCharacteristics ?? null, now, now);
      const id = Number(r.lastInsertRowid);
      this.ctx.audit(actor, 'create', 'apn', id, input);
      return this.get(id)!;
    });
  }

  update(id: number, patch: ApnPatch, actor: Actor): ApnProfile {
    checkApn(patch);
    return this.ctx.write(() => {
      const cur = this.get(id);
      if (!cur) throw notFound('APN', id);
      if (patch.name !== undefined && patch.name.toLowerCase() !== cur.name.toLowerCase() && this.byName.get(patch.name)) {
        throw conflict('name', `name: APN ${patch.name} already exists`);
      }
      const arp = patch.arp ?? cur.arp;
      const ambr = patch.ambr ?? cur.ambr;
      this.ctx.db
        .prepare(
          `UPDATE apn SET name = ?, pdn_type = ?, qci = ?, arp_priority = ?, arp_preemption_capability = ?, arp_preemption_vulnerability = ?,
             ambr_ul = ?, ambr_dl = ?, charging_characteristics = ?, updated_at = ? WHERE id = ?`,
        )
        .run(
          patch.name ?? cur.name,
          patch.pdnType ?? cur.pdnType,
          patch.qci ?? cur.qci,
          arp.priority,
          arp.preemptionCapability ? 1 : 0,
          arp.preemptionVulnerability ? 1 : 0,
          ambr.uplink,
          ambr.downlink,
          patch.chargingCharacteristics !== undefined ? patch.chargingCharacteristics : cur.chargingCharacteristics,
          this.ctx.now(),
          id,
        );
      this.ctx.audit(actor, 'update', 'apn', id, patch);
      // Every subscriber with this APN now has different APN-Configuration: IDR material.
      const fields = changedFields(patch).map((f) => `apns.${f}`);
      const users = this.ctx.db.prepare('SELECT imsi FROM subscriber_apn WHERE apn_id = ?').all(id) as { imsi: string }[];
      for (const { imsi } of users) {
        const servingNode = this.serving.get(imsi) ?? null;
        if (servingNode?.mmeHost || servingNode?.sgsnHost) this.ctx.later('subscriber-changed', { imsi, kind: 'updated', fields, servingNode });
      }
      return this.get(id)!;
    });
  }

  delete(id: number, actor: Actor): void {
    this.ctx.write(() => {
      const cur = this.get(id);
      if (!cur) throw notFound('APN', id);
      const used = this.ctx.db.prepare('SELECT count(*) AS n FROM subscriber_apn WHERE apn_id = ?').get(id) as { n: number };
      if (used.n > 0) throw conflict('id', `APN ${cur.name} is used by ${used.n} subscriber(s); remove it from them first`);
      this.ctx.db.prepare('DELETE FROM apn WHERE id = ?').run(id);
      this.ctx.audit(actor, 'delete', 'apn', id, { name: cur.name });
    });
  }
}
