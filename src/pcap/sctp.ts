// SCTP (RFC 9260) for Diameter (RFC 6733 §2.1, PPID 46 per RFC 9260 §3.3.1 registry): walks
// the chunks of each packet and reassembles user messages from DATA fragments (consecutive
// TSNs, B on the first, E on the last: RFC 9260 §6.9) and I-DATA fragments (RFC 8260 §2.1:
// per stream and Message Identifier, ordered by FSN).
import { isLikelyPdu, isPlausibleHeader, pduLength, DIAMETER_HEADER_LEN } from './diameter-header.js';
import type { DiameterPdu, PacketMeta } from './diameter-pdu.js';

const CHUNK_DATA = 0;
const CHUNK_IDATA = 64;
const FLAG_E = 0x01;
const FLAG_B = 0x02;
const FLAG_U = 0x04;
export const PPID_DIAMETER = 46;
const PPID_UNSPECIFIED = 0;
/** Fragments held per direction before the oldest are dropped (lost fragments never complete). */
const MAX_HELD_FRAGMENTS = 4096;
/** TSNs remembered per direction to recognise retransmissions. */
const MAX_REMEMBERED_TSNS = 65536;

/** RFC 6733 §2.1 uses PPID 46; PPID 0 (unspecified) is Diameter by port or by content. */
function mayBeDiameter(ppid: number): boolean {
  return ppid === PPID_DIAMETER || ppid === PPID_UNSPECIFIED;
}

export interface SctpOptions {
  readonly ports: ReadonlySet<number>;
  readonly heuristic: boolean;
  readonly maxPduLength: number;
}

interface Fragment {
  readonly flags: number;
  readonly stream: number;
  readonly ppid: number;
  readonly data: Buffer;
}

interface IDataMessage {
  ppid: number;
  /** FSN of the E fragment, once seen. */
  last: number;
  readonly parts: Map<number, Buffer>;
}

class Direction {
  /** TSNs seen, oldest first in `order` so the set stays bounded. */
  private readonly seen = new Set<number>();
  private readonly order: number[] = [];
  private oldest = 0;
  /** DATA fragments by TSN. */
  readonly byTsn = new Map<number, Fragment>();
  /** I-DATA messages in progress by "stream/U/MID". */
  readonly byMid = new Map<string, IDataMessage>();

  /** Records a TSN; false if it was seen before (a retransmission, which Wireshark skips too). */
  firstSight(tsn: number): boolean {
    if (this.seen.has(tsn)) return false;
    this.seen.add(tsn);
    this.order.push(tsn);
    if (this.seen.size > MAX_REMEMBERED_TSNS) {
      this.seen.delete(this.order[this.oldest++]!);
      if (this.oldest > MAX_REMEMBERED_TSNS) {
        this.order.splice(0, this.oldest);
        this.oldest = 0;
      }
    }
    return true;
  }
}

export class SctpTracker {
  private readonly opts: SctpOptions;
  private readonly out: DiameterPdu[];
  private readonly dirs = new Map<string, Direction>();

  constructor(opts: SctpOptions, out: DiameterPdu[]) {
    this.opts = opts;
    this.out = out;
  }

  /** One SCTP packet (common header at pkt[0]). */
  packet(pkt: Buffer, frame: number, time: PacketMeta['time'], src: string, dst: string): void {
    if (pkt.length < 12) return;
    const meta: PacketMeta = { frame, time, src, dst, srcPort: pkt.readUInt16BE(0), dstPort: pkt.readUInt16BE(2) };
    let dir: Direction | undefined;
    let p = 12;
    while (p + 4 <= pkt.length) {
      const type = pkt[p]!;
      const flags = pkt[p + 1]!;
      const len = pkt.readUInt16BE(p + 2);
      if (len < 4 || p + len > pkt.length) return; // malformed or cut by the snaplen
      if (type === CHUNK_DATA && len >= 16) {
        const tsn = pkt.readUInt32BE(p + 4);
        const stream = pkt.readUInt16BE(p + 8);
        const ppid = pkt.readUInt32BE(p + 12);
        dir ??= this.direction(meta);
        this.data(dir, meta, flags, tsn, stream, ppid, pkt.subarray(p + 16, p + len));
      } else if (type === CHUNK_IDATA && len >= 20) {
        const stream = pkt.readUInt16BE(p + 8);
        const mid = pkt.readUInt32BE(p + 12);
        const ppidOrFsn = pkt.readUInt32BE(p + 16);
        const tsn = pkt.readUInt32BE(p + 4);
        dir ??= this.direction(meta);
        this.idata(dir, meta, flags, tsn, stream, mid, ppidOrFsn, pkt.subarray(p + 20, p + len));
      }
      p += (len + 3) & ~3;
    }
  }

