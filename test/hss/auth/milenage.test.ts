// TS 35.207 / TS 35.208 MILENAGE conformance sets 1-6 (vectors.md), the extra vector, and an
// independent BigInt/plain-AES model of TS 35.206 §4.1 for non-default r/c constants.
import { createCipheriv } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AuthErrorCode, Milenage, MILENAGE_DEFAULT_CONSTANTS, deriveOpc, type MilenageConstants } from '../../../src/hss/auth/index.js';
import { h, hex } from './hex.js';

const SETS = [
  ['465b5ce8b199b49faa5f0a2ee238a6bc', '23553cbe9637a89d218ae64dae47bf35', 'ff9bb4d0b607', 'b9b9', 'cdc202d5123e20f62b6d676ac72cb318', 'cd63cb71954a9f4e48a5994e37a02baf',
    '4a9ffac354dfafb3', '01cfaf9ec4e871e9', 'a54211d5e3ba50bf', 'b40ba9a3c58b2a05bbf0d987b21bf8cb', 'f769bcd751044604127672711c6d3441', 'aa689c648370', '451e8beca43b'],
  ['0396eb317b6d1c36f19c1c84cd6ffd16', 'c00d603103dcee52c4478119494202e8', 'fd8eef40df7d', 'af17', 'ff53bade17df5d4e793073ce9d7579fa', '53c15671c60a4b731c55b4a441c0bde2',
    '5df5b31807e258b0', 'a8c016e51ef4a343', 'd3a628ed988620f0', '58c433ff7a7082acd424220f2b67c556', '21a8c1f929702adb3e738488b9f5c5da', 'c47783995f72', '30f1197061c1'],
  ['fec86ba6eb707ed08905757b1bb44b8f', '9f7c8d021accf4db213ccff0c7f71a6a', '9d0277595ffc', '725c', 'dbc59adcb6f9a0ef735477b7fadf8374', '1006020f0a478bf6b699f15c062e42b3',
    '9cabc3e99baf7281', '95814ba2b3044324', '8011c48c0c214ed2', '5dbdbb2954e8f3cde665b046179a5098', '59a92d3b476a0443487055cf88b2307b', '33484dc2136b', 'deacdd848cc6'],
  ['9e5944aea94b81165c82fbf9f32db751', 'ce83dbc54ac0274a157c17f80d017bd6', '0b604a81eca8', '9e09', '223014c5806694c007ca1eeef57f004f', 'a64a507ae1a2a98bb88eb4210135dc87',
    '74a58220cba84c49', 'ac2cc74a96871837', 'f365cd683cd92e96', 'e203edb3971574f5a94b0d61b816345d', '0c4524adeac041c4dd830d20854fc46b', 'f0b9c08ad02e', '6085a86c6f63'],
  ['4ab1deb05ca6ceb051fc98e77d026a84', '74b0cd6031a1c8339b2b6ce2b8c4a186', 'e880a1b580b6', '9f07', '2d16c5cd1fdf6b22383584e3bef2a8d8', 'dcf07cbd51855290b92a07a9891e523e',
    '49e785dd12626ef2', '9e85790336bb3fa2', '5860fc1bce351e7e', '7657766b373d1c2138f307e3de9242f9', '1c42e960d89b8fa99f2744e0708ccb53', '31e11a609118', 'fe2555e54aa9'],
  ['6c38a116ac280c454f59332ee35c8c4f', 'ee6466bc96202c5a557abbeff8babf63', '414b98222181', '4464', '1ba00a1a7c6700ac8c3ff3e96ad08725', '3803ef5363b947c6aaa225e58fae3934',
    '078adfb488241a57', '80246b8d0186bcf1', '16c8233f05a0ac28', '3f8c7587fe8e4b233af676aede30ba3b', 'a7466cc1e6b2a1337d49d3b66e95d7b4', '45b0f69ab06c', '1f53cd2b1113'],
] as const;

describe('MILENAGE TS 35.207/35.208 test sets 1-6', () => {
  SETS.forEach(([k, rand, sqn, amf, op, opc, f1, f1s, f2, f3, f4, f5, f5s], i) => {
    it(`set ${i + 1}`, () => {
      expect(hex(deriveOpc(h(k), h(op)))).toBe(opc);
      const m = new Milenage(h(k), h(opc));
      expect(hex(m.f1(h(rand), h(sqn), h(amf)))).toBe(f1);
      expect(hex(m.f1star(h(rand), h(sqn), h(amf)))).toBe(f1s);
      const r = m.f2345(h(rand));
      expect([hex(r.res), hex(r.ck), hex(r.ik), hex(r.ak)]).toEqual([f2, f3, f4, f5]);
      expect(hex(m.f5star(h(rand)))).toBe(f5s);
      // generate() computes the same in one pass; fromOp() derives OPc itself.
      const g = Milenage.fromOp(h(k), h(op)).generate(h(rand), h(sqn), h(amf));
      expect([hex(g.macA), hex(g.macS), hex(g.res), hex(g.ck), hex(g.ik), hex(g.ak), hex(g.ckIk)]).toEqual([
        f1, f1s, f2, f3, f4, f5, f3 + f4,
      ]);
    });
  });
});

