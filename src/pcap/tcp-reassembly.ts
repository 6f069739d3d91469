// TCP (RFC 9293) stream reassembly for Diameter: per direction, sequence numbers put segments
// back in order; retransmitted and overlapping bytes are dropped (first copy wins, as in
// Wireshark); segments after a hole wait until the hole is filled, is acknowledged by the peer
// without ever being captured (lost to the capture), or too much waits behind it.
import { DiameterFramer, FramerStart } from './diameter-framer.js';
import { isLikelyPdu } from './diameter-header.js';
import type { DiameterPdu, PacketMeta } from './diameter-pdu.js';

const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;

/** Signed distance a - b in 32-bit sequence space (RFC 9293 §3.4). */
function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

interface Segment {
  seq: number;
  data: Buffer;
  /** Bytes the segment carried on the wire beyond what was captured (snaplen). */
  missing: number;
  meta: PacketMeta;
}

export interface TcpOptions {
  readonly ports: ReadonlySet<number>;
  readonly heuristic: boolean;
  readonly maxPduLength: number;
}

/** Segments waiting behind a hole before the hole is declared lost. */
const MAX_PENDING_SEGMENTS = 2048;
/** Data segments examined on a non-Diameter port before the heuristic gives up on it. */
const HEURISTIC_PROBES = 8;

class HalfStream {
  nextSeq = 0;
  started = false;
  synSeq = -1;
  pending: Segment[] = [];
  pendingBytes = 0;
  /** Packet whose bytes are being framed: PDUs completed now are attributed to it. */
  meta: PacketMeta;
  readonly framer: DiameterFramer;

  constructor(meta: PacketMeta, maxPduLength: number, out: DiameterPdu[]) {
    this.meta = meta;
    this.framer = new DiameterFramer(maxPduLength, (data) => {
      const m = this.meta;
      out.push({
        frame: m.frame, time: m.time, src: m.src, dst: m.dst,
        srcPort: m.srcPort, dstPort: m.dstPort, transport: 'tcp', stream: undefined, data,
      });
    }, FramerStart.PROBE);
  }

  syn(seq: number): void {
    if (this.started && seq === this.synSeq) return; // SYN retransmitted
    this.synSeq = seq;
    this.started = true;
    this.nextSeq = (seq + 1) >>> 0;
    this.pending = [];
    this.pendingBytes = 0;
    this.framer.reset(FramerStart.BOUNDARY);
  }

  data(seq: number, data: Buffer, missing: number, meta: PacketMeta, maxPduLength: number): void {
    if (!this.started) {
      this.started = true;
      this.nextSeq = seq;
      this.framer.reset(FramerStart.PROBE);
    }
    const d = seqDiff(seq, this.nextSeq);
    const len = data.length + missing;
    if (d + len <= 0) return; // every byte seen before: a retransmission
    if (d > 0) {
      this.hold({ seq, data, missing, meta }, maxPduLength);
      return;
    }
    this.deliver(data.subarray(Math.min(-d, data.length)), missing - Math.max(0, -d - data.length), meta);
    this.drain(meta);
  }

  /** The peer acknowledged up to ack: a hole before that will never be captured. */
  acked(ack: number): void {
    const first = this.pending[0];
    if (first !== undefined && seqDiff(ack, first.seq) >= 0) this.skipHole();
  }

  /** End of capture: give up on holes, frame whatever is left. */
  finish(): void {
    while (this.pending.length > 0) this.skipHole();
  }

  private hold(seg: Segment, maxPduLength: number): void {
    // Insert in sequence order; an identical start keeps the first copy seen.
    let i = this.pending.length;
    while (i > 0 && seqDiff(this.pending[i - 1]!.seq, seg.seq) > 0) i--;
    const prev = this.pending[i - 1];
    if (prev !== undefined && prev.seq === seg.seq && prev.data.length + prev.missing >= seg.data.length + seg.missing) return;
    this.pending.splice(i, 0, seg);
    this.pendingBytes += seg.data.length;
    if (this.pending.length > MAX_PENDING_SEGMENTS || this.pendingBytes > 2 * maxPduLength) this.skipHole();
  }

  private deliver(data: Buffer, missing: number, meta: PacketMeta): void {
    this.meta = meta;
    if (data.length > 0) this.framer.push(data);
    this.nextSeq = (this.nextSeq + data.length + missing) >>> 0;
    if (missing > 0) this.framer.gap();
  }

