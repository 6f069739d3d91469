// TS 29.228 §6.3 Authentication procedure (MAR/MAA), TS 29.229 §6.1.7/§6.1.8, §6.3.12-§6.3.14.
// Scheme by SIP-Authentication-Scheme, "Unknown" or absent meaning the subscriber's own:
//   Digest-AKAv1-MD5 — N items {RAND‖AUTN, XRES, CK, IK}, SQNs committed before the answer leaves;
//   SIP Digest (3GPP, "SIP Digest"/"Digest") — SIP-Digest-Authenticate {realm, QoP, HA1}, the
//     password stays here;
//   Digest-MD5 (Kamailio/PyHSS) — a fresh nonce and the clear password (policy: digest-md5 subscribers,
//     or allowClearTextPassword).
// Resync (TS 33.203 §6.3, TS 29.228 §6.3.1): SIP-Authorization = RAND(16)‖AUTS(14) in the MAR item;
// MAC-S is verified before SQN_HE changes, a bad one gets Result-Code 5003 and changes nothing.
// Server-Name is recorded as the assigned S-CSCF when none is (§6.3.1), state unchanged: for the
// MAR's IMPU and the IMPUs of its implicit registration set that have none. The store decides which
// have none when it queues the write, after the AKA vectors' await: a SAR of the same registration
// answered meanwhile keeps its name and its state.
import { avp } from '../../diameter/codec/builder.js';
import { findAvp, type Avp, type Message } from '../../diameter/codec/message.js';
import type { Dictionary } from '../../diameter/dictionary/dictionary.js';
import { implicitRegistrationSet } from '../../store/implicit-set.js';
import type { ImsSubscriber, Store } from '../../store/model.js';
import { digestMd5Item, sipDigestAuthenticate, type RandSource } from '../auth/index.js';
import { generateImsAkaItems, resyncFromAuts } from '../auc.js';
import { CxAvp, CxExp, Rc, TGPP, bytes, cxAnswer, num, str, type Origin } from './cx-kit.js';
import { DEFAULT_MAX_AUTH_ITEMS, type CxOptions } from './options.js';

export const SCHEME_AKA = 'Digest-AKAv1-MD5';
export const SCHEME_MD5 = 'Digest-MD5';
export const SCHEME_SIP_DIGEST = 'SIP Digest';

type Chosen = 'aka' | 'digest-md5' | 'sip-digest' | 'unsupported';

/** Which form the answer takes: the scheme the S-CSCF asked for, the subscriber's when it left the choice. */
export function chooseScheme(requested: string | undefined, sub: ImsSubscriber): Chosen {
  const r = requested?.trim();
  if (r === undefined || r === '' || r.toLowerCase() === 'unknown') return sub.authScheme;
  if (r === SCHEME_AKA) return 'aka';
  if (r === SCHEME_MD5) return 'digest-md5';
  if (r === SCHEME_SIP_DIGEST || r === 'Digest') return 'sip-digest';
  return 'unsupported';
}

export interface MarDeps {
  readonly dict: Dictionary;
  readonly store: Store;
  readonly options: CxOptions;
  readonly origin: Origin;
  readonly randSource?: RandSource;
}

