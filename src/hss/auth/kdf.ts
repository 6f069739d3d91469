// TS 33.220 Annex B.2 — generic KDF: derived key = HMAC-SHA-256(Key, S),
//   S = FC ‖ P0 ‖ L0 ‖ P1 ‖ L1 ‖ … (each Li = length of Pi in octets, 2 octets big-endian).
// TS 33.401 Annex A.2 — KASME: Key = CK ‖ IK, FC = 0x10, P0 = SN id (3-octet PLMN id, i.e. the
//   Visited-PLMN-Id value of TS 29.272 §7.3.9), P1 = SQN ⊕ AK (6 octets).
// PLMN id octets: TS 24.008 §10.5.1.13 (MCC digit 2|1, MNC digit 3|MCC digit 3, MNC digit 2|1;
//   MNC digit 3 = 0xF for a 2-digit MNC).
import { createHmac } from 'node:crypto';
import { AuthError, AuthErrorCode, expectLength } from './errors.js';

/** FC values of TS 33.401 Annex A used here. */
export const KdfFc = {
  /** A.2 KASME derivation. */
  KASME: 0x10,
} as const;

/** Generic KDF of TS 33.220 Annex B.2. Each parameter must be at most 65535 octets. */
export function kdf(key: Uint8Array, fc: number, ...params: readonly Uint8Array[]): Buffer {
  if (!Number.isInteger(fc) || fc < 0 || fc > 0xff) {
    throw new AuthError(AuthErrorCode.BAD_PARAMETER, 'FC must be one octet (0..255)');
  }
  let size = 1;
  for (const p of params) {
    if (p.length > 0xffff) {
      throw new AuthError(AuthErrorCode.BAD_LENGTH, 'KDF parameter must be at most 65535 octets');
    }
    size += p.length + 2;
  }
  const s = Buffer.allocUnsafe(size);
  s[0] = fc;
  let off = 1;
  for (const p of params) {
    s.set(p, off);
    off += p.length;
    s.writeUInt16BE(p.length, off);
    off += 2;
  }
  return createHmac('sha256', key).update(s).digest();
}

// Reused input S for KASME: FC(1) SN-id(3) 0x0003 SQN⊕AK(6) 0x0006 = 14 octets. Safe to share
// because hmac.update() copies its input synchronously. Saves one allocation per vector.
const kasmeS = Buffer.from([KdfFc.KASME, 0, 0, 0, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0x00, 0x06]);

/** KASME from CK ‖ IK (32 octets, e.g. AkaOutputs.ckIk), SN id (3) and SQN ⊕ AK (6). */
export function deriveKasmeFromCkIk(ckIk: Uint8Array, snId: Uint8Array, sqnXorAk: Uint8Array): Buffer {
  expectLength('CK||IK', ckIk, 32);
  expectLength('SN id', snId, 3);
  expectLength('SQN xor AK', sqnXorAk, 6);
  kasmeS.set(snId, 1);
  kasmeS.set(sqnXorAk, 6);
  return createHmac('sha256', ckIk).update(kasmeS).digest();
}

/** KASME = KDF(CK ‖ IK, FC 0x10, SN id, SQN ⊕ AK) — TS 33.401 Annex A.2. */
export function deriveKasme(ck: Uint8Array, ik: Uint8Array, snId: Uint8Array, sqnXorAk: Uint8Array): Buffer {
  expectLength('CK', ck, 16);
  expectLength('IK', ik, 16);
  const key = Buffer.allocUnsafe(32);
  key.set(ck, 0);
  key.set(ik, 16);
  const kasme = deriveKasmeFromCkIk(key, snId, sqnXorAk);
  key.fill(0);
  return kasme;
}

/** A PLMN identity as digit strings: MCC 3 digits, MNC 2 or 3 digits. */
export interface PlmnId {
  readonly mcc: string;
  readonly mnc: string;
}

/** Encodes MCC/MNC into the 3-octet PLMN id (TS 24.008 §10.5.1.13), e.g. 214/01 -> 12f410. */
export function encodePlmnId(mcc: string, mnc: string): Buffer {
  if (!/^[0-9]{3}$/.test(mcc)) {
    throw new AuthError(AuthErrorCode.BAD_PARAMETER, 'MCC must be exactly 3 decimal digits');
  }
  if (!/^[0-9]{2,3}$/.test(mnc)) {
    throw new AuthError(AuthErrorCode.BAD_PARAMETER, 'MNC must be 2 or 3 decimal digits');
  }
  const d = (s: string, i: number): number => s.charCodeAt(i) - 0x30;
  const mnc3 = mnc.length === 3 ? d(mnc, 2) : 0xf;
  return Buffer.from([(d(mcc, 1) << 4) | d(mcc, 0), (mnc3 << 4) | d(mcc, 2), (d(mnc, 1) << 4) | d(mnc, 0)]);
}

/**
 * Decodes a 3-octet PLMN id. Returns undefined (no throw: the octets come off the wire) when a
 * nibble is not a digit, or the MNC filler is misplaced.
 */
export function decodePlmnId(octets: Uint8Array): PlmnId | undefined {
  if (octets.length !== 3) return undefined;
  const [o1, o2, o3] = [octets[0]!, octets[1]!, octets[2]!];
  const nibbles = [o1 & 0xf, o1 >> 4, o2 & 0xf, o3 & 0xf, o3 >> 4];
  if (nibbles.some((n) => n > 9)) return undefined;
  const mnc3 = o2 >> 4;
  if (mnc3 > 9 && mnc3 !== 0xf) return undefined;
  const mcc = `${o1 & 0xf}${o1 >> 4}${o2 & 0xf}`;
  const mnc = `${o3 & 0xf}${o3 >> 4}${mnc3 === 0xf ? '' : String(mnc3)}`;
  return { mcc, mnc };
}
