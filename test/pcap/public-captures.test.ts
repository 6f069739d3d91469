// Every public capture in ../shared/pcaps-public must give exactly the Diameter PDUs tshark 4.0
// shows (tshark-fields/<file>.tsv: frame, cmd code, R flag, application id, Session-Id).
// The captures are third-party data read in place; they are never copied into this repo.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCaptureFile } from '../../src/pcap/reader.js';
import type { DiameterPdu } from '../../src/pcap/reader.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = path.resolve(repoRoot, '../shared');
const dir = path.join(shared, 'pcaps-public');
const TSHARK = '/usr/bin/tshark';

/** Session-Id (AVP 263) among the top-level AVPs; '' when absent. RFC 6733 §4.1 layout. */
function sessionId(msg: Buffer): string {
  const end = msg.readUInt32BE(0) & 0xffffff;
  let p = 20;
  while (p + 8 <= end) {
    const code = msg.readUInt32BE(p);
    const len = msg.readUInt32BE(p + 4) & 0xffffff;
    const headerLen = (msg[p + 4]! & 0x80) !== 0 ? 12 : 8; // V flag: 4-byte Vendor-Id follows
    if (len < headerLen) return '';
    if (code === 263) return msg.toString('utf8', p + headerLen, p + len);
    p += (len + 3) & ~3;
  }
  return '';
}

interface Row {
  frame: number;
  code: string;
  request: string;
  app: string;
  session: string;
}

/** Our PDUs grouped per frame, in tshark's comma-joined per-frame format. */
function rowsOf(pdus: DiameterPdu[]): Row[] {
  const byFrame = new Map<number, DiameterPdu[]>();
  for (const p of pdus) byFrame.set(p.frame, [...(byFrame.get(p.frame) ?? []), p]);
  return [...byFrame].map(([frame, ps]) => ({
    frame,
    code: ps.map((p) => p.data.readUInt32BE(4) & 0xffffff).join(','),
    request: ps.map((p) => ((p.data[4]! & 0x80) !== 0 ? 1 : 0)).join(','),
    app: ps.map((p) => p.data.readUInt32BE(8)).join(','),
    // tshark joins only the values present, so messages without a Session-Id add nothing.
    session: ps.map((p) => sessionId(p.data)).filter((s) => s !== '').join(','),
  }));
}

function parseTsv(text: string): Row[] {
  return text.split('\n').filter((l) => l !== '').map((l) => {
    const [frame, code, request, app, session] = l.split('\t');
    return { frame: Number(frame), code: code ?? '', request: request ?? '', app: app ?? '', session: session ?? '' };
  });
}

const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f)).sort() : [];

describe('public captures match tshark', () => {
  if (!existsSync(shared)) {
    it.skip('skipped: no ../shared', () => {});
    return;
  }

  it('finds the capture files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(file, () => {
      const expected = parseTsv(readFileSync(path.join(dir, 'tshark-fields', `${file}.tsv`), 'utf8'));
      // tshark's defaults: Diameter on port 3868 and SCTP PPID 46, no guessing on other ports.
      const r = readCaptureFile(path.join(dir, file), { ports: [3868], heuristic: false });
      expect(r.error).toBeUndefined();
      expect(rowsOf(r.pdus)).toEqual(expected);
      const count = expected.reduce((n, row) => n + row.code.split(',').length, 0);
      expect(r.pdus.length).toBe(count);
    });
  }

  // Time, source address and port as tshark prints them, on one file per format and link type.
  for (const file of ['pkts-diameter.pcap', 'diafuzzer-cx.pcap', 'magma-nsa_connection.pcap', 'open5gs-testepc.pcapng', 'open5gs-volte.pcapng', 'pyhss-aia2.pcapng']) {
    it.skipIf(!existsSync(TSHARK) || !files.includes(file))(`time, source and port like tshark: ${file}`, () => {
      const out = execFileSync(TSHARK, [
        '-r', path.join(dir, file), '-Y', 'diameter', '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch',
        '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'sctp.srcport',
      ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const theirs = out.split('\n').filter((l) => l !== '').map((l) => {
        const [frame, time, v4, v6, tcpPort, sctpPort] = l.split('\t');
        return `${frame} ${time} ${(v4 !== '' ? v4 : v6) ?? ''} ${(tcpPort !== '' ? tcpPort : sctpPort) ?? ''}`;
      });
      const ours = [...new Map(readCaptureFile(path.join(dir, file), { ports: [3868], heuristic: false }).pdus.map((p) =>
        [p.frame, `${p.frame} ${p.time.seconds}.${String(p.time.nanos).padStart(9, '0')} ${p.src} ${p.srcPort}`])).values()];
      expect(ours).toEqual(theirs);
    });
  }

  // With the heuristic on, the reader also finds Rx on Kamailio's non-standard port 3871. It must
  // find exactly what tshark finds when told that port is Diameter.
  const tsharkOk = existsSync(TSHARK);
  for (const file of ['open5gs-volte.pcapng', 'open5gs-ipsec_to_ipsec_call.pcapng', 'open5gs-ipsec_to_nonipsec_call.pcapng']) {
    it.skipIf(!tsharkOk || !files.includes(file))(`heuristic finds port 3871 like tshark -d tcp.port==3871,diameter: ${file}`, () => {
      const out = execFileSync(TSHARK, [
        '-r', path.join(dir, file), '-d', 'tcp.port==3871,diameter', '-Y', 'diameter',
        '-T', 'fields', '-e', 'frame.number', '-e', 'diameter.cmd.code', '-e', 'diameter.flags.request',
        '-e', 'diameter.applicationId', '-e', 'diameter.Session-Id',
      ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const r = readCaptureFile(path.join(dir, file));
      const rows = rowsOf(r.pdus);
      expect(rows).toEqual(parseTsv(out));
      expect(rows.length).toBeGreaterThan(parseTsv(readFileSync(path.join(dir, 'tshark-fields', `${file}.tsv`), 'utf8')).length);
    });
  }
});
