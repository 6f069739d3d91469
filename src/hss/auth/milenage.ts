// TS 35.206 §4.1 — MILENAGE f1, f1*, f2, f3, f4, f5, f5* (kernel E_K = AES-128),
// OPc = OP ⊕ E_K(OP); test data in TS 35.207 / TS 35.208.
//
// Speed (S6a target: ≥ 50,000 EPS vectors/s on one core): one AES-128-ECB cipher is created per key
// and reused (ECB keeps no chaining state, so update() on whole blocks is a pure block function).
// generate() costs two cipher calls: TEMP, then OUT1..OUT4 encrypted together as one 64-octet
// update — one native crossing instead of four. Inputs are built in module-level scratch buffers.
import { createCipheriv, type Cipher } from 'node:crypto';
import type { AkaAlgorithm, AkaOutputs } from './aka-algorithm.js';
import { AuthError, AuthErrorCode, expectLength } from './errors.js';

/** c1..c5 (128-bit) and r1..r5 (rotation in bits, 0..127) of TS 35.206 §4.1. */
export interface MilenageConstants {
  readonly c1: Uint8Array;
  readonly c2: Uint8Array;
  readonly c3: Uint8Array;
  readonly c4: Uint8Array;
  readonly c5: Uint8Array;
  readonly r1: number;
  readonly r2: number;
  readonly r3: number;
  readonly r4: number;
  readonly r5: number;
}

function constant(lastOctet: number): Buffer {
  const c = Buffer.alloc(16);
  c[15] = lastOctet;
  return c;
}

/** The standard values of TS 35.206 §4.1: c1 = 0, c2 = 1, c3 = 2, c4 = 4, c5 = 8; r = 64, 0, 32, 64, 96. */
export const MILENAGE_DEFAULT_CONSTANTS: MilenageConstants = Object.freeze({
  c1: constant(0),
  c2: constant(1),
  c3: constant(2),
  c4: constant(4),
  c5: constant(8),
  r1: 64,
  r2: 0,
  r3: 32,
  r4: 64,
  r5: 96,
});

function ecb(k: Uint8Array): Cipher {
  const cipher = createCipheriv('aes-128-ecb', k, null);
  cipher.setAutoPadding(false);
  return cipher;
}

/** OPc = OP ⊕ E_K(OP) (TS 35.206 §4.1). */
export function deriveOpc(k: Uint8Array, op: Uint8Array): Buffer {
  expectLength('K', k, 16);
  expectLength('OP', op, 16);
  const opc = ecb(k).update(op);
  for (let i = 0; i < 16; i++) opc[i] = opc[i]! ^ op[i]!;
  return opc;
}

/**
 * dst[dOff..dOff+16) = rot(src, r) ⊕ c, where rot rotates the 128-bit value cyclically by r bits
 * towards the most significant bit (TS 35.206 §4.1). Bit 0 is the MSB of octet 0.
 */
function rotXorInto(dst: Buffer, dOff: number, src: Uint8Array, r: number, c: Uint8Array): void {
  const q = r >>> 3;
  const b = r & 7;
  if (b === 0) {
    for (let i = 0; i < 16; i++) dst[dOff + i] = src[(i + q) & 15]! ^ c[i]!;
  } else {
    const nb = 8 - b;
    for (let i = 0; i < 16; i++) {
      const hi = src[(i + q) & 15]!;
      const lo = src[(i + q + 1) & 15]!;
      dst[dOff + i] = (((hi << b) | (lo >>> nb)) & 0xff) ^ c[i]!;
    }
  }
}

function resolveConstants(overrides: Partial<MilenageConstants> | undefined): MilenageConstants {
  const m: MilenageConstants = { ...MILENAGE_DEFAULT_CONSTANTS, ...overrides };
  for (const name of ['c1', 'c2', 'c3', 'c4', 'c5'] as const) expectLength(name, m[name], 16);
  for (const name of ['r1', 'r2', 'r3', 'r4', 'r5'] as const) {
    const r = m[name];
    if (!Number.isInteger(r) || r < 0 || r > 127) {
      throw new AuthError(AuthErrorCode.BAD_PARAMETER, `${name} must be an integer 0..127 (bits)`);
    }
  }
  return m;
}

