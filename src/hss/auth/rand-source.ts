// TS 33.102 §6.3.2 — RAND is an unpredictable 128-bit challenge; also used for Digest nonces.
// The default source draws from crypto.randomBytes in 4 KiB chunks: randomBytes(16) costs ~2.7 µs
// per call on Node 20, a chunk amortises that to well under 0.1 µs per RAND. A chunk is never
// overwritten (a new one is allocated), so returned views stay valid.
import { randomBytes } from 'node:crypto';
import { AuthError, AuthErrorCode } from './errors.js';

/** Returns `size` fresh random octets. Injectable so tests can pin RAND. */
export type RandSource = (size: number) => Uint8Array;

const CHUNK = 4096;
let chunk: Buffer = Buffer.alloc(0);
let used = 0;

/** The default RandSource: CSPRNG octets from a chunked crypto.randomBytes. */
export const cryptoRandSource: RandSource = (size: number): Buffer => {
  if (size > CHUNK / 4) return randomBytes(size);
  if (used + size > chunk.length) {
    chunk = randomBytes(CHUNK);
    used = 0;
  }
  const out = chunk.subarray(used, used + size);
  used += size;
  return out;
};

/** A RandSource replaying fixed octets (tests). Each call consumes the next `size` octets. */
export function fixedRandSource(...values: readonly Uint8Array[]): RandSource {
  const all = Buffer.concat(values);
  let off = 0;
  return (size: number): Buffer => {
    if (off + size > all.length) {
      throw new AuthError(AuthErrorCode.BAD_LENGTH, 'fixed RAND source exhausted');
    }
    const out = all.subarray(off, off + size);
    off += size;
    return out;
  };
}

/** Draws `size` octets and checks the source kept its contract. */
export function draw(source: RandSource, size: number): Uint8Array {
  const out = source(size);
  if (out.length !== size) {
    throw new AuthError(AuthErrorCode.BAD_LENGTH, `RAND source must return ${size} octets, got ${out.length}`);
  }
  return out;
}