  private direction(meta: PacketMeta): Direction {
    const key = `${meta.src}|${meta.srcPort}|${meta.dst}|${meta.dstPort}`;
    let d = this.dirs.get(key);
    if (d === undefined) {
      d = new Direction();
      this.dirs.set(key, d);
    }
    return d;
  }

  private data(dir: Direction, meta: PacketMeta, flags: number, tsn: number, stream: number, ppid: number, data: Buffer): void {
    if (!mayBeDiameter(ppid)) return;
    if (!dir.firstSight(tsn)) return;
    if ((flags & (FLAG_B | FLAG_E)) === (FLAG_B | FLAG_E)) {
      this.message(meta, stream, ppid, data);
      return;
    }
    if (dir.byTsn.size >= MAX_HELD_FRAGMENTS) {
      const oldest = dir.byTsn.keys().next().value;
      if (oldest !== undefined) dir.byTsn.delete(oldest);
    }
    dir.byTsn.set(tsn, { flags, stream, ppid, data });
    // Fragments of one message have consecutive TSNs: look back to B and forward to E.
    let first = tsn;
    for (;;) {
      const f = dir.byTsn.get(first);
      if (f === undefined) return;
      if ((f.flags & FLAG_B) !== 0) break;
      first = (first - 1) >>> 0;
    }
    let last = tsn;
    for (;;) {
      const f = dir.byTsn.get(last);
      if (f === undefined) return;
      if ((f.flags & FLAG_E) !== 0) break;
      last = (last + 1) >>> 0;
    }
    const parts: Buffer[] = [];
    let head: Fragment | undefined;
    for (let t = first; ; t = (t + 1) >>> 0) {
      const f = dir.byTsn.get(t)!;
      head ??= f;
      parts.push(f.data);
      dir.byTsn.delete(t);
      if (t === last) break;
    }
    this.message(meta, head!.stream, head!.ppid, Buffer.concat(parts));
  }

  private idata(dir: Direction, meta: PacketMeta, flags: number, tsn: number, stream: number, mid: number, ppidOrFsn: number, data: Buffer): void {
    const b = (flags & FLAG_B) !== 0;
    if (!dir.firstSight(tsn)) return;
    if ((flags & (FLAG_B | FLAG_E)) === (FLAG_B | FLAG_E)) {
      if (mayBeDiameter(ppidOrFsn)) this.message(meta, stream, ppidOrFsn, data);
      return;
    }
    const key = `${stream}/${flags & FLAG_U}/${mid}`;
    let msg = dir.byMid.get(key);
    if (msg === undefined) {
      if (dir.byMid.size >= MAX_HELD_FRAGMENTS) {
        const oldest = dir.byMid.keys().next().value;
        if (oldest !== undefined) dir.byMid.delete(oldest);
      }
      msg = { ppid: -1, last: -1, parts: new Map() };
      dir.byMid.set(key, msg);
    }
    // The B fragment has FSN 0 implicitly; its FSN field carries the PPID instead.
    const fsn = b ? 0 : ppidOrFsn;
    if (b) msg.ppid = ppidOrFsn;
    if ((flags & FLAG_E) !== 0) msg.last = fsn;
    if (!msg.parts.has(fsn)) msg.parts.set(fsn, data);
    if (msg.ppid < 0 || msg.last < 0 || msg.parts.size < msg.last + 1) return;
    const parts: Buffer[] = [];
    for (let i = 0; i <= msg.last; i++) {
      const part = msg.parts.get(i);
      if (part === undefined) return;
      parts.push(part);
    }
    dir.byMid.delete(key);
    if (mayBeDiameter(msg.ppid)) this.message(meta, stream, msg.ppid, Buffer.concat(parts));
  }

  /** A whole user message: one Diameter PDU (or several back to back, which is tolerated). */
  private message(meta: PacketMeta, stream: number, ppid: number, msg: Buffer): void {
    const max = this.opts.maxPduLength;
    if (ppid !== PPID_DIAMETER) {
      const byPort = this.opts.ports.has(meta.srcPort) || this.opts.ports.has(meta.dstPort);
      if (!byPort && !(this.opts.heuristic && isLikelyPdu(msg, 0, msg.length, max, false))) return;
    }
    let p = 0;
    while (p + DIAMETER_HEADER_LEN <= msg.length && isPlausibleHeader(msg, p, max)) {
      const len = pduLength(msg, p);
      if (p + len > msg.length) return;
      this.out.push({
        frame: meta.frame, time: meta.time, src: meta.src, dst: meta.dst,
        srcPort: meta.srcPort, dstPort: meta.dstPort, transport: 'sctp', stream,
        data: p === 0 && len === msg.length ? msg : msg.subarray(p, p + len),
      });
      p += len;
    }
  }
}
