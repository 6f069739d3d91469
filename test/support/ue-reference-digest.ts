// HTTP/SIP Digest as the UE and the S-CSCF compute it, for the tests: RFC 2617 §3.2.2
// (HA1 = MD5(user:realm:password), HA2 = MD5(method:uri), with qop: response =
// MD5(HA1:nonce:nc:cnonce:qop:HA2)) and RFC 3310 §3.2/§3.4 (Digest-AKAv1-MD5: nonce =
// base64(RAND ‖ AUTN), the password is the raw RES octets). Independent of src/hss/auth/digest.ts.
import { createHash } from 'node:crypto';

/** MD5 over the parts joined by ':' (strings as UTF-8, octets as they are), lowercase hex. */
export function md5Hex(...parts: (string | Uint8Array)[]): string {
  const chunks: Buffer[] = [];
  parts.forEach((p, i) => {
    if (i > 0) chunks.push(Buffer.from(':'));
    chunks.push(typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p));
  });
  return createHash('md5').update(Buffer.concat(chunks)).digest('hex');
}

export interface Challenge {
  readonly realm: string;
  readonly nonce: string;
  readonly qop: 'auth';
}

export interface Credentials {
  readonly username: string;
  readonly method: string;
  readonly uri: string;
  readonly nc: string;
  readonly cnonce: string;
}

/** The RFC 2617 request-digest from HA1 (qop=auth). */
export function responseFromHa1(ha1: string, ch: Challenge, cr: Credentials): string {
  return md5Hex(ha1, ch.nonce, cr.nc, cr.cnonce, ch.qop, md5Hex(cr.method, cr.uri));
}

/** The RFC 2617 request-digest from a password (text, or octets: RFC 3310 RES/XRES). */
export function responseFromPassword(password: string | Uint8Array, ch: Challenge, cr: Credentials): string {
  return responseFromHa1(md5Hex(cr.username, ch.realm, password), ch, cr);
}

/** RFC 3310 §3.2: the nonce the S-CSCF puts in WWW-Authenticate for RAND ‖ AUTN. */
export function akaNonce(randAutn: Uint8Array): string {
  return Buffer.from(randAutn).toString('base64');
}

/** RFC 3310 §3.2, UE side: RAND and AUTN back from the nonce (server data after them is ignored). */
export function parseAkaNonce(nonce: string): { rand: Buffer; autn: Buffer } {
  const raw = Buffer.from(nonce, 'base64');
  if (raw.length < 32) throw new Error(`AKA nonce of ${raw.length} octets`);
  return { rand: raw.subarray(0, 16), autn: raw.subarray(16, 32) };
}
