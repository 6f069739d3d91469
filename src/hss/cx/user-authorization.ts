// TS 29.228 §6.1.1 User registration status query (UAR/UAA), TS 29.229 §6.1.1/§6.1.2.
// A User-Authorization-Type other than the three of TS 29.229 §6.3.24 is refused first (RFC 6733
// §7.1.5 DIAMETER_INVALID_AVP_VALUE, with the AVP in Failed-AVP). Then the checks, in the order of
// §6.1.1.1: the IMPU exists (5001 USER_UNKNOWN), IMPI and IMPU belong together (5002
// IDENTITIES_DONT_MATCH), the IMPU may register (Result-Code 5003 AUTHORIZATION_REJECTED when it is
// barred and so is every other IMPU of its implicit registration set: a barred IMPU in a set with an
// unbarred one registers with it), the visited network is allowed (5004 ROAMING_NOT_ALLOWED); then
// answers by User-Authorization-Type and the registration state and S-CSCF of that IMPU (kept per
// public identity, §6.1.2).
import { avp } from '../../diameter/codec/builder.js';
import { findAvp, type Message } from '../../diameter/codec/message.js';
import type { Dictionary } from '../../diameter/dictionary/dictionary.js';
import { implicitRegistrationSet } from '../../store/implicit-set.js';
import type { Store } from '../../store/model.js';
import { CxAvp, CxExp, Rc, TGPP, cxAnswer, str, type Origin } from './cx-kit.js';
import type { CxOptions } from './options.js';
import { capabilitiesAvp, serverAvp, userServers } from './server-selection.js';

const REGISTRATION = 0;
const DE_REGISTRATION = 1;
const REGISTRATION_AND_CAPABILITIES = 2;

export function visitedNetworkAllowed(o: CxOptions, vni: string | undefined): boolean {
  if (vni === undefined) return true;
  if (o.deniedVisitedNetworks?.includes(vni)) return false;
  if (o.allowedVisitedNetworks && !o.allowedVisitedNetworks.includes(vni)) return false;
  return true;
}

export function userAuthorization(dict: Dictionary, store: Store, o: CxOptions, origin: Origin, req: Message): Message {
  const typeAvp = findAvp(req.avps, CxAvp.USER_AUTHORIZATION_TYPE, TGPP);
  // Absent means REGISTRATION (Kamailio's I-CSCF leaves it out).
  const type = typeAvp === undefined ? REGISTRATION : typeAvp.value;
  if (type !== REGISTRATION && type !== DE_REGISTRATION && type !== REGISTRATION_AND_CAPABILITIES) {
    return cxAnswer(dict, req, origin, { resultCode: Rc.INVALID_AVP_VALUE }, [
      avp(dict, 'Error-Message', 'User-Authorization-Type must be 0, 1 or 2 (TS 29.229 §6.3.24)'),
      avp(dict, 'Failed-AVP', [typeAvp!]),
    ]);
  }
  const impi = str(req.avps, CxAvp.USER_NAME) ?? '';
  const impu = str(req.avps, CxAvp.PUBLIC_IDENTITY, TGPP) ?? '';
  const sub = store.imsSubscribers.getByImpu(impu);
  if (!sub) return cxAnswer(dict, req, origin, { experimental: CxExp.USER_UNKNOWN });
  if (sub.impi !== impi) return cxAnswer(dict, req, origin, { experimental: CxExp.IDENTITIES_DONT_MATCH });
  const pub = sub.impus.find((p) => p.impu === impu);
  if (pub?.barred && type !== DE_REGISTRATION && implicitRegistrationSet(sub.impus, impu).every((p) => p.barred)) {
    return cxAnswer(dict, req, origin, { resultCode: Rc.AUTHORIZATION_REJECTED });
  }
  if (type !== DE_REGISTRATION && !visitedNetworkAllowed(o, str(req.avps, CxAvp.VISITED_NETWORK_IDENTIFIER, TGPP))) {
    return cxAnswer(dict, req, origin, { experimental: CxExp.ROAMING_NOT_ALLOWED });
  }
  const servers = userServers(store, sub);
  if (type === REGISTRATION_AND_CAPABILITIES) return cxAnswer(dict, req, origin, { resultCode: Rc.SUCCESS }, [capabilitiesAvp(dict, o, servers.pool)]);
  const assigned = pub?.scscfName ?? null;
  if (type === DE_REGISTRATION) {
    if (!assigned) return cxAnswer(dict, req, origin, { experimental: CxExp.IDENTITY_NOT_REGISTERED });
    return cxAnswer(dict, req, origin, { resultCode: Rc.SUCCESS }, [serverAvp(dict, o, assigned, servers)]);
  }
  // REGISTRATION: registered or unregistered (an S-CSCF keeps the profile) → subsequent.
  if (pub && pub.registrationState !== 'not-registered' && assigned) {
    return cxAnswer(dict, req, origin, { experimental: CxExp.SUBSEQUENT_REGISTRATION }, [serverAvp(dict, o, assigned, servers)]);
  }
  return cxAnswer(dict, req, origin, { experimental: CxExp.FIRST_REGISTRATION }, [serverAvp(dict, o, assigned, servers)]);
}
