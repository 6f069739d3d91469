// Hand-made edge-case captures, committed under pcaps/ (regenerate: npx tsx test/pcap-cli/edge-captures.ts).
// Built with the pcapng writer at fixed times, so the same code gives the same bytes; the test
// checks the committed files against a fresh build.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PcapngBuilder } from '../../src/pcap/writer.js';
import { dict, request } from '../replay/traffic.js';
import { avp, message } from '../../src/diameter/codec/builder.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';

export const PCAPS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../pcaps');

const MME = { ip: '10.0.0.1', port: 40001 };
const HSS = { ip: '10.0.0.2', port: 3868 };

function aia(sid: string, hbh: number): Buffer {
  return encodeMessage(message(dict, 'AIA', [
    avp(dict, 'Session-Id', sid), avp(dict, 'Auth-Session-State', 1),
    avp(dict, 'Origin-Host', 'hss.epc.test'), avp(dict, 'Origin-Realm', 'epc.test'), avp(dict, 'Result-Code', 2001),
  ], { hopByHopId: hbh, endToEndId: hbh }, 16777251));
}

/** pcapng blocks of a file image (type and total length lead every block). */
function blocks(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let p = 0; p < buf.length; ) {
    const len = buf.readUInt32LE(p + 4);
    out.push(buf.subarray(p, p + len));
    p += len;
  }
  return out;
}

/**
 * Three AIRs from an MME, each over 3 TCP segments of 100 bytes, and their answers; the
 * second and third segments of the first AIR are swapped in the file, and the second AIR's
 * first segment comes twice (a retransmission).
 */
export function outOfOrderTcp(): Buffer {
  const b = new PcapngBuilder({ maxSegment: 100 });
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
  for (let i = 0; i < 3; i++) {
    const sid = `mme.epc.test;1;${i + 1}`;
    b.add({ time: new Date(t0 + i * 1000), src: MME.ip, srcPort: MME.port, dst: HSS.ip, dstPort: HSS.port, data: request('AIR', sid, `00101000000000${i + 1}`, 'mme.epc.test', { hbh: 100 + i, e2e: 200 + i }) });
    b.add({ time: new Date(t0 + i * 1000 + 5), src: HSS.ip, srcPort: HSS.port, dst: MME.ip, dstPort: MME.port, data: aia(sid, 100 + i) });
  }
  const all = blocks(b.toBuffer());
  // [SHB, IDB, SYN, SYN-ACK, ACK, AIR1 seg1, seg2, seg3, AIA1, AIR2 seg1, ...]
  const [s1, s2] = [all[6]!, all[7]!];
  all[6] = s2;
  all[7] = s1;
  all.splice(10, 0, all[9]!);
  return Buffer.concat(all);
}

/**
 * Two AIR/AIA exchanges over SCTP, every message cut into DATA fragments of 60 bytes (B/E flags,
 * consecutive TSNs, PPID 46); the second and third fragments of the first AIR are swapped in the
 * file, so reassembly has to go by TSN, not by arrival.
 */
export function sctpFragments(): Buffer {
  const b = new PcapngBuilder({ maxSegment: 60, transport: 'sctp' });
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
  for (let i = 0; i < 2; i++) {
    const sid = `mme.epc.test;2;${i + 1}`;
    b.add({ time: new Date(t0 + i * 1000), src: MME.ip, srcPort: MME.port, dst: HSS.ip, dstPort: HSS.port, data: request('AIR', sid, `00101000000001${i}`, 'mme.epc.test', { hbh: 300 + i, e2e: 400 + i }) });
    b.add({ time: new Date(t0 + i * 1000 + 5), src: HSS.ip, srcPort: HSS.port, dst: MME.ip, dstPort: MME.port, data: aia(sid, 300 + i) });
  }
  const all = blocks(b.toBuffer());
  // [SHB, IDB, AIR1 frag1, frag2, frag3, ...]
  const [f2, f3] = [all[3]!, all[4]!];
  all[3] = f3;
  all[4] = f2;
  return Buffer.concat(all);
}

/** The out-of-order capture cut in the middle of its 12th block. */
export function truncated(): Buffer {
  const full = outOfOrderTcp();
  const all = blocks(full);
  const upTo = all.slice(0, 11).reduce((n, x) => n + x.length, 0);
  return full.subarray(0, upTo + 40);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(path.join(PCAPS, 'tcp-out-of-order.pcapng'), outOfOrderTcp());
  writeFileSync(path.join(PCAPS, 'truncated.pcapng'), truncated());
  writeFileSync(path.join(PCAPS, 'sctp-fragments.pcapng'), sctpFragments());
  process.stdout.write(`wrote ${PCAPS}/tcp-out-of-order.pcapng, truncated.pcapng and sctp-fragments.pcapng\n`);
}
