// The writer's captures read back through the reader, and tshark dissects them cleanly: every
// message seen, nothing malformed, no warnings (with checksum validation switched on).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureErrorCode } from '../../src/pcap/capture-errors.js';
import { readCapture, readCaptureFile } from '../../src/pcap/reader.js';
import { PcapngBuilder, PcapngFileWriter, writePcapng } from '../../src/pcap/writer.js';
import type { CaptureRecord, WriterOptions } from '../../src/pcap/writer.js';
import { diameter } from './naive-bytes.js';

const TSHARK = '/usr/bin/tshark';
const haveTshark = existsSync(TSHARK);
const work = mkdtempSync(path.join(tmpdir(), 'diamond-pcap-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const t = (s: number, nanos = 0): { seconds: number; nanos: number } => ({ seconds: 1_700_000_000 + s, nanos });

/** A conversation: S6a over TCP both ways (IPv4), ULRs over SCTP on several streams (IPv6). */
function records(): CaptureRecord[] {
  const out: CaptureRecord[] = [];
  for (let i = 0; i < 6; i++) {
    const filler = i === 0 ? {} : { filler: i * 1700 }; // up to ~8.5 kB: several segments
    out.push({
      time: t(i, 100), src: '10.1.0.1', dst: '10.1.0.2', srcPort: 40000, dstPort: 3868,
      data: diameter({ code: 318, request: true, appId: 16777251, hopByHop: 10 + i, sessionId: `mme;${i}`, ...filler }),
    });
    out.push({
      time: t(i, 200), src: '10.1.0.2', dst: '10.1.0.1', srcPort: 3868, dstPort: 40000,
      data: diameter({ code: 318, request: false, appId: 16777251, hopByHop: 10 + i, sessionId: `mme;${i}` }),
    });
    out.push({
      time: new Date(1_700_000_000_000 + i * 1000 + 300), src: '2001:db8::1', dst: '2001:db8::2', srcPort: 36412, dstPort: 3868,
      transport: 'sctp', stream: i % 3,
      data: diameter({ code: 316, request: true, appId: 16777251, hopByHop: 100 + i, sessionId: `ulr;${i}`, ...filler }),
    });
  }
  return out;
}

function hopByHops(bufs: Buffer[]): number[] {
  return bufs.map((b) => b.readUInt32BE(12));
}

describe('writer round trip through the reader', () => {
  const variants: Array<[string, WriterOptions]> = [
    ['Ethernet, handshake', {}],
    ['raw IP, no handshake', { linkType: 'raw', handshake: false }],
    ['tiny segments, no checksums', { maxSegment: 100, checksums: false }],
  ];
  for (const [name, opts] of variants) {
    it(name, () => {
      const recs = records();
      const r = readCapture(writePcapng(recs, opts));
      expect(r.error).toBeUndefined();
      expect(hopByHops(r.pdus.map((p) => p.data))).toEqual(hopByHops(recs.map((x) => x.data)));
      r.pdus.forEach((p, i) => {
        const rec = recs[i]!;
        expect(p.data).toEqual(rec.data);
        expect(p).toMatchObject({ src: rec.src, dst: rec.dst, srcPort: rec.srcPort, dstPort: rec.dstPort, transport: rec.transport ?? 'tcp' });
        if (rec.transport === 'sctp') expect(p.stream).toBe(rec.stream);
      });
      expect(r.pdus[0]!.time).toEqual(t(0, 100));
      expect(r.pdus[2]!.time).toEqual(t(0, 300_000_000));
      // Frame numbers rise strictly: each message completes in its own (last) packet.
      expect(r.pdus.every((p, i) => i === 0 || p.frame > r.pdus[i - 1]!.frame)).toBe(true);
      if (opts.handshake !== false) expect(r.pdus[0]!.frame).toBe(4); // after SYN, SYN-ACK, ACK
    });
  }

  it('streams to a file: open, append, close', () => {
    const file = path.join(work, 'stream.pcapng');
    const w = PcapngFileWriter.open(file);
    const recs = records();
    for (const rec of recs) w.append(rec);
    w.close();
    w.close(); // closing twice is harmless
    expect(() => w.append(recs[0]!)).toThrow(expect.objectContaining({ code: CaptureErrorCode.BAD_WRITE_RECORD }));
    const r = readCaptureFile(file);
    expect(r.error).toBeUndefined();
    expect(r.pdus.map((p) => p.data)).toEqual(recs.map((x) => x.data));
  });

  it('rejects records it cannot encode, naming the field', () => {
    const b = new PcapngBuilder();
    const ok: CaptureRecord = { time: t(0), src: '10.0.0.1', dst: '10.0.0.2', srcPort: 1, dstPort: 3868, data: Buffer.alloc(20) };
    expect(() => b.add({ ...ok, src: '10.0.0.300' })).toThrow(/record\.src/);
    expect(() => b.add({ ...ok, dst: '::1' })).toThrow(/record\.dst/);
    expect(() => b.add({ ...ok, srcPort: 70000 })).toThrow(expect.objectContaining({ code: CaptureErrorCode.BAD_WRITE_RECORD }));
  });
});

describe.skipIf(!haveTshark)('tshark reads the writer output cleanly', () => {
  const tshark = (file: string, ...args: string[]): string[] =>
    execFileSync(TSHARK, [
      '-r', file, '-o', 'sctp.checksum:CRC-32C', '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', ...args,
    ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter((l) => l !== '');

  for (const linkType of ['ethernet', 'raw'] as const) {
    it(`${linkType}: every message, no malformed packet, no warning`, () => {
      const recs = records();
      const file = path.join(work, `tshark-${linkType}.pcapng`);
      writeFileSync(file, writePcapng(recs, { linkType }));
      const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`; // tshark's hop-by-hop format
      const ours = readCaptureFile(file).pdus.map((p) => `${p.frame}\t${p.data.readUInt32BE(4) & 0xffffff}\t${hex(p.data.readUInt32BE(12))}`);
      const theirs = tshark(file, '-Y', 'diameter', '-T', 'fields', '-e', 'frame.number', '-e', 'diameter.cmd.code', '-e', 'diameter.hopbyhopid');
      expect(theirs).toEqual(ours);
      expect(theirs.length).toBe(recs.length);
      expect(tshark(file, '-Y', '_ws.malformed')).toEqual([]);
      // Severity warning is 0x00600000; errors (bad checksums) are above it.
      const warnings = tshark(file, '-Y', '_ws.expert.severity >= 0x00600000', '-T', 'fields', '-e', 'frame.number', '-e', '_ws.expert.message');
      expect(warnings).toEqual([]);
    });
  }
});

if (!haveTshark) {
  describe('tshark reads the writer output cleanly', () => {
    it.skip(`skipped: ${TSHARK} not installed`, () => {});
  });
}
