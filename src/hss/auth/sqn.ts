// TS 33.102 Annex C — management of sequence numbers: SQN = SEQ ‖ IND (C.1.1), the USIM's
// array freshness check with Δ and L (C.2.2), IND allocation (C.3.4). Pure arithmetic on 48-bit
// integers (JS numbers are exact up to 2^53); persistence belongs to the store.
//
// IND handling (decision). The stored value SQN_HE is the last SQN issued. Each new vector takes
//   SEQ := SEQ_HE + 1 and IND := (IND_HE + 1) mod 2^indBits,
// which is the "general rule" of C.3.4 (IND allocated cyclically, the next vector uses IND + 1 mod a).
// Why cycle IND rather than keep it fixed (Open5GS adds 32, so IND never moves):
//   the USIM keeps one SEQ_MS(i) per IND slot and accepts SQN iff SEQ > SEQ_MS(IND) (C.2.2). With a
//   fixed IND every slot collapses to one counter, so vectors used out of order (a batch split over
//   two MMEs, an old MME reusing a cached vector after a newer one) fail with a sync failure. With
//   IND cycling, any ≤ 2^indBits vectors of one batch are accepted in any order (property-tested),
//   and SEQ still increases by exactly 1 per vector, far inside Δ.
// C.3.4 also allows a node-specific IND when the requester is known; nextSqn's `ind` option does that.
// Resynchronisation (§6.3.5): the HE sets SQN_HE := SQN_MS, so the next vector is SEQ_MS + 1 with
// IND_MS + 1 mod a — the same rule (Open5GS's "+32+1" is the same idea without the modulo).
import { AuthError, AuthErrorCode, expectLength } from './errors.js';

export const SQN_BITS = 48;
/** 2^48 - 1. */
export const SQN_MAX = 2 ** SQN_BITS - 1;
/** Recommended IND length: 5 bits, i.e. an array of a = 32 (TS 33.102 Annex C.3). */
export const DEFAULT_IND_BITS = 5;
/** Recommended Δ = 2^28 (TS 33.102 Annex C.3). */
export const DEFAULT_DELTA = 2 ** 28;
/** Recommended L = 2^5 (TS 33.102 Annex C.3). */
export const DEFAULT_LIMIT_L = 2 ** 5;

export interface SqnOptions {
  /** Length of IND in bits, 0..16; default 5. */
  readonly indBits?: number;
}

function indBitsOf(opts: SqnOptions | undefined): number {
  const b = opts?.indBits ?? DEFAULT_IND_BITS;
  if (!Number.isInteger(b) || b < 0 || b > 16) {
    throw new AuthError(AuthErrorCode.BAD_PARAMETER, 'indBits must be an integer 0..16');
  }
  return b;
}

function checkSqn(name: string, sqn: number): void {
  if (!Number.isInteger(sqn) || sqn < 0 || sqn > SQN_MAX) {
    throw new AuthError(AuthErrorCode.BAD_PARAMETER, `${name} must be an integer 0..2^48-1`);
  }
}

/** Splits SQN into SEQ (high 48 - indBits bits) and IND (low indBits bits). */
export function splitSqn(sqn: number, opts?: SqnOptions): { seq: number; ind: number } {
  checkSqn('SQN', sqn);
  const a = 2 ** indBitsOf(opts);
  return { seq: Math.floor(sqn / a), ind: sqn % a };
}

/** SQN = SEQ ‖ IND. */
export function joinSqn(seq: number, ind: number, opts?: SqnOptions): number {
  const bits = indBitsOf(opts);
  const a = 2 ** bits;
  if (!Number.isInteger(ind) || ind < 0 || ind >= a) {
    throw new AuthError(AuthErrorCode.BAD_PARAMETER, `IND must be an integer 0..${a - 1}`);
  }
  if (!Number.isInteger(seq) || seq < 0 || seq > 2 ** (SQN_BITS - bits) - 1) {
    throw new AuthError(AuthErrorCode.BAD_PARAMETER, `SEQ must be an integer 0..2^${SQN_BITS - bits}-1`);
  }
  return seq * a + ind;
}

export interface NextSqnOptions extends SqnOptions {
  /** Node-specific IND (C.3.4 alternative). Default: previous IND + 1 mod 2^indBits. */
  readonly ind?: number;
}

/**
 * The SQN of the next vector after `current` (the last SQN issued, SQN_HE): SEQ + 1 and IND + 1
 * mod 2^indBits (or `opts.ind`). Throws AuthErrorCode.SQN_EXHAUSTED when SEQ is at its maximum —
 * wrapping would make every later vector stale at the USIM.
 */
export function nextSqn(current: number, opts?: NextSqnOptions): number {
  const bits = indBitsOf(opts);
  const { seq, ind } = splitSqn(current, { indBits: bits });
  if (seq >= 2 ** (SQN_BITS - bits) - 1) {
    throw new AuthError(AuthErrorCode.SQN_EXHAUSTED, 'SEQ has reached its maximum; the subscriber needs a new SQN range');
  }
  const nextInd = opts?.ind ?? (ind + 1) % 2 ** bits;
  return joinSqn(seq + 1, nextInd, { indBits: bits });
}

