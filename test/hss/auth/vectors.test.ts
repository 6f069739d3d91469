// Vector builders: fixed-RAND known answers, EPS vectors recomputed from public captures, GERAN
// c2/c3 against an independent BigInt computation, IMS AKA item layout.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Milenage, buildEpsVector, buildEpsVectors, buildGeranTriplet, buildImsAkaItem, buildUtranQuintet, c2, c3,
  createAkaAlgorithm, deriveKasme, encodePlmnId, fixedRandSource, nextSqnAfterResync, reserve, sipAkaNonce, sqnFromBytes,
  verifyResyncInfo, type AkaAlgorithm,
} from '../../../src/hss/auth/index.js';
import { OPEN5GS, PYHSS } from './captures.js';
import { AuthErrorCode } from '../../../src/hss/auth/errors.js';
import { h, hex } from './hex.js';

const K0 = h('000102030405060708090a0b0c0d0e0f');

describe('UTRAN quintet / IMS AKA item with fixed RAND (vectors.md extra vector)', () => {
  const alg = new Milenage(K0, K0);
  it('quintet', () => {
    const q = buildUtranQuintet(alg, 0x22, h('0000'), fixedRandSource(Buffer.alloc(16)));
    expect(hex(q.autn)).toBe('ec9320c2c2120000c8b7de2a3449f1bd');
    expect(hex(q.xres)).toBe('e9fc88ccc8a35381');
    expect(hex(q.ck)).toBe('7200a184d8f2c758fbdf87900ddbf275');
    expect(hex(q.ik)).toBe('12cb2dd3e0ec8378f6fc1d606c619f47');
    expect(hex(q.rand)).toBe('00'.repeat(16));
    expect(q.sqn).toBe(0x22);
  });
  it('IMS AKA item: SIP-Authenticate = RAND || AUTN, SIP-Authorization = XRES, CK, IK', () => {
    const item = buildImsAkaItem(alg, 0x22, h('0000'), fixedRandSource(Buffer.alloc(16)));
    expect(hex(item.sipAuthenticate)).toBe('00'.repeat(16) + 'ec9320c2c2120000c8b7de2a3449f1bd');
    expect(hex(item.sipAuthorization)).toBe('e9fc88ccc8a35381');
    expect(hex(item.ck)).toBe('7200a184d8f2c758fbdf87900ddbf275');
    expect(hex(item.ik)).toBe('12cb2dd3e0ec8378f6fc1d606c619f47');
    expect(Buffer.from(sipAkaNonce(item.sipAuthenticate), 'base64').equals(item.sipAuthenticate)).toBe(true);
  });
});

describe('EPS vectors', () => {
  it('set the AMF separation bit (TS 33.401) and derive KASME from CK/IK, PLMN and SQN xor AK', () => {
    const alg = new Milenage(K0, K0);
    const plmn = encodePlmnId('001', '01');
    const v = buildEpsVector(alg, 0x22, h('0000'), plmn, fixedRandSource(Buffer.alloc(16)));
    expect(hex(v.autn.subarray(6, 8))).toBe('8000');
    const o = new Milenage(K0, K0).generate(Buffer.alloc(16), h('000000000022'), h('8000'));
    expect(hex(v.xres)).toBe(hex(o.res));
    expect(hex(v.autn.subarray(8))).toBe(hex(o.macA));
    expect(hex(v.kasme)).toBe(hex(deriveKasme(o.ck, o.ik, plmn, v.autn.subarray(0, 6))));
  });

  it('a batch uses distinct RANDs and the reserved SQNs', () => {
    const alg = new Milenage(K0, K0);
    const { sqns } = reserve(1000, 5);
    const vs = buildEpsVectors(alg, sqns, h('8000'), h('09f107'));
    expect(vs.map((v) => v.sqn)).toEqual(sqns);
    expect(new Set(vs.map((v) => hex(v.rand))).size).toBe(5);
    for (const v of vs) {
      const ak = alg.generate(v.rand, Buffer.alloc(6), Buffer.alloc(2)).ak;
      expect(sqnFromBytes(Buffer.from(v.autn.subarray(0, 6).map((b, i) => b ^ ak[i]!)))).toBe(v.sqn);
    }
  });

  it('rejects a RandSource that returns the wrong size', () => {
    const alg = new Milenage(K0, K0);
    expect(() => buildEpsVector(alg, 1, h('8000'), h('09f107'), () => Buffer.alloc(8))).toThrow(
      expect.objectContaining({ code: AuthErrorCode.BAD_LENGTH }),
    );
  });
});

