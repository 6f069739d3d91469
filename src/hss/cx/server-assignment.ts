// TS 29.228 §6.1.2 S-CSCF registration/deregistration notification (SAR/SAA), TS 29.229 §6.1.3/§6.1.4.
// Per Server-Assignment-Type (§6.1.2.1, table 6.1.2.1): records the S-CSCF and the registration
// state of each public identity the SAR is about — the named IMPUs with their implicit registration
// sets, or every IMPU of the IMPI when none is named — in the store (it survives restarts), and
// answers REGISTRATION, RE_REGISTRATION, UNREGISTERED_USER and NO_ASSIGNMENT with User-Data (the IMS
// subscription XML) unless the S-CSCF says it already has it, plus Charging-Information, and
// Associated-Identities (§6.3.33) when the IMS subscription has more than one IMPI.
// The new states are group-committed (one fsync per batch of SARs); the SAA leaves once they are on
// disk, and requests behind it see them at once. A SAR that changes nothing is answered at once.
import { avp } from '../../diameter/codec/builder.js';
import type { Avp, Message } from '../../diameter/codec/message.js';
import type { Dictionary } from '../../diameter/dictionary/dictionary.js';
import { implicitRegistrationSets, registrationSummary } from '../../store/implicit-set.js';
import type { DerivedCache, ImpuAssignment, ImsRegistrationState, ImsSubscriber, PublicIdentity, Store } from '../../store/model.js';
import { CxAvp, CxExp, Rc, TGPP, cxAnswer, num, str, strs, type Origin } from './cx-kit.js';
import type { ChargingInformation, CxOptions } from './options.js';
import { imsSubscriptionXml } from './user-data-xml.js';
import { Enum } from '../../diameter/dictionary/generated/constants.js';

/** Server-Assignment-Type values (TS 29.229 §6.3.15), from the generated dictionary constants. */
export const Sat = Enum.ServerAssignmentType;

/** Where a SAR leaves the user: new S-CSCF name and state, and whether User-Data goes back. */
export interface Transition {
  readonly scscfName: string | null;
  readonly state: ImsRegistrationState;
  readonly userData: boolean;
}

/** Pure: table 6.1.2.1 as (current assignment, SAT, SAR Server-Name) → transition; null = not a Cx type. */
export function transition(cur: { scscfName: string | null; state: ImsRegistrationState }, sat: number, serverName: string): Transition | null {
  switch (sat) {
    case Sat.NO_ASSIGNMENT:
      return { scscfName: cur.scscfName, state: cur.state, userData: true };
    case Sat.REGISTRATION:
    case Sat.RE_REGISTRATION:
      return { scscfName: serverName, state: 'registered', userData: true };
    case Sat.UNREGISTERED_USER:
      // A registered user stays registered; otherwise the S-CSCF keeps the profile for unregistered services.
      return { scscfName: serverName, state: cur.state === 'registered' ? 'registered' : 'unregistered', userData: true };
    case Sat.TIMEOUT_DEREGISTRATION:
    case Sat.USER_DEREGISTRATION:
    case Sat.ADMINISTRATIVE_DEREGISTRATION:
    case Sat.DEREGISTRATION_TOO_MUCH_DATA:
      return { scscfName: null, state: 'not-registered', userData: false };
    case Sat.TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME:
    case Sat.USER_DEREGISTRATION_STORE_SERVER_NAME:
      return { scscfName: serverName, state: 'not-registered', userData: false };
    case Sat.AUTHENTICATION_FAILURE:
    case Sat.AUTHENTICATION_TIMEOUT:
      // Only a user that was never registered loses the name the MAR recorded.
      return cur.state === 'not-registered' ? { scscfName: null, state: 'not-registered', userData: false } : { scscfName: cur.scscfName, state: cur.state, userData: false };
    default:
      return null;
  }
}

export function chargingInformationAvp(dict: Dictionary, c: ChargingInformation | undefined): Avp[] {
  if (!c) return [];
  const kids: Avp[] = [];
  if (c.primaryEventChargingFunctionName) kids.push(avp(dict, 'Primary-Event-Charging-Function-Name', c.primaryEventChargingFunctionName));
  if (c.secondaryEventChargingFunctionName) kids.push(avp(dict, 'Secondary-Event-Charging-Function-Name', c.secondaryEventChargingFunctionName));
  if (c.primaryChargingCollectionFunctionName) kids.push(avp(dict, 'Primary-Charging-Collection-Function-Name', c.primaryChargingCollectionFunctionName));
  if (c.secondaryChargingCollectionFunctionName) kids.push(avp(dict, 'Secondary-Charging-Collection-Function-Name', c.secondaryChargingCollectionFunctionName));
  return kids.length > 0 ? [avp(dict, 'Charging-Information', kids)] : [];
}

/** User-Data for `sub` as seen from `impu`. */
export function userDataAvp(dict: Dictionary, store: Store, sub: ImsSubscriber, impu: string): Avp {
  const template = sub.ifcTemplateId !== null ? store.ifcTemplates.get(sub.ifcTemplateId) : undefined;
  return avp(dict, 'Cx-User-Data', Buffer.from(imsSubscriptionXml(sub, impu, template), 'utf8'));
}

/**
 * The same from a cache kept while the profile is unchanged (the XML depends on identities,
 * barring, sets, MSISDN and the iFC template, never on the registration state): reading the
 * template and rendering it took about an eighth of the server's CPU per SAR (docs/benchmarks.md).
 */
