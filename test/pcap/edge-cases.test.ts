// Hand-made captures for what the public files do not exercise: TCP disorder and loss, SCTP
// fragments, IP fragments, link layers, file variants and damaged files. Built with the naive
// builder in naive-bytes.ts, never with src/pcap's own writer.
import { describe, expect, it } from 'vitest';
import { CaptureErrorCode, iterateCapture, readCapture } from '../../src/pcap/reader.js';
import type { CaptureResult, ExtractOptions } from '../../src/pcap/reader.js';
import {
  diameter, ethernet, ipv4, ipv4Fragments, ipv6, ipv6Fragments, loop, nullLoopback, pcapFile, pcapngFile,
  sctp, sll, sll2, tcp,
} from './naive-bytes.js';

const ETH = 1;
const SYN = 0x02;
const ACK = 0x10;
const PSH_ACK = 0x18;

const msg = (hopByHop: number, filler?: number): Buffer =>
  diameter({ code: 316, request: true, appId: 16777251, hopByHop, sessionId: `mme;${hopByHop}`, ...(filler === undefined ? {} : { filler }) });
const A = msg(1);
const B = msg(2);
const C = msg(3);
const BIG = msg(4, 3000);

/** (frame, hop-by-hop id) of each PDU: enough to tell which message completed where. */
function seen(r: CaptureResult): Array<[number, number]> {
  return r.pdus.map((p) => [p.frame, p.data.readUInt32BE(12)]);
}

const CLIENT = { src: '10.0.0.1', dst: '10.0.0.2' };
const SERVER = { src: '10.0.0.2', dst: '10.0.0.1' };
const ISN = 1000;
const SISN = 5000;

/** Client -> server segment on port 3868; seq relative to the data start (ISN + 1). */
function c2s(rel: number, payload: Buffer, flags = PSH_ACK): Buffer {
  return ethernet(ipv4({ ...CLIENT, proto: 6, payload: tcp({ sport: 40000, dport: 3868, seq: ISN + 1 + rel, ack: SISN + 1, flags, payload }) }));
}
function s2c(rel: number, payload: Buffer, ack: number, flags = PSH_ACK): Buffer {
  return ethernet(ipv4({ ...SERVER, proto: 6, payload: tcp({ sport: 3868, dport: 40000, seq: SISN + 1 + rel, ack: ISN + 1 + ack, flags, payload }) }));
}
const syn = (): Buffer => ethernet(ipv4({ ...CLIENT, proto: 6, payload: tcp({ sport: 40000, dport: 3868, seq: ISN, flags: SYN }) }));
const synAck = (): Buffer => ethernet(ipv4({ ...SERVER, proto: 6, payload: tcp({ sport: 3868, dport: 40000, seq: SISN, ack: ISN + 1, flags: SYN | ACK }) }));

function pcap(frames: Buffer[], linkType = ETH): Buffer {
  return pcapFile(linkType, frames.map((data) => ({ data })));
}

function read(frames: Buffer[], opts: ExtractOptions = {}, linkType = ETH): CaptureResult {
  return readCapture(pcap(frames, linkType), opts);
}

