// TS 29.272 §7.2.4-§7.2.18 (answer grammars) and §7.4 (result codes): every S6a answer carries
// Session-Id, Vendor-Specific-Application-Id, Result-Code or Experimental-Result, Auth-Session-State
// (NO_STATE_MAINTAINED, §7.3.48 ... S6a is stateless) and Origin-Host/Realm, in grammar order.
import { answerTo } from '../../diameter/codec/answer.js';
import { avp } from '../../diameter/codec/builder.js';
import { findAvp, findAvps, type Avp, type Message } from '../../diameter/codec/message.js';
import type { Dictionary } from '../../diameter/dictionary/dictionary.js';

export const S6A_APPLICATION_ID = 16777251;
export const VENDOR_3GPP = 10415;
/** Auth-Session-State NO_STATE_MAINTAINED (RFC 6733 §8.11); S6a keeps no Diameter session. */
export const NO_STATE_MAINTAINED = 1;

/** TS 29.272 §7.4.3/§7.4.4 Experimental-Result-Code values (Vendor-Id 10415). */
export const S6aError = {
  AUTHENTICATION_DATA_UNAVAILABLE: 4181,
  USER_UNKNOWN: 5001,
  ROAMING_NOT_ALLOWED: 5004,
  UNKNOWN_EPS_SUBSCRIPTION: 5420,
  RAT_NOT_ALLOWED: 5421,
  EQUIPMENT_UNKNOWN: 5422,
  UNKNOWN_SERVING_NODE: 5423,
} as const;

/** What an answer reports: a base Result-Code (2001, 5005 ...) or a 3GPP Experimental-Result. */
export type Outcome = { readonly result: number } | { readonly experimental: number };

export const SUCCESS: Outcome = { result: 2001 };

export function experimental(code: number): Outcome {
  return { experimental: code };
}

export interface Origin {
  readonly dict: Dictionary;
  readonly host: string;
  readonly realm: string;
  /** Feature-List per Feature-List-ID this HSS supports (TS 29.272 §7.3.10); none when absent. */
  readonly features?: ReadonlyMap<number, number>;
}

/**
 * Feature negotiation (TS 29.272 §7.3.10, following TS 29.229 §7.2.1): for each Supported-Features
 * the request carries, the answer names the features of that list both sides support; a list with
 * none in common, and a request that offers none, get no Supported-Features.
 */
export function negotiatedFeatures(o: Origin, req: Message): Avp[] {
  const out: Avp[] = [];
  if (!o.features) return out;
  for (const sf of findAvps(req.avps, SUPPORTED_FEATURES, VENDOR_3GPP)) {
    if (findAvp(sf.avps, VENDOR_ID)?.value !== VENDOR_3GPP) continue;
    const id = findAvp(sf.avps, FEATURE_LIST_ID, VENDOR_3GPP)?.value;
    const list = findAvp(sf.avps, FEATURE_LIST, VENDOR_3GPP)?.value;
    if (typeof id !== 'number' || typeof list !== 'number') continue;
    const common = (list & (o.features.get(id) ?? 0)) >>> 0;
    if (common === 0) continue;
    out.push(avp(o.dict, 'Supported-Features', [avp(o.dict, 'Vendor-Id', VENDOR_3GPP), avp(o.dict, 'Feature-List-ID', id), avp(o.dict, 'Feature-List', common)]));
  }
  return out;
}

const SESSION_ID = 263;
const PROXY_INFO = 284;
const VENDOR_ID = 266;
const SUPPORTED_FEATURES = 628;
const FEATURE_LIST_ID = 629;
const FEATURE_LIST = 630;

export function vendorSpecificApplicationId(dict: Dictionary): Avp {
  return avp(dict, 'Vendor-Specific-Application-Id', [avp(dict, 'Vendor-Id', VENDOR_3GPP), avp(dict, 'Auth-Application-Id', S6A_APPLICATION_ID)]);
}

/**
 * An S6a answer: the fixed head, the negotiated Supported-Features, then `body` (ULA-Flags, Subscription-Data,
 * Authentication-Info ... already in grammar order), then Failed-AVP and the request's Proxy-Info.
 */
export function s6aAnswer(o: Origin, req: Message, outcome: Outcome, body: Avp[] = [], failedAvp?: Avp): Message {
  const d = o.dict;
  const avps: Avp[] = [];
  const sid = findAvp(req.avps, SESSION_ID);
  if (sid) avps.push(sid);
  avps.push(vendorSpecificApplicationId(d));
  if ('result' in outcome) avps.push(avp(d, 'Result-Code', outcome.result));
  else avps.push(avp(d, 'Experimental-Result', [avp(d, 'Vendor-Id', VENDOR_3GPP), avp(d, 'Experimental-Result-Code', outcome.experimental)]));
  avps.push(avp(d, 'Auth-Session-State', NO_STATE_MAINTAINED), avp(d, 'Origin-Host', o.host), avp(d, 'Origin-Realm', o.realm));
  // *[Supported-Features] follows Origin-Realm in every S6a answer grammar (§7.2).
  avps.push(...negotiatedFeatures(o, req), ...body);
  if (failedAvp) avps.push(avp(d, 'Failed-AVP', [failedAvp]));
  avps.push(...findAvps(req.avps, PROXY_INFO));
  return answerTo(req, avps, 'result' in outcome ? outcome.result : undefined);
}

/** The Result-Code or Experimental-Result-Code of an answer (what a CLA/IDA/DSA reports). */
export function outcomeCode(m: Message): number | undefined {
  const rc = findAvp(m.avps, 268)?.value;
  if (typeof rc === 'number') return rc;
  const er = findAvp(m.avps, 297);
  const code = findAvp(er?.avps, 298)?.value;
  return typeof code === 'number' ? code : undefined;
}
