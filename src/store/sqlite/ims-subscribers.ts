// IMS subscribers (TS 29.228 §6.1, TS 23.228 §4.3.3): one private identity (IMPI) with its public
// identities (IMPUs: barring, implicit registration set), the authentication scheme and digest
// secret, the iFC template, the IMS subscription it shares with other IMPIs, and per IMPU the
// registration state and S-CSCF of the last SAR (TS 29.228 keeps them per public identity).
// IMPU and IMPI lookups are primary keys (Cx UAR/LIR/MAR/SAR are keyed by them).
//
// IMPU rows carry the Sh data of their identity (repository data, subscriptions: ON DELETE
// CASCADE), so an edit of the IMPU list changes rows in place and deletes only the removed ones.
import type { Statement } from 'better-sqlite3';
import { FIELD, matches } from '../fields.js';
import { registrationSummary } from '../implicit-set.js';
import type {
  Actor,
  DigestCredentials,
  ImsAuthScheme,
  ImsRegistrationState,
  ImsSubscriber,
  ImsSubscriberInput,
  ImsSubscriberPatch,
  ImsSubscriberRepository,
  Page,
  PageRequest,
  PublicIdentity,
  PublicIdentityInput,
} from '../model.js';
import { badReference, conflict, invalid, notFound } from '../store-error.js';
import { bool, changedFields, pageLimit, toPage, type Ctx } from './shared.js';

interface Row {
  impi: string;
  imsi: string | null;
  msisdn: string | null;
  auth_scheme: string;
  digest_realm: string | null;
  digest_password: string | null;
  digest_ha1: string | null;
  digest_qop: string | null;
  ifc_template_id: number | null;
  subscription_id: string | null;
  created_at: string;
  updated_at: string;
}

interface ImpuRow {
  impu: string;
  position: number;
  barred: number;
  irs: number;
  scscf_name: string | null;
  registration_state: string;
}

const SCHEMES = ['aka', 'sip-digest', 'digest-md5'];
const QOPS = ['auth', 'auth-int'];

function check(s: ImsSubscriberPatch & { impi?: string }, creating: boolean): void {
  if (creating && !matches(FIELD.impi, s.impi)) throw invalid('impi', `impi: ${FIELD.impi.description}`);
  if (s.imsi != null && !matches(FIELD.imsi, s.imsi)) throw invalid('imsi', `imsi: ${FIELD.imsi.description}`);
  if (s.msisdn != null && !matches(FIELD.msisdn, s.msisdn)) throw invalid('msisdn', `msisdn: ${FIELD.msisdn.description}`);
  if (s.authScheme !== undefined && !SCHEMES.includes(s.authScheme)) throw invalid('authScheme', `authScheme: must be one of ${SCHEMES.join(', ')}`);
  if (s.digestQop != null && !QOPS.includes(s.digestQop)) throw invalid('digestQop', 'digestQop: must be auth or auth-int');
  if (s.digestHa1 != null && !matches(FIELD.ha1, s.digestHa1)) throw invalid('digestHa1', `digestHa1: ${FIELD.ha1.description}`);
  if (s.digestPassword != null && (typeof s.digestPassword !== 'string' || s.digestPassword.length === 0)) throw invalid('digestPassword', 'digestPassword: must be a non-empty string');
  if (s.digestPassword != null && s.digestHa1 != null) throw invalid('digestHa1', 'digestHa1: give digestPassword or digestHa1, not both');
  if (s.subscriptionId != null && !matches(FIELD.subscriptionId, s.subscriptionId)) throw invalid('subscriptionId', `subscriptionId: ${FIELD.subscriptionId.description}`);
  if (s.impus !== undefined) {
    if (!Array.isArray(s.impus) || (creating && s.impus.length === 0)) throw invalid('impus', 'impus: must be a list of at least one public identity');
    const seen = new Set<string>();
    s.impus.forEach((p, i) => {
      if (!matches(FIELD.impu, p?.impu)) throw invalid(`impus[${i}].impu`, `impus[${i}].impu: ${FIELD.impu.description}`);
      if (seen.has(p.impu)) throw invalid(`impus[${i}].impu`, `impus[${i}].impu: ${p.impu} is listed twice`);
      seen.add(p.impu);
      if (p.irs !== undefined && (!Number.isInteger(p.irs) || p.irs < 0)) throw invalid(`impus[${i}].irs`, `impus[${i}].irs: must be an integer ≥ 0`);
    });
  }
}

