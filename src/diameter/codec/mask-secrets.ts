// Secrets that cross the wire inside Diameter messages, masked before a message is shown in a log
// or dump. Matched by AVP code and vendor, not by name, so a value stays hidden when the loaded
// dictionaries name the AVP differently (TS 29.229 "SIP-Authorization" is "3GPP-SIP-Authorization"
// here) or do not know it at all (an unknown AVP would otherwise be printed as hex).
// RAND, AUTN, SIP-Authenticate and AUTS stay visible: they are challenges the UE sees in clear.
import type { Avp, Message } from './message.js';

const TGPP = 10415;

export interface SecretAvp {
  code: number;
  vendorId: number;
  /** Name in the spec that defines it. */
  name: string;
  /** What makes it secret. */
  why: string;
}

export const SECRET_AVP_LIST: readonly SecretAvp[] = [
  { code: 2, vendorId: 0, name: 'User-Password', why: 'password (RFC 7155 NASREQ)' },
  { code: 3, vendorId: 0, name: 'CHAP-Password', why: 'password response (RFC 7155)' },
  { code: 69, vendorId: 0, name: 'Tunnel-Password', why: 'password (RFC 7155)' },
  { code: 70, vendorId: 0, name: 'ARAP-Password', why: 'password (RFC 7155)' },
  { code: 103, vendorId: 0, name: 'Digest-Response', why: 'password-derived hash, open to offline guessing (RFC 4740)' },
  { code: 121, vendorId: 0, name: 'Digest-HA1', why: 'password equivalent (RFC 4740, Cx SIP-Digest-Authenticate)' },
  { code: 343, vendorId: 0, name: 'MIP-Session-Key', why: 'key (RFC 4004)' },
  { code: 464, vendorId: 0, name: 'EAP-Master-Session-Key', why: 'key (RFC 4072)' },
  { code: 610, vendorId: TGPP, name: 'SIP-Authorization', why: 'XRES in a MAA (TS 29.229)' },
  { code: 625, vendorId: TGPP, name: 'Confidentiality-Key', why: 'CK (TS 29.229, S6a UTRAN-Vector, SWx)' },
  { code: 626, vendorId: TGPP, name: 'Integrity-Key', why: 'IK (TS 29.229, S6a UTRAN-Vector, SWx)' },
  { code: 663, vendorId: TGPP, name: 'Alternate-Digest-HA1', why: 'password equivalent (TS 29.229)' },
  { code: 1448, vendorId: TGPP, name: 'XRES', why: 'expected response (TS 29.272)' },
  { code: 1450, vendorId: TGPP, name: 'KASME', why: 'key (TS 29.272)' },
  { code: 1453, vendorId: TGPP, name: 'Kc', why: 'GSM cipher key (TS 29.272)' },
  { code: 1454, vendorId: TGPP, name: 'SRES', why: 'GSM expected response (TS 29.272)' },
];

/** What a masked value reads as. */
export const MASKED = '***';

const secretKeys = new Set(SECRET_AVP_LIST.map((s) => s.vendorId * 0x1_0000_0000 + s.code));

export function isSecretAvp(a: Pick<Avp, 'code' | 'vendorId'>): boolean {
  return secretKeys.has(a.vendorId * 0x1_0000_0000 + a.code);
}

/**
 * Whether raw bytes (an AVP the dictionaries do not know, so not decoded) read as a well-formed
 * AVP sequence (RFC 6733 §4.1) with a secret AVP somewhere inside: then they are Grouped data.
 */
export function rawHoldsSecret(data: Buffer, depth = 0): boolean {
  if (depth > 8) return false;
  const found: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    if (data.length - at < 8) return false;
    const code = data.readUInt32BE(at);
    const flags = data[at + 4]!;
    const length = data.readUIntBE(at + 5, 3);
    const vendor = (flags & 0x80) !== 0;
    const header = vendor ? 12 : 8;
    if (length < header || at + length > data.length) return false;
    const vendorId = vendor ? data.readUInt32BE(at + 8) : 0;
    if (isSecretAvp({ code, vendorId })) return true;
    found.push(data.subarray(at + header, at + length));
    at = Math.min(data.length, at + length + ((4 - (length % 4)) % 4));
  }
  return found.some((child) => rawHoldsSecret(child, depth + 1));
}

function maskAvps(avps: Avp[]): Avp[] {
  return avps.map((a) => {
    if (isSecretAvp(a) || (a.data && !a.avps && rawHoldsSecret(a.data))) return { ...a, value: MASKED, avps: undefined, data: undefined };
    return a.avps ? { ...a, avps: maskAvps(a.avps) } : a;
  });
}

/**
 * A copy of the message for display, with the value (typed, raw or grouped) of every secret AVP
 * replaced by MASKED at any depth, and so the whole value of an undecoded AVP whose bytes hold one.
 * The original is untouched; the copy is not for encoding.
 */
export function maskSecrets(m: Message): Message {
  return { ...m, avps: maskAvps(m.avps) };
}
