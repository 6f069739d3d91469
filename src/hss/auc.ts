// The AuC over the store: authentication vectors whose SQNs are durably reserved before the vectors
// exist (TS 33.102 §6.3.2, Annex C), and resynchronisation from AUTS (§6.3.5) that changes SQN_HE
// only after MAC-S has been verified. The S6a (AIR) and Cx (MAR) handlers call these; failures come
// back as data for them to map to Result-Codes (AIR: 5001 unknown, 4181 bad AUTS / AUTHENTICATION_DATA_UNAVAILABLE).
import type { AucCredentials, Store } from '../store/model.js';
import {
  DEFAULT_DELTA,
  DEFAULT_IND_BITS,
  isInUsimRange,
  nextSqn,
  buildEpsVectors,
  buildImsAkaItem,
  buildUtranQuintet,
  createAkaAlgorithm,
  verifyResyncInfo,
  type AkaAlgorithm,
  type EpsVector,
  type ImsAkaItem,
  type RandSource,
  type UtranQuintet,
} from './auth/index.js';

export interface AucOptions {
  /** IND length in bits (TS 33.102 C.1.1.2); default 5. */
  readonly indBits?: number;
  readonly randSource?: RandSource;
}

export type AucFailure = 'unknown-subscriber' | 'sqn-exhausted';
export type AucResult<T> = { readonly ok: true; readonly items: T[] } | { readonly ok: false; readonly reason: AucFailure };

/** Key schedules per credentials object: the store hands out the same object until the keys change. */
const algorithms = new WeakMap<AucCredentials, AkaAlgorithm>();

export function algorithmOf(c: AucCredentials): AkaAlgorithm {
  let alg = algorithms.get(c);
  if (!alg) {
    if (c.algorithm === 'test-xor') alg = createAkaAlgorithm({ algorithm: 'test-xor', k: c.k });
    else if (c.opc) alg = createAkaAlgorithm({ algorithm: 'milenage', k: c.k, opc: c.opc });
    else alg = createAkaAlgorithm({ algorithm: 'milenage', k: c.k, op: c.op ?? Buffer.alloc(16) });
    algorithms.set(c, alg);
  }
  return alg;
}

/**
 * n E-UTRAN vectors for the serving network `snId` (Visited-PLMN-Id, 3 octets). Rejects (SQLITE_BUSY)
 * when another process holds the database's write lock past the busy timeout: no SQN was taken, the
 * caller answers with an error (S6a: DIAMETER_UNABLE_TO_COMPLY).
 */
export async function generateEpsVectors(store: Store, imsi: string, n: number, snId: Uint8Array, opts: AucOptions = {}): Promise<AucResult<EpsVector>> {
  const r = await store.auc.reserveSqns(imsi, n, opts.indBits ?? DEFAULT_IND_BITS);
  if (!r.ok) return r;
  return { ok: true, items: buildEpsVectors(algorithmOf(r.credentials), r.sqns, r.credentials.amf, snId, opts.randSource) };
}

/** n UTRAN quintets. */
export async function generateUtranQuintets(store: Store, imsi: string, n: number, opts: AucOptions = {}): Promise<AucResult<UtranQuintet>> {
  const r = await store.auc.reserveSqns(imsi, n, opts.indBits ?? DEFAULT_IND_BITS);
  if (!r.ok) return r;
  const alg = algorithmOf(r.credentials);
  return { ok: true, items: r.sqns.map((sqn) => buildUtranQuintet(alg, sqn, r.credentials.amf, opts.randSource)) };
}

/** n IMS AKA items (Cx MAR, Digest-AKAv1-MD5). */
export async function generateImsAkaItems(store: Store, imsi: string, n: number, opts: AucOptions = {}): Promise<AucResult<ImsAkaItem>> {
  const r = await store.auc.reserveSqns(imsi, n, opts.indBits ?? DEFAULT_IND_BITS);
  if (!r.ok) return r;
  const alg = algorithmOf(r.credentials);
  return { ok: true, items: r.sqns.map((sqn) => buildImsAkaItem(alg, sqn, r.credentials.amf, opts.randSource)) };
}

export type ResyncOutcome =
  /** `kept`: SQN_HE was already acceptable to the USIM and stays (§6.3.5); else SQN_HE := SQN_MS. */
  | { readonly ok: true; readonly sqnMs: number; readonly kept: boolean }
  | { readonly ok: false; readonly reason: 'unknown-subscriber' | 'mac-s-mismatch' | 'bad-length' };

/**
 * RAND ‖ AUTS (30 octets, AIR Re-Synchronization-Info / MAR SIP-Authorization): verifies MAC-S with
 * f1* (AMF* = 0000) and only then sets SQN_HE := SQN_MS, so the next vector is SEQ_MS + 1 with
 * IND_MS + 1 mod 2^indBits (sqn.ts nextSqnAfterResync). On any failure SQN_HE is untouched.
 */
export interface ResyncOptions {
  /** IND length in bits; default 5. */
  readonly indBits?: number;
  /** Δ, the USIM's largest accepted jump of SEQ (TS 33.102 C.2.2); default 2^28. */
  readonly delta?: number;
}

export function resyncFromAuts(store: Store, imsi: string, randAuts: Uint8Array, actor: string, opts: ResyncOptions = {}): ResyncOutcome {
  const c = store.auc.credentials(imsi);
  if (!c) return { ok: false, reason: 'unknown-subscriber' };
  const v = verifyResyncInfo(algorithmOf(c), randAuts);
  if (!v.ok) return v;
  // §6.3.5: if the next SQN from SQN_HE is within the USIM's acceptance window given SQN_MS
  // (0 < SEQ - SEQ_MS <= Δ), the AuC keeps SQN_HE; otherwise SQN_HE := SQN_MS.
  const window = { indBits: opts.indBits ?? DEFAULT_IND_BITS, delta: opts.delta ?? DEFAULT_DELTA };
  const he = store.auc.get(imsi)?.sqn;
  let next: number | undefined;
  try {
    next = he === undefined ? undefined : nextSqn(he, window);
  } catch {
    next = undefined; // SEQ_HE exhausted: only a reset to SQN_MS can help
  }
  if (next !== undefined && isInUsimRange(next, v.sqnMs, window)) return { ok: true, sqnMs: v.sqnMs, kept: true };
  if (!store.auc.applyResync(imsi, v.sqnMs, actor)) return { ok: false, reason: 'unknown-subscriber' };
  return { ok: true, sqnMs: v.sqnMs, kept: false };
}