const toIdentity = (p: ImpuRow): PublicIdentity => ({
  impu: p.impu,
  barred: bool(p.barred),
  irs: p.irs,
  scscfName: p.scscf_name,
  registrationState: p.registration_state as ImsRegistrationState,
});

export class SqliteImsSubscribers implements ImsSubscriberRepository {
  private readonly ctx: Ctx;
  private readonly byImpi: Statement<[string], Row>;
  private readonly impiOfImpu: Statement<[string], { impi: string }>;
  private readonly impusOf: Statement<[string], ImpuRow>;
  private readonly insertImpu: Statement<[string, string, number, number, number, string | null, string, string | null]>;
  private readonly moveImpu: Statement<[number, number, number, string]>;
  private readonly deleteImpu: Statement<[string]>;
  private readonly setImpuServer: Statement<[string | null, string, string, string]>;
  private readonly sameSubscription: Statement<[string, string], { impi: string }>;

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    const db = ctx.db;
    this.byImpi = db.prepare('SELECT * FROM ims_subscriber WHERE impi = ?');
    this.impiOfImpu = db.prepare('SELECT impi FROM ims_public_identity WHERE impu = ?');
    this.impusOf = db.prepare('SELECT impu, position, barred, irs, scscf_name, registration_state FROM ims_public_identity WHERE impi = ? ORDER BY position');
    this.insertImpu = db.prepare(
      'INSERT INTO ims_public_identity (impu, impi, position, barred, irs, scscf_name, registration_state, scscf_updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.moveImpu = db.prepare('UPDATE ims_public_identity SET position = ?, barred = ?, irs = ? WHERE impu = ?');
    this.deleteImpu = db.prepare('DELETE FROM ims_public_identity WHERE impu = ?');
    this.setImpuServer = db.prepare('UPDATE ims_public_identity SET scscf_name = ?, registration_state = ?, scscf_updated_at = ? WHERE impu = ?');
    this.sameSubscription = db.prepare(
      `SELECT impi FROM ims_subscriber WHERE subscription_id = (SELECT subscription_id FROM ims_subscriber WHERE impi = ?)
         AND impi <> ? ORDER BY impi`,
    );
  }

