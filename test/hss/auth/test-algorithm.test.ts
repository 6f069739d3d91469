// TS 34.108 §8.1.2 test algorithm: the defining relations as properties, plus a published sample.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AuthErrorCode, TestAlgorithm, createAkaAlgorithm, verifyAuts } from '../../../src/hss/auth/index.js';
import { h, hex } from './hex.js';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a));
const xor = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.map((x, i) => x ^ b[i]!));
const rotl = (b: Buffer, octets: number) => Buffer.concat([b.subarray(octets), b.subarray(0, octets)]);

describe('test algorithm (TS 34.108 §8.1.2)', () => {
  it('XDOUT = K xor RAND; RES = XDOUT[0..n); CK = XDOUT <<< 8; IK = XDOUT <<< 16; AK = XDOUT[24..71]; MAC = XDOUT[0..63] xor SQN||AMF', () => {
    fc.assert(
      fc.property(bytes(16), bytes(16), bytes(6), bytes(2), fc.integer({ min: 4, max: 16 }), (k, rand, sqn, amf, n) => {
        const alg = new TestAlgorithm(k, n);
        const o = alg.generate(rand, sqn, amf);
        const xdout = xor(k, rand);
        expect(hex(o.res)).toBe(hex(xdout.subarray(0, n)));
        expect(hex(o.ck)).toBe(hex(rotl(xdout, 1)));
        expect(hex(o.ik)).toBe(hex(rotl(xdout, 2)));
        expect(hex(o.ckIk)).toBe(hex(o.ck) + hex(o.ik));
        expect(hex(o.ak)).toBe(hex(xdout.subarray(3, 9)));
        const cdout = Buffer.concat([sqn, amf]);
        expect(hex(o.macA)).toBe(hex(xor(xdout.subarray(0, 8), cdout)));
        // §8.1.2.2: f1* and f5* are the same functions (the AUTS MAC uses AMF* = 0000).
        expect(hex(o.macS)).toBe(hex(o.macA));
        expect(hex(alg.f1star(rand, sqn, amf))).toBe(hex(o.macA));
        expect(hex(alg.f5star(rand))).toBe(hex(o.ak));
      }),
    );
  });

  it('reproduces the flipk/pfk-milenage XOR sample (K 00..0f, RAND 34.., SQN 1, AMF 8000, RES 16)', () => {
    const alg = createAkaAlgorithm({ algorithm: 'test-xor', k: h('000102030405060708090a0b0c0d0e0f'), resLength: 16 });
    expect(alg.kind).toBe('test-xor');
    const o = alg.generate(Buffer.alloc(16, 0x34), h('000000000001'), h('8000'));
    expect(hex(o.macA)).toBe('343536373030b233');
    expect(hex(o.res)).toBe('34353637303132333c3d3e3f38393a3b');
    expect(hex(o.ck)).toBe('353637303132333c3d3e3f38393a3b34');
    expect(hex(o.ik)).toBe('3637303132333c3d3e3f38393a3b3435');
    expect(hex(o.ak)).toBe('37303132333c');
  });

  it('an AUTS made by a test USIM verifies (resync with the test algorithm)', () => {
    fc.assert(
      fc.property(bytes(16), bytes(16), bytes(6), (k, rand, sqnMs) => {
        const alg = new TestAlgorithm(k);
        const auts = Buffer.concat([xor(sqnMs, alg.f5star(rand)), alg.f1star(rand, sqnMs, Buffer.alloc(2))]);
        expect(verifyAuts(alg, rand, auts)).toEqual({ ok: true, sqnMs: sqnMs.readUIntBE(0, 6) });
      }),
    );
  });

  it('validates K and RES length', () => {
    expect(() => new TestAlgorithm(Buffer.alloc(16), 3)).toThrow(expect.objectContaining({ code: AuthErrorCode.BAD_PARAMETER }));
    expect(() => new TestAlgorithm(Buffer.alloc(8))).toThrow(expect.objectContaining({ code: AuthErrorCode.BAD_LENGTH }));
  });
});
