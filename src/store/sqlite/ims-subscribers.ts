// IMS subscribers (TS 29.228 §6.1, TS 23.228 §4.3.3): one private identity (IMPI) with its public
// identities (IMPUs: barring, implicit registration set), the authentication scheme and digest
// secret, the iFC template, the IMS subscription it shares with other IMPIs, and per IMPU the
// registration state and S-CSCF of the last SAR (TS 29.228 keeps them per public identity).
// IMPU and IMPI lookups are primary keys (Cx UAR/LIR/MAR/SAR are keyed by them).
//
// IMPU rows carry the Sh data of their identity (repository data, subscriptions: ON DELETE
// CASCADE), so an edit of the IMPU list changes rows in place and deletes only the removed ones.
//
// Hot path: a Cx request reads the profile (subscriber row, identities, barring, sets) from a read
// cache (read-cache.ts; the triggers there leave the state columns out, so registrations do not
// empty it) and the per-IMPU state from a cache of its own (emptied by state changes only). SAR and MAR write the state group-committed
// (group-commit.ts): queued writes are kept per IMPU until their batch has committed, and every
// read lays them over the rows, so a request right behind a SAR sees its state before the commit.
import type { Statement } from 'better-sqlite3';
import { FIELD, matches } from '../fields.js';
import { registrationSummary } from '../implicit-set.js';
import type {
  Actor,
  DerivedCache,
  DigestCredentials,
  ImpuAssignment,
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
import type { GroupStatement } from './group-commit.js';
import { CacheEpoch, ReadCache } from './read-cache.js';
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
  scscf_pool_id: number | null;
  preferred_scscf: string | null;
  created_at: string;
  updated_at: string;
}

/** What an IMPU row holds besides its state (the cached part). */
interface IdentityRow {
  impu: string;
  position: number;
  barred: number;
  irs: number;
}

interface StateRow {
  impu: string;
  scscf_name: string | null;
  registration_state: string;
}

type ImpuRow = IdentityRow & StateRow;

/** An IMS subscriber without its per-IMPU S-CSCF and state: what the read cache holds. */
interface Profile {
  readonly row: Row;
  readonly ids: readonly IdentityRow[];
}

interface Assignment {
  scscfName: string | null;
  state: ImsRegistrationState;
}

/**
 * A queued, not yet committed write to one IMPU row: S-CSCF and state (assign), or the S-CSCF only
 * where there is none (state undefined: recordServerName). Both are idempotent, so a row that has
 * committed but whose batch is not yet settled reads the same with or without them laid over.
 */
interface QueuedWrite {
  readonly batch: number;
  readonly scscfName: string | null;
  readonly state: ImsRegistrationState | undefined;
}

function laidOver(a: Assignment, writes: readonly QueuedWrite[]): Assignment {
  let { scscfName, state } = a;
  for (const w of writes) {
    if (w.state !== undefined) {
      scscfName = w.scscfName;
      state = w.state;
    } else if (scscfName === null) {
      scscfName = w.scscfName;
    }
  }
  return { scscfName, state };
}

