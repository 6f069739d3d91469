// Building blocks with published answers: RFC 5952 address text, CRC32c check value, Internet
// checksum of the RFC 1071 §3 example, pcapng if_tsresol arithmetic.
import { describe, expect, it } from 'vitest';
import { crc32c, onesComplementAdd, onesComplementFinish } from '../../src/pcap/checksum.js';
import { isLikelyPdu } from '../../src/pcap/diameter-header.js';
import { formatIp } from '../../src/pcap/ip.js';
import { parseIp } from '../../src/pcap/packet-synth.js';
import { TimestampScale } from '../../src/pcap/timestamp.js';
import { diameter } from './naive-bytes.js';

describe('IP address text', () => {
  const cases: Array<[string, string]> = [
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'], // RFC 5952 §4.2.1
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // §4.2.2: one zero group stays
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // §4.2.3: the longest run
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // §4.2.3: the first of equal runs
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'], // §5: IPv4-mapped keeps dotted form
    ['10.1.2.3', '10.1.2.3'],
  ];
  for (const [input, text] of cases) {
    it(`${input} -> ${text}`, () => {
      const bytes = parseIp(input);
      expect(bytes).toBeDefined();
      expect(formatIp(bytes!)).toBe(text);
      expect(formatIp(parseIp(text)!)).toBe(text);
    });
  }
  it('rejects malformed addresses', () => {
    for (const bad of ['1.2.3', '1.2.3.256', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '']) expect(parseIp(bad)).toBeUndefined();
  });
});

describe('checksums', () => {
  it('CRC32c check value of "123456789" is 0xe3069283', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });
  it('Internet checksum of the RFC 1071 §3 example words', () => {
    const b = Buffer.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(onesComplementFinish(onesComplementAdd(0, b, 0, b.length))).toBe(~0xddf2 & 0xffff);
  });
});

describe('pcapng timestamps', () => {
  it('µs (default), ns, 2^-20 s and if_tsoffset', () => {
    const v = 1_700_000_000_123_456n;
    expect(new TimestampScale(6).toTime(Number(v >> 32n), Number(v & 0xffffffffn))).toEqual({ seconds: 1_700_000_000, nanos: 123_456_000 });
    const ns = 1_700_000_000_987_654_321n;
    expect(new TimestampScale(9).toTime(Number(ns >> 32n), Number(ns & 0xffffffffn))).toEqual({ seconds: 1_700_000_000, nanos: 987_654_321 });
    const bin = (1_700_000_000n << 20n) | (1n << 18n);
    expect(new TimestampScale(0x80 | 20).toTime(Number(bin >> 32n), Number(bin & 0xffffffffn))).toEqual({ seconds: 1_700_000_000, nanos: 250_000_000 });
    expect(new TimestampScale(6, 100).toTime(0, 1_500_000)).toEqual({ seconds: 101, nanos: 500_000_000 });
    const ps = 3_000_000_001_500n; // 10^-12 s units: 3 s + 1.5 ns, truncated to whole ns
    expect(new TimestampScale(12).toTime(Number(ps >> 32n), Number(ps & 0xffffffffn))).toEqual({ seconds: 3, nanos: 1 });
  });
});

describe('Diameter plausibility', () => {
  const m = diameter({ code: 272, request: true, appId: 4, sessionId: 'a;b;c' });
  it('accepts a well-formed message, whole or partial', () => {
    expect(isLikelyPdu(m, 0, m.length, 1 << 20, false)).toBe(true);
    expect(isLikelyPdu(m, 0, 30, 1 << 20, true)).toBe(true);
    expect(isLikelyPdu(m, 0, 30, 1 << 20, false)).toBe(false);
  });
  it('rejects bad version, reserved flags, E on a request, RADIUS-range codes, broken AVP chain', () => {
    const variant = (at: number, value: number): Buffer => {
      const c = Buffer.from(m);
      c[at] = value;
      return c;
    };
    expect(isLikelyPdu(variant(0, 2), 0, m.length, 1 << 20, false)).toBe(false);
    expect(isLikelyPdu(variant(4, 0xc1), 0, m.length, 1 << 20, false)).toBe(false);
    expect(isLikelyPdu(variant(4, 0xa0), 0, m.length, 1 << 20, false)).toBe(false);
    const radius = Buffer.from(m);
    radius.writeUIntBE(1, 5, 3);
    expect(isLikelyPdu(radius, 0, m.length, 1 << 20, false)).toBe(false);
    expect(isLikelyPdu(variant(27, 9), 0, m.length, 1 << 20, false)).toBe(false); // first AVP length
  });
});
