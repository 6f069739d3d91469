// RFC 2617 §3.2.2 — HTTP Digest: HA1 = MD5(user:realm:password) (MD5-sess: MD5(HA1:nonce:cnonce)),
// HA2 = MD5(method:uri) (auth-int: MD5(method:uri:MD5(body))), response = MD5(HA1:nonce:nc:cnonce:qop:HA2)
// or MD5(HA1:nonce:HA2) without qop.
// RFC 3310 §3.4 — Digest-AKAv1-MD5: the password is the raw RES/XRES octets.
// TS 29.229 §6.3 SIP-Digest-Authenticate (3GPP "SIP Digest"): the HSS sends Digest-HA1 (RFC 4590,
// 32 lowercase hex), Digest-Realm and optional Digest-QoP; the S-CSCF makes its own nonce.
// "Digest-MD5" (Kamailio/PyHSS): SIP-Authenticate = a fresh 16-octet nonce, SIP-Authorization = the
// clear password. Secrets are wrapped in Redacted so toString/JSON/inspect never show them.
import { createHash } from 'node:crypto';
import { AuthError, AuthErrorCode } from './errors.js';
import { cryptoRandSource, draw, type RandSource } from './rand-source.js';

const REDACTED = '[redacted]';

/** Holds a secret; only reveal() returns it. Printing, JSON and util.inspect show "[redacted]". */
export class Redacted<T extends string | Uint8Array> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

export type DigestQop = 'auth' | 'auth-int';
export type DigestAlgorithm = 'MD5' | 'MD5-sess';

type Secret = string | Uint8Array | Redacted<string | Uint8Array>;

function open(s: Secret): string | Uint8Array {
  return s instanceof Redacted ? s.reveal() : s;
}

function md5Hex(...parts: readonly (string | Uint8Array)[]): string {
  const h = createHash('md5');
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) h.update(':');
    h.update(parts[i]!);
  }
  return h.digest('hex');
}

/** HA1 = MD5(username:realm:password), lowercase hex. `password` may be raw octets (AKA: XRES). */
export function digestHa1(username: string, realm: string, password: Secret): string {
  return md5Hex(username, realm, open(password));
}

/** MD5-sess: HA1' = MD5(HA1:nonce:cnonce) (RFC 2617 §3.2.2.2). */
export function digestHa1Sess(ha1: string, nonce: string, cnonce: string): string {
  return md5Hex(ha1, nonce, cnonce);
}

/** Digest-AKAv1-MD5 HA1: the password is the raw XRES octets (RFC 3310 §3.4). */
export function akaV1Ha1(username: string, realm: string, xres: Uint8Array): string {
  return md5Hex(username, realm, xres);
}

/** HA2 = MD5(method:uri), or MD5(method:uri:MD5(entity-body)) for qop=auth-int. */
export function digestHa2(method: string, uri: string, qop?: DigestQop, entityBody?: string | Uint8Array): string {
  if (qop === 'auth-int') return md5Hex(method, uri, md5Hex(entityBody ?? ''));
  return md5Hex(method, uri);
}

export interface DigestResponseInput {
  readonly ha1: string;
  readonly nonce: string;
  readonly ha2: string;
  /** Absent: the RFC 2069-compatible form MD5(HA1:nonce:HA2). */
  readonly qop?: DigestQop;
  /** 8 hex digits, required with qop. */
  readonly nc?: string;
  /** Required with qop. */
  readonly cnonce?: string;
}

/** request-digest of RFC 2617 §3.2.2.1, lowercase hex. */
export function digestResponse(p: DigestResponseInput): string {
  if (p.qop === undefined) return md5Hex(p.ha1, p.nonce, p.ha2);
  if (p.qop !== 'auth' && p.qop !== 'auth-int') {
    throw new AuthError(AuthErrorCode.BAD_PARAMETER, 'qop must be "auth" or "auth-int"');
  }
  if (p.nc === undefined || !/^[0-9a-fA-F]{8}$/.test(p.nc)) {
    throw new AuthError(AuthErrorCode.BAD_PARAMETER, 'nc must be 8 hex digits when qop is present');
  }
  if (p.cnonce === undefined) {
    throw new AuthError(AuthErrorCode.BAD_PARAMETER, 'cnonce is required when qop is present');
  }
  return md5Hex(p.ha1, p.nonce, p.nc, p.cnonce, p.qop, p.ha2);
}

/** Values of SIP-Digest-Authenticate (3GPP SIP Digest). Digest-HA1 is password-equivalent. */
export interface SipDigestAuthenticate {
  readonly digestHa1: Redacted<string>;
  readonly digestRealm: string;
  readonly digestQop?: DigestQop;
  readonly digestAlgorithm: 'MD5';
}

/** SIP-Digest-Authenticate content for one user: HA1 hex of user:realm:password. */
export function sipDigestAuthenticate(
  username: string,
  realm: string,
  password: Secret,
  qop?: DigestQop,
): SipDigestAuthenticate {
  const digestHa1Value = new Redacted(digestHa1(username, realm, password));
  return qop === undefined
    ? { digestHa1: digestHa1Value, digestRealm: realm, digestAlgorithm: 'MD5' }
    : { digestHa1: digestHa1Value, digestRealm: realm, digestQop: qop, digestAlgorithm: 'MD5' };
}

/** The Kamailio/PyHSS "Digest-MD5" item: SIP-Authenticate = nonce, SIP-Authorization = password. */
export interface DigestMd5Item {
  /** 16 fresh random octets (Kamailio base16-encodes them into the nonce). */
  readonly sipAuthenticate: Buffer;
  /** The clear password (UTF-8 octets) — the S-CSCF computes HA1 itself. */
  readonly sipAuthorization: Redacted<Uint8Array>;
}

export function digestMd5Item(password: Secret, randSource: RandSource = cryptoRandSource): DigestMd5Item {
  const p = open(password);
  const nonce = Buffer.from(draw(randSource, 16));
  const bytes = typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p);
  return { sipAuthenticate: nonce, sipAuthorization: new Redacted<Uint8Array>(bytes) };
}