  private toIms(r: Row): ImsSubscriber {
    const impus = this.impusOf.all(r.impi).map(toIdentity);
    const summary = registrationSummary(impus);
    return {
      impi: r.impi,
      imsi: r.imsi,
      msisdn: r.msisdn,
      authScheme: r.auth_scheme as ImsAuthScheme,
      digestRealm: r.digest_realm,
      digestSecret: r.digest_password !== null ? 'password' : r.digest_ha1 !== null ? 'ha1' : null,
      digestQop: r.digest_qop as 'auth' | 'auth-int' | null,
      ifcTemplateId: r.ifc_template_id,
      subscriptionId: r.subscription_id,
      impus,
      scscfName: summary.scscfName,
      registrationState: summary.state,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  get(impi: string): ImsSubscriber | undefined {
    const r = this.byImpi.get(impi);
    return r ? this.toIms(r) : undefined;
  }

  getByImpu(impu: string): ImsSubscriber | undefined {
    const x = this.impiOfImpu.get(impu);
    return x ? this.get(x.impi) : undefined;
  }

  getByMsisdn(msisdn: string): ImsSubscriber | undefined {
    const r = this.ctx.db.prepare('SELECT * FROM ims_subscriber WHERE msisdn = ? LIMIT 1').get(msisdn) as Row | undefined;
    return r ? this.toIms(r) : undefined;
  }

  list(page?: PageRequest): Page<ImsSubscriber> {
    const limit = pageLimit(page);
    const rows = (
      page?.after !== undefined
        ? this.ctx.db.prepare('SELECT * FROM ims_subscriber WHERE impi > ? ORDER BY impi LIMIT ?').all(page.after, limit + 1)
        : this.ctx.db.prepare('SELECT * FROM ims_subscriber ORDER BY impi LIMIT ?').all(limit + 1)
    ) as Row[];
    return toPage(rows, limit, (r) => this.toIms(r), (s) => s.impi);
  }

  private checkRefs(s: ImsSubscriberPatch): void {
    if (s.imsi != null && !this.ctx.db.prepare('SELECT imsi FROM subscriber WHERE imsi = ?').get(s.imsi)) {
      throw badReference('imsi', `imsi: subscriber ${s.imsi} does not exist`);
    }
    if (s.ifcTemplateId != null && !this.ctx.db.prepare('SELECT id FROM ifc_template WHERE id = ?').get(s.ifcTemplateId)) {
      throw badReference('ifcTemplateId', `ifcTemplateId: iFC template ${s.ifcTemplateId} does not exist`);
    }
  }

  private claim(impi: string, p: PublicIdentityInput, i: number): void {
    const owner = this.impiOfImpu.get(p.impu);
    if (owner && owner.impi !== impi) throw conflict(`impus[${i}].impu`, `impus[${i}].impu: ${p.impu} already belongs to ${owner.impi}`);
  }

  private writeImpus(impi: string, impus: readonly PublicIdentityInput[]): void {
    impus.forEach((p, i) => {
      this.claim(impi, p, i);
      this.insertImpu.run(p.impu, impi, i, p.barred ? 1 : 0, p.irs ?? 0, null, 'not-registered', null);
    });
  }

  /**
   * Brings the IMPU rows of `impi` to `next` without touching the rows that stay: kept IMPUs keep
   * their registration state, S-CSCF and Sh data (only position, barring and set change); removed
   * ones are deleted (their Sh data with them); new ones join their implicit registration set's
   * state, since the S-CSCF learns of them with the profile push this change causes (TS 29.228 §6.1.5).
   */
  private syncImpus(impi: string, next: readonly PublicIdentityInput[]): void {
    const current = new Map(this.impusOf.all(impi).map((r) => [r.impu, r]));
    const wanted = new Set(next.map((p) => p.impu));
    for (const impu of current.keys()) if (!wanted.has(impu)) this.deleteImpu.run(impu);
    const now = this.ctx.now();
    next.forEach((p, i) => {
      const irs = p.irs ?? 0;
      if (current.has(p.impu)) {
        this.moveImpu.run(i, p.barred ? 1 : 0, irs, p.impu);
        return;
      }
      this.claim(impi, p, i);
      const member = next.find((q) => (q.irs ?? 0) === irs && current.get(q.impu) !== undefined && current.get(q.impu)!.registration_state !== 'not-registered');
      const from = member ? current.get(member.impu)! : undefined;
      this.insertImpu.run(p.impu, impi, i, p.barred ? 1 : 0, irs, from?.scscf_name ?? null, from?.registration_state ?? 'not-registered', from ? now : null);
    });
  }

  private checkScheme(scheme: string, imsi: string | null, password: string | null, ha1: string | null): void {
    if (scheme === 'aka' && imsi === null) throw invalid('imsi', 'imsi: authScheme aka needs the IMSI whose AuC holds the keys');
    if (scheme === 'digest-md5' && password === null) throw invalid('digestPassword', 'digestPassword: authScheme digest-md5 sends the password to the S-CSCF, so it must be stored');
    if (scheme === 'sip-digest' && password === null && ha1 === null) throw invalid('digestHa1', 'digestHa1: authScheme sip-digest needs digestHa1 or digestPassword');
  }

  create(input: ImsSubscriberInput, actor: Actor): ImsSubscriber {
    if (input.impus === undefined) throw invalid('impus', 'impus: is required');
    check(input, true);
    return this.ctx.write(() => {
      if (this.byImpi.get(input.impi)) throw conflict('impi', `impi: IMS subscriber ${input.impi} already exists`);
      this.checkRefs(input);
      const scheme = input.authScheme ?? 'aka';
      this.checkScheme(scheme, input.imsi ?? null, input.digestPassword ?? null, input.digestHa1 ?? null);
      const now = this.ctx.now();
      this.ctx.db
        .prepare(
          `INSERT INTO ims_subscriber (impi, imsi, msisdn, auth_scheme, digest_realm, digest_password, digest_ha1, digest_qop, ifc_template_id,
             subscription_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.impi,
          input.imsi ?? null,
          input.msisdn ?? null,
          scheme,
          input.digestRealm ?? null,
          input.digestPassword ?? null,
          input.digestHa1?.toLowerCase() ?? null,
          input.digestQop ?? null,
          input.ifcTemplateId ?? null,
          input.subscriptionId ?? null,
          now,
          now,
        );
      this.writeImpus(input.impi, input.impus);
      this.ctx.audit(actor, 'create', 'ims-subscriber', input.impi, input);
      return this.get(input.impi)!;
    });
  }

  update(impi: string, patch: ImsSubscriberPatch, actor: Actor): ImsSubscriber {
    check(patch, false);
    return this.ctx.write(() => {
      const cur = this.byImpi.get(impi);
      if (!cur) throw notFound('IMS subscriber', impi);
      this.checkRefs(patch);
      const next = {
        imsi: patch.imsi !== undefined ? patch.imsi : cur.imsi,
        msisdn: patch.msisdn !== undefined ? patch.msisdn : cur.msisdn,
        scheme: patch.authScheme ?? cur.auth_scheme,
        realm: patch.digestRealm !== undefined ? patch.digestRealm : cur.digest_realm,
        // A new password replaces a stored HA1 and vice versa.
        password: patch.digestPassword !== undefined ? patch.digestPassword : patch.digestHa1 != null ? null : cur.digest_password,
        ha1: patch.digestHa1 !== undefined ? (patch.digestHa1?.toLowerCase() ?? null) : patch.digestPassword != null ? null : cur.digest_ha1,
        qop: patch.digestQop !== undefined ? patch.digestQop : cur.digest_qop,
        ifc: patch.ifcTemplateId !== undefined ? patch.ifcTemplateId : cur.ifc_template_id,
        subscription: patch.subscriptionId !== undefined ? patch.subscriptionId : cur.subscription_id,
      };
      this.checkScheme(next.scheme, next.imsi, next.password, next.ha1);
      this.ctx.db
        .prepare(
          `UPDATE ims_subscriber SET imsi = ?, msisdn = ?, auth_scheme = ?, digest_realm = ?, digest_password = ?, digest_ha1 = ?, digest_qop = ?,
             ifc_template_id = ?, subscription_id = ?, updated_at = ? WHERE impi = ?`,
        )
        .run(next.imsi, next.msisdn, next.scheme, next.realm, next.password, next.ha1, next.qop, next.ifc, next.subscription, this.ctx.now(), impi);
      if (patch.impus !== undefined) this.syncImpus(impi, patch.impus);
      this.ctx.audit(actor, 'update', 'ims-subscriber', impi, patch);
      const after = this.get(impi)!;
      this.ctx.later('ims-subscriber-changed', { impi, kind: 'updated', fields: changedFields(patch), impus: after.impus.map((p) => p.impu), scscfName: after.scscfName });
      return after;
    });
  }

  delete(impi: string, actor: Actor): void {
    this.ctx.write(() => {
      const cur = this.get(impi);
      if (!cur) throw notFound('IMS subscriber', impi);
      this.ctx.db.prepare('DELETE FROM ims_subscriber WHERE impi = ?').run(impi);
      this.ctx.audit(actor, 'delete', 'ims-subscriber', impi, {});
      this.ctx.later('ims-subscriber-changed', { impi, kind: 'deleted', fields: [], impus: cur.impus.map((p) => p.impu), scscfName: cur.scscfName });
    });
  }

  digestCredentials(impi: string): DigestCredentials | undefined {
    const r = this.byImpi.get(impi);
    if (!r) return undefined;
    return { impi, realm: r.digest_realm, password: r.digest_password, ha1: r.digest_ha1, qop: r.digest_qop as 'auth' | 'auth-int' | null };
  }

  setServer(impi: string, scscfName: string | null, state: ImsRegistrationState, impus?: readonly string[]): boolean {
    return this.ctx.write(() => {
      const rows = this.impusOf.all(impi).filter((r) => impus === undefined || impus.includes(r.impu));
      if (rows.length === 0) return false;
      const now = this.ctx.now();
      // Sh subscribers to IMSUserState / S-CSCFName are told (PNR) only about IMPUs whose state or
      // S-CSCF changed; one event per former (state, S-CSCF), so each says what it was before.
      const moved = new Map<string, { previous: ImsRegistrationState; previousScscfName: string | null; impus: string[] }>();
      for (const r of rows) {
        if (r.registration_state === state && r.scscf_name === scscfName) continue;
        this.setImpuServer.run(scscfName, state, now, r.impu);
        const key = JSON.stringify([r.registration_state, r.scscf_name]);
        const group = moved.get(key) ?? { previous: r.registration_state as ImsRegistrationState, previousScscfName: r.scscf_name, impus: [] };
        group.impus.push(r.impu);
        moved.set(key, group);
      }
      for (const g of moved.values()) this.ctx.later('ims-registration-changed', { impi, impus: g.impus, previous: g.previous, state, previousScscfName: g.previousScscfName, scscfName });
      return true;
    });
  }

  associatedImpis(impi: string): string[] {
    return this.sameSubscription.all(impi, impi).map((r) => r.impi);
  }
}
