// The pieces of replay without sockets: pairing requests with answers in a capture, choosing the
// client and its identity, rewriting AVPs byte by byte, and the comparison rules.
import { describe, expect, it } from 'vitest';
import { avp, message } from '../../src/diameter/codec/builder.js';
import { decodeMessage } from '../../src/diameter/codec/decode.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import { findAvp, type Message } from '../../src/diameter/codec/message.js';
import { readCapture } from '../../src/pcap/reader.js';
import { PcapngBuilder } from '../../src/pcap/writer.js';
import { replaceTopLevelAvps, topLevelAvpValue } from '../../src/replay/avp-splice.js';
import { compareAnswers, DEFAULT_IGNORED_AVPS, DEFAULT_IGNORED_TYPES } from '../../src/replay/compare.js';
import { buildPlan } from '../../src/replay/plan.js';
import { MessageSelector } from '../../src/replay/select.js';
import { dict, request } from './traffic.js';

const t = new Date('2026-01-01T00:00:00Z');
const C = { ip: '10.0.0.1', port: 40000 };
const S = { ip: '10.0.0.2', port: 3868 };
const up = (data: Buffer) => ({ time: t, src: C.ip, srcPort: C.port, dst: S.ip, dstPort: S.port, data });
const down = (data: Buffer) => ({ time: t, src: S.ip, srcPort: S.port, dst: C.ip, dstPort: C.port, data });

function answer(name: string, sid: string, hbh: number, avps: ReturnType<typeof avp>[] = [], app = 16777251): Buffer {
  return encodeMessage(message(dict, name, [avp(dict, 'Session-Id', sid), avp(dict, 'Origin-Host', 'hss.epc.test'), avp(dict, 'Origin-Realm', 'epc.test'), ...avps], { hopByHopId: hbh, endToEndId: hbh }, app));
}

function cer(): Buffer {
  return encodeMessage(message(dict, 'CER', [
    avp(dict, 'Origin-Host', 'mme.epc.test'), avp(dict, 'Origin-Realm', 'epc.test'), avp(dict, 'Host-IP-Address', '10.0.0.1'),
    avp(dict, 'Vendor-Id', 10415), avp(dict, 'Product-Name', 'an-mme'), avp(dict, 'Origin-State-Id', 42),
    avp(dict, 'Vendor-Specific-Application-Id', [avp(dict, 'Vendor-Id', 10415), avp(dict, 'Auth-Application-Id', 16777251)]),
  ], { hopByHopId: 1, endToEndId: 1 }));
}

describe('buildPlan', () => {
  it('takes the client and its capabilities from the CER and pairs answers by hop-by-hop id', () => {
    const b = new PcapngBuilder();
    b.add(up(cer()));
    b.add(up(request('AIR', 's;1', '001010000000001', 'mme.epc.test', { hbh: 10, e2e: 10 })));
    b.add(up(request('ULR', 's;1', '001010000000001', 'mme.epc.test', { hbh: 11, e2e: 11 })));
    // Answers out of order; a retransmission (T flag, same end-to-end id) of the ULR.
    b.add(down(answer('ULA', 's;1', 11, [avp(dict, 'Result-Code', 2001)])));
    b.add(down(answer('AIA', 's;1', 10, [avp(dict, 'Result-Code', 2001)])));
    const retx = request('ULR', 's;1', '001010000000001', 'mme.epc.test', { hbh: 12, e2e: 11 });
    retx[4] = retx[4]! | 0x10;
    b.add(up(retx));
    // A request from the server side, answered by the client.
    const idr = encodeMessage(message(dict, 'IDR', [avp(dict, 'Session-Id', 'h;1'), avp(dict, 'Origin-Host', 'hss.epc.test')], { hopByHopId: 50, endToEndId: 50 }, 16777251));
    b.add(down(idr));
    b.add(up(answer('IDA', 'h;1', 50, [avp(dict, 'Result-Code', 2001)])));
    const plan = buildPlan(readCapture(b.toBuffer()).pdus, dict, { selector: new MessageSelector(), peers: [] });
    expect([...plan.peers.values()]).toEqual([{
      identity: 'mme.epc.test', realm: 'epc.test', vendorId: 10415, productName: 'an-mme', firmwareRevision: 1, originStateId: 42,
      applications: { auth: [], acct: [], vendor: [{ vendorId: 10415, id: 16777251, kind: 'auth' }] }, fromCer: true,
    }]);
    expect(plan.requests.map((r) => [r.commandCode, r.sessionId, r.answer?.readUInt32BE(12)])).toEqual([[318, 's;1', 10], [316, 's;1', 11]]);
    expect(plan.skipped).toBe(1);
    expect(plan.clientAnswers.get('mme.epc.test')?.get(319)).toHaveLength(1);
  });

  it('without a CER: the first requester is the client, named by Origin-Host; --select and --peer filter', () => {
    const b = new PcapngBuilder();
    b.add(up(request('AIR', 'a;1', '001010000000001', 'mme.epc.test', { hbh: 1, e2e: 1 })));
    b.add(up(request('UAR', 'b;1', '001010000000001', 'mme.epc.test', { hbh: 2, e2e: 2 })));
    const pdus = readCapture(b.toBuffer()).pdus;
    const all = buildPlan(pdus, dict, { selector: new MessageSelector(), peers: [] });
    expect(all.peers.get('mme.epc.test')).toMatchObject({ fromCer: false, realm: 'epc.test', applications: { vendor: [{ vendorId: 10415, id: 16777251 }, { vendorId: 10415, id: 16777216 }] } });
    expect(buildPlan(pdus, dict, { selector: MessageSelector.parse(dict, ['Cx']), peers: [] }).requests.map((r) => r.commandCode)).toEqual([300]);
    expect(buildPlan(pdus, dict, { selector: MessageSelector.parse(dict, [':AIR']), peers: [] }).requests.map((r) => r.commandCode)).toEqual([318]);
    expect(buildPlan(pdus, dict, { selector: new MessageSelector(), peers: ['other.epc.test'] }).requests).toEqual([]);
  });
});