describe('TCP reassembly', () => {
  it('puts out-of-order segments back in order; the gap filler completes the PDUs', () => {
    const ab = Buffer.concat([A, B]);
    const r = read([syn(), synAck(), c2s(A.length, B), c2s(0, A), c2s(ab.length, C)]);
    expect(seen(r)).toEqual([[4, 1], [4, 2], [5, 3]]);
  });

  it('reassembles a PDU whose halves arrive in reverse order', () => {
    const half = 40;
    const r = read([syn(), c2s(half, A.subarray(half)), c2s(0, A.subarray(0, half))]);
    expect(seen(r)).toEqual([[3, 1]]);
    expect(r.pdus[0]!.data).toEqual(A);
  });

  it('drops retransmitted segments', () => {
    const r = read([syn(), c2s(0, A), c2s(0, A), c2s(A.length, B), c2s(0, A)]);
    expect(seen(r)).toEqual([[2, 1], [4, 2]]);
  });

  it('keeps the first copy of overlapping bytes and frames across the overlap', () => {
    const ab = Buffer.concat([A, B]);
    expect(A.length).toBe(60);
    const resent = Buffer.from(ab.subarray(30, 100));
    resent.fill(0xff, 0, 10); // differs where it overlaps the first copy: the first copy must win
    const r = read([syn(), c2s(0, ab.subarray(0, 40)), c2s(30, resent), c2s(90, ab.subarray(90))]);
    expect(seen(r)).toEqual([[3, 1], [4, 2]]);
    expect(r.pdus[0]!.data).toEqual(A);
    expect(r.pdus[1]!.data).toEqual(B);
  });

  it('rebuilds one PDU sent over three segments', () => {
    const cut1 = 7; // inside the header
    const cut2 = 1500;
    const r = read([syn(), c2s(0, BIG.subarray(0, cut1)), c2s(cut1, BIG.subarray(cut1, cut2)), c2s(cut2, BIG.subarray(cut2))]);
    expect(seen(r)).toEqual([[4, 4]]);
    expect(r.pdus[0]!.data).toEqual(BIG);
  });

  it('splits three PDUs carried in one segment, in byte order', () => {
    const r = read([syn(), c2s(0, Buffer.concat([A, B, C]))]);
    expect(seen(r)).toEqual([[2, 1], [2, 2], [2, 3]]);
    // Views into the capture, not copies, when the PDU sat in one packet.
    expect(r.pdus[1]!.data.buffer).toBe(r.pdus[0]!.data.buffer);
  });

  it('gives the tail of one PDU and two whole PDUs to the same frame', () => {
    const all = Buffer.concat([A, B, C]);
    const r = read([syn(), c2s(0, all.subarray(0, 50)), c2s(50, all.subarray(50))]);
    expect(seen(r)).toEqual([[3, 1], [3, 2], [3, 3]]);
  });

  it('resynchronises on a capture that starts mid-PDU (no SYN)', () => {
    const stream = Buffer.concat([BIG, A, B]);
    const start = 1000; // inside BIG's filler AVP
    const r = read([c2s(start, stream.subarray(start, 2000)), c2s(2000, stream.subarray(2000))]);
    expect(seen(r)).toEqual([[2, 1], [2, 2]]);
  });

  it('skips a hole the peer acknowledged but the capture never saw', () => {
    // Segment 1 (half of BIG) is lost; the server's ACK covering it declares the hole lost.
    const cut = 1200;
    const tail = BIG.length - cut;
    const r = read([
      syn(), synAck(),
      c2s(cut, Buffer.concat([BIG.subarray(cut), A])),
      s2c(0, B, BIG.length + A.length),
      c2s(BIG.length + A.length, C),
    ]);
    expect(tail).toBeGreaterThan(0);
    expect(seen(r)).toEqual([[3, 1], [4, 2], [5, 3]]);
  });

  it('recovers PDUs behind a hole that is never filled, in frame order', () => {
    const r = read([syn(), c2s(A.length, B), c2s(A.length + B.length, C), s2c(0, A, 0)]);
    // The client's A never shows up; B and C are framed at the end, but sorted by frame.
    expect(seen(r)).toEqual([[2, 2], [3, 3], [4, 1]]);
  });

  it('loses only the PDU a snaplen cut, not the ones after it', () => {
    const cutFrame = c2s(A.length, B);
    const file = pcapFile(ETH, [
      { data: syn() }, { data: c2s(0, A) },
      { data: cutFrame.subarray(0, cutFrame.length - 30), origLen: cutFrame.length },
      { data: c2s(A.length + B.length, C) },
    ]);
    expect(seen(readCapture(file))).toEqual([[2, 1], [4, 3]]);
  });

  it('ignores Ethernet padding after a short IP packet', () => {
    const padded = Buffer.concat([c2s(0, A), Buffer.alloc(6, 0xee)]);
    const ack = Buffer.concat([c2s(A.length, Buffer.alloc(0), ACK), Buffer.alloc(6, 0x01)]);
    expect(seen(read([syn(), padded, ack, c2s(A.length, B)]))).toEqual([[2, 1], [4, 2]]);
  });

  it('finds Diameter on other ports by content only when the heuristic is on', () => {
    const f = (seq: number, payload: Buffer): Buffer =>
      ethernet(ipv4({ ...CLIENT, proto: 6, payload: tcp({ sport: 41000, dport: 3871, seq, payload }) }));
    const frames = [f(1, A), f(1 + A.length, B)];
    expect(seen(read(frames))).toEqual([[1, 1], [2, 2]]);
    expect(seen(read(frames, { heuristic: false }))).toEqual([]);
    expect(seen(read(frames, { heuristic: false, ports: [3871] }))).toEqual([[1, 1], [2, 2]]);
  });

  it('does not take other protocols for Diameter', () => {
    const http = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(20));
    const f = (seq: number, payload: Buffer): Buffer =>
      ethernet(ipv4({ ...CLIENT, proto: 6, payload: tcp({ sport: 41000, dport: 80, seq, payload }) }));
    const noise = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) & 0xff));
    expect(read([f(1, http), f(1 + http.length, noise)]).pdus).toEqual([]);
  });

  it('survives thousands of resynchronisations inside one segment', () => {
    const junk = Buffer.from([0xff, 0xee, 0xdd, 0xcc]);
    const stream = Buffer.concat(Array.from({ length: 3000 }, () => [junk, A]).flat());
    const frames = [syn()];
    for (let off = 0; off < stream.length; off += 60000) frames.push(c2s(off, stream.subarray(off, off + 60000)));
    expect(read(frames).pdus.length).toBe(3000);
  });

  it('refuses PDUs longer than maxPduLength and resynchronises after them', () => {
    const r = read([syn(), c2s(0, Buffer.concat([BIG, A]))], { maxPduLength: 1024 });
    expect(seen(r)).toEqual([[2, 1]]);
  });
});

