// Builds the packets the writer records: Ethernet II (or nothing, for raw-IP captures), IPv4
// (RFC 791) or IPv6 (RFC 8200), then a TCP segment (RFC 9293 §3.1) or an SCTP packet
// (RFC 9260 §3) with correct lengths and checksums.
import { crc32c, onesComplementAdd, onesComplementFinish } from './checksum.js';

export const IPPROTO_TCP = 6;
export const IPPROTO_SCTP = 132;

export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

/** Parses a textual IPv4 or IPv6 address into its 4 or 16 bytes; undefined if malformed. */
export function parseIp(text: string): Buffer | undefined {
  if (!text.includes(':')) {
    const parts = text.split('.');
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
    return Buffer.from(parts.map(Number));
  }
  let t = text;
  const lastColon = t.lastIndexOf(':');
  const last = t.slice(lastColon + 1);
  if (last.includes('.')) {
    // Embedded IPv4 in the last 32 bits (RFC 4291 §2.2, form 3): rewrite as two hex groups.
    const v4 = parseIp(last);
    if (v4 === undefined) return undefined;
    t = `${t.slice(0, lastColon + 1)}${v4.readUInt16BE(0).toString(16)}:${v4.readUInt16BE(2).toString(16)}`;
  }
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const g = s.split(':');
    if (g.some((x) => !/^[0-9a-fA-F]{1,4}$/.test(x))) return undefined;
    return g.map((x) => parseInt(x, 16));
  };
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || rest === undefined) return undefined;
  const known = head.length + rest.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return undefined;
  const all = [...head, ...new Array<number>(8 - known).fill(0), ...rest];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** Sum of the IPv4 or IPv6 pseudo-header (RFC 9293 §3.1, RFC 8200 §8.1). */
function pseudoHeaderSum(src: Buffer, dst: Buffer, protocol: number, length: number): number {
  let s = onesComplementAdd(0, src, 0, src.length);
  s = onesComplementAdd(s, dst, 0, dst.length);
  return s + protocol + (length >>> 16) + (length & 0xffff);
}

export interface TcpSegmentSpec {
  readonly src: Buffer;
  readonly dst: Buffer;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly payload: Buffer;
  readonly checksum: boolean;
}

export function tcpSegment(s: TcpSegmentSpec): Buffer {
  const seg = Buffer.alloc(20 + s.payload.length);
  seg.writeUInt16BE(s.srcPort, 0);
  seg.writeUInt16BE(s.dstPort, 2);
  seg.writeUInt32BE(s.seq >>> 0, 4);
  seg.writeUInt32BE(s.ack >>> 0, 8);
  seg[12] = 5 << 4; // data offset: 5 words, no options
  seg[13] = s.flags;
  seg.writeUInt16BE(65535, 14); // window
  s.payload.copy(seg, 20);
  if (s.checksum) {
    const sum = onesComplementAdd(pseudoHeaderSum(s.src, s.dst, IPPROTO_TCP, seg.length), seg, 0, seg.length);
    seg.writeUInt16BE(onesComplementFinish(sum), 16);
  }
  return seg;
}

export interface SctpDataSpec {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly verificationTag: number;
  readonly tsn: number;
  readonly stream: number;
  readonly ssn: number;
  readonly ppid: number;
  /** DATA chunk flags: B (0x02) and/or E (0x01). */
  readonly flags: number;
  readonly payload: Buffer;
  readonly checksum: boolean;
}

/** An SCTP packet holding one DATA chunk (RFC 9260 §3.3.1). */
export function sctpDataPacket(s: SctpDataSpec): Buffer {
  const chunkLen = 16 + s.payload.length;
  const pkt = Buffer.alloc(12 + ((chunkLen + 3) & ~3));
  pkt.writeUInt16BE(s.srcPort, 0);
  pkt.writeUInt16BE(s.dstPort, 2);
  pkt.writeUInt32BE(s.verificationTag >>> 0, 4);
  pkt[12] = 0; // DATA
  pkt[13] = s.flags;
  pkt.writeUInt16BE(chunkLen, 14);
  pkt.writeUInt32BE(s.tsn >>> 0, 16);
  pkt.writeUInt16BE(s.stream, 20);
  pkt.writeUInt16BE(s.ssn & 0xffff, 22);
  pkt.writeUInt32BE(s.ppid >>> 0, 24);
  s.payload.copy(pkt, 28);
  if (s.checksum) pkt.writeUInt32LE(crc32c(pkt), 8);
  return pkt;
}

/** Wraps a transport segment in an IPv4 or IPv6 header (chosen by the address length). */
export function ipPacket(src: Buffer, dst: Buffer, protocol: number, id: number, payload: Buffer, checksum: boolean): Buffer {
  if (src.length === 4) {
    const pkt = Buffer.alloc(20 + payload.length);
    pkt[0] = 0x45;
    pkt.writeUInt16BE(pkt.length, 2);
    pkt.writeUInt16BE(id & 0xffff, 4);
    pkt.writeUInt16BE(0x4000, 6); // DF
    pkt[8] = 64;
    pkt[9] = protocol;
    src.copy(pkt, 12);
    dst.copy(pkt, 16);
    if (checksum) pkt.writeUInt16BE(onesComplementFinish(onesComplementAdd(0, pkt, 0, 20)), 10);
    payload.copy(pkt, 20);
    return pkt;
  }
  const pkt = Buffer.alloc(40 + payload.length);
  pkt.writeUInt32BE(0x60000000, 0);
  pkt.writeUInt16BE(payload.length, 4);
  pkt[6] = protocol;
  pkt[7] = 64;
  src.copy(pkt, 8);
  dst.copy(pkt, 24);
  payload.copy(pkt, 40);
  return pkt;
}

/** TCP checksums need the pseudo-header, so TCP segments are built with their addresses. */
export function tcpIpPacket(s: TcpSegmentSpec, id: number): Buffer {
  return ipPacket(s.src, s.dst, IPPROTO_TCP, id, tcpSegment(s), s.checksum);
}

/** Ethernet II header with locally administered MACs derived from the IP addresses. */
export function ethernetFrame(src: Buffer, dst: Buffer, ip: Buffer): Buffer {
  const f = Buffer.alloc(14 + ip.length);
  f[0] = 0x02;
  dst.copy(f, 2, dst.length - 4);
  f[6] = 0x02;
  src.copy(f, 8, src.length - 4);
  f.writeUInt16BE(src.length === 4 ? 0x0800 : 0x86dd, 12);
  ip.copy(f, 14);
  return f;
}
