// The UE side's own Milenage (TS 35.206 §4.1), written for the tests and independent of
// src/hss/auth: AES-128 from node:crypto, the five OUT blocks of the spec with their rotations
// r1..r5 (64, 0, 32, 64, 96 bits) and constants c1..c5, nothing shared with Diamond's code.
// Checked against the TS 35.208 conformance sets in rfc3310-digest.test.ts.
import { createCipheriv } from 'node:crypto';

function xor(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Cyclic left rotation of a 128-bit block by a whole number of octets. */
function rot(x: Buffer, octets: number): Buffer {
  return Buffer.concat([x.subarray(octets), x.subarray(0, octets)]);
}

/** c_i: all zero except the last octet (c1 = 0, c2 = 1, c3 = 2, c4 = 4, c5 = 8). */
function c(last: number): Buffer {
  const b = Buffer.alloc(16);
  b[15] = last;
  return b;
}

export interface F2345 {
  /** f2: RES, 64 bits. */
  readonly res: Buffer;
  /** f3: CK. */
  readonly ck: Buffer;
  /** f4: IK. */
  readonly ik: Buffer;
  /** f5: AK, 48 bits. */
  readonly ak: Buffer;
  /** f5*: AK for AUTS, 48 bits. */
  readonly akStar: Buffer;
}

export class ReferenceMilenage {
  readonly #k: Buffer;
  readonly #opc: Buffer;

  constructor(k: Uint8Array, opc: Uint8Array) {
    if (k.length !== 16 || opc.length !== 16) throw new Error('K and OPc are 16 octets');
    this.#k = Buffer.from(k);
    this.#opc = Buffer.from(opc);
  }

  /** OPc = OP ⊕ E_K(OP) (TS 35.206 §4.1). */
  static opcFromOp(k: Uint8Array, op: Uint8Array): Buffer {
    return xor(aes(Buffer.from(k), Buffer.from(op)), op);
  }

  #e(block: Buffer): Buffer {
    return aes(this.#k, block);
  }

  #temp(rand: Uint8Array): Buffer {
    return this.#e(xor(rand, this.#opc));
  }

  /** f1 and f1*: OUT1 = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc, IN1 = SQN‖AMF‖SQN‖AMF. */
  f1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): { macA: Buffer; macS: Buffer } {
    const in1 = Buffer.concat([sqn, amf, sqn, amf]);
    const out1 = xor(this.#e(xor(xor(this.#temp(rand), rot(xor(in1, this.#opc), 8)), c(0))), this.#opc);
    return { macA: out1.subarray(0, 8), macS: out1.subarray(8, 16) };
  }

  /** f2..f5 and f5*: OUT_i = E_K(rot(TEMP ⊕ OPc, r_i) ⊕ c_i) ⊕ OPc. */
  f2345(rand: Uint8Array): F2345 {
    const t = xor(this.#temp(rand), this.#opc);
    const out = (r: number, ci: number): Buffer => xor(this.#e(xor(rot(t, r), c(ci))), this.#opc);
    const out2 = out(0, 1);
    return { res: out2.subarray(8, 16), ak: out2.subarray(0, 6), ck: out(4, 2), ik: out(8, 4), akStar: out(12, 8).subarray(0, 6) };
  }
}

function aes(k: Buffer, block: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-ecb', k, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}
