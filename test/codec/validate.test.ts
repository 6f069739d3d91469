// RFC 6733 §7.1 / §7.5: every validation failure yields a Result-Code and Failed-AVP as data.
import { describe, expect, it } from 'vitest';
import { errorAnswer } from '../../src/diameter/codec/answer.js';
import { decodeMessage } from '../../src/diameter/codec/decode.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import { findAvp } from '../../src/diameter/codec/message.js';
import { validateRequest } from '../../src/diameter/codec/validate.js';
import { defaultDictionary } from '../../src/diameter/dictionary/load.js';
import { M, PXY, REQ, avp, hex, i32, ipv4, msg, str, u32 } from '../support/naive-wire.js';

const dict = defaultDictionary();

// A valid CER (RFC 6733 §5.3.1) and its parts, so each case breaks exactly one thing.
const originHost = avp(264, M, str('peer.example'));
const originRealm = avp(296, M, str('example'));
const hostIp = avp(257, M, ipv4('127.0.0.1'));
const vendorId = avp(266, M, u32(0));
const productName = avp(269, 0, str('test'));
const cerAvps = [originHost, originRealm, hostIp, vendorId, productName];
const cer = (avps: Buffer[], flags = REQ): Buffer => msg({ flags, code: 257, app: 0, hbh: 7, e2e: 9 }, avps);

function expectError(buf: Buffer, resultCode: number): { failed: Buffer | undefined; message: string } {
  const r = validateRequest(buf, dict);
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('unreachable');
  expect(r.error.resultCode).toBe(resultCode);
  // The error answer encodes, and carries the Failed-AVP content on the wire.
  const answer = errorAnswer(dict, { ...(r.message ?? { flags: REQ, commandCode: 257, applicationId: 0, hopByHopId: 7, endToEndId: 9 }) }, { host: 'dra.example', realm: 'example' }, r.error);
  const wire = encodeMessage(answer);
  const back = decodeMessage(wire, dict);
  expect(back.issues).toEqual([]);
  expect(findAvp(back.message!.avps, 268)?.value).toBe(resultCode);
  const failed = findAvp(back.message!.avps, 279);
  return { failed: failed ? Buffer.concat((failed.avps ?? []).map((a) => a.data ?? Buffer.alloc(0))) : undefined, message: r.error.errorMessage };
}