  /** Delivers held segments that now follow on; `meta` is the packet that made them follow. */
  private drain(meta: PacketMeta | undefined): void {
    while (this.pending.length > 0) {
      const s = this.pending[0]!;
      const d = seqDiff(s.seq, this.nextSeq);
      if (d > 0) return;
      this.pending.shift();
      this.pendingBytes -= s.data.length;
      const len = s.data.length + s.missing;
      if (d + len <= 0) continue;
      this.deliver(s.data.subarray(Math.min(-d, s.data.length)), s.missing - Math.max(0, -d - s.data.length), meta ?? s.meta);
    }
  }

  /** Declares the hole before the first held segment lost and frames on from there. */
  private skipHole(): void {
    const s = this.pending[0];
    if (s === undefined) return;
    this.nextSeq = s.seq;
    this.framer.gap();
    // Each segment completes its PDUs itself: nothing later filled a hole for them.
    this.drain(undefined);
  }
}

class Connection {
  /** 'yes' by port or heuristic, 'no' after the heuristic gave up, else still probing. */
  diameter: 'yes' | 'no' | 'maybe';
  probes = 0;
  constructor(byPort: boolean) {
    this.diameter = byPort ? 'yes' : 'maybe';
  }
}

/** One direction of a connection, found by a single map lookup on the packet's 4-tuple. */
class Direction {
  conn: Connection;
  half: HalfStream | undefined = undefined;
  reverse: Direction | undefined = undefined;
  constructor(conn: Connection) {
    this.conn = conn;
  }
}

export class TcpTracker {
  private readonly opts: TcpOptions;
  private readonly out: DiameterPdu[];
  private readonly dirs = new Map<string, Direction>();

  constructor(opts: TcpOptions, out: DiameterPdu[]) {
    this.opts = opts;
    this.out = out;
  }

  private direction(src: string, srcPort: number, dst: string, dstPort: number, byPort: boolean): Direction {
    const key = `${src}|${srcPort}|${dst}|${dstPort}`;
    let dir = this.dirs.get(key);
    if (dir === undefined) {
      const reverse = this.dirs.get(`${dst}|${dstPort}|${src}|${srcPort}`);
      dir = new Direction(reverse?.conn ?? new Connection(byPort));
      if (reverse !== undefined) {
        dir.reverse = reverse;
        reverse.reverse = dir;
      }
      this.dirs.set(key, dir);
    }
    return dir;
  }

  /**
   * One TCP segment (header at seg[0]) from an IP packet; `missing` is how many bytes of it the
   * snaplen cut off.
   */
  segment(seg: Buffer, missing: number, frame: number, time: PacketMeta['time'], src: string, dst: string): void {
    if (seg.length < 20) return;
    const dataOffset = (seg[12]! >> 4) * 4;
    if (dataOffset < 20 || dataOffset > seg.length) return;
    const srcPort = seg.readUInt16BE(0);
    const dstPort = seg.readUInt16BE(2);
    const byPort = this.opts.ports.has(srcPort) || this.opts.ports.has(dstPort);
    if (!byPort && !this.opts.heuristic) return;
    const flags = seg[13]!;
    const data = seg.subarray(dataOffset);

    const dir = this.direction(src, srcPort, dst, dstPort, byPort);
    let conn = dir.conn;
    if ((flags & (SYN | ACK)) === SYN && conn.diameter !== 'yes') {
      // A new connection on a reused 4-tuple: guess afresh.
      conn = new Connection(byPort);
      dir.conn = conn;
      if (dir.reverse !== undefined) dir.reverse.conn = conn;
    }
    if (conn.diameter === 'no') return;
    if (conn.diameter === 'maybe') {
      if (data.length === 0) return;
      if (!isLikelyPdu(data, 0, data.length, this.opts.maxPduLength, true)) {
        if (++conn.probes >= HEURISTIC_PROBES) conn.diameter = 'no';
        return;
      }
      conn.diameter = 'yes';
    }

    const meta: PacketMeta = { frame, time, src, dst, srcPort, dstPort };
    const half = (dir.half ??= new HalfStream(meta, this.opts.maxPduLength, this.out));
    if ((flags & ACK) !== 0) dir.reverse?.half?.acked(seg.readUInt32BE(8));
    if ((flags & RST) !== 0 && data.length === 0) return;
    let seq = seg.readUInt32BE(4);
    if ((flags & SYN) !== 0) {
      half.syn(seq);
      seq = (seq + 1) >>> 0;
    }
    if (data.length + missing > 0) half.data(seq, data, missing, meta, this.opts.maxPduLength);
  }

  finish(): void {
    for (const dir of this.dirs.values()) dir.half?.finish();
  }
}
