// TS 29.228 §6.1.5 HSS initiated update of user profile (PPR/PPA), TS 29.229 §6.1.11/§6.1.12:
// the new IMS subscription (User-Data) and Charging-Information to the S-CSCF holding the profile.
import { message } from '../../diameter/codec/builder.js';
import type { Message } from '../../diameter/codec/message.js';
import type { LocalContext } from '../../node/local-application.js';
import type { ImsSubscriber, Store } from '../../store/model.js';
import { CX_APPLICATION_ID } from './cx-kit.js';
import type { CxOptions } from './options.js';
import { commonRequestAvps, type ScscfPeer } from './registration-termination.js';
import { chargingInformationAvp, userDataAvp } from './server-assignment.js';

export function buildPpr(ctx: LocalContext, store: Store, o: CxOptions, to: ScscfPeer, sub: ImsSubscriber): Message {
  const avps = commonRequestAvps(ctx, to, sub.impi);
  avps.push(userDataAvp(ctx.dict, store, sub, sub.impus[0]?.impu ?? ''), ...chargingInformationAvp(ctx.dict, o.chargingInformation));
  return message(ctx.dict, 'PPR', avps, { hopByHopId: 0, endToEndId: ctx.nextEndToEndId() }, CX_APPLICATION_ID);
}
