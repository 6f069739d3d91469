// A USIM as the tests need one (TS 33.102 §6.3.3 and Annex C.2): checks AUTN's MAC-A, recovers SQN
// with AK, accepts it only if fresh in its IND slot and within Δ of the highest SQN seen, and
// otherwise answers a synchronisation failure with AUTS = (SQN_MS ⊕ AK*) ‖ MAC-S, MAC-S = f1* over
// SQN_MS with AMF 0000 (§6.3.3, §6.3.5). Built on the test's own Milenage, not on src/hss/auth.
import { ReferenceMilenage } from './ue-reference-milenage.js';

export interface UsimOptions {
  /** IND length in bits (TS 33.102 C.3: 5 recommended). */
  readonly indBits?: number;
  /** Δ, the largest accepted jump of SEQ (C.3: 2^28 recommended). */
  readonly delta?: number;
  /** SQN_MS the card starts from: every SEQ up to its SEQ is already used in every slot. */
  readonly sqnMs?: number;
}

export type AkaOutcome =
  | { readonly kind: 'ok'; readonly sqn: number; readonly amf: Buffer; readonly res: Buffer; readonly ck: Buffer; readonly ik: Buffer }
  | { readonly kind: 'mac-failure' }
  | { readonly kind: 'sync-failure'; readonly sqn: number; readonly auts: Buffer };

const sqnBytes = (sqn: number): Buffer => {
  const b = Buffer.alloc(6);
  b.writeUIntBE(sqn, 0, 6);
  return b;
};

function xor6(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(6);
  for (let i = 0; i < 6; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

export class ReferenceUsim {
  readonly milenage: ReferenceMilenage;
  readonly #a: number;
  readonly #delta: number;
  /** SEQ_MS(i) per IND slot. */
  readonly #slots: number[];
  /** The highest SQN accepted so far: what AUTS reports. */
  #highest: number;

  constructor(k: Uint8Array, opc: Uint8Array, opts: UsimOptions = {}) {
    this.milenage = new ReferenceMilenage(k, opc);
    this.#a = 2 ** (opts.indBits ?? 5);
    this.#delta = opts.delta ?? 2 ** 28;
    this.#highest = opts.sqnMs ?? 0;
    this.#slots = new Array<number>(this.#a).fill(Math.floor(this.#highest / this.#a));
  }

  get sqnMs(): number {
    return this.#highest;
  }

  seqOf(sqn: number): number {
    return Math.floor(sqn / this.#a);
  }

  /** SQN hidden in AUTN: its first six octets ⊕ AK (f5 of RAND). */
  sqnOf(rand: Uint8Array, autn: Uint8Array): number {
    return xor6(autn.subarray(0, 6), this.milenage.f2345(rand).ak).readUIntBE(0, 6);
  }

  /** The USIM's answer to a challenge RAND ‖ AUTN (TS 33.102 §6.3.3). */
  authenticate(rand: Uint8Array, autn: Uint8Array): AkaOutcome {
    const f = this.milenage.f2345(rand);
    const sqn = xor6(autn.subarray(0, 6), f.ak);
    const amf = Buffer.from(autn.subarray(6, 8));
    if (!this.milenage.f1(rand, sqn, amf).macA.equals(autn.subarray(8, 16))) return { kind: 'mac-failure' };
    const n = sqn.readUIntBE(0, 6);
    const seq = this.seqOf(n);
    const ind = n % this.#a;
    const fresh = seq > this.#slots[ind]! && seq - this.seqOf(this.#highest) <= this.#delta;
    if (!fresh) return { kind: 'sync-failure', sqn: n, auts: this.auts(rand, this.#highest) };
    this.#slots[ind] = seq;
    if (n > this.#highest) this.#highest = n;
    return { kind: 'ok', sqn: n, amf, res: f.res, ck: f.ck, ik: f.ik };
  }

  /** AUTS for a given SQN_MS and RAND (§6.3.3): (SQN_MS ⊕ f5*) ‖ f1*(SQN_MS, AMF 0000). */
  auts(rand: Uint8Array, sqnMs: number): Buffer {
    const s = sqnBytes(sqnMs);
    const concealed = xor6(s, this.milenage.f2345(rand).akStar);
    return Buffer.concat([concealed, this.milenage.f1(rand, s, Buffer.alloc(2)).macS]);
  }
}
