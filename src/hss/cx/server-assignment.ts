// TS 29.228 §6.1.2 S-CSCF registration/deregistration notification (SAR/SAA), TS 29.229 §6.1.3/§6.1.4.
// Per Server-Assignment-Type (§6.1.2.1, table 6.1.2.1): records the S-CSCF and the registration
// state in the store (it survives restarts), and answers REGISTRATION, RE_REGISTRATION,
// UNREGISTERED_USER and NO_ASSIGNMENT with User-Data (the IMS subscription XML) unless the S-CSCF
// says it already has it, plus Charging-Information and Associated-Identities.
import { avp } from '../../diameter/codec/builder.js';
import type { Avp, Message } from '../../diameter/codec/message.js';
import type { Dictionary } from '../../diameter/dictionary/dictionary.js';
import type { ImsRegistrationState, ImsSubscriber, Store } from '../../store/model.js';
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

export interface SarResult {
  readonly answer: Message;
  /** The subscriber after the SAR when it changed (for PPR/RTR bookkeeping). */
  readonly changed?: ImsSubscriber;
}

export function serverAssignment(dict: Dictionary, store: Store, o: CxOptions, origin: Origin, req: Message): SarResult {
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
  const t = transition({ scscfName: sub.scscfName, state: sub.registrationState }, sat, serverName);
  if (t === null) return { answer: cxAnswer(dict, req, origin, { resultCode: Rc.UNABLE_TO_COMPLY }) };
  // A de-registration from an S-CSCF that is not the assigned one must not unassign the real one.
  const foreign = sub.scscfName !== null && serverName !== '' && sub.scscfName !== serverName && !t.userData && sat !== Sat.NO_ASSIGNMENT;
  let after = sub;
  if (!foreign && (t.scscfName !== sub.scscfName || t.state !== sub.registrationState)) {
    store.imsSubscribers.setServer(sub.impi, t.scscfName, t.state);
    after = { ...sub, scscfName: t.scscfName, registrationState: t.state };
  }
  const body: Avp[] = [avp(dict, 'User-Name', sub.impi)];
  if (t.userData && !(alreadyAvailable && sat !== Sat.NO_ASSIGNMENT)) {
    body.push(userDataAvp(dict, store, after, impus[0] ?? sub.impus[0]?.impu ?? ''));
    body.push(...chargingInformationAvp(dict, o.chargingInformation));
  }
  return { answer: cxAnswer(dict, req, origin, { resultCode: Rc.SUCCESS }, body), ...(after !== sub ? { changed: after } : {}) };
}
