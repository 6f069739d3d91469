// Writes Diameter messages as a pcapng capture that Wireshark/tshark dissect without complaint:
// one SHB, one IDB (Ethernet or raw IP), one EPB per packet. Each message rides on synthesised
// IPv4/IPv6 + TCP (optional 3-way handshake, per-direction sequence numbers, segments of at
// most maxSegment bytes) or SCTP (DATA chunks, PPID 46, B/E fragmentation, CRC32c).
// Sequence numbers, TSNs and tags come from a hash of the addresses: the same records always
// give the same bytes, which keeps test fixtures stable.
import { closeSync, openSync, writeSync } from 'node:fs';
import { PcapWriteError } from './capture-errors.js';
import type { Transport } from './diameter-pdu.js';
import { LinkType } from './link-layer.js';
import {
  ethernetFrame, ipPacket, IPPROTO_SCTP, parseIp, sctpDataPacket, TcpFlag, tcpIpPacket,
} from './packet-synth.js';
import type { TcpSegmentSpec } from './packet-synth.js';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock } from './pcapng-blocks.js';
import { PPID_DIAMETER } from './sctp.js';
import { dateToTime } from './timestamp.js';
import type { PcapTime } from './timestamp.js';

export type { PcapTime } from './timestamp.js';

export interface CaptureRecord {
  readonly time: Date | PcapTime;
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  /** One Diameter message (or any bytes: the writer does not look inside). */
  readonly data: Buffer;
  /** Overrides the writer's default transport for this record. */
  readonly transport?: Transport;
  /** SCTP stream identifier (default 0). */
  readonly stream?: number;
}

export interface WriterOptions {
  /** 'ethernet' (LINKTYPE_ETHERNET, default) or 'raw' (LINKTYPE_RAW: bare IPv4/IPv6). */
  readonly linkType?: 'ethernet' | 'raw';
  /** Default transport of records that do not name one (default 'tcp'). */
  readonly transport?: Transport;
  /** Emit SYN, SYN-ACK, ACK before a TCP connection's first message (default true). */
  readonly handshake?: boolean;
  /** Largest TCP payload per segment / SCTP DATA fragment (default 1460). */
  readonly maxSegment?: number;
  /** Fill in IPv4, TCP and SCTP checksums (default true); false leaves them zero. */
  readonly checksums?: boolean;
  /** shb_userappl written in the section header (default "Diamond"). */
  readonly application?: string;
}

/** FNV-1a: a deterministic 32-bit value from a string. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

interface TcpConnection {
  /** Direction key of the side that opened the connection. */
  readonly clientKey: string;
  clientSeq: number;
  serverSeq: number;
}

interface SctpDirection {
  readonly verificationTag: number;
  tsn: number;
  readonly ssn: Map<number, number>;
}

function checkPort(field: string, p: number): void {
  if (!Number.isInteger(p) || p < 0 || p > 65535) {
    throw new PcapWriteError(`record.${field}: expected an integer port 0-65535, got ${String(p)}`);
  }
}

function address(field: string, text: string): Buffer {
  const b = parseIp(text);
  if (b === undefined) throw new PcapWriteError(`record.${field}: expected an IPv4 or IPv6 address, got "${text}"`);
  return b;
}

/** Turns records into pcapng blocks; holds the TCP and SCTP state that spans records. */
export class PcapngEncoder {
  private readonly ethernet: boolean;
  private readonly transport: Transport;
  private readonly handshake: boolean;
  private readonly maxSegment: number;
  private readonly checksums: boolean;
  private readonly application: string;
  private ipId = 1;
  private readonly tcp = new Map<string, TcpConnection>();
  private readonly sctp = new Map<string, SctpDirection>();

  constructor(options: WriterOptions = {}) {
    this.ethernet = (options.linkType ?? 'ethernet') === 'ethernet';
    this.transport = options.transport ?? 'tcp';
    this.handshake = options.handshake ?? true;
    this.maxSegment = options.maxSegment ?? 1460;
    this.checksums = options.checksums ?? true;
    this.application = options.application ?? 'Diamond';
    if (!Number.isInteger(this.maxSegment) || this.maxSegment < 1 || this.maxSegment > 65000) {
      throw new PcapWriteError(`options.maxSegment: expected an integer 1-65000, got ${String(options.maxSegment)}`);
    }
  }

