// IMS subscribers (TS 29.228 §6.1, TS 23.228 §4.3.3): one private identity (IMPI) with its public
// identities (IMPUs: barring, implicit registration set), the authentication scheme and digest
// secret, the iFC template, and the S-CSCF assignment of the last SAR. IMPU and IMPI lookups are
// primary keys (Cx UAR/LIR/MAR/SAR are keyed by them).
import type { Statement } from 'better-sqlite3';
import { FIELD, matches } from '../fields.js';
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
  scscf_name: string | null;
  registration_state: string;
  created_at: string;
  updated_at: string;
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

export class SqliteImsSubscribers implements ImsSubscriberRepository {
  private readonly ctx: Ctx;
  private readonly byImpi: Statement<[string], Row>;
  private readonly impiOfImpu: Statement<[string], { impi: string }>;
  private readonly impusOf: Statement<[string], { impu: string; barred: number; irs: number }>;
  private readonly insertImpu: Statement;

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    this.byImpi = ctx.db.prepare('SELECT * FROM ims_subscriber WHERE impi = ?');
    this.impiOfImpu = ctx.db.prepare('SELECT impi FROM ims_public_identity WHERE impu = ?');
    this.impusOf = ctx.db.prepare('SELECT impu, barred, irs FROM ims_public_identity WHERE impi = ? ORDER BY position');
    this.insertImpu = ctx.db.prepare('INSERT INTO ims_public_identity (impu, impi, position, barred, irs) VALUES (?, ?, ?, ?, ?)');
  }

  private toIms(r: Row): ImsSubscriber {
    return {
      impi: r.impi,
      imsi: r.imsi,
      msisdn: r.msisdn,
      authScheme: r.auth_scheme as ImsAuthScheme,
      digestRealm: r.digest_realm,
      digestSecret: r.digest_password !== null ? 'password' : r.digest_ha1 !== null ? 'ha1' : null,
      digestQop: r.digest_qop as 'auth' | 'auth-int' | null,
      ifcTemplateId: r.ifc_template_id,
      impus: this.impusOf.all(r.impi).map((p) => ({ impu: p.impu, barred: bool(p.barred), irs: p.irs })),
      scscfName: r.scscf_name,
      registrationState: r.registration_state as ImsRegistrationState,
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

  private writeImpus(impi: string, impus: ImsSubscriberInput['impus']): void {
    impus.forEach((p, i) => {
      const owner = this.impiOfImpu.get(p.impu);
      if (owner) throw conflict(`impus[${i}].impu`, `impus[${i}].impu: ${p.impu} already belongs to ${owner.impi}`);
      this.insertImpu.run(p.impu, impi, i, p.barred ? 1 : 0, p.irs ?? 0);
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
             scscf_name, registration_state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 'not-registered', ?, ?)`,
        )
        .run(input.impi, input.imsi ?? null, input.msisdn ?? null, scheme, input.digestRealm ?? null, input.digestPassword ?? null, input.digestHa1?.toLowerCase() ?? null, input.digestQop ?? null, input.ifcTemplateId ?? null, now, now);
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
      };
      this.checkScheme(next.scheme, next.imsi, next.password, next.ha1);
      this.ctx.db
        .prepare(
          `UPDATE ims_subscriber SET imsi = ?, msisdn = ?, auth_scheme = ?, digest_realm = ?, digest_password = ?, digest_ha1 = ?, digest_qop = ?,
             ifc_template_id = ?, updated_at = ? WHERE impi = ?`,
        )
        .run(next.imsi, next.msisdn, next.scheme, next.realm, next.password, next.ha1, next.qop, next.ifc, this.ctx.now(), impi);
      if (patch.impus !== undefined) {
        this.ctx.db.prepare('DELETE FROM ims_public_identity WHERE impi = ?').run(impi);
        this.writeImpus(impi, patch.impus);
      }
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

  setServer(impi: string, scscfName: string | null, state: ImsRegistrationState): boolean {
    const before = this.byImpi.get(impi);
    const r = this.ctx.db.prepare('UPDATE ims_subscriber SET scscf_name = ?, registration_state = ?, scscf_updated_at = ? WHERE impi = ?').run(scscfName, state, this.ctx.now(), impi);
    // Sh subscribers to IMSUserState / S-CSCFName are told (PNR) only when something they see changed.
    if (before && (before.registration_state !== state || before.scscf_name !== scscfName)) {
      const impus = this.impusOf.all(impi).map((p) => p.impu);
      this.ctx.emit('ims-registration-changed', { impi, impus, previous: before.registration_state as ImsRegistrationState, state, previousScscfName: before.scscf_name, scscfName });
    }
    return r.changes > 0;
  }
}