describe('IP', () => {
  it('reassembles IPv4 fragments arriving out of order; the last one completes the PDU', () => {
    const seg = tcp({ sport: 40000, dport: 3868, seq: ISN + 1, payload: BIG });
    const frags = ipv4Fragments({ ...CLIENT, proto: 6, id: 77, payload: seg }, 1480).map((ip) => ethernet(ip));
    expect(frags.length).toBe(3);
    const r = read([syn(), frags[2]!, frags[0]!, frags[1]!]);
    expect(seen(r)).toEqual([[4, 4]]);
    expect(r.pdus[0]!.data).toEqual(BIG);
  });

  it('reads IPv6 with extension headers, and IPv6 fragments', () => {
    const s = Buffer.alloc(16);
    s[15] = 1;
    const d = Buffer.from('20010db8000000000000000000000002', 'hex');
    const seg1 = tcp({ sport: 40000, dport: 3868, seq: 1, payload: A });
    const seg2 = tcp({ sport: 40000, dport: 3868, seq: 1 + A.length, payload: BIG });
    const frags = ipv6Fragments(s, d, 6, seg2, 1448, 9).map((ip) => ethernet(ip));
    const r = read([ethernet(ipv6(s, d, 6, seg1, true)), ...frags]);
    expect(seen(r)).toEqual([[1, 1], [1 + frags.length, 4]]);
    expect(r.pdus[0]!.src).toBe('::1');
    expect(r.pdus[0]!.dst).toBe('2001:db8::2');
  });
});

