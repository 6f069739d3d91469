// TS 33.102 §6.3.5 (re-synchronisation) and §6.3.3 (AUTS = SQN_MS ⊕ AK* ‖ MAC-S, AMF* = 0000).
// Input is RAND(16) ‖ AUTS(14) as carried by S6a Re-Synchronization-Info (AVP 1411, TS 29.272 §7.3)
// and by Cx SIP-Authorization in a MAR (AVP 610, TS 29.229 §6.3). MAC-S is always verified (PyHSS never does)
// and compared in constant time. Protocol errors come back as data, never as exceptions.
import { timingSafeEqual } from 'node:crypto';
import type { AkaAlgorithm } from './aka-algorithm.js';

export const RESYNC_INFO_LENGTH = 30;
export const AUTS_LENGTH = 14;

export type ResyncFailure = 'mac-s-mismatch' | 'bad-length';

export type ResyncResult =
  | { readonly ok: true; readonly sqnMs: number }
  | { readonly ok: false; readonly reason: ResyncFailure };

const AMF_STAR = Buffer.alloc(2); // dummy AMF of all zeros, §6.3.3

/** Verifies AUTS against RAND and returns SQN_MS (48-bit integer) when MAC-S matches. */
export function verifyAuts(alg: AkaAlgorithm, rand: Uint8Array, auts: Uint8Array): ResyncResult {
  if (rand.length !== 16 || auts.length !== AUTS_LENGTH) return { ok: false, reason: 'bad-length' };
  const akStar = alg.f5star(rand);
  const sqnMs = Buffer.allocUnsafe(6);
  for (let i = 0; i < 6; i++) sqnMs[i] = auts[i]! ^ akStar[i]!;
  const xmacS = alg.f1star(rand, sqnMs, AMF_STAR);
  const macS = auts.subarray(6, 14);
  if (!timingSafeEqual(xmacS, macS)) return { ok: false, reason: 'mac-s-mismatch' };
  return { ok: true, sqnMs: sqnMs.readUIntBE(0, 6) };
}

/** Same, from the 30-octet RAND ‖ AUTS value of Re-Synchronization-Info / SIP-Authorization. */
export function verifyResyncInfo(alg: AkaAlgorithm, randAuts: Uint8Array): ResyncResult {
  if (randAuts.length !== RESYNC_INFO_LENGTH) return { ok: false, reason: 'bad-length' };
  return verifyAuts(alg, randAuts.subarray(0, 16), randAuts.subarray(16, 30));
}