/** Recomputes a captured AIA vector: SQN = AUTN[0..6) xor AK, then XRES, MAC-A, KASME. */
function recompute(alg: AkaAlgorithm, plmn: string, rand: string, autn: string) {
  const a = h(autn);
  const ak = alg.generate(h(rand), Buffer.alloc(6), Buffer.alloc(2)).ak;
  const sqn = sqnFromBytes(Buffer.from(a.subarray(0, 6).map((b, i) => b ^ ak[i]!)));
  const v = buildEpsVector(alg, sqn, a.subarray(6, 8), h(plmn), fixedRandSource(h(rand)));
  return { sqn, v };
}

describe('EPS vectors recomputed from public captures', () => {
  it.each(OPEN5GS.vectors)('open5gs-testattach AIA frame %i', (_frame, rand, xres, autn, kasme) => {
    const alg = createAkaAlgorithm({ algorithm: 'milenage', k: h(OPEN5GS.k), opc: h(OPEN5GS.opc) });
    const { v } = recompute(alg, OPEN5GS.visitedPlmnId, rand, autn);
    expect([hex(v.xres), hex(v.autn), hex(v.kasme)]).toEqual([xres, autn, kasme]);
  });

  it.each(PYHSS.vectors)('pyhss-resync AIA frame %i', (_frame, rand, xres, autn, kasme) => {
    const alg = createAkaAlgorithm({ algorithm: 'milenage', k: h(PYHSS.k), op: h(PYHSS.op) });
    const { v } = recompute(alg, PYHSS.visitedPlmnId, rand, autn);
    expect([hex(v.xres), hex(v.autn), hex(v.kasme)]).toEqual([xres, autn, kasme]);
  });

  // Cross-check of our SQN_MS extraction: each HSS answered the resync with SQN_MS + 33
  // (SEQ + 1, IND + 1 with a 5-bit IND) — a wrong SQN_MS would give a random difference.
  // (The 2019 PyHSS in this capture still did +33; today's PyHSS does +100.)
  it('the SQN answering each capture resync is SQN_MS + 33 (SEQ + 1, IND + 1)', () => {
    for (const [cap, alg, step] of [
      [OPEN5GS, createAkaAlgorithm({ algorithm: 'milenage', k: h(OPEN5GS.k), opc: h(OPEN5GS.opc) }), 33],
      [PYHSS, createAkaAlgorithm({ algorithm: 'milenage', k: h(PYHSS.k), op: h(PYHSS.op) }), 33],
    ] as const) {
      const r = verifyResyncInfo(alg, h(cap.resync.randAuts));
      if (!r.ok) throw new Error(`resync in frame ${cap.resync.frame} must verify`);
      const answer = cap.vectors.find((v) => v[0] === cap.resync.answeredBy);
      if (answer === undefined) throw new Error('answer frame missing');
      const { sqn } = recompute(alg, cap.visitedPlmnId, answer[1], answer[3]);
      expect(sqn - r.sqnMs).toBe(step);
      expect(nextSqnAfterResync(r.sqnMs)).toBe(sqn); // our rule picks the same SQN
    }
  });
});

describe('GERAN triplets (TS 33.102 §6.8.1.2 c2/c3)', () => {
  const words = (b: Uint8Array, size: number): bigint[] => {
    const out: bigint[] = [];
    for (let i = 0; i < b.length; i += size) out.push(BigInt('0x' + Buffer.from(b.subarray(i, i + size)).toString('hex')));
    return out;
  };
  const refSres = (xres: Uint8Array): string => {
    const padded = Buffer.concat([xres, Buffer.alloc(16 - xres.length)]);
    return words(padded, 4).reduce((a, b) => a ^ b, 0n).toString(16).padStart(8, '0');
  };
  const refKc = (ck: Uint8Array, ik: Uint8Array): string =>
    [...words(ck, 8), ...words(ik, 8)].reduce((a, b) => a ^ b, 0n).toString(16).padStart(16, '0');

  it('c2/c3 match an independent word-wise BigInt computation', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 16 }), fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }), (xres, ck, ik) => {
          expect(hex(c2(xres))).toBe(refSres(xres));
          expect(hex(c3(ck, ik))).toBe(refKc(ck, ik));
        }),
    );
  });

  it('triplet from MILENAGE set 1: SRES = c2(RES), Kc = c3(CK, IK)', () => {
    const alg = new Milenage(h('465b5ce8b199b49faa5f0a2ee238a6bc'), h('cd63cb71954a9f4e48a5994e37a02baf'));
    const t = buildGeranTriplet(alg, fixedRandSource(h('23553cbe9637a89d218ae64dae47bf35')));
    expect(hex(t.sres)).toBe(refSres(h('a54211d5e3ba50bf')));
    expect(hex(t.sres)).toBe('46f8416a'); // a54211d5 xor e3ba50bf
    expect(hex(t.kc)).toBe(refKc(h('b40ba9a3c58b2a05bbf0d987b21bf8cb'), h('f769bcd751044604127672711c6d3441')));
  });
});