describe('replaceTopLevelAvps', () => {
  it('changes Session-Id and Destination-Realm in place, keeps every other byte and fixes the length', () => {
    const air = request('AIR', 'mme.epc.test;1;1', '001010000000001');
    const out = replaceTopLevelAvps(air, new Map([[263, Buffer.from('new;session;id;longer-than-before')], [283, Buffer.from('x.test')]]));
    const m = decodeMessage(out, dict);
    expect(m.issues).toEqual([]);
    expect(findAvp(m.message!.avps, 263)!.value).toBe('new;session;id;longer-than-before');
    expect(findAvp(m.message!.avps, 283)!.value).toBe('x.test');
    expect(out.readUIntBE(1, 3)).toBe(out.length);
    expect(topLevelAvpValue(out, 1)!.toString()).toBe('001010000000001');
    // Nothing to replace: the same bytes.
    expect(replaceTopLevelAvps(air, new Map()).equals(air)).toBe(true);
  });
});

describe('compareAnswers', () => {
  const opts = { ignore: new Set(DEFAULT_IGNORED_AVPS), ignoreTypes: new Set(DEFAULT_IGNORED_TYPES), sessions: new Map([['s;1', 'r;1']]) };
  const m = (buf: Buffer): Message => decodeMessage(buf, dict).message!;
  const vector = (seed: number) => avp(dict, 'Authentication-Info', [avp(dict, 'E-UTRAN-Vector', [avp(dict, 'RAND', Buffer.alloc(16, seed)), avp(dict, 'XRES', Buffer.alloc(8, seed)), avp(dict, 'AUTN', Buffer.alloc(16, seed)), avp(dict, 'KASME', Buffer.alloc(32, seed))])]);

  it('fresh vectors, timestamps, Origin-State-Id and the rewritten Session-Id are not differences', () => {
    const captured = m(answer('AIA', 's;1', 1, [avp(dict, 'Result-Code', 2001), vector(1), avp(dict, 'Origin-State-Id', 1), avp(dict, 'Event-Timestamp', new Date(0))]));
    const now = m(answer('AIA', 'r;1', 9, [avp(dict, 'Result-Code', 2001), vector(2), avp(dict, 'Origin-State-Id', 2), avp(dict, 'Event-Timestamp', new Date())]));
    expect(compareAnswers(dict, captured, now, opts)).toEqual([]);
    // The Session-Id must be the one the replay sent.
    const wrong = m(answer('AIA', 's;1', 9, [avp(dict, 'Result-Code', 2001), vector(2), avp(dict, 'Origin-State-Id', 2), avp(dict, 'Event-Timestamp', new Date())]));
    expect(compareAnswers(dict, captured, wrong, opts)).toEqual([{ kind: 'value', path: 'Session-Id', expected: '"r;1"', actual: '"s;1"' }]);
    // With the defaults dropped, the vectors differ.
    const strict = compareAnswers(dict, captured, now, { ...opts, ignore: new Set(), ignoreTypes: new Set() });
    expect(strict.map((d) => d.path)).toEqual(expect.arrayContaining(['Authentication-Info/E-UTRAN-Vector/KASME', 'Origin-State-Id', 'Event-Timestamp']));
  });

  it('Experimental-Result, missing and extra AVPs, other values', () => {
    const exp = (code: number) => avp(dict, 'Experimental-Result', [avp(dict, 'Vendor-Id', 10415), avp(dict, 'Experimental-Result-Code', code)]);
    const a = m(answer('ULA', 's;1', 1, [exp(5001)]));
    const b = m(answer('ULA', 'r;1', 1, [exp(5420), avp(dict, 'Error-Message', 'x')]));
    expect(compareAnswers(dict, a, b, opts)).toEqual([
      { kind: 'result', path: 'result', expected: 'Experimental-Result 10415/5001', actual: 'Experimental-Result 10415/5420' },
      { kind: 'extra', path: 'Error-Message', actual: '"x"' },
    ]);
    const c = m(answer('ULA', 'r;1', 1, [exp(5001), avp(dict, 'ULA-Flags', 1)]));
    const d = m(answer('ULA', 'r;1', 1, [exp(5001), avp(dict, 'ULA-Flags', 0)]));
    expect(compareAnswers(dict, c, d, opts)).toEqual([{ kind: 'value', path: 'ULA-Flags', expected: '1', actual: '0' }]);
  });

  it('every default ignored AVP name is in the dictionary', () => {
    for (const n of DEFAULT_IGNORED_AVPS) expect(dict.avpByName(n), n).toBeDefined();
  });
});
