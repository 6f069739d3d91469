// TS 34.108 §8.1.2 — the 3GPP test algorithm ("XOR") for test USIMs: §8.1.2.1 f1..f5,
// §8.1.2.2 f1*, f5*. Bit 0 is the MSB of octet 0 throughout.
//   XDOUT = K ⊕ RAND; RES = XDOUT[0..n-1]; CK = XDOUT rotated left 8 bits; IK = rotated 16 bits;
//   AK = XDOUT[24..71]; CDOUT = SQN ‖ AMF; MAC-A = XDOUT[0..63] ⊕ CDOUT.
//   Resync: f5* = the same AK bits; MAC-S = XDOUT[0..63] ⊕ (SQN_MS ‖ AMF*) (AMF* = 0000).
import type { AkaAlgorithm, AkaOutputs } from './aka-algorithm.js';
import { AuthError, AuthErrorCode, expectLength } from './errors.js';

/** Default RES length in octets (TS 34.108 lets n range over 32..128 bits; 8 matches MILENAGE). */
export const TEST_ALGORITHM_DEFAULT_RES_LENGTH = 8;

export class TestAlgorithm implements AkaAlgorithm {
  readonly kind = 'test-xor' as const;
  readonly #k: Buffer;
  readonly #resLength: number;

  constructor(k: Uint8Array, resLength: number = TEST_ALGORITHM_DEFAULT_RES_LENGTH) {
    expectLength('K', k, 16);
    if (!Number.isInteger(resLength) || resLength < 4 || resLength > 16) {
      throw new AuthError(AuthErrorCode.BAD_PARAMETER, 'resLength must be an integer 4..16 (octets)');
    }
    this.#k = Buffer.from(k);
    this.#resLength = resLength;
  }

  #xdout(rand: Uint8Array): Buffer {
    expectLength('RAND', rand, 16);
    const x = Buffer.allocUnsafe(16);
    for (let i = 0; i < 16; i++) x[i] = this.#k[i]! ^ rand[i]!;
    return x;
  }

  #mac(xdout: Buffer, sqn: Uint8Array, amf: Uint8Array, dst: Buffer, off: number): void {
    expectLength('SQN', sqn, 6);
    expectLength('AMF', amf, 2);
    for (let i = 0; i < 6; i++) dst[off + i] = xdout[i]! ^ sqn[i]!;
    dst[off + 6] = xdout[6]! ^ amf[0]!;
    dst[off + 7] = xdout[7]! ^ amf[1]!;
  }

  generate(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): AkaOutputs {
    const x = this.#xdout(rand);
    // Layout: MAC-A 8 | MAC-S 8 | AK 6 | RES n | CK 16 | IK 16 (CK ‖ IK contiguous for the KDF).
    const n = this.#resLength;
    const out = Buffer.allocUnsafe(22 + n + 32);
    this.#mac(x, sqn, amf, out, 0);
    out.copy(out, 8, 0, 8); // f1* is the same function as f1 (§8.1.2.2)
    x.copy(out, 16, 3, 9); // AK = XDOUT[bits 24..71]
    x.copy(out, 22, 0, n); // RES = XDOUT[bits 0..8n-1]
    const ck = 22 + n;
    x.copy(out, ck, 1, 16); // CK = XDOUT[bits 8..127, 0..7]
    out[ck + 15] = x[0]!;
    const ik = ck + 16;
    x.copy(out, ik, 2, 16); // IK = XDOUT[bits 16..127, 0..15]
    out[ik + 14] = x[0]!;
    out[ik + 15] = x[1]!;
    return {
      macA: out.subarray(0, 8),
      macS: out.subarray(8, 16),
      ak: out.subarray(16, 22),
      res: out.subarray(22, ck),
      ck: out.subarray(ck, ik),
      ik: out.subarray(ik, ik + 16),
      ckIk: out.subarray(ck, ik + 16),
    };
  }

  f1star(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(8);
    this.#mac(this.#xdout(rand), sqn, amf, out, 0);
    return out;
  }

  f5star(rand: Uint8Array): Buffer {
    return Buffer.from(this.#xdout(rand).subarray(3, 9));
  }

  toString(): string {
    return '[TestAlgorithm]';
  }

  toJSON(): string {
    return '[TestAlgorithm]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[TestAlgorithm]';
  }
}
