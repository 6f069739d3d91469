// Round-trip properties per AVP type, taken from the AVPs the dictionaries define, and the
// fixed points of the derived types (Time's 2036 rollover, Address, DiameterURI, TBCD, PLMN-Id).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { avpOf } from '../../src/diameter/codec/builder.js';
import { decodeMessage } from '../../src/diameter/codec/decode.js';
import { parseDiameterUri } from '../../src/diameter/codec/diameter-uri.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import type { AvpValue, Message } from '../../src/diameter/codec/message.js';
import { decodePlmnId, writePlmnId } from '../../src/diameter/codec/plmn-id.js';
import { decodeTbcd, writeTbcd } from '../../src/diameter/codec/tbcd.js';
import { dateToNtp, ntpToDate } from '../../src/diameter/codec/time.js';
import { formatIPv6, writeIPv6 } from '../../src/diameter/codec/address.js';
import { readFileSync } from 'node:fs';
import { Dictionary } from '../../src/diameter/dictionary/dictionary.js';
import { builtinDictionaryFiles } from '../../src/diameter/dictionary/load.js';
import { parseDictionary } from '../../src/diameter/dictionary/parser.js';
import { AVP_TYPES, type AvpDef, type AvpType } from '../../src/diameter/dictionary/model.js';

// The shipped dictionaries, plus one AVP of each type that none of them uses (Float64).
const extra = `@name test-types\n@avp\n${AVP_TYPES.filter((t) => t !== 'Grouped')
  .map((t, i) => `Test-${t} ${99000 + i} - - ${t}`)
  .join('\n')}\n`;
const dict = Dictionary.compile([...builtinDictionaryFiles().map((f) => parseDictionary(readFileSync(f, 'utf8'), f).ast), parseDictionary(extra, 'test-types.dict').ast]).dictionary;

const ipv6 = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
  .map((g) => {
    const b = Buffer.alloc(16);
    g.forEach((v, i) => b.writeUInt16BE(v, i * 2));
    return formatIPv6(b, 0);
  });
const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const fqdn = fc.domain();

