// The UE's side of IMS AKA for the Kamailio interop test, written apart from Diamond's own
// src/hss/auth so that the two cannot share a mistake: Milenage f1-f5* (TS 35.206 §4.1, checked
// against the TS 35.208 test sets in the test), the USIM's AUTN check and the AUTS it returns on
// a sequence failure (TS 33.102 §6.3.3, §6.3.5).
import { createCipheriv } from 'node:crypto';

const BLOCK = 16;

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Cyclic left rotation of a 128-bit block by a whole number of octets (TS 35.206 r1..r5 are multiples of 8). */
function rotate(x: Buffer, bits: number): Buffer {
  const n = bits / 8;
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i++) out[i] = x[(i + n) % BLOCK]!;
  return out;
}

/** The constants c1..c5: zero but for the last octet (0, 1, 2, 4, 8). */
function constant(last: number): Buffer {
  const c = Buffer.alloc(BLOCK);
  c[BLOCK - 1] = last;
  return c;
}

export interface MilenageOut {
  macA: Buffer;
  macS: Buffer;
  res: Buffer;
  ck: Buffer;
  ik: Buffer;
  ak: Buffer;
  akStar: Buffer;
}

/** TS 35.206 §4.1 with the default rotations (64, 0, 32, 64, 96) and constants. */
export function milenage(k: Buffer, opc: Buffer, rand: Buffer, sqn: Buffer, amf: Buffer): MilenageOut {
  const aes = (x: Buffer): Buffer => {
    const c = createCipheriv('aes-128-ecb', k, null);
    c.setAutoPadding(false);
    return Buffer.concat([c.update(x), c.final()]);
  };
  const temp = aes(xor(rand, opc));
  const in1 = Buffer.concat([sqn, amf, sqn, amf]);
  const out1 = xor(aes(xor(xor(temp, rotate(xor(in1, opc), 64)), constant(0))), opc);
  const out = (r: number, c: number): Buffer => xor(aes(xor(rotate(xor(temp, opc), r), constant(c))), opc);
  const out2 = out(0, 1);
  const out3 = out(32, 2);
  const out4 = out(64, 4);
  const out5 = out(96, 8);
  return {
    macA: out1.subarray(0, 8),
    macS: out1.subarray(8, 16),
    res: out2.subarray(8, 16),
    ck: out3,
    ik: out4,
    ak: out2.subarray(0, 6),
    akStar: out5.subarray(0, 6),
  };
}

/** OPc = OP xor E_K(OP) (TS 35.206 §4.1). */
export function opcFromOp(k: Buffer, op: Buffer): Buffer {
  const c = createCipheriv('aes-128-ecb', k, null);
  c.setAutoPadding(false);
  return xor(Buffer.concat([c.update(op), c.final()]), op);
}

export type UsimResult =
  | { kind: 'ok'; res: Buffer; ck: Buffer; ik: Buffer; sqn: bigint }
  | { kind: 'sync-failure'; auts: Buffer; sqnMs: bigint }
  | { kind: 'mac-failure' };

/**
 * A USIM with Milenage keys and the highest SQN it has accepted. It accepts an AUTN whose MAC-A
 * verifies and whose SQN is above SQN_MS (a simplification of TS 33.102 Annex C: one counter, no
 * IND array); otherwise it answers AUTS = (SQN_MS xor AK*) ‖ MAC-S, with AMF 0000 in f1*.
 */
export class Usim {
  sqnMs: bigint;
  constructor(
    readonly k: Buffer,
    readonly opc: Buffer,
    sqnMs = 0n,
  ) {
    this.sqnMs = sqnMs;
  }

  authenticate(rand: Buffer, autn: Buffer): UsimResult {
    if (rand.length !== 16 || autn.length !== 16) throw new Error(`RAND/AUTN must be 16 octets each, got ${rand.length}/${autn.length}`);
    const amf = autn.subarray(6, 8);
    const first = milenage(this.k, this.opc, rand, Buffer.alloc(6), amf);
    const sqnBytes = xor(autn.subarray(0, 6), first.ak);
    const v = milenage(this.k, this.opc, rand, sqnBytes, amf);
    if (!v.macA.equals(autn.subarray(8, 16))) return { kind: 'mac-failure' };
    const sqn = BigInt(`0x${sqnBytes.toString('hex')}`);
    if (sqn <= this.sqnMs) {
      const ms = Buffer.from(this.sqnMs.toString(16).padStart(12, '0'), 'hex');
      const s = milenage(this.k, this.opc, rand, ms, Buffer.alloc(2));
      return { kind: 'sync-failure', auts: Buffer.concat([xor(ms, s.akStar), s.macS]), sqnMs: this.sqnMs };
    }
    this.sqnMs = sqn;
    return { kind: 'ok', res: v.res, ck: v.ck, ik: v.ik, sqn };
  }
}