export async function multimediaAuth(d: MarDeps, req: Message): Promise<Message> {
  const { dict, store, options: o, origin } = d;
  const impi = str(req.avps, CxAvp.USER_NAME) ?? '';
  const impu = str(req.avps, CxAvp.PUBLIC_IDENTITY, TGPP) ?? '';
  const fail = (experimental: number): Message => cxAnswer(dict, req, origin, { experimental });
  const sub = store.imsSubscribers.get(impi);
  if (!sub) return fail(store.imsSubscribers.getByImpu(impu) ? CxExp.IDENTITIES_DONT_MATCH : CxExp.USER_UNKNOWN);
  if (!sub.impus.some((p) => p.impu === impu)) return fail(CxExp.IDENTITIES_DONT_MATCH);

  const item = findAvp(req.avps, CxAvp.SIP_AUTH_DATA_ITEM, TGPP)?.avps;
  const scheme = chooseScheme(str(item, CxAvp.SIP_AUTHENTICATION_SCHEME, TGPP), sub);
  const wanted = Math.max(1, Math.min(num(req.avps, CxAvp.SIP_NUMBER_AUTH_ITEMS, TGPP) ?? 1, o.maxAuthItems ?? DEFAULT_MAX_AUTH_ITEMS));

  let items: Avp[][];
  if (scheme === 'aka') {
    if (sub.imsi === null) return fail(CxExp.AUTH_SCHEME_NOT_SUPPORTED);
    const resync = bytes(item, CxAvp.SIP_AUTHORIZATION, TGPP);
    if (resync !== undefined && resync.length > 0) {
      const r = resyncFromAuts(store, sub.imsi, resync, `cx:${impi}`, { ...(o.indBits !== undefined ? { indBits: o.indBits } : {}), ...(o.sqnDelta !== undefined ? { delta: o.sqnDelta } : {}) });
      if (!r.ok) {
        if (r.reason === 'unknown-subscriber') return fail(CxExp.USER_UNKNOWN);
        return cxAnswer(dict, req, origin, { resultCode: Rc.AUTHORIZATION_REJECTED });
      }
    }
    const v = await generateImsAkaItems(store, sub.imsi, wanted, { ...(d.randSource ? { randSource: d.randSource } : {}), ...(o.indBits !== undefined ? { indBits: o.indBits } : {}) });
    if (!v.ok) return v.reason === 'unknown-subscriber' ? fail(CxExp.USER_UNKNOWN) : cxAnswer(dict, req, origin, { resultCode: Rc.UNABLE_TO_COMPLY });
    items = v.items.map((x) => [
      avp(dict, '3GPP-SIP-Authentication-Scheme', SCHEME_AKA),
      avp(dict, '3GPP-SIP-Authenticate', x.sipAuthenticate),
      avp(dict, '3GPP-SIP-Authorization', x.sipAuthorization),
      avp(dict, 'Confidentiality-Key', x.ck),
      avp(dict, 'Integrity-Key', x.ik),
    ]);
  } else if (scheme === 'digest-md5' || scheme === 'sip-digest') {
    const c = store.imsSubscribers.digestCredentials(impi);
    if (!c || (c.password === null && c.ha1 === null)) return fail(CxExp.AUTH_SCHEME_NOT_SUPPORTED);
    const realm = c.realm ?? impi.slice(impi.indexOf('@') + 1);
    if (scheme === 'digest-md5') {
      const clearTextAllowed = sub.authScheme === 'digest-md5' || o.allowClearTextPassword === true;
      if (c.password === null || !clearTextAllowed) return fail(CxExp.AUTH_SCHEME_NOT_SUPPORTED);
      const m = digestMd5Item(c.password, d.randSource);
      items = [[avp(dict, '3GPP-SIP-Authentication-Scheme', SCHEME_MD5), avp(dict, '3GPP-SIP-Authenticate', m.sipAuthenticate), avp(dict, '3GPP-SIP-Authorization', Buffer.from(m.sipAuthorization.reveal()))]];
    } else {
      const ha1 = c.ha1 !== null ? c.ha1.toLowerCase() : sipDigestAuthenticate(impi, realm, c.password ?? '').digestHa1.reveal();
      items = [
        [
          avp(dict, '3GPP-SIP-Authentication-Scheme', SCHEME_SIP_DIGEST),
          avp(dict, 'SIP-Digest-Authenticate', [
            avp(dict, 'Digest-Realm', realm),
            avp(dict, 'Digest-Algorithm', 'MD5'),
            avp(dict, 'Digest-Qop', c.qop ?? 'auth'),
            avp(dict, 'Digest-HA1', ha1),
          ]),
        ],
      ];
    }
  } else {
    return fail(CxExp.AUTH_SCHEME_NOT_SUPPORTED);
  }

  const serverName = str(req.avps, CxAvp.SERVER_NAME, TGPP);
  const set = implicitRegistrationSet(sub.impus, impu);
  // Every IMPU of the set had an S-CSCF when read (a re-authentication): nothing to record.
  if (serverName && set.some((p) => p.scscfName === null)) {
    await store.imsSubscribers.recordServerName(impi, set.map((p) => p.impu), serverName);
  }

  return cxAnswer(dict, req, origin, { resultCode: Rc.SUCCESS }, [
    avp(dict, 'User-Name', impi),
    avp(dict, 'Public-Identity', impu),
    avp(dict, '3GPP-SIP-Number-Auth-Items', items.length),
    ...items.map((children, i) => avp(dict, '3GPP-SIP-Auth-Data-Item', [avp(dict, '3GPP-SIP-Item-Number', i + 1), ...children])),
  ]);
}