/** A state change of one IMPU, for the 'ims-registration-changed' events. */
interface Moved {
  readonly impu: string;
  readonly from: Assignment;
  readonly to: Assignment;
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
  if (s.preferredScscf != null && !matches(FIELD.sipUri, s.preferredScscf)) throw invalid('preferredScscf', `preferredScscf: ${FIELD.sipUri.description}`);
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
  private readonly impusOf: Statement<[string], ImpuRow>;
  private readonly identitiesOf: Statement<[string], IdentityRow>;
  private readonly statesOf: Statement<[string], StateRow>;
  private readonly insertImpu: Statement<[string, string, number, number, number, string | null, string, string | null]>;
  private readonly moveImpu: Statement<[number, number, number, string]>;
  private readonly deleteImpu: Statement<[string]>;
  private readonly setImpuServer: Statement<[string | null, string, string, string]>;
  private readonly sameSubscription: Statement<[string, string], { impi: string }>;
  private readonly queuedAssign: GroupStatement;
  private readonly queuedServerName: GroupStatement;
  private readonly profiles: ReadCache<Profile>;
  /** IMPU → IMPI. */
  private readonly owners: ReadCache<string>;
  private readonly associated: ReadCache<string[]>;
  /** Queued writes per IMPU, oldest first, until their batch has committed. */
  private readonly queued = new Map<string, QueuedWrite[]>();
  /**
   * The committed state rows per IMPI. Their epoch moves when a state column changes in the file
   * (trigger-kept counter, read once per event-loop turn: another node's SAR is seen by the next
   * turn), when this repository's API write commits, and when a group commit settles a queued
   * state write of ours. SQN commits (every MAR) leave it alone.
   */
  private readonly stateEpoch: CacheEpoch;
  private readonly states: ReadCache<StateRow[]>;
  private readonly loadStates = (impi: string): StateRow[] => this.statesOf.all(impi);

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    const db = ctx.db;
    this.byImpi = db.prepare('SELECT * FROM ims_subscriber WHERE impi = ?');
    this.impiOfImpu = db.prepare('SELECT impi FROM ims_public_identity WHERE impu = ?');
    this.impusOf = db.prepare('SELECT impu, position, barred, irs, scscf_name, registration_state FROM ims_public_identity WHERE impi = ? ORDER BY position');
    this.identitiesOf = db.prepare('SELECT impu, position, barred, irs FROM ims_public_identity WHERE impi = ? ORDER BY position');
    this.statesOf = db.prepare('SELECT impu, scscf_name, registration_state FROM ims_public_identity WHERE impi = ? ORDER BY position');
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
    // `impi = @impi`: an IMPU moved to another IMPI by the API meanwhile is not touched.
    this.queuedAssign = ctx.group.prepare(
      'UPDATE ims_public_identity SET scscf_name = @name, registration_state = @state, scscf_updated_at = @at WHERE impu = @impu AND impi = @impi',
      'changed',
    );
    this.queuedServerName = ctx.group.prepare(
      'UPDATE ims_public_identity SET scscf_name = @name, scscf_updated_at = @at WHERE impu = @impu AND impi = @impi AND scscf_name IS NULL',
      'changed',
    );
    this.profiles = new ReadCache(ctx.epochs);
    this.owners = new ReadCache(ctx.epochs);
    this.associated = new ReadCache(ctx.epochs);
    // A commit settles its own batch only: writes queued while it ran stay laid over.
    this.stateEpoch = new CacheEpoch(ctx.db, 'state_generation');
    this.states = new ReadCache(this.stateEpoch);
    ctx.group.onCommitted((batch) => {
      let settled = false;
      for (const [impu, writes] of this.queued) {
        if (writes[0]!.batch > batch) continue;
        settled = true;
        if (writes[writes.length - 1]!.batch <= batch) this.queued.delete(impu);
        else this.queued.set(impu, writes.filter((w) => w.batch > batch));
      }
      // The overlay of the settled writes is gone: the cached rows must be read again with them.
      if (settled) this.stateEpoch.bump();
    });
  }

  private readonly loadProfile = (impi: string): Profile | undefined => {
    const row = this.byImpi.get(impi);
    return row ? { row, ids: this.identitiesOf.all(impi) } : undefined;
  };

  /** The S-CSCF and state of an IMPU row with the queued writes laid over. */
  private current(r: StateRow | undefined, impu: string): Assignment {
    const a: Assignment = { scscfName: r?.scscf_name ?? null, state: (r?.registration_state ?? 'not-registered') as ImsRegistrationState };
    const writes = this.queued.get(impu);
    return writes ? laidOver(a, writes) : a;
  }

  /**
   * The committed state rows of `impi` (not to be modified), queued writes not included. A read
   * costs 10-30 µs while the group commit keeps the WAL busy with SQN updates: cached (see
   * `states`). Inside a transaction: always read.
   */
  private stateRows(impi: string): StateRow[] {
    return this.states.get(impi, this.loadStates) ?? [];
  }

  /** ctx.write for this repository's API writes: the state read kept for reuse predates them. */
  private write<T>(fn: () => T): T {
    try {
      return this.ctx.write(fn);
    } finally {
      this.stateEpoch.bump();
    }
  }

  /** Each IMPU of `impi` with its current S-CSCF and state (queued writes included), in position order. */
  private currentStates(impi: string): Map<string, Assignment> {
    return new Map(this.stateRows(impi).map((r) => [r.impu, this.current(r, r.impu)]));
  }

  private toIms(p: Profile): ImsSubscriber {
    const r = p.row;
    const states = this.stateRows(r.impi);
    const impus = p.ids.map((id, i): PublicIdentity => {
      // Same order as the identities unless another process changed the list since they were cached.
      const row = states[i]?.impu === id.impu ? states[i] : states.find((x) => x.impu === id.impu);
      const cur = this.current(row, id.impu);
      return { impu: id.impu, barred: bool(id.barred), irs: id.irs, scscfName: cur.scscfName, registrationState: cur.state };
    });
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
      scscfPoolId: r.scscf_pool_id,
      preferredScscf: r.preferred_scscf,
      impus,
      scscfName: summary.scscfName,
      registrationState: summary.state,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  private fromRow(row: Row): ImsSubscriber {
    return this.toIms({ row, ids: this.identitiesOf.all(row.impi) });
  }

  get(impi: string): ImsSubscriber | undefined {
    const p = this.profiles.get(impi, this.loadProfile);
    return p ? this.toIms(p) : undefined;
  }

  getByImpu(impu: string): ImsSubscriber | undefined {
    const impi = this.owners.get(impu, (u) => this.impiOfImpu.get(u)?.impi);
    return impi !== undefined ? this.get(impi) : undefined;
  }

  getByMsisdn(msisdn: string): ImsSubscriber | undefined {
    const r = this.ctx.db.prepare('SELECT * FROM ims_subscriber WHERE msisdn = ? LIMIT 1').get(msisdn) as Row | undefined;
    return r ? this.fromRow(r) : undefined;
  }

  list(page?: PageRequest): Page<ImsSubscriber> {
    const limit = pageLimit(page);
    const rows = (
      page?.after !== undefined
        ? this.ctx.db.prepare('SELECT * FROM ims_subscriber WHERE impi > ? ORDER BY impi LIMIT ?').all(page.after, limit + 1)
        : this.ctx.db.prepare('SELECT * FROM ims_subscriber ORDER BY impi LIMIT ?').all(limit + 1)
    ) as Row[];
    return toPage(rows, limit, (r) => this.fromRow(r), (s) => s.impi);
  }

  private checkRefs(s: ImsSubscriberPatch): void {
    if (s.imsi != null && !this.ctx.db.prepare('SELECT imsi FROM subscriber WHERE imsi = ?').get(s.imsi)) {
      throw badReference('imsi', `imsi: subscriber ${s.imsi} does not exist`);
    }
    if (s.ifcTemplateId != null && !this.ctx.db.prepare('SELECT id FROM ifc_template WHERE id = ?').get(s.ifcTemplateId)) {
      throw badReference('ifcTemplateId', `ifcTemplateId: iFC template ${s.ifcTemplateId} does not exist`);
    }
    if (s.scscfPoolId != null && !this.ctx.db.prepare('SELECT id FROM scscf_pool WHERE id = ?').get(s.scscfPoolId)) {
      throw badReference('scscfPoolId', `scscfPoolId: S-CSCF pool ${s.scscfPoolId} does not exist`);
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
    // Queued SAR/MAR writes count: they commit after this transaction and apply on top of it.
    const current = new Map(
      this.impusOf.all(impi).map((r) => {
        const cur = this.current(r, r.impu);
        return [r.impu, { ...r, scscf_name: cur.scscfName, registration_state: cur.state }];
      }),
    );
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
    return this.write(() => {
      if (this.byImpi.get(input.impi)) throw conflict('impi', `impi: IMS subscriber ${input.impi} already exists`);
      this.checkRefs(input);
      const scheme = input.authScheme ?? 'aka';
      this.checkScheme(scheme, input.imsi ?? null, input.digestPassword ?? null, input.digestHa1 ?? null);
      const now = this.ctx.now();
      this.ctx.db
        .prepare(
          `INSERT INTO ims_subscriber (impi, imsi, msisdn, auth_scheme, digest_realm, digest_password, digest_ha1, digest_qop, ifc_template_id,
             subscription_id, scscf_pool_id, preferred_scscf, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
          input.scscfPoolId ?? null,
          input.preferredScscf ?? null,
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
    return this.write(() => {
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
        pool: patch.scscfPoolId !== undefined ? patch.scscfPoolId : cur.scscf_pool_id,
        preferred: patch.preferredScscf !== undefined ? patch.preferredScscf : cur.preferred_scscf,
      };
      this.checkScheme(next.scheme, next.imsi, next.password, next.ha1);
      this.ctx.db
        .prepare(
          `UPDATE ims_subscriber SET imsi = ?, msisdn = ?, auth_scheme = ?, digest_realm = ?, digest_password = ?, digest_ha1 = ?, digest_qop = ?,
             ifc_template_id = ?, subscription_id = ?, scscf_pool_id = ?, preferred_scscf = ?, updated_at = ? WHERE impi = ?`,
        )
        .run(next.imsi, next.msisdn, next.scheme, next.realm, next.password, next.ha1, next.qop, next.ifc, next.subscription, next.pool, next.preferred, this.ctx.now(), impi);
      if (patch.impus !== undefined) this.syncImpus(impi, patch.impus);
      this.ctx.audit(actor, 'update', 'ims-subscriber', impi, patch);
      const after = this.get(impi)!;
      this.ctx.later('ims-subscriber-changed', { impi, kind: 'updated', fields: changedFields(patch), impus: after.impus.map((p) => p.impu), scscfName: after.scscfName });
      return after;
    });
  }

  delete(impi: string, actor: Actor): void {
    this.write(() => {
      const cur = this.get(impi);
      if (!cur) throw notFound('IMS subscriber', impi);
      this.ctx.db.prepare('DELETE FROM ims_subscriber WHERE impi = ?').run(impi);
      this.ctx.audit(actor, 'delete', 'ims-subscriber', impi, {});
      const assignments = cur.impus.map((p) => ({ impu: p.impu, scscfName: p.scscfName, state: p.registrationState }));
      this.ctx.later('ims-subscriber-changed', { impi, kind: 'deleted', fields: [], impus: cur.impus.map((p) => p.impu), scscfName: cur.scscfName, assignments });
    });
  }

  digestCredentials(impi: string): DigestCredentials | undefined {
    const r = this.profiles.get(impi, this.loadProfile)?.row;
    if (!r) return undefined;
    return { impi, realm: r.digest_realm, password: r.digest_password, ha1: r.digest_ha1, qop: r.digest_qop as 'auth' | 'auth-int' | null };
  }

  setServer(impi: string, scscfName: string | null, state: ImsRegistrationState, impus?: readonly string[]): boolean {
    // Queued SAR/MAR writes were made first: they commit before this one, not on top of it.
    if (this.queued.size > 0) this.ctx.group.flush();
    return this.write(() => {
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

  assign(impi: string, changes: readonly ImpuAssignment[]): Promise<boolean> {
    const states = this.currentStates(impi);
    const at = this.ctx.now();
    const moved: Moved[] = [];
    const done: Promise<boolean>[] = [];
    for (const c of changes) {
      const from = states.get(c.impu);
      if (!from || (from.scscfName === c.scscfName && from.state === c.state)) continue;
      const to = { scscfName: c.scscfName, state: c.state };
      this.queue(c.impu, to.scscfName, to.state);
      states.set(c.impu, to);
      moved.push({ impu: c.impu, from, to });
      done.push(this.ctx.group.enqueue<boolean>(this.queuedAssign, { impu: c.impu, impi, name: c.scscfName, state: c.state, at }));
    }
    return this.settled(impi, moved, done).then((m) => m.length > 0);
  }

  recordServerName(impi: string, impus: readonly string[], scscfName: string): Promise<string[]> {
    const states = this.currentStates(impi);
    const at = this.ctx.now();
    const moved: Moved[] = [];
    const done: Promise<boolean>[] = [];
    for (const impu of impus) {
      const from = states.get(impu);
      if (!from || from.scscfName !== null) continue;
      this.queue(impu, scscfName, undefined);
      moved.push({ impu, from, to: { scscfName, state: from.state } });
      done.push(this.ctx.group.enqueue<boolean>(this.queuedServerName, { impu, impi, name: scscfName, at }));
    }
    return this.settled(impi, moved, done).then((m) => m.map((x) => x.impu));
  }

  private queue(impu: string, scscfName: string | null, state: ImsRegistrationState | undefined): void {
    const w: QueuedWrite = { batch: this.ctx.group.currentBatch, scscfName, state };
    const writes = this.queued.get(impu);
    if (writes) writes.push(w);
    else this.queued.set(impu, [w]);
  }

  /**
   * After the commit of `done`: the IMPUs whose row did change, and the events for them (Sh
   * subscribers to IMSUserState / S-CSCFName hear of IMPUs whose state or S-CSCF changed; one event
   * per former and new (state, S-CSCF), so each says what it was before).
   */
  private async settled(impi: string, moved: readonly Moved[], done: readonly Promise<boolean>[]): Promise<Moved[]> {
    if (done.length === 0) return [];
    const changed = await Promise.all(done);
    const out = moved.filter((_, i) => changed[i]);
    const events = new Map<string, { impus: string[]; m: Moved }>();
    for (const m of out) {
      const key = JSON.stringify([m.from.state, m.from.scscfName, m.to.state, m.to.scscfName]);
      const e = events.get(key);
      if (e) e.impus.push(m.impu);
      else events.set(key, { impus: [m.impu], m });
    }
    for (const { impus, m } of events.values()) {
      this.ctx.emit('ims-registration-changed', { impi, impus, previous: m.from.state, state: m.to.state, previousScscfName: m.from.scscfName, scscfName: m.to.scscfName });
    }
    return out;
  }

  associatedImpis(impi: string): string[] {
    return this.associated.get(impi, (i) => this.sameSubscription.all(i, i).map((r) => r.impi)) ?? [];
  }

  profileCache<V>(): DerivedCache<V> {
    return new ReadCache<V>(this.ctx.epochs);
  }
}
