// TS 29.328 §6.1.4 Notifications (PNR/PNA), TS 29.329 §6.1.7/§6.1.8: the HSS tells each AS with an
// unexpired subscription that data changed, with the new Sh-Data for what it subscribed to. One
// PNR per AS and public identity, carrying every changed Data-Reference it watches. An AS that
// answers 5107 NO_SUBSCRIPTION_TO_DATA has forgotten the subscription: it is dropped here too.
import { avp, message } from '../../diameter/codec/builder.js';
import type { Message } from '../../diameter/codec/message.js';
import type { LocalContext } from '../../node/local-application.js';
import type { ShSubscription } from '../../store/model.js';
import { TGPP } from '../cx/cx-kit.js';
import { newSessionId } from '../cx/registration-termination.js';
import { SH_APPLICATION_ID } from './sh-kit.js';

export interface PnrTarget {
  readonly host: string;
  readonly realm: string;
}

export function buildPnr(ctx: LocalContext, to: PnrTarget, impu: string, shData: string): Message {
  const dict = ctx.dict;
  const avps = [
    avp(dict, 'Session-Id', newSessionId(ctx.identity)),
    avp(dict, 'Vendor-Specific-Application-Id', [avp(dict, 'Vendor-Id', TGPP), avp(dict, 'Auth-Application-Id', SH_APPLICATION_ID)]),
    avp(dict, 'Auth-Session-State', 1),
    avp(dict, 'Origin-Host', ctx.identity),
    avp(dict, 'Origin-Realm', ctx.realm),
    avp(dict, 'Destination-Host', to.host),
    avp(dict, 'Destination-Realm', to.realm),
    avp(dict, 'User-Identity', [avp(dict, 'Public-Identity', impu)]),
    avp(dict, 'Sh-User-Data', Buffer.from(shData, 'utf8')),
  ];
  return message(dict, 'PNR', avps, { hopByHopId: 0, endToEndId: ctx.nextEndToEndId() }, SH_APPLICATION_ID);
}

/** Subscriptions grouped by the AS holding them (Origin-Host), in first-seen order. */
export function byApplicationServer(subs: readonly ShSubscription[]): Map<string, ShSubscription[]> {
  const out = new Map<string, ShSubscription[]>();
  for (const s of subs) {
    const list = out.get(s.originHost);
    if (list) list.push(s);
    else out.set(s.originHost, [s]);
  }
  return out;
}