describe('MILENAGE extra vectors', () => {
  it('K = OPc = 00..0f, RAND 0, SQN 0x22, AMF 0000 (vectors.md)', () => {
    const k = h('000102030405060708090a0b0c0d0e0f');
    const m = new Milenage(k, k);
    const sqn = h('000000000022');
    const o = m.generate(Buffer.alloc(16), sqn, h('0000'));
    const autn = Buffer.concat([Buffer.from(sqn.map((b, i) => b ^ o.ak[i]!)), h('0000'), o.macA]);
    expect(hex(autn)).toBe('ec9320c2c2120000c8b7de2a3449f1bd');
    expect(hex(o.res)).toBe('e9fc88ccc8a35381');
    expect(hex(o.ck)).toBe('7200a184d8f2c758fbdf87900ddbf275');
    expect(hex(o.ik)).toBe('12cb2dd3e0ec8378f6fc1d606c619f47');
    expect(hex(deriveOpc(k, Buffer.alloc(16)))).toBe('c6a13b37878f5b826f4f8162a1c8d879');
  });

  it('K 00..0f, OP 0011..ff, RAND 34.., SQN 1, AMF 8000 (flipk/pfk-milenage sample output)', () => {
    const m = Milenage.fromOp(h('000102030405060708090a0b0c0d0e0f'), h('00112233445566778899aabbccddeeff'));
    expect(hex(deriveOpc(h('000102030405060708090a0b0c0d0e0f'), h('00112233445566778899aabbccddeeff')))).toBe(
      '69d5c2eb2e2e624750541d3bbc692ba5',
    );
    const o = m.generate(Buffer.alloc(16, 0x34), h('000000000001'), h('8000'));
    expect(hex(o.macA)).toBe('a02a7a551c231b71');
    expect(hex(o.res)).toBe('cfb44bd0a69c5ce8');
    expect(hex(o.ck)).toBe('1bcbe84cef792e5701a6fce3d9fc436d');
    expect(hex(o.ik)).toBe('694030c637934d8833b418928d9eea73');
    expect(hex(o.ak)).toBe('5f8f3fbc884b');
    expect(hex(o.macS)).toBe('8ca69991023b0c73');
    expect(hex(m.f5star(Buffer.alloc(16, 0x34)))).toBe('c268b9669787');
  });
});

// Independent model: BigInt rotation, a fresh cipher per call, no scratch buffers.
function refMilenage(k: Buffer, opc: Buffer, rand: Buffer, sqn: Buffer, amf: Buffer, m: MilenageConstants) {
  const E = (x: Buffer): Buffer => {
    const c = createCipheriv('aes-128-ecb', k, null);
    c.setAutoPadding(false);
    return c.update(x);
  };
  const big = (b: Uint8Array): bigint => BigInt('0x' + Buffer.from(b).toString('hex'));
  const buf = (x: bigint): Buffer => Buffer.from(x.toString(16).padStart(32, '0'), 'hex');
  const mask = (1n << 128n) - 1n;
  const rot = (x: bigint, r: number): bigint => (r === 0 ? x : ((x << BigInt(r)) | (x >> BigInt(128 - r))) & mask);
  const temp = big(E(buf(big(rand) ^ big(opc))));
  const in1 = big(Buffer.concat([sqn, amf, sqn, amf]));
  const O = big(opc);
  const out = (x: bigint): Buffer => buf(big(E(buf(x))) ^ O);
  const out1 = out(temp ^ rot(in1 ^ O, m.r1) ^ big(m.c1));
  const outN = (r: number, c: Uint8Array): Buffer => out(rot(temp ^ O, r) ^ big(c));
  const out2 = outN(m.r2, m.c2);
  return {
    macA: out1.subarray(0, 8), macS: out1.subarray(8, 16), ak: out2.subarray(0, 6), res: out2.subarray(8, 16),
    ck: outN(m.r3, m.c3), ik: outN(m.r4, m.c4), akStar: outN(m.r5, m.c5).subarray(0, 6),
  };
}