const arbitraries: Record<Exclude<AvpType, 'Grouped'>, fc.Arbitrary<AvpValue>> = {
  OctetString: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  Integer32: fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
  Enumerated: fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
  Unsigned32: fc.integer({ min: 0, max: 0xffff_ffff }),
  Integer64: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  Unsigned64: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  Float32: fc.float({ noNaN: true }),
  Float64: fc.double({ noNaN: true }),
  // Whole seconds inside the representable window 1968-01-20 .. 2104-02-26.
  Time: fc.integer({ min: 0x8000_0000 - 2_208_988_800, max: 0x1_0000_0000 + 0x7fff_ffff - 2_208_988_800 }).map((s) => new Date(s * 1000)),
  Address: fc.oneof(fc.ipV4(), ipv6),
  UTF8String: text,
  DiameterIdentity: fqdn,
  DiameterURI: fc
    .tuple(fc.boolean(), fqdn, fc.integer({ min: 1, max: 65535 }), fc.constantFrom('', ';transport=tcp', ';transport=sctp'))
    .map(([s, h, p, t]) => `${s ? 'aaas' : 'aaa'}://${h}:${p}${t}`),
  IPFilterRule: fc.constantFrom('permit in ip from any to any', 'deny out 17 from 10.0.0.1 to any 5060'),
  QoSFilterRule: text,
  TBCD: fc.stringMatching(/^[0-9*#abc]{0,20}$/),
  PLMNId: fc.record({ mcc: fc.stringMatching(/^\d{3}$/), mnc: fc.stringMatching(/^\d{2,3}$/) }),
};

function wrap(def: AvpDef, value: AvpValue): Message {
  return { version: 1, flags: 0x80, commandCode: 280, applicationId: 0, hopByHopId: 1, endToEndId: 2, avps: [avpOf(def, value)] };
}

describe('round trip per AVP type, over the dictionaries', () => {
  const byType = new Map<AvpType, AvpDef[]>();
  for (const def of dict.allAvps()) {
    if (def.type === 'Grouped') continue;
    byType.set(def.type, [...(byType.get(def.type) ?? []), def]);
  }
  it('covers every AVP type', () => expect(byType.size).toBe(AVP_TYPES.length - 1));
  for (const [type, defs] of byType) {
    it(`${type} (${defs.length} AVPs)`, () => {
      const arb = arbitraries[type as Exclude<AvpType, 'Grouped'>];
      fc.assert(
        fc.property(fc.constantFrom(...defs), arb, (def, value) => {
          const wire = encodeMessage(wrap(def, value));
          const { message, issues } = decodeMessage(wire, dict);
          expect(issues).toEqual([]);
          const back = message!.avps[0]!;
          expect(back.value).toEqual(value);
          expect(encodeMessage(message!)).toEqual(wire);
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe('Time (RFC 6733 §4.3.1, NTP eras)', () => {
  it('reads 0x80000000.. as era 0 and 0..0x7fffffff as era 1 (after 2036-02-07)', () => {
    expect(ntpToDate(0xe1_00_00_00).toISOString()).toBe('2019-08-15T16:00:00.000Z'); // 3774873600 - 2208988800 = 1565884800
    expect(ntpToDate(0xffff_ffff).toISOString()).toBe('2036-02-07T06:28:15.000Z');
    expect(ntpToDate(0).toISOString()).toBe('2036-02-07T06:28:16.000Z');
    expect(ntpToDate(1).toISOString()).toBe('2036-02-07T06:28:17.000Z');
    expect(ntpToDate(0x8000_0000).toISOString()).toBe('1968-01-20T03:14:08.000Z');
  });
  it('writes dates on both sides of the rollover and refuses dates outside the window', () => {
    expect(dateToNtp(new Date('2036-02-07T06:28:15Z'))).toBe(0xffff_ffff);
    expect(dateToNtp(new Date('2036-02-07T06:28:16Z'))).toBe(0);
    expect(dateToNtp(new Date('2100-01-01T00:00:00Z'))).toBe(4_102_444_800 + 2_208_988_800 - 2 ** 32);
    expect(dateToNtp(new Date('1900-01-01T00:00:00Z'))).toBeUndefined();
    expect(dateToNtp(new Date('2200-01-01T00:00:00Z'))).toBeUndefined();
  });
});

describe('DiameterURI (RFC 6733 §4.3.1)', () => {
  it('parses scheme, port defaults, transport and protocol', () => {
    expect(parseDiameterUri('aaa://hss.example.com')).toEqual({ secure: false, fqdn: 'hss.example.com', port: 3868, transport: undefined, protocol: undefined });
    expect(parseDiameterUri('aaas://hss.example.com')?.port).toBe(5658);
    expect(parseDiameterUri('aaa://hss.example.com:1813;transport=sctp;protocol=radius')).toEqual({ secure: false, fqdn: 'hss.example.com', port: 1813, transport: 'sctp', protocol: 'radius' });
    expect(parseDiameterUri('http://x')).toBeUndefined();
    expect(parseDiameterUri('aaa://x;transport=quic')).toBeUndefined();
    expect(parseDiameterUri('aaa://x:70000')).toBeUndefined();
  });
});

describe('TBCD (TS 29.002 §17.7.8) and PLMN-Id (TS 24.008 §10.5.1.3)', () => {
  it('encodes MSISDN digits low nibble first with an F filler', () => {
    const b = Buffer.alloc(6);
    expect(writeTbcd('33612345678', b, 0)).toBe(6);
    expect(b.toString('hex')).toBe('3316325476f8');
    expect(decodeTbcd(b, 0, 6)).toBe('33612345678');
    expect(decodeTbcd(Buffer.from('f1', 'hex'), 0, 1)).toBe('1');
    expect(decodeTbcd(Buffer.from('1f', 'hex'), 0, 1)).toBeUndefined(); // filler in the low nibble
    expect(decodeTbcd(Buffer.from('f121', 'hex'), 0, 2)).toBeUndefined(); // filler before the end
  });
  it('matches the PLMN encodings of vectors.md', () => {
    const cases: [string, string, string][] = [['214', '01', '12f410'], ['901', '70', '09f107'], ['001', '01', '00f110'], ['310', '410', '130014']];
    for (const [mcc, mnc, hexText] of cases) {
      const b = Buffer.alloc(3);
      writePlmnId({ mcc, mnc }, b, 0);
      expect(b.toString('hex')).toBe(hexText);
      expect(decodePlmnId(b, 0, 3)).toEqual({ mcc, mnc });
    }
  });
});

describe('IPv6 text (RFC 5952)', () => {
  it('compresses the longest zero run and parses back', () => {
    const b = Buffer.alloc(16);
    for (const t of ['2001:db8::1', '::', '::1', '2001:db8:0:1:1:1:1:1', '2001:0:0:1::1', 'fe80::1:0:0:0']) {
      expect(writeIPv6(t, b, 0)).toBe(true);
      expect(formatIPv6(b, 0)).toBe(t);
    }
    expect(writeIPv6('::ffff:192.0.2.1', b, 0)).toBe(true);
    expect(b.toString('hex')).toBe('00000000000000000000ffffc0000201');
  });
});
