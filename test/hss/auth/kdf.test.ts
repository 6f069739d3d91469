// TS 33.401 Annex A.2 KASME vector and PLMN-Id encodings (vectors.md); TS 33.220 Annex B.2 layout.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AuthErrorCode, KdfFc, decodePlmnId, deriveKasme, deriveKasmeFromCkIk, encodePlmnId, kdf } from '../../../src/hss/auth/index.js';
import { h, hex } from './hex.js';

describe('KASME (TS 33.401 Annex A.2)', () => {
  const ck = h('b40ba9a3c58b2a05bbf0d987b21bf8cb');
  const ik = h('f769bcd751044604127672711c6d3441');
  const expected = '238e457e0f758badbca8d34bb2612c10428d426757cb5553b2b184fa64bfc549';
  it('matches the vector via every entry point', () => {
    expect(hex(deriveKasme(ck, ik, h('024830'), h('57e673245c0d')))).toBe(expected);
    expect(hex(deriveKasmeFromCkIk(Buffer.concat([ck, ik]), h('024830'), h('57e673245c0d')))).toBe(expected);
    expect(hex(kdf(Buffer.concat([ck, ik]), KdfFc.KASME, h('024830'), h('57e673245c0d')))).toBe(expected);
  });
  it('S = FC || P0 || L0 || P1 || L1 (TS 33.220 Annex B.2), checked with a hand-built S', () => {
    const s = h('10 024830 0003 57e673245c0d 0006');
    expect(hex(createHmac('sha256', Buffer.concat([ck, ik])).update(s).digest())).toBe(expected);
  });
  it('generic KDF encodes lengths big-endian, including empty parameters', () => {
    const key = Buffer.alloc(32, 7);
    const p = Buffer.alloc(300, 1);
    const s = Buffer.concat([h('6a'), p, h('012c'), h('0000')]);
    expect(hex(kdf(key, 0x6a, p, Buffer.alloc(0)))).toBe(hex(createHmac('sha256', key).update(s).digest()));
    expect(() => kdf(key, 256)).toThrow(expect.objectContaining({ code: AuthErrorCode.BAD_PARAMETER }));
  });
});

describe('PLMN-Id (TS 24.008 §10.5.1.13)', () => {
  it.each([
    ['214', '01', '12f410'],
    ['901', '70', '09f107'],
    ['001', '01', '00f110'],
    ['310', '410', '130014'],
    ['405', '854', '044558'],
  ])('MCC %s MNC %s -> %s', (mcc, mnc, out) => {
    expect(hex(encodePlmnId(mcc, mnc))).toBe(out);
    expect(decodePlmnId(h(out))).toEqual({ mcc, mnc });
  });
  it('round-trips every MCC/MNC', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{3}$/), fc.stringMatching(/^[0-9]{2,3}$/), (mcc, mnc) => {
        expect(decodePlmnId(encodePlmnId(mcc, mnc))).toEqual({ mcc, mnc });
      }),
    );
  });
  it('rejects malformed input: throws for config, undefined for wire octets', () => {
    expect(() => encodePlmnId('21', '01')).toThrow(expect.objectContaining({ code: AuthErrorCode.BAD_PARAMETER }));
    expect(() => encodePlmnId('214', '1')).toThrow(expect.objectContaining({ code: AuthErrorCode.BAD_PARAMETER }));
    expect(() => encodePlmnId('21a', '01')).toThrow(expect.objectContaining({ code: AuthErrorCode.BAD_PARAMETER }));
    expect(decodePlmnId(h('1af410'))).toBeUndefined();
    expect(decodePlmnId(h('12e410'))).toBeUndefined();
    expect(decodePlmnId(h('12f4'))).toBeUndefined();
  });
});
