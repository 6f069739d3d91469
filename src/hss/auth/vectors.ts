// Authentication vector builders:
//   UTRAN quintets — TS 33.102 §6.3.2 (AUTN = SQN ⊕ AK ‖ AMF ‖ MAC);
//   GERAN triplets — TS 33.102 §6.8.1.2 conversion functions (SRES = c2(XRES), Kc = c3(CK, IK));
//   EPS vectors    — TS 33.401 §6.1.1 and Annex A.2 (KASME; the AMF separation bit is set to 1);
//   IMS AKA items  — TS 33.203 §6.1, TS 29.229 §6.3 (SIP-Authenticate = RAND ‖ AUTN,
//                    SIP-Authorization = XRES), nonce per RFC 3310 §3.2.
// SQNs come from sqn.ts (reserve); RAND from an injectable RandSource (default: CSPRNG).
import type { AkaAlgorithm, AkaOutputs } from './aka-algorithm.js';
import { AuthError, AuthErrorCode, expectLength } from './errors.js';
import { c2, c3 } from './gsm-conversion.js';
import { deriveKasmeFromCkIk } from './kdf.js';
import { cryptoRandSource, draw, type RandSource } from './rand-source.js';
import { SQN_MAX } from './sqn.js';

export interface EpsVector {
  readonly rand: Uint8Array;
  readonly xres: Buffer;
  readonly autn: Buffer;
  readonly kasme: Buffer;
  /** The SQN concealed in AUTN (for the store and for logs; not sent). */
  readonly sqn: number;
}

export interface UtranQuintet {
  readonly rand: Uint8Array;
  readonly xres: Buffer;
  readonly ck: Buffer;
  readonly ik: Buffer;
  readonly autn: Buffer;
  readonly sqn: number;
}

export interface GeranTriplet {
  readonly rand: Uint8Array;
  readonly sres: Buffer;
  readonly kc: Buffer;
}

export interface ImsAkaItem {
  /** SIP-Authenticate (609): RAND ‖ AUTN, 32 octets. */
  readonly sipAuthenticate: Buffer;
  /** SIP-Authorization (610): XRES. */
  readonly sipAuthorization: Buffer;
  /** Confidentiality-Key (625). */
  readonly ck: Buffer;
  /** Integrity-Key (626). */
  readonly ik: Buffer;
  readonly sqn: number;
}

// Scratch for the 6-octet SQN and 2-octet AMF handed to generate() (which reads them synchronously).
const sqnScratch = Buffer.alloc(6);
const amfScratch = Buffer.alloc(2);
const AMF_ZERO = Buffer.alloc(2);

function checkSqn(sqn: number): void {
  if (!Number.isInteger(sqn) || sqn < 0 || sqn > SQN_MAX) {
    throw new AuthError(AuthErrorCode.BAD_PARAMETER, 'SQN must be an integer 0..2^48-1');
  }
}

/** Runs the algorithm with SQN as a number; `separation` forces AMF bit 0 (EPS). */
function run(alg: AkaAlgorithm, rand: Uint8Array, sqn: number, amf: Uint8Array, separation: boolean): AkaOutputs {
  checkSqn(sqn);
  expectLength('AMF', amf, 2);
  sqnScratch.writeUIntBE(sqn, 0, 6);
  amfScratch[0] = separation ? amf[0]! | 0x80 : amf[0]!;
  amfScratch[1] = amf[1]!;
  return alg.generate(rand, sqnScratch, amfScratch);
}

/** Writes AUTN = (SQN ⊕ AK) ‖ AMF ‖ MAC-A at dst[off..off+16), using the scratch SQN/AMF of run(). */
function writeAutn(dst: Buffer, off: number, o: AkaOutputs): void {
  for (let i = 0; i < 6; i++) dst[off + i] = sqnScratch[i]! ^ o.ak[i]!;
  dst[off + 6] = amfScratch[0]!;
  dst[off + 7] = amfScratch[1]!;
  o.macA.copy(dst, off + 8, 0, 8);
}

function epsVector(alg: AkaAlgorithm, rand: Uint8Array, sqn: number, amf: Uint8Array, snId: Uint8Array): EpsVector {
  const o = run(alg, rand, sqn, amf, true);
  const n = o.res.length;
  // One allocation holds XRES ‖ AUTN, so CK/IK (never sent on S6a) are not reachable from the vector.
  const blk = Buffer.allocUnsafe(n + 16);
  o.res.copy(blk, 0);
  writeAutn(blk, n, o);
  const autn = blk.subarray(n, n + 16);
  const kasme = deriveKasmeFromCkIk(o.ckIk, snId, autn.subarray(0, 6));
  o.ckIk.fill(0);
  return { rand, xres: blk.subarray(0, n), autn, kasme, sqn };
}