/** n consecutive SQNs for a batch of vectors, and the value to store afterwards (the last one). */
export function reserve(current: number, n: number, opts?: NextSqnOptions): { sqns: number[]; stored: number } {
  if (!Number.isInteger(n) || n < 0) {
    throw new AuthError(AuthErrorCode.BAD_PARAMETER, 'n must be a non-negative integer');
  }
  checkSqn('current SQN', current);
  const sqns: number[] = new Array<number>(n);
  let s = current;
  for (let i = 0; i < n; i++) {
    s = nextSqn(s, opts);
    sqns[i] = s;
  }
  return { sqns, stored: s };
}

/** After a verified AUTS: the next vector's SQN (SEQ_MS + 1, IND per the same rule). */
export function nextSqnAfterResync(sqnMs: number, opts?: NextSqnOptions): number {
  return nextSqn(sqnMs, opts);
}

/** 6-octet big-endian SQN. */
export function sqnToBytes(sqn: number): Buffer {
  checkSqn('SQN', sqn);
  const b = Buffer.allocUnsafe(6);
  b.writeUIntBE(sqn, 0, 6);
  return b;
}

export function sqnFromBytes(octets: Uint8Array): number {
  expectLength('SQN', octets, 6);
  return Buffer.from(octets.buffer, octets.byteOffset, 6).readUIntBE(0, 6);
}

export interface SqnWindow extends SqnOptions {
  /** Δ: largest accepted jump SEQ - SEQ_MS. Default 2^28. */
  readonly delta?: number;
  /** L: accept SEQ below SEQ_MS only if SEQ_MS - SEQ < L. Default 2^5; undefined-able via Infinity. */
  readonly limit?: number;
}

/** Why a USIM would reject an SQN (C.2.2). */
export type SqnRejection = 'delta' | 'limit' | 'not-fresh';

/**
 * HE-side range check of TS 33.102 §6.3.5: would the USIM that reported SQN_MS accept `sqn`
 * whatever its array holds? True iff 0 < SEQ - SEQ_MS ≤ Δ (every SEQ_MS(i) ≤ SEQ_MS, so such an SQN is
 * fresh in every slot). If true, the AuC may keep SQN_HE instead of resetting it to SQN_MS.
 */
export function isInUsimRange(sqn: number, sqnMs: number, window?: SqnWindow): boolean {
  const bits = indBitsOf(window);
  const delta = window?.delta ?? DEFAULT_DELTA;
  const { seq } = splitSqn(sqn, { indBits: bits });
  const { seq: seqMs } = splitSqn(sqnMs, { indBits: bits });
  return seq > seqMs && seq - seqMs <= delta;
}

/**
 * A USIM's sequence-number state (C.2.2): SEQ_MS(i) per IND slot and the highest accepted SQN.
 * Used to model the USIM in tests and to reason about SQN plans; immutable.
 */
export interface UsimSqnState {
  readonly seqMs: readonly number[];
  /** Highest SQN accepted so far (what AUTS would carry), 0 initially. */
  readonly sqnMs: number;
}

export function initialUsimState(opts?: SqnOptions): UsimSqnState {
  return { seqMs: new Array<number>(2 ** indBitsOf(opts)).fill(0), sqnMs: 0 };
}

/**
 * TS 33.102 C.2.2 as a USIM runs it: Δ check against the highest SEQ_MS, optional L check, then
 * the array check SEQ > SEQ_MS(IND). Returns the new state on acceptance.
 */
export function usimCheckSqn(
  state: UsimSqnState,
  sqn: number,
  window?: SqnWindow,
): { accepted: true; state: UsimSqnState } | { accepted: false; reason: SqnRejection } {
  const bits = indBitsOf(window);
  if (state.seqMs.length !== 2 ** bits) {
    throw new AuthError(AuthErrorCode.BAD_PARAMETER, 'USIM state array size must be 2^indBits');
  }
  const delta = window?.delta ?? DEFAULT_DELTA;
  const limit = window?.limit ?? DEFAULT_LIMIT_L;
  const { seq, ind } = splitSqn(sqn, { indBits: bits });
  const { seq: seqMsMax } = splitSqn(state.sqnMs, { indBits: bits });
  if (seq - seqMsMax > delta) return { accepted: false, reason: 'delta' };
  if (seqMsMax - seq >= limit) return { accepted: false, reason: 'limit' };
  if (seq <= state.seqMs[ind]!) return { accepted: false, reason: 'not-fresh' };
  const seqMs = state.seqMs.slice();
  seqMs[ind] = seq;
  return { accepted: true, state: { seqMs, sqnMs: seq > seqMsMax ? sqn : state.sqnMs } };
}
