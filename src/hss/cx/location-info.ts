// TS 29.228 §6.1.4 User location query (LIR/LIA), TS 29.229 §6.1.5/§6.1.6, from the state and S-CSCF
// of the IMPU asked about (kept per public identity, §6.1.2).
// Registered or unregistered (an S-CSCF holds the profile): Result-Code 2001 + Server-Name.
// Not registered: with services for the unregistered state (an iFC template) or an originating
// request, Experimental 2003 UNREGISTERED_SERVICE with the kept Server-Name or a selection
// (pool name / Server-Capabilities); without, 5003 IDENTITY_NOT_REGISTERED. Unknown IMPU: 5001.
import type { Message } from '../../diameter/codec/message.js';
import type { Dictionary } from '../../diameter/dictionary/dictionary.js';
import type { Store } from '../../store/model.js';
import { CxAvp, CxExp, Rc, TGPP, cxAnswer, num, str, type Origin } from './cx-kit.js';
import type { CxOptions } from './options.js';
import { serverAvp, userServers } from './server-selection.js';

export function locationInfo(dict: Dictionary, store: Store, o: CxOptions, origin: Origin, req: Message): Message {
  const impu = str(req.avps, CxAvp.PUBLIC_IDENTITY, TGPP) ?? '';
  const sub = store.imsSubscribers.getByImpu(impu);
  if (!sub) return cxAnswer(dict, req, origin, { experimental: CxExp.USER_UNKNOWN });
  const originating = num(req.avps, CxAvp.ORIGINATING_REQUEST, TGPP) === 0;
  const pub = sub.impus.find((p) => p.impu === impu);
  const assigned = pub?.scscfName ?? null;
  if (pub && pub.registrationState !== 'not-registered' && assigned) {
    return cxAnswer(dict, req, origin, { resultCode: Rc.SUCCESS }, [serverAvp(dict, o, assigned, userServers(store, sub))]);
  }
  if (sub.ifcTemplateId !== null || originating) {
    return cxAnswer(dict, req, origin, { experimental: CxExp.UNREGISTERED_SERVICE }, [serverAvp(dict, o, assigned, userServers(store, sub))]);
  }
  return cxAnswer(dict, req, origin, { experimental: CxExp.IDENTITY_NOT_REGISTERED });
}