describe('SCTP', () => {
  const sctpFrame = (chunks: Parameters<typeof sctp>[2], sport = 36000, dport = 3868): Buffer =>
    ethernet(ipv4({ ...CLIENT, proto: 132, payload: sctp(sport, dport, chunks) }));
  const data = (tsn: number, flags: number, part: Buffer, ppid = 46, sid = 1) =>
    ({ type: 'data' as const, flags, tsn, sid, ssn: 0, ppid, data: part });

  it('reassembles DATA fragments by TSN with B/E flags, whatever the arrival order', () => {
    const p1 = BIG.subarray(0, 1000);
    const p2 = BIG.subarray(1000, 2000);
    const p3 = BIG.subarray(2000);
    const r = read([sctpFrame([data(10, 0x01, p3)]), sctpFrame([data(8, 0x02, p1)]), sctpFrame([data(9, 0x00, p2)])]);
    expect(seen(r)).toEqual([[3, 4]]);
    expect(r.pdus[0]!.data).toEqual(BIG);
    expect(r.pdus[0]!.stream).toBe(1);
    expect(r.pdus[0]!.transport).toBe('sctp');
  });

  it('takes several chunks per packet in chunk order, skipping control chunks', () => {
    const r = read([sctpFrame([{ type: 'sack', cumTsn: 1 }, data(20, 0x03, A), data(21, 0x03, B, 46, 2), data(22, 0x03, C)])]);
    expect(seen(r)).toEqual([[1, 1], [1, 2], [1, 3]]);
    expect(r.pdus.map((p) => p.stream)).toEqual([1, 2, 1]);
  });

  it('reassembles I-DATA fragments by message id and FSN', () => {
    const idata = (tsn: number, flags: number, ppidOrFsn: number, part: Buffer) =>
      ({ type: 'idata' as const, flags, tsn, sid: 3, mid: 7, ppidOrFsn, data: part });
    const r = read([
      sctpFrame([idata(32, 0x01, 2, BIG.subarray(2000))]),
      sctpFrame([idata(30, 0x02, 46, BIG.subarray(0, 1000))]),
      sctpFrame([idata(31, 0x00, 1, BIG.subarray(1000, 2000))]),
    ]);
    expect(seen(r)).toEqual([[3, 4]]);
    expect(r.pdus[0]!.data).toEqual(BIG);
  });

  it('skips retransmitted DATA chunks (same TSN), as Wireshark does', () => {
    const r = read([
      sctpFrame([data(1, 0x03, A)]), sctpFrame([data(1, 0x03, A)]),
      sctpFrame([data(2, 0x02, BIG.subarray(0, 1000))]), sctpFrame([data(3, 0x01, BIG.subarray(1000))]),
      sctpFrame([data(3, 0x01, BIG.subarray(1000))]), sctpFrame([data(2, 0x02, BIG.subarray(0, 1000))]),
    ]);
    expect(seen(r)).toEqual([[1, 1], [4, 4]]);
  });

  it('accepts PPID 0 by port or content, never other PPIDs', () => {
    expect(seen(read([sctpFrame([data(1, 0x03, A, 0)])]))).toEqual([[1, 1]]);
    expect(seen(read([sctpFrame([data(1, 0x03, A, 18)])]))).toEqual([]);
    expect(seen(read([sctpFrame([data(1, 0x03, A, 0)], 36000, 4000)]))).toEqual([[1, 1]]);
    expect(seen(read([sctpFrame([data(1, 0x03, A, 0)], 36000, 4000)], { heuristic: false }))).toEqual([]);
    expect(seen(read([sctpFrame([data(1, 0x03, A, 46)], 36000, 4000)], { heuristic: false }))).toEqual([[1, 1]]);
  });
});

describe('link layers', () => {
  const ip = (): Buffer => ipv4({ ...CLIENT, proto: 6, payload: tcp({ sport: 40000, dport: 3868, seq: 1, payload: A }) });
  const cases: Array<[string, number, Buffer]> = [
    ['Ethernet with an 802.1Q tag', 1, ethernet(ip(), [100])],
    ['Ethernet with QinQ tags', 1, ethernet(ip(), [200, 100])],
    ['Linux cooked (SLL)', 113, sll(ip())],
    ['Linux cooked v2 (SLL2)', 276, sll2(ip())],
    ['BSD loopback, little-endian host', 0, nullLoopback(ip(), true)],
    ['BSD loopback, big-endian host', 0, nullLoopback(ip(), false)],
    ['OpenBSD loopback (LOOP)', 108, loop(ip())],
    ['raw IP (101)', 101, ip()],
    ['raw IPv4 (228)', 228, ip()],
  ];
  for (const [name, linkType, frame] of cases) {
    it(name, () => {
      const r = read([frame], {}, linkType);
      expect(seen(r)).toEqual([[1, 1]]);
      expect(r.pdus[0]).toMatchObject({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 40000, dstPort: 3868, transport: 'tcp' });
    });
  }

  it('raw IPv6 (229) and IPv6 over SLL2', () => {
    const s = Buffer.from('fe800000000000000000000000000001', 'hex');
    const d = Buffer.from('fe800000000000000000000000000002', 'hex');
    const v6 = ipv6(s, d, 6, tcp({ sport: 40000, dport: 3868, seq: 1, payload: A }));
    expect(seen(read([v6], {}, 229))).toEqual([[1, 1]]);
    expect(read([sll2(v6)], {}, 276).pdus[0]!.src).toBe('fe80::1');
  });
});

