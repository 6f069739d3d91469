// Formats of provisioned values, in one place: the REST API builds its JSON schemas from these
// (so validation and the OpenAPI document say the same thing) and bulk import checks rows with them.
// IMSI: TS 23.003 §2.2 (MCC 3 + MNC 2-3 + MSIN, at most 15 digits; 5 allows short lab numbering);
// MSISDN: E.164, at most 15 digits; APN: TS 23.003 §9.1.

export interface FieldRule {
  /** JSON-schema regular expression. */
  readonly pattern: string;
  /** The rule in words: the API's 400 message and the OpenAPI description. */
  readonly description: string;
}

const APN_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';

export const FIELD = {
  imsi: { pattern: '^[0-9]{5,15}$', description: 'must be 5-15 digits' },
  msisdn: { pattern: '^[0-9]{1,15}$', description: 'must be digits only (1-15, E.164 without +)' },
  key128: { pattern: '^[0-9A-Fa-f]{32}$', description: 'must be 32 hex digits (128 bits)' },
  amf: { pattern: '^[0-9A-Fa-f]{4}$', description: 'must be 4 hex digits' },
  sqnHex: { pattern: '^[0-9A-Fa-f]{1,12}$', description: 'must be at most 48 bits: an integer 0..281474976710655 or 1-12 hex digits' },
  // TS 23.003 §9.1.1: labels of letters, digits and hyphens; not starting with rac/lac/sgsn/rnc,
  // not ending in .gprs, at most 63 octets (we allow the full 100 of NI + OI). "*" is the wildcard APN.
  apn: {
    pattern: `^(?:\\*|(?![Rr][Aa][Cc]|[Ll][Aa][Cc]|[Ss][Gg][Ss][Nn]|[Rr][Nn][Cc])(?!.*\\.[Gg][Pp][Rr][Ss]$)(?=.{1,100}$)${APN_LABEL}(?:\\.${APN_LABEL})*)$`,
    description:
      'must be an APN name per TS 23.003 §9.1: dot-separated labels of letters, digits and hyphens (1-63 each, 100 in all), not starting with rac, lac, sgsn or rnc, not ending in .gprs; or "*"',
  },
  chargingCharacteristics: { pattern: '^[0-9A-Fa-f]{4}$', description: 'must be 4 hex digits (3GPP-Charging-Characteristics)' },
  mcc: { pattern: '^[0-9]{3}$', description: 'must be 3 digits' },
  mnc: { pattern: '^[0-9]{2,3}$', description: 'must be 2 or 3 digits' },
  // RFC 3261 / TS 23.003 §13: sip:/tel: URIs for IMPUs, NAI (user@realm) for IMPIs.
  impu: { pattern: '^(?:sips?:[^\\s]+|tel:\\+?[0-9A-Fa-f.()*#-]+(?:;[^\\s]*)?)$', description: 'must be a sip:, sips: or tel: URI without spaces' },
  // TS 29.229 §6.3.2 Server-Name: the S-CSCF's SIP URI.
  sipUri: { pattern: '^sips?:[^\\s]+$', description: 'must be a sip: or sips: URI without spaces (e.g. sip:scscf1.ims.test:6060)' },
  impi: { pattern: '^[^\\s@]+@[^\\s@]+$', description: 'must be a NAI: user@realm, no spaces' },
  ha1: { pattern: '^[0-9a-fA-F]{32}$', description: 'must be 32 hex digits (MD5 of user:realm:password)' },
  // An operator's key for one IMS subscription shared by several IMPIs (TS 23.228 §4.3.3.1).
  subscriptionId: { pattern: '^[A-Za-z0-9._:@+-]{1,128}$', description: 'must be 1-128 letters, digits or . _ : @ + -' },
} as const satisfies Record<string, FieldRule>;

export const SQN_MAX = 2 ** 48 - 1;

const compiled = new Map<FieldRule, RegExp>();
export function matches(rule: FieldRule, value: unknown): value is string {
  let re = compiled.get(rule);
  if (!re) compiled.set(rule, (re = new RegExp(rule.pattern, 'u')));
  return typeof value === 'string' && re.test(value);
}

/** SQN as given over the API: an integer or a hex string; undefined when out of range or malformed. */
export function parseSqn(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= SQN_MAX ? value : undefined;
  if (matches(FIELD.sqnHex, value)) return parseInt(value, 16);
  return undefined;
}
