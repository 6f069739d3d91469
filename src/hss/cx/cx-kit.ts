// TS 29.229 §6.1/§6.2 — what every Cx answer carries (Session-Id, Vendor-Specific-Application-Id,
// Auth-Session-State NO_STATE_MAINTAINED, Origin-Host/Realm, then Result-Code or
// Experimental-Result {Vendor-Id 10415, Experimental-Result-Code}) and readers for request AVPs.
import { answerTo } from '../../diameter/codec/answer.js';
import { avp } from '../../diameter/codec/builder.js';
import { findAvp, findAvps, type Avp, type Message } from '../../diameter/codec/message.js';
import type { Dictionary } from '../../diameter/dictionary/dictionary.js';

export const TGPP = 10415;
export const CX_APPLICATION_ID = 16777216;

/** TS 29.229 §6.2.1/§6.2.2 — Experimental-Result-Code values (Vendor-Id 10415). */
export const CxExp = {
  FIRST_REGISTRATION: 2001,
  SUBSEQUENT_REGISTRATION: 2002,
  UNREGISTERED_SERVICE: 2003,
  SUCCESS_SERVER_NAME_NOT_STORED: 2004,
  USER_UNKNOWN: 5001,
  IDENTITIES_DONT_MATCH: 5002,
  IDENTITY_NOT_REGISTERED: 5003,
  ROAMING_NOT_ALLOWED: 5004,
  IDENTITY_ALREADY_REGISTERED: 5005,
  AUTH_SCHEME_NOT_SUPPORTED: 5006,
  IN_ASSIGNMENT_TYPE: 5007,
  TOO_MUCH_DATA: 5008,
} as const;

/** RFC 6733 §7.1 Result-Code values Cx uses. */
export const Rc = { SUCCESS: 2001, AUTHORIZATION_REJECTED: 5003, INVALID_AVP_VALUE: 5004, UNABLE_TO_COMPLY: 5012 } as const;

export type Outcome = { readonly resultCode: number } | { readonly experimental: number };

export interface Origin {
  readonly host: string;
  readonly realm: string;
}

/** The answer to a Cx request: common AVPs, the outcome, then the procedure's own AVPs. */
export function cxAnswer(dict: Dictionary, req: Message, origin: Origin, outcome: Outcome, body: Avp[] = [], applicationId = CX_APPLICATION_ID): Message {
  const avps: Avp[] = [];
  const sid = findAvp(req.avps, 263);
  if (sid) avps.push(sid);
  avps.push(avp(dict, 'Vendor-Specific-Application-Id', [avp(dict, 'Vendor-Id', TGPP), avp(dict, 'Auth-Application-Id', applicationId)]));
  if ('resultCode' in outcome) avps.push(avp(dict, 'Result-Code', outcome.resultCode));
  else avps.push(avp(dict, 'Experimental-Result', [avp(dict, 'Vendor-Id', TGPP), avp(dict, 'Experimental-Result-Code', outcome.experimental)]));
  avps.push(avp(dict, 'Auth-Session-State', 1), avp(dict, 'Origin-Host', origin.host), avp(dict, 'Origin-Realm', origin.realm));
  avps.push(...body);
  avps.push(...findAvps(req.avps, 284)); // Proxy-Info, RFC 6733 §6.2
  return answerTo(req, avps);
}

export function str(avps: readonly Avp[] | undefined, code: number, vendorId = 0): string | undefined {
  const a = findAvp(avps, code, vendorId);
  if (a === undefined) return undefined;
  if (typeof a.value === 'string') return a.value;
  if (Buffer.isBuffer(a.value)) return a.value.toString('utf8');
  return undefined;
}

export function strs(avps: readonly Avp[] | undefined, code: number, vendorId = 0): string[] {
  return findAvps(avps, code, vendorId).flatMap((a) => (typeof a.value === 'string' ? [a.value] : Buffer.isBuffer(a.value) ? [a.value.toString('utf8')] : []));
}

export function num(avps: readonly Avp[] | undefined, code: number, vendorId = 0): number | undefined {
  const v = findAvp(avps, code, vendorId)?.value;
  return typeof v === 'number' ? v : undefined;
}

export function bytes(avps: readonly Avp[] | undefined, code: number, vendorId = 0): Buffer | undefined {
  const v = findAvp(avps, code, vendorId)?.value;
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  return undefined;
}

/** AVP codes (vendor 10415 unless noted) read by the Cx procedures. */
export const CxAvp = {
  USER_NAME: 1, // base
  VISITED_NETWORK_IDENTIFIER: 600,
  PUBLIC_IDENTITY: 601,
  SERVER_NAME: 602,
  SIP_NUMBER_AUTH_ITEMS: 607,
  SIP_AUTHENTICATION_SCHEME: 608,
  SIP_AUTHORIZATION: 610,
  SIP_AUTH_DATA_ITEM: 612,
  SERVER_ASSIGNMENT_TYPE: 614,
  USER_AUTHORIZATION_TYPE: 623,
  USER_DATA_ALREADY_AVAILABLE: 624,
  ORIGINATING_REQUEST: 633,
} as const;