describe('file formats', () => {
  const frame = (seq: number, m: Buffer): Buffer =>
    ethernet(ipv4({ ...CLIENT, proto: 6, payload: tcp({ sport: 40000, dport: 3868, seq, payload: m }) }));

  for (const bigEndian of [false, true]) {
    for (const nanos of [false, true]) {
      it(`pcap, ${bigEndian ? 'big' : 'little'}-endian, ${nanos ? 'ns' : 'µs'} timestamps`, () => {
        const file = pcapFile(ETH, [
          { data: frame(1, A), seconds: 1_700_000_000, frac: nanos ? 123_456_789 : 123_456 },
          { data: frame(1 + A.length, B), seconds: 1_700_000_001, frac: 5 },
        ], { bigEndian, nanos });
        const r = readCapture(file);
        expect(r.error).toBeUndefined();
        expect(seen(r)).toEqual([[1, 1], [2, 2]]);
        expect(r.pdus[0]!.time).toEqual({ seconds: 1_700_000_000, nanos: nanos ? 123_456_789 : 123_456_000 });
        expect(r.pdus[1]!.time).toEqual({ seconds: 1_700_000_001, nanos: nanos ? 5 : 5000 });
      });
    }
  }

  for (const bigEndian of [false, true]) {
    it(`pcapng, ${bigEndian ? 'big' : 'little'}-endian, two interfaces with their own link type and if_tsresol`, () => {
      const sllFrame = sll(ipv4({ ...CLIENT, proto: 6, payload: tcp({ sport: 40000, dport: 3868, seq: 1 + A.length, payload: B }) }));
      const file = pcapngFile(
        [{ linkType: 1 }, { linkType: 113, tsresol: 9 }, { linkType: 1, tsresol: 0x80 | 20 }],
        [
          { iface: 0, data: frame(1, A), ts: 1_700_000_000_250_000n },
          { iface: 1, data: sllFrame, ts: 1_700_000_000_123_456_789n },
          { iface: 2, data: frame(1 + A.length + B.length, C), ts: (1_700_000_000n << 20n) + (1n << 19n) },
        ],
        { bigEndian },
      );
      const r = readCapture(file);
      expect(r.error).toBeUndefined();
      expect(seen(r)).toEqual([[1, 1], [2, 2], [3, 3]]);
      expect(r.pdus.map((p) => p.time)).toEqual([
        { seconds: 1_700_000_000, nanos: 250_000_000 },
        { seconds: 1_700_000_000, nanos: 123_456_789 },
        { seconds: 1_700_000_000, nanos: 500_000_000 },
      ]);
    });
  }

  it('pcapng simple packet blocks count as frames', () => {
    const file = pcapngFile([{ linkType: 1 }], [{ iface: -1, data: frame(1, A) }, { iface: 0, data: frame(1 + A.length, B) }]);
    expect(seen(readCapture(file))).toEqual([[1, 1], [2, 2]]);
  });

  it('iterateCapture yields the same PDUs and returns the error', () => {
    const file = pcap([frame(1, A), frame(1 + A.length, B)]);
    const it = iterateCapture(file.subarray(0, file.length - 3));
    const got: number[] = [];
    let step = it.next();
    while (step.done !== true) {
      got.push(step.value.data.readUInt32BE(12));
      step = it.next();
    }
    expect(got).toEqual([1]);
    expect(step.value?.code).toBe(CaptureErrorCode.TRUNCATED_RECORD);
  });
});