  /** The section header and interface description: the first bytes of the file. */
  header(): Buffer {
    const linkType = this.ethernet ? LinkType.ETHERNET : LinkType.RAW;
    return Buffer.concat([sectionHeaderBlock(this.application), interfaceDescriptionBlock(linkType, 'diamond')]);
  }

  /** The EPBs carrying one record (several when handshaking or segmenting). */
  encode(rec: CaptureRecord): Buffer[] {
    const src = address('src', rec.src);
    const dst = address('dst', rec.dst);
    if (src.length !== dst.length) throw new PcapWriteError(`record.dst: "${rec.dst}" is not the same IP version as record.src "${rec.src}"`);
    checkPort('srcPort', rec.srcPort);
    checkPort('dstPort', rec.dstPort);
    const time = rec.time instanceof Date ? dateToTime(rec.time) : rec.time;
    const packets = (rec.transport ?? this.transport) === 'sctp'
      ? this.sctpPackets(rec, src, dst)
      : this.tcpPackets(rec, src, dst);
    return packets.map((ip) => enhancedPacketBlock(time, this.ethernet ? ethernetFrame(src, dst, ip) : ip));
  }

  private tcpPackets(rec: CaptureRecord, src: Buffer, dst: Buffer): Buffer[] {
    const fwd = `${rec.src}|${rec.srcPort}|${rec.dst}|${rec.dstPort}`;
    const rev = `${rec.dst}|${rec.dstPort}|${rec.src}|${rec.srcPort}`;
    const key = fwd < rev ? fwd : rev;
    const out: Buffer[] = [];
    /** A segment in the record's direction (forward) or back towards its sender. */
    const segment = (forward: boolean, seq: number, ack: number, flags: number, payload: Buffer): void => {
      const spec: TcpSegmentSpec = {
        src: forward ? src : dst, dst: forward ? dst : src,
        srcPort: forward ? rec.srcPort : rec.dstPort, dstPort: forward ? rec.dstPort : rec.srcPort,
        seq, ack, flags, payload, checksum: this.checksums,
      };
      out.push(tcpIpPacket(spec, this.ipId++));
    };
    let conn = this.tcp.get(key);
    if (conn === undefined) {
      // The sender of the first record is taken as the side that connected.
      conn = { clientKey: fwd, clientSeq: hash32(`c${key}`), serverSeq: hash32(`s${key}`) };
      this.tcp.set(key, conn);
      if (this.handshake) {
        const none = Buffer.alloc(0);
        segment(true, conn.clientSeq, 0, TcpFlag.SYN, none);
        segment(false, conn.serverSeq, conn.clientSeq + 1, TcpFlag.SYN | TcpFlag.ACK, none);
        conn.clientSeq = (conn.clientSeq + 1) >>> 0;
        conn.serverSeq = (conn.serverSeq + 1) >>> 0;
        segment(true, conn.clientSeq, conn.serverSeq, TcpFlag.ACK, none);
      }
    }
    const fromClient = conn.clientKey === fwd;
    for (let p = 0; p < rec.data.length; p += this.maxSegment) {
      const part = rec.data.subarray(p, Math.min(rec.data.length, p + this.maxSegment));
      const last = p + this.maxSegment >= rec.data.length;
      const flags = TcpFlag.ACK | (last ? TcpFlag.PSH : 0);
      if (fromClient) {
        segment(true, conn.clientSeq, conn.serverSeq, flags, part);
        conn.clientSeq = (conn.clientSeq + part.length) >>> 0;
      } else {
        segment(true, conn.serverSeq, conn.clientSeq, flags, part);
        conn.serverSeq = (conn.serverSeq + part.length) >>> 0;
      }
    }
    return out;
  }