describe('validateRequest', () => {
  it('accepts a well-formed CER', () => {
    const r = validateRequest(cer(cerAvps), dict);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.def.name).toBe('CER');
  });

  it('3008 DIAMETER_INVALID_HDR_BITS: reserved bits, E bit on a request, wrong P bit', () => {
    expectError(cer(cerAvps, REQ | 0x01), 3008);
    expectError(cer(cerAvps, REQ | 0x20), 3008);
    expectError(cer(cerAvps, REQ | PXY), 3008); // CER is not proxiable
  });

  it('3009 DIAMETER_INVALID_AVP_BITS: reserved AVP flag bits, with the AVP in Failed-AVP', () => {
    const bad = avp(269, 0x01, str('test'));
    const r = validateRequest(cer([originHost, originRealm, hostIp, vendorId, bad]), dict);
    expect(!r.ok && r.error.resultCode).toBe(3009);
    expect(!r.ok && r.error.failedAvp?.code).toBe(269);
    expectError(cer([originHost, originRealm, hostIp, vendorId, bad]), 3009);
  });

  it('5001 DIAMETER_AVP_UNSUPPORTED: an unknown AVP with the M bit; without M it is ignored', () => {
    const unknownM = avp(99999, M, u32(1), 4242);
    const r = validateRequest(cer([...cerAvps, unknownM]), dict);
    expect(!r.ok && r.error.resultCode).toBe(5001);
    expect(!r.ok && r.error.failedAvp).toMatchObject({ code: 99999, vendorId: 4242 });
    expectError(cer([...cerAvps, unknownM]), 5001);
    expect(validateRequest(cer([...cerAvps, avp(99999, 0, u32(1), 4242)]), dict).ok).toBe(true);
  });

  it('5004 DIAMETER_INVALID_AVP_VALUE: invalid UTF-8 in a UTF8String', () => {
    const r = validateRequest(cer([...cerAvps, avp(1, M, hex('c3 28'))]), dict);
    expect(!r.ok && r.error.resultCode).toBe(5004);
    expect(!r.ok && r.error.failedAvp?.code).toBe(1);
  });

  it('5005 DIAMETER_MISSING_AVP: Failed-AVP holds an example with a zero value of minimum size', () => {
    const r = validateRequest(cer([originHost, originRealm, hostIp, productName]), dict);
    expect(!r.ok && r.error.resultCode).toBe(5005);
    expect(!r.ok && r.error.failedAvp).toMatchObject({ code: 266, vendorId: 0, data: Buffer.alloc(4) });
    expectError(cer([originHost, originRealm, hostIp, productName]), 5005);
  });

  it('5005 inside a Grouped AVP: the parent wraps the missing child', () => {
    // Vendor-Specific-Application-Id needs { Vendor-Id }
    const vsai = avp(260, M, [avp(258, M, u32(16777251))]);
    const r = validateRequest(cer([...cerAvps, vsai]), dict);
    expect(!r.ok && r.error.resultCode).toBe(5005);
    expect(!r.ok && r.error.failedAvp?.code).toBe(260);
    expect(!r.ok && r.error.failedAvp?.avps?.[0]?.code).toBe(266);
  });

  it('5009 DIAMETER_AVP_OCCURS_TOO_MANY_TIMES: the first excess instance is reported', () => {
    const second = avp(264, M, str('other.example'));
    const r = validateRequest(cer([originHost, originRealm, hostIp, vendorId, productName, second]), dict);
    expect(!r.ok && r.error.resultCode).toBe(5009);
    expect(!r.ok && (r.error.failedAvp?.value as string)).toBe('other.example');
  });

  it('5014 DIAMETER_INVALID_AVP_LENGTH: wrong data size for the type, and a length past the end', () => {
    const r = validateRequest(cer([originHost, originRealm, hostIp, avp(266, M, hex('0000')), productName]), dict);
    expect(!r.ok && r.error.resultCode).toBe(5014);
    expect(!r.ok && r.error.failedAvp?.code).toBe(266);
    const overrun = cer(cerAvps);
    overrun.writeUIntBE(400, 20 + 5, 3);
    const o = validateRequest(overrun, dict);
    expect(!o.ok && o.error.resultCode).toBe(5014);
    expect(!o.ok && o.error.failedAvp?.code).toBe(264);
    expectError(overrun, 5014);
  });

  it('5014 for an AVP header cut short: padded with zeros to the minimum header', () => {
    const m = cer(cerAvps);
    const cut = Buffer.concat([m, hex('00 00 01 08')]);
    cut.writeUIntBE(cut.length, 1, 3);
    const r = validateRequest(cut, dict);
    expect(!r.ok && r.error.resultCode).toBe(5014);
    expect(!r.ok && r.error.failedAvp?.code).toBe(264);
  });

  it('5015 DIAMETER_INVALID_MESSAGE_LENGTH: length not a multiple of 4, or not what arrived', () => {
    const m = Buffer.concat([cer(cerAvps), Buffer.from([0, 0])]);
    m.writeUIntBE(m.length, 1, 3);
    expectError(m, 5015);
    const short = cer(cerAvps).subarray(0, 30);
    const r = validateRequest(short, dict);
    expect(!r.ok && r.error.resultCode).toBe(5015);
  });

  it('3001 DIAMETER_COMMAND_UNSUPPORTED for an unknown command; 5008 for an AVP outside a closed grammar', () => {
    const unknown = msg({ flags: REQ, code: 999, app: 0, hbh: 1, e2e: 1 }, cerAvps);
    expectError(unknown, 3001);
    // Experimental-Result (RFC 6733 §7.6) has a closed grammar: no *[ AVP ]
    expect(dict.avpByName('Experimental-Result')!.grammar!.anyAvp).toBe(false);
    const er = avp(297, M, [avp(266, M, u32(10415)), avp(298, M, u32(5001)), avp(1, M, str('x'))]);
    const r = validateRequest(cer([...cerAvps, er]), dict);
    expect(!r.ok && r.error.resultCode).toBe(5008);
    expect(!r.ok && r.error.failedAvp?.avps?.[0]?.code).toBe(1);
  });

  it('never throws on random bytes', () => {
    for (let i = 0; i < 2000; i++) {
      const base = cer(cerAvps);
      const b = Buffer.from(base);
      for (let k = 0; k < 3; k++) b[Math.floor(Math.random() * b.length)] = Math.floor(Math.random() * 256);
      expect(() => validateRequest(b, dict)).not.toThrow();
      expect(() => validateRequest(b.subarray(0, Math.floor(Math.random() * b.length)), dict)).not.toThrow();
    }
  });

  it('keeps Session-Id and Proxy-Info in the error answer', () => {
    const req = msg({ flags: REQ | PXY, code: 316, app: 16777251, hbh: 3, e2e: 4 }, [
      avp(263, M, str('s;1')),
      avp(264, M, str('mme.example')),
      avp(284, M, [avp(280, M, str('proxy.example')), avp(33, M, str('state'))]),
      avp(99999, M, i32(1)),
    ]);
    const r = validateRequest(req, dict);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const ans = errorAnswer(dict, r.message!, { host: 'hss.example', realm: 'example' }, r.error);
    expect(ans.avps[0]?.value).toBe('s;1');
    expect(findAvp(ans.avps, 284)).toBeDefined();
    expect(ans.flags & 0x80).toBe(0);
    expect(ans.hopByHopId).toBe(3);
  });
});