describe('damaged files', () => {
  const frames = [
    ethernet(ipv4({ ...CLIENT, proto: 6, payload: tcp({ sport: 40000, dport: 3868, seq: 1, payload: A }) })),
    ethernet(ipv4({ ...CLIENT, proto: 6, payload: tcp({ sport: 40000, dport: 3868, seq: 1 + A.length, payload: B }) })),
    ethernet(ipv4({ ...CLIENT, proto: 6, payload: tcp({ sport: 40000, dport: 3868, seq: 1 + A.length + B.length, payload: C }) })),
  ];

  it('pcap cut inside the third record: names record 3 and its offset, keeps PDUs 1 and 2', () => {
    const file = pcap(frames);
    const thirdAt = 24 + (16 + frames[0]!.length) + (16 + frames[1]!.length);
    const r = readCapture(file.subarray(0, file.length - 10));
    expect(seen(r)).toEqual([[1, 1], [2, 2]]);
    expect(r.error).toMatchObject({ code: CaptureErrorCode.TRUNCATED_RECORD, record: 3, offset: thirdAt });
    expect(r.error!.message).toContain('record 3');
    expect(r.error!.message).toContain(String(thirdAt));
  });

  it('pcap cut inside a record header', () => {
    const file = pcap(frames);
    const r = readCapture(file.subarray(0, file.length - frames[2]!.length - 8));
    expect(seen(r)).toEqual([[1, 1], [2, 2]]);
    expect(r.error).toMatchObject({ code: CaptureErrorCode.TRUNCATED_RECORD_HEADER, record: 3 });
  });

  it('pcap record with an absurd length', () => {
    const file = pcap(frames);
    const thirdAt = 24 + (16 + frames[0]!.length) + (16 + frames[1]!.length);
    file.writeUInt32LE(0x7fffffff, thirdAt + 8);
    expect(readCapture(file).error).toMatchObject({ code: CaptureErrorCode.BAD_RECORD_LENGTH, record: 3, offset: thirdAt });
  });

  it('pcapng cut inside a block: names the block', () => {
    const file = pcapngFile([{ linkType: 1 }], frames.map((data) => ({ data })));
    const r = readCapture(file.subarray(0, file.length - 5));
    expect(seen(r)).toEqual([[1, 1], [2, 2]]);
    // SHB, IDB, NRB, then EPBs: the third EPB is block 6.
    expect(r.error).toMatchObject({ code: CaptureErrorCode.TRUNCATED_RECORD, record: 6 });
  });

  it('pcapng with a corrupt trailing length', () => {
    const file = pcapngFile([{ linkType: 1 }], frames.map((data) => ({ data })));
    file.writeUInt32LE(0x12345678, file.length - 4);
    const r = readCapture(file);
    expect(seen(r)).toEqual([[1, 1], [2, 2]]);
    expect(r.error).toMatchObject({ code: CaptureErrorCode.BAD_RECORD_LENGTH, record: 6 });
  });

  it('an unknown interface id', () => {
    const file = pcapngFile([{ linkType: 1 }], [{ iface: 0, data: frames[0]! }, { iface: 5, data: frames[1]! }]);
    const r = readCapture(file);
    expect(seen(r)).toEqual([[1, 1]]);
    expect(r.error?.code).toBe(CaptureErrorCode.UNKNOWN_INTERFACE);
  });

  it('not a capture file at all', () => {
    expect(readCapture(Buffer.from('hello, world')).error?.code).toBe(CaptureErrorCode.UNKNOWN_FORMAT);
    expect(readCapture(Buffer.alloc(0)).error?.code).toBe(CaptureErrorCode.UNKNOWN_FORMAT);
    expect(readCapture(pcap(frames).subarray(0, 20)).error?.code).toBe(CaptureErrorCode.BAD_FILE_HEADER);
  });
});