describe('MILENAGE with operator constants (TS 35.206 §4.1: c1..c5, r1..r5 configurable)', () => {
  const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a));
  const rBits = fc.integer({ min: 0, max: 127 });
  it('matches the BigInt reference model for arbitrary r (bit rotations) and c', () => {
    fc.assert(
      fc.property(bytes(16), bytes(16), bytes(16), bytes(6), bytes(2), fc.tuple(rBits, rBits, rBits, rBits, rBits),
        fc.tuple(bytes(16), bytes(16), bytes(16), bytes(16), bytes(16)),
        (k, opc, rand, sqn, amf, [r1, r2, r3, r4, r5], [c1, c2, c3, c4, c5]) => {
          const consts: MilenageConstants = { c1, c2, c3, c4, c5, r1, r2, r3, r4, r5 };
          const m = new Milenage(k, opc, consts);
          const ref = refMilenage(k, opc, rand, sqn, amf, consts);
          const o = m.generate(rand, sqn, amf);
          expect([hex(o.macA), hex(o.macS), hex(o.res), hex(o.ck), hex(o.ik), hex(o.ak)]).toEqual([
            hex(ref.macA), hex(ref.macS), hex(ref.res), hex(ref.ck), hex(ref.ik), hex(ref.ak),
          ]);
          expect(hex(m.f5star(rand))).toBe(hex(ref.akStar));
          expect(hex(m.f1star(rand, sqn, amf))).toBe(hex(ref.macS));
        }),
      { numRuns: 200 },
    );
  });

  it('defaults equal the standard constants', () => {
    const [k, rand, sqn, amf, , opc] = SETS[0];
    const ref = refMilenage(h(k), h(opc), h(rand), h(sqn), h(amf), MILENAGE_DEFAULT_CONSTANTS);
    expect(hex(ref.macA)).toBe(SETS[0][6]);
    expect(hex(new Milenage(h(k), h(opc), { r1: 64 }).f1(h(rand), h(sqn), h(amf)))).toBe(SETS[0][6]);
  });

  it('rejects bad constants and lengths with stable codes', () => {
    const k = Buffer.alloc(16);
    expect(() => new Milenage(k, k, { r3: 128 })).toThrow(expect.objectContaining({ code: AuthErrorCode.BAD_PARAMETER }));
    expect(() => new Milenage(k, k, { c2: Buffer.alloc(15) })).toThrow(expect.objectContaining({ code: AuthErrorCode.BAD_LENGTH }));
    expect(() => new Milenage(Buffer.alloc(15), k)).toThrow(expect.objectContaining({ code: AuthErrorCode.BAD_LENGTH }));
    const m = new Milenage(k, k);
    expect(() => m.generate(Buffer.alloc(15), Buffer.alloc(6), Buffer.alloc(2))).toThrow(
      expect.objectContaining({ code: AuthErrorCode.BAD_LENGTH }),
    );
    expect(() => m.generate(Buffer.alloc(16), Buffer.alloc(5), Buffer.alloc(2))).toThrow(
      expect.objectContaining({ code: AuthErrorCode.BAD_LENGTH }),
    );
  });
});

describe('MILENAGE instances are independent', () => {
  it('fromOp and new interleaved keep their own keys (shared scratch, cipher hand-over)', () => {
    const a = Milenage.fromOp(h(SETS[0][0]), h(SETS[0][4]));
    const b = new Milenage(h(SETS[1][0]), h(SETS[1][5]));
    const c = Milenage.fromOp(h(SETS[2][0]), h(SETS[2][4]));
    for (const [m, set] of [[a, SETS[0]], [b, SETS[1]], [c, SETS[2]], [a, SETS[0]]] as const) {
      expect(hex(m.f1(h(set[1]), h(set[2]), h(set[3])))).toBe(set[6]);
      expect(hex(m.generate(h(set[1]), h(set[2]), h(set[3])).ck)).toBe(set[9]);
    }
    expect(() => Milenage.fromOp(h(SETS[0][0]), h(SETS[0][4]), { r1: -1 })).toThrow();
    expect(hex(new Milenage(h(SETS[3][0]), h(SETS[3][5])).f1(h(SETS[3][1]), h(SETS[3][2]), h(SETS[3][3])))).toBe(SETS[3][6]);
  });
});

describe('MILENAGE keeps keys out of printouts', () => {
  it('String/JSON/inspect show no key material', () => {
    const k = h('465b5ce8b199b49faa5f0a2ee238a6bc');
    const m = new Milenage(k, h('cd63cb71954a9f4e48a5994e37a02baf'));
    for (const s of [String(m), JSON.stringify({ m }), inspect(m, { showHidden: true, depth: 5 })]) {
      expect(s).not.toMatch(/465b5ce8|cd63cb71/i);
      expect(s).toContain('Milenage');
    }
  });
});
