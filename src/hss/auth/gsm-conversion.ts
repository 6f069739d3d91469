// TS 33.102 §6.8.1.2 — conversion functions for GSM AKA from UMTS AKA outputs:
//   c2: SRES = XRES*1 ⊕ XRES*2 ⊕ XRES*3 ⊕ XRES*4, the four 32-bit words of XRES* = XRES padded
//       with zero bits to 128 bits; c3: Kc = CK1 ⊕ CK2 ⊕ IK1 ⊕ IK2, the 64-bit halves of CK and IK.
import { AuthError, AuthErrorCode, expectLength } from './errors.js';

/** c2: SRES (4 octets) from XRES (4..16 octets). */
export function c2(xres: Uint8Array): Buffer {
  if (xres.length < 4 || xres.length > 16) {
    throw new AuthError(AuthErrorCode.BAD_LENGTH, 'XRES must be 4..16 octets');
  }
  const sres = Buffer.alloc(4);
  for (let i = 0; i < xres.length; i++) sres[i & 3] = sres[i & 3]! ^ xres[i]!;
  return sres;
}

/** c3: Kc (8 octets) from CK and IK (16 octets each). */
export function c3(ck: Uint8Array, ik: Uint8Array): Buffer {
  expectLength('CK', ck, 16);
  expectLength('IK', ik, 16);
  const kc = Buffer.allocUnsafe(8);
  for (let i = 0; i < 8; i++) kc[i] = ck[i]! ^ ck[i + 8]! ^ ik[i]! ^ ik[i + 8]!;
  return kc;
}