/**
 * One E-UTRAN vector (RAND, XRES, AUTN, KASME) for SQN and the serving network's PLMN id
 * (Visited-PLMN-Id, 3 octets). AMF bit 0 ("separation bit") is set as TS 33.401 §6.1.1 requires.
 */
export function buildEpsVector(
  alg: AkaAlgorithm,
  sqn: number,
  amf: Uint8Array,
  snId: Uint8Array,
  randSource: RandSource = cryptoRandSource,
): EpsVector {
  expectLength('SN id', snId, 3);
  return epsVector(alg, draw(randSource, 16), sqn, amf, snId);
}

/** E-UTRAN vectors for the given SQNs (from reserve()), one RAND draw for the whole batch. */
export function buildEpsVectors(
  alg: AkaAlgorithm,
  sqns: readonly number[],
  amf: Uint8Array,
  snId: Uint8Array,
  randSource: RandSource = cryptoRandSource,
): EpsVector[] {
  expectLength('SN id', snId, 3);
  const rands = draw(randSource, 16 * sqns.length);
  const out = new Array<EpsVector>(sqns.length);
  for (let i = 0; i < sqns.length; i++) {
    out[i] = epsVector(alg, rands.subarray(16 * i, 16 * i + 16), sqns[i]!, amf, snId);
  }
  return out;
}

/** One UTRAN quintet (RAND, XRES, CK, IK, AUTN). AMF is used as given. */
export function buildUtranQuintet(
  alg: AkaAlgorithm,
  sqn: number,
  amf: Uint8Array,
  randSource: RandSource = cryptoRandSource,
): UtranQuintet {
  const rand = draw(randSource, 16);
  const o = run(alg, rand, sqn, amf, false);
  const n = o.res.length;
  const blk = Buffer.allocUnsafe(n + 48);
  o.res.copy(blk, 0);
  o.ckIk.copy(blk, n);
  writeAutn(blk, n + 32, o);
  o.ckIk.fill(0);
  return {
    rand,
    xres: blk.subarray(0, n),
    ck: blk.subarray(n, n + 16),
    ik: blk.subarray(n + 16, n + 32),
    autn: blk.subarray(n + 32, n + 48),
    sqn,
  };
}

/** One GERAN triplet (RAND, SRES, Kc) via c2/c3; f2..f4 do not depend on SQN, so none is used. */
export function buildGeranTriplet(alg: AkaAlgorithm, randSource: RandSource = cryptoRandSource): GeranTriplet {
  const rand = draw(randSource, 16);
  const o = run(alg, rand, 0, AMF_ZERO, false);
  const triplet = { rand, sres: c2(o.res), kc: c3(o.ck, o.ik) };
  o.ckIk.fill(0);
  return triplet;
}

/** One IMS AKA SIP-Auth-Data-Item payload (Digest-AKAv1-MD5). AMF is used as given. */
export function buildImsAkaItem(
  alg: AkaAlgorithm,
  sqn: number,
  amf: Uint8Array,
  randSource: RandSource = cryptoRandSource,
): ImsAkaItem {
  const rand = draw(randSource, 16);
  const o = run(alg, rand, sqn, amf, false);
  const n = o.res.length;
  const blk = Buffer.allocUnsafe(32 + n + 32);
  blk.set(rand, 0);
  writeAutn(blk, 16, o);
  o.res.copy(blk, 32);
  o.ckIk.copy(blk, 32 + n);
  o.ckIk.fill(0);
  return {
    sipAuthenticate: blk.subarray(0, 32),
    sipAuthorization: blk.subarray(32, 32 + n),
    ck: blk.subarray(32 + n, 48 + n),
    ik: blk.subarray(48 + n, 64 + n),
    sqn,
  };
}

/** RFC 3310 §3.2: the SIP nonce is base64(RAND ‖ AUTN [‖ server data]). */
export function sipAkaNonce(sipAuthenticate: Uint8Array): string {
  return Buffer.from(sipAuthenticate.buffer, sipAuthenticate.byteOffset, sipAuthenticate.length).toString('base64');
}