export function cachedUserDataAvp(dict: Dictionary, store: Store, cache: DerivedCache<Avp>, sub: ImsSubscriber, impu: string): Avp {
  return cache.get(`${sub.impi}\n${impu}`, () => userDataAvp(dict, store, sub, impu))!;
}

/** TS 29.229 §6.3.33: the other IMPIs of the user's IMS subscription, when there are any. */
export function associatedIdentitiesAvp(dict: Dictionary, store: Store, impi: string): Avp[] {
  const others = store.imsSubscribers.associatedImpis(impi);
  return others.length > 0 ? [avp(dict, 'Associated-Identities', others.map((u) => avp(dict, 'User-Name', u)))] : [];
}

/** What a SAR does to each IMPU it is about (table 6.1.2.1 per public identity). */
export function sarAssignments(affected: readonly PublicIdentity[], sat: number, serverName: string): ImpuAssignment[] {
  const out: ImpuAssignment[] = [];
  for (const p of affected) {
    const t = transition({ scscfName: p.scscfName, state: p.registrationState }, sat, serverName);
    if (t === null) continue;
    // A de-registration from an S-CSCF that is not the assigned one must not unassign the real one.
    const foreign = p.scscfName !== null && serverName !== '' && p.scscfName !== serverName && !t.userData && sat !== Sat.NO_ASSIGNMENT;
    if (!foreign && (t.scscfName !== p.scscfName || t.state !== p.registrationState)) out.push({ impu: p.impu, scscfName: t.scscfName, state: t.state });
  }
  return out;
}

export interface SarResult {
  readonly answer: Message;
  /** The IMPI of a successful SAR. */
  readonly impi?: string;
  /** The subscriber as this SAR left it, when it changed something (for PPR/RTR bookkeeping). */
  readonly changed?: ImsSubscriber;
}

/** `sub` with `changes` applied (and its IMPI-level summary recomputed). */
export function withAssignments(sub: ImsSubscriber, changes: readonly ImpuAssignment[]): ImsSubscriber {
  const impus = sub.impus.map((p) => {
    const c = changes.find((x) => x.impu === p.impu);
    return c ? { ...p, scscfName: c.scscfName, registrationState: c.state } : p;
  });
  const summary = registrationSummary(impus);
  return { ...sub, impus, scscfName: summary.scscfName, registrationState: summary.state };
}

export interface SarDeps {
  readonly dict: Dictionary;
  readonly store: Store;
  readonly options: CxOptions;
  readonly origin: Origin;
  /** Cx-User-Data AVPs per IMPI and leading IMPU (cachedUserDataAvp). */
  readonly userData: DerivedCache<Avp>;
}

/** The SAA; a promise when the SAR changes a state (answered once it is committed). */
export function serverAssignment(d: SarDeps, req: Message): SarResult | Promise<SarResult> {
  const { dict, store, options: o, origin } = d;
  const impi = str(req.avps, CxAvp.USER_NAME);
  const impus = strs(req.avps, CxAvp.PUBLIC_IDENTITY, TGPP);
  const serverName = str(req.avps, CxAvp.SERVER_NAME, TGPP) ?? '';
  const sat = num(req.avps, CxAvp.SERVER_ASSIGNMENT_TYPE, TGPP) ?? -1;
  const alreadyAvailable = num(req.avps, CxAvp.USER_DATA_ALREADY_AVAILABLE, TGPP) === 1;
  const fail = (experimental: number): SarResult => ({ answer: cxAnswer(dict, req, origin, { experimental }) });

  const sub = impi !== undefined ? store.imsSubscribers.get(impi) : impus[0] !== undefined ? store.imsSubscribers.getByImpu(impus[0]) : undefined;
  if (!sub) {
    const known = impus.some((u) => store.imsSubscribers.getByImpu(u));
    return fail(impi !== undefined && known ? CxExp.IDENTITIES_DONT_MATCH : CxExp.USER_UNKNOWN);
  }
  if (impus.some((u) => !sub.impus.some((p) => p.impu === u))) return fail(CxExp.IDENTITIES_DONT_MATCH);
  const t = transition({ scscfName: null, state: 'not-registered' }, sat, serverName);
  if (t === null) return { answer: cxAnswer(dict, req, origin, { resultCode: Rc.UNABLE_TO_COMPLY }) };
  const changes = sarAssignments(implicitRegistrationSets(sub.impus, impus), sat, serverName);
  const finish = (changed: boolean): SarResult => {
    const body: Avp[] = [avp(dict, 'User-Name', sub.impi)];
    if (t.userData && !(alreadyAvailable && sat !== Sat.NO_ASSIGNMENT)) {
      body.push(cachedUserDataAvp(dict, store, d.userData, sub, impus[0] ?? sub.impus[0]?.impu ?? ''));
      body.push(...chargingInformationAvp(dict, o.chargingInformation));
    }
    body.push(...associatedIdentitiesAvp(dict, store, sub.impi));
    const answer = cxAnswer(dict, req, origin, { resultCode: Rc.SUCCESS }, body);
    return changed ? { answer, impi: sub.impi, changed: withAssignments(sub, changes) } : { answer, impi: sub.impi };
  };
  // The state is read and the writes queued in one synchronous step: no request comes in between.
  return changes.length > 0 ? store.imsSubscribers.assign(sub.impi, changes).then(finish) : finish(false);
}