  private sctpPackets(rec: CaptureRecord, src: Buffer, dst: Buffer): Buffer[] {
    const fwd = `${rec.src}|${rec.srcPort}|${rec.dst}|${rec.dstPort}`;
    let dir = this.sctp.get(fwd);
    if (dir === undefined) {
      dir = { verificationTag: hash32(`v${fwd}`), tsn: hash32(`t${fwd}`), ssn: new Map() };
      this.sctp.set(fwd, dir);
    }
    const stream = rec.stream ?? 0;
    if (!Number.isInteger(stream) || stream < 0 || stream > 65535) {
      throw new PcapWriteError(`record.stream: expected an integer 0-65535, got ${String(rec.stream)}`);
    }
    const ssn = dir.ssn.get(stream) ?? 0;
    dir.ssn.set(stream, (ssn + 1) & 0xffff);
    const out: Buffer[] = [];
    const n = rec.data.length;
    for (let p = 0; p === 0 || p < n; p += this.maxSegment) {
      const end = Math.min(n, p + this.maxSegment);
      const flags = (p === 0 ? 0x02 : 0) | (end === n ? 0x01 : 0); // B on the first, E on the last
      const pkt = sctpDataPacket({
        srcPort: rec.srcPort, dstPort: rec.dstPort, verificationTag: dir.verificationTag,
        tsn: dir.tsn, stream, ssn, ppid: PPID_DIAMETER, flags,
        payload: rec.data.subarray(p, end), checksum: this.checksums,
      });
      dir.tsn = (dir.tsn + 1) >>> 0;
      out.push(ipPacket(src, dst, IPPROTO_SCTP, this.ipId++, pkt, this.checksums));
    }
    return out;
  }
}

/** In-memory capture, for tests and tools: add records, then toBuffer(). */
export class PcapngBuilder {
  private readonly encoder: PcapngEncoder;
  private readonly parts: Buffer[];

  constructor(options: WriterOptions = {}) {
    this.encoder = new PcapngEncoder(options);
    this.parts = [this.encoder.header()];
  }

  add(rec: CaptureRecord): this {
    this.parts.push(...this.encoder.encode(rec));
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Encodes records into one pcapng file image. */
export function writePcapng(records: Iterable<CaptureRecord>, options: WriterOptions = {}): Buffer {
  const b = new PcapngBuilder(options);
  for (const r of records) b.add(r);
  return b.toBuffer();
}

/** Blocks are gathered up to this size before a write: one syscall per ~64 KiB, not per packet. */
const FLUSH_BYTES = 64 * 1024;

/**
 * Streaming capture file: open, append records, close. Writes are synchronous (meant for
 * debug captures of the node's own traffic, where simple and ordered beats fast) and batched.
 */
export class PcapngFileWriter {
  private readonly encoder: PcapngEncoder;
  private fd: number | undefined;
  private queued: Buffer[] = [];
  private queuedBytes = 0;

  private constructor(fd: number, encoder: PcapngEncoder) {
    this.fd = fd;
    this.encoder = encoder;
  }

  /** Creates (or truncates) the file and writes the section and interface headers. */
  static open(path: string, options: WriterOptions = {}): PcapngFileWriter {
    const encoder = new PcapngEncoder(options);
    const w = new PcapngFileWriter(openSync(path, 'w'), encoder);
    w.enqueue([encoder.header()]);
    w.flush();
    return w;
  }

  append(rec: CaptureRecord): void {
    if (this.fd === undefined) throw new PcapWriteError('append: the capture file is already closed');
    this.enqueue(this.encoder.encode(rec));
    if (this.queuedBytes >= FLUSH_BYTES) this.flush();
  }

  /** Writes out everything appended so far (a reader then sees whole blocks only). */
  flush(): void {
    if (this.fd === undefined || this.queuedBytes === 0) return;
    const all = Buffer.concat(this.queued, this.queuedBytes);
    this.queued = [];
    this.queuedBytes = 0;
    for (let off = 0; off < all.length; ) off += writeSync(this.fd, all, off);
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }

  private enqueue(blocks: Buffer[]): void {
    for (const b of blocks) {
      this.queued.push(b);
      this.queuedBytes += b.length;
    }
  }
}
