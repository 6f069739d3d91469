// TS 29.328 §6.1.3 Subscription to notifications (SNR/SNA), TS 29.329 §6.1.5/§6.1.6. Subs-Req-Type
// Subscribe (0) records one subscription per Data-Reference (per Service-Indication for
// RepositoryData) for the requesting AS (Origin-Host/Realm), replacing its earlier one;
// Unsubscribe (1) removes them. Expiry-Time is granted as asked, capped by
// `maxSubscriptionSeconds`, and echoed in the SNA (absent: until unsubscribed). With
// Send-Data-Indication USER_DATA_REQUESTED the SNA carries the current Sh-Data.
import { avp } from '../../diameter/codec/builder.js';
import { findAvp, findAvps, type Avp, type Message } from '../../diameter/codec/message.js';
import type { Dictionary } from '../../diameter/dictionary/dictionary.js';
import type { Store } from '../../store/model.js';
import { TGPP, cxAnswer, num, str, strs, type Origin, type Outcome } from '../cx/cx-kit.js';
import { ANSWERED_DATA_REFERENCES, DataRef, NOTIFIED_DATA_REFERENCES } from './sh-data-xml.js';
import { SH_APPLICATION_ID, ShAvp, ShExp, ShRc, shUser, type ShOptions } from './sh-kit.js';
import { currentShData } from './user-data.js';

const SubsReqType = { SUBSCRIBE: 0, UNSUBSCRIBE: 1 } as const;
const USER_DATA_REQUESTED = 1;

/** The Expiry-Time granted for a requested one (undefined: none asked), or 'past'. */
export function grantExpiry(requested: Date | undefined, now: Date, maxSeconds: number | undefined): Date | undefined | 'past' {
  if (requested && requested.getTime() <= now.getTime()) return 'past';
  // Time AVPs carry whole seconds: grant a whole second so what is stored is what the SNA says.
  const cap = maxSeconds !== undefined ? new Date(Math.floor(now.getTime() / 1000) * 1000 + maxSeconds * 1000) : undefined;
  if (!requested) return cap;
  return cap && cap < requested ? cap : requested;
}

export function subscribeNotifications(dict: Dictionary, store: Store, o: ShOptions, origin: Origin, req: Message, now: Date): Message {
  const answer = (outcome: Outcome, body: Avp[] = []): Message => cxAnswer(dict, req, origin, outcome, body, SH_APPLICATION_ID);
  const missing = (name: string, value: number | Buffer): Message => answer({ resultCode: ShRc.MISSING_AVP }, [avp(dict, 'Failed-AVP', [avp(dict, name, value)])]);
  const user = shUser(store, req);
  if (!user) return answer({ experimental: ShExp.USER_UNKNOWN });
  const type = num(req.avps, ShAvp.SUBS_REQ_TYPE, TGPP);
  if (type !== SubsReqType.SUBSCRIBE && type !== SubsReqType.UNSUBSCRIBE) return missing('Subs-Req-Type', 0);
  const refs = [...new Set(findAvps(req.avps, ShAvp.DATA_REFERENCE, TGPP).map((a) => a.value as number))];
  for (const r of refs) if (!ANSWERED_DATA_REFERENCES.has(r)) return answer({ experimental: ShExp.USER_DATA_NOT_RECOGNIZED });
  for (const r of refs) if (!NOTIFIED_DATA_REFERENCES.has(r)) return answer({ experimental: ShExp.USER_DATA_CANNOT_BE_NOTIFIED });
  const sis = [...new Set(strs(req.avps, ShAvp.SERVICE_INDICATION, TGPP))];
  if (refs.includes(DataRef.RepositoryData) && sis.length === 0) return missing('Service-Indication', Buffer.alloc(0));
  const host = str(req.avps, 264) ?? '';
  const realm = str(req.avps, 296) ?? '';
  // One row per (Data-Reference, Service-Indication): Service-Indication only qualifies RepositoryData.
  const keys: { r: number; si: string | null }[] = refs.flatMap((r): { r: number; si: string | null }[] => (r === DataRef.RepositoryData ? sis.map((si) => ({ r, si })) : [{ r, si: null }]));

  if (type === SubsReqType.UNSUBSCRIBE) {
    for (const k of keys) store.sh.unsubscribe(user.impu, k.r, k.si, host);
    return answer({ resultCode: ShRc.SUCCESS });
  }
  const asked = findAvp(req.avps, ShAvp.EXPIRY_TIME, TGPP)?.value;
  const granted = grantExpiry(asked instanceof Date ? asked : undefined, now, o.maxSubscriptionSeconds);
  if (granted === 'past') {
    return answer({ resultCode: ShRc.INVALID_AVP_VALUE }, [avp(dict, 'Error-Message', 'Expiry-Time is in the past'), avp(dict, 'Failed-AVP', [avp(dict, 'Expiry-Time', asked as Date)])]);
  }
  store.sh.purgeExpired(now);
  for (const k of keys) {
    store.sh.subscribe({ impu: user.impu, dataReference: k.r, serviceIndication: k.si, originHost: host, originRealm: realm, expiresAt: granted?.toISOString() ?? null });
  }
  const body: Avp[] = [];
  if (num(req.avps, ShAvp.SEND_DATA_INDICATION, TGPP) === USER_DATA_REQUESTED) {
    body.push(avp(dict, 'Sh-User-Data', Buffer.from(currentShData(store, o, user.impu, new Set(refs), sis) ?? '', 'utf8')));
  }
  if (granted) body.push(avp(dict, 'Expiry-Time', granted));
  return answer({ resultCode: ShRc.SUCCESS }, body);
}