type Five<T> = readonly [T, T, T, T, T];

const DEFAULT_C: Five<Buffer> = [
  Buffer.from(MILENAGE_DEFAULT_CONSTANTS.c1),
  Buffer.from(MILENAGE_DEFAULT_CONSTANTS.c2),
  Buffer.from(MILENAGE_DEFAULT_CONSTANTS.c3),
  Buffer.from(MILENAGE_DEFAULT_CONSTANTS.c4),
  Buffer.from(MILENAGE_DEFAULT_CONSTANTS.c5),
];
const DEFAULT_R: Five<number> = [64, 0, 32, 64, 96];

// Scratch shared by all instances: every method fills and consumes it synchronously (no await, no
// callbacks in between), so sharing is safe on one thread and saves three allocations per
// subscriber set-up, which happens once per AIR.
const s16 = Buffer.alloc(16); // RAND ⊕ OPc, then IN1 ⊕ OPc
const t16 = Buffer.alloc(16); // TEMP ⊕ OPc
const s64 = Buffer.alloc(64); // the OUT1..OUT4 cipher inputs, encrypted in one call
const s64first16 = s64.subarray(0, 16);
const s64first48 = s64.subarray(0, 48);

// fromOp() hands its already-keyed cipher to the constructor through this slot, so deriving OPc
// does not cost a second AES key schedule.
let keyedCipher: Cipher | undefined;

/** MILENAGE bound to one subscriber key (K, OPc). Holds no per-call state between calls. */
export class Milenage implements AkaAlgorithm {
  readonly kind = 'milenage' as const;
  readonly #ecb: Cipher;
  readonly #opc: Buffer;
  readonly #c: Five<Buffer>;
  readonly #r: Five<number>;

  constructor(k: Uint8Array, opc: Uint8Array, constants?: Partial<MilenageConstants>) {
    expectLength('K', k, 16);
    expectLength('OPc', opc, 16);
    if (constants === undefined) {
      this.#c = DEFAULT_C;
      this.#r = DEFAULT_R;
    } else {
      const m = resolveConstants(constants);
      this.#c = [Buffer.from(m.c1), Buffer.from(m.c2), Buffer.from(m.c3), Buffer.from(m.c4), Buffer.from(m.c5)];
      this.#r = [m.r1, m.r2, m.r3, m.r4, m.r5];
    }
    this.#ecb = keyedCipher ?? ecb(k);
    keyedCipher = undefined;
    this.#opc = Buffer.from(opc);
  }

  /** Builds from OP; OPc = OP ⊕ E_K(OP) is computed once here, with the instance's own cipher. */
  static fromOp(k: Uint8Array, op: Uint8Array, constants?: Partial<MilenageConstants>): Milenage {
    expectLength('K', k, 16);
    expectLength('OP', op, 16);
    const cipher = ecb(k);
    const opc = cipher.update(op);
    for (let i = 0; i < 16; i++) opc[i] = opc[i]! ^ op[i]!;
    keyedCipher = cipher;
    try {
      return new Milenage(k, opc, constants);
    } finally {
      keyedCipher = undefined;
    }
  }

