// TS 29.228 §6.1.5 HSS initiated update of user profile (PPR/PPA), TS 29.229 §6.1.11/§6.1.12:
// the new IMS subscription (User-Data) and Charging-Information, one PPR per S-CSCF holding IMPUs
// of the IMPI. Each S-CSCF gets the service profile of the IMPUs it holds, not the others'.
import { message } from '../../diameter/codec/builder.js';
import type { Message } from '../../diameter/codec/message.js';
import type { LocalContext } from '../../node/local-application.js';
import type { ImsSubscriber, Store } from '../../store/model.js';
import { CX_APPLICATION_ID } from './cx-kit.js';
import type { CxOptions } from './options.js';
import { commonRequestAvps, type ScscfPeer } from './registration-termination.js';
import { chargingInformationAvp, userDataAvp } from './server-assignment.js';

/** PPR for the S-CSCF holding `held` (all of the IMPI's IMPUs when omitted), in their order. */
export function buildPpr(ctx: LocalContext, store: Store, o: CxOptions, to: ScscfPeer, sub: ImsSubscriber, held?: readonly string[]): Message {
  const view = held === undefined ? sub : { ...sub, impus: sub.impus.filter((p) => held.includes(p.impu)) };
  const avps = commonRequestAvps(ctx, to, sub.impi);
  avps.push(userDataAvp(ctx.dict, store, view, view.impus[0]?.impu ?? ''), ...chargingInformationAvp(ctx.dict, o.chargingInformation));
  return message(ctx.dict, 'PPR', avps, { hopByHopId: 0, endToEndId: ctx.nextEndToEndId() }, CX_APPLICATION_ID);
}
