// TS 29.228 §6.1.3 Network initiated de-registration by the HSS (RTR/RTA), TS 29.229 §6.1.9/§6.1.10.
// One RTR per S-CSCF holding IMPUs of the IMPI, with Public-Identity for each of them, the other
// IMPIs of the subscription held there in Associated-Identities (§6.3.33) when the whole
// subscription ends, and Deregistration-Reason; on 2001 the HSS forgets exactly those assignments.
import { avp, message } from '../../diameter/codec/builder.js';
import type { Avp, Message } from '../../diameter/codec/message.js';
import type { LocalContext } from '../../node/local-application.js';
import type { ImsSubscriber } from '../../store/model.js';
import { CX_APPLICATION_ID, TGPP } from './cx-kit.js';

export const ReasonCode = { PERMANENT_TERMINATION: 0, NEW_SERVER_ASSIGNED: 1, SERVER_CHANGE: 2, REMOVE_S_CSCF: 3 } as const;

export interface ScscfPeer {
  readonly host: string;
  readonly realm: string;
}

let sessionCounter = 0;

/** A Session-Id for requests the HSS originates (RFC 6733 §8.8: DiameterIdentity;high;low). */
export function newSessionId(identity: string): string {
  sessionCounter = (sessionCounter + 1) >>> 0;
  return `${identity};${Math.floor(Date.now() / 1000)};${sessionCounter}`;
}

export function commonRequestAvps(ctx: LocalContext, to: ScscfPeer, impi: string): Avp[] {
  const dict = ctx.dict;
  return [
    avp(dict, 'Session-Id', newSessionId(ctx.identity)),
    avp(dict, 'Vendor-Specific-Application-Id', [avp(dict, 'Vendor-Id', TGPP), avp(dict, 'Auth-Application-Id', CX_APPLICATION_ID)]),
    avp(dict, 'Auth-Session-State', 1),
    avp(dict, 'Origin-Host', ctx.identity),
    avp(dict, 'Origin-Realm', ctx.realm),
    avp(dict, 'Destination-Host', to.host),
    avp(dict, 'Destination-Realm', to.realm),
    avp(dict, 'User-Name', impi),
  ];
}

export interface RtrTarget extends Pick<ImsSubscriber, 'impi'> {
  /** The public identities that S-CSCF holds and is to de-register. */
  readonly impus: readonly string[];
  /** Other IMPIs of the IMS subscription de-registered with it (Associated-Identities). */
  readonly associated?: readonly string[];
}

/** TS 29.229 §6.1.9: User-Name, [Associated-Identities], *Public-Identity, Deregistration-Reason. */
export function buildRtr(ctx: LocalContext, to: ScscfPeer, sub: RtrTarget, reasonCode: number, reasonInfo?: string): Message {
  const dict = ctx.dict;
  const avps = commonRequestAvps(ctx, to, sub.impi);
  if (sub.associated !== undefined && sub.associated.length > 0) avps.push(avp(dict, 'Associated-Identities', sub.associated.map((u) => avp(dict, 'User-Name', u))));
  for (const u of sub.impus) avps.push(avp(dict, 'Public-Identity', u));
  avps.push(avp(dict, 'Deregistration-Reason', [avp(dict, 'Reason-Code', reasonCode), ...(reasonInfo ? [avp(dict, 'Reason-Info', reasonInfo)] : [])]));
  return message(dict, 'RTR', avps, { hopByHopId: 0, endToEndId: ctx.nextEndToEndId() }, CX_APPLICATION_ID);
}