  /** TEMP = E_K(RAND ⊕ OPc); also leaves TEMP ⊕ OPc in t16. */
  #temp(rand: Uint8Array): Buffer {
    expectLength('RAND', rand, 16);
    const x = s16;
    const opc = this.#opc;
    for (let i = 0; i < 16; i++) x[i] = rand[i]! ^ opc[i]!;
    const temp = this.#ecb.update(x);
    const t = t16;
    for (let i = 0; i < 16; i++) t[i] = temp[i]! ^ opc[i]!;
    return temp;
  }

  /** Block 1 input: TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1, IN1 = SQN‖AMF‖SQN‖AMF. Clobbers s16. */
  #in1(dst: Buffer, temp: Buffer, sqn: Uint8Array, amf: Uint8Array): void {
    expectLength('SQN', sqn, 6);
    expectLength('AMF', amf, 2);
    const x = s16;
    const opc = this.#opc;
    for (let i = 0; i < 6; i++) {
      x[i] = sqn[i]! ^ opc[i]!;
      x[i + 8] = sqn[i]! ^ opc[i + 8]!;
    }
    x[6] = amf[0]! ^ opc[6]!;
    x[7] = amf[1]! ^ opc[7]!;
    x[14] = amf[0]! ^ opc[14]!;
    x[15] = amf[1]! ^ opc[15]!;
    rotXorInto(dst, 0, x, this.#r[0], this.#c[0]);
    for (let i = 0; i < 16; i++) dst[i] = dst[i]! ^ temp[i]!;
  }

  /** Encrypts `input` (n whole blocks) and XORs OPc into every output block. */
  #out(input: Buffer): Buffer {
    const out = this.#ecb.update(input);
    const opc = this.#opc;
    for (let o = 0; o < out.length; o += 16) {
      for (let i = 0; i < 16; i++) out[o + i] = out[o + i]! ^ opc[i]!;
    }
    return out;
  }

  /**
   * f1, f1*, f2, f3, f4, f5 for one (RAND, SQN, AMF): OUT1..OUT4 in one cipher call.
   * The result's fields are views into one fresh 64-octet buffer.
   */
  generate(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): AkaOutputs {
    const temp = this.#temp(rand);
    const s = s64;
    const t = t16;
    rotXorInto(s, 16, t, this.#r[1], this.#c[1]);
    rotXorInto(s, 32, t, this.#r[2], this.#c[2]);
    rotXorInto(s, 48, t, this.#r[3], this.#c[3]);
    this.#in1(s, temp, sqn, amf);
    const out = this.#out(s);
    return {
      macA: out.subarray(0, 8),
      macS: out.subarray(8, 16),
      ak: out.subarray(16, 22),
      res: out.subarray(24, 32),
      ck: out.subarray(32, 48),
      ik: out.subarray(48, 64),
      ckIk: out.subarray(32, 64),
    };
  }

  /** f1: MAC-A (64 bits). */
  f1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Buffer {
    return this.#out1(rand, sqn, amf).subarray(0, 8);
  }

  /** f1*: MAC-S (64 bits); resynchronisation uses AMF = 0000 (TS 33.102 §6.3.3). */
  f1star(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Buffer {
    return this.#out1(rand, sqn, amf).subarray(8, 16);
  }

  #out1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Buffer {
    const temp = this.#temp(rand);
    const s = s64first16;
    this.#in1(s, temp, sqn, amf);
    return this.#out(s);
  }

  /** f2 (RES, 64 bits), f3 (CK), f4 (IK), f5 (AK, 48 bits); they do not depend on SQN/AMF. */
  f2345(rand: Uint8Array): { res: Buffer; ck: Buffer; ik: Buffer; ak: Buffer } {
    this.#temp(rand);
    const s = s64first48;
    const t = t16;
    rotXorInto(s, 0, t, this.#r[1], this.#c[1]);
    rotXorInto(s, 16, t, this.#r[2], this.#c[2]);
    rotXorInto(s, 32, t, this.#r[3], this.#c[3]);
    const out = this.#out(s);
    return { ak: out.subarray(0, 6), res: out.subarray(8, 16), ck: out.subarray(16, 32), ik: out.subarray(32, 48) };
  }

  /** f5*: AK used to conceal SQN_MS in AUTS (48 bits). */
  f5star(rand: Uint8Array): Buffer {
    this.#temp(rand);
    const s = s64first16;
    rotXorInto(s, 0, t16, this.#r[4], this.#c[4]);
    return this.#out(s).subarray(0, 6);
  }

  toString(): string {
    return '[Milenage]';
  }

  toJSON(): string {
    return '[Milenage]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[Milenage]';
  }
}
