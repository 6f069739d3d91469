// pcapng files (draft-ietf-opsawg-pcapng): sections opened by an SHB whose byte-order magic sets
// the endianness, IDBs describing interfaces (link type, if_tsresol, if_tsoffset), and packets in
// EPB / SPB / obsolete PB blocks. Every other block type is skipped by its length.
import { captureError, CaptureErrorCode } from './capture-errors.js';
import type { CaptureError } from './capture-errors.js';
import type { CaptureFrame, FrameSource } from './capture-frame.js';
import { MAX_RECORD_LEN } from './pcap-file.js';
import { TimestampScale } from './timestamp.js';

export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 0x00000001;
const BLOCK_PB = 0x00000002; // obsolete Packet Block (§ Appendix A)
export const BLOCK_SPB = 0x00000003;
export const BLOCK_EPB = 0x00000006;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
export const OPT_ENDOFOPT = 0;
export const OPT_IF_TSRESOL = 9;
export const OPT_IF_TSOFFSET = 14;

interface Interface {
  readonly linkType: number;
  readonly snapLen: number;
  readonly scale: TimestampScale;
}

export function isPcapngMagic(buf: Buffer): boolean {
  return buf.length >= 4 && buf.readUInt32BE(0) === BLOCK_SHB;
}

export class PcapngReader implements FrameSource {
  error: CaptureError | undefined = undefined;
  private readonly buf: Buffer;
  private le = true;
  private offset = 0;
  private block = 0;
  private frame = 0;
  private interfaces: Interface[] = [];

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  next(): CaptureFrame | undefined {
    while (this.error === undefined && this.offset < this.buf.length) {
      const f = this.readBlock();
      if (f !== undefined) return f;
    }
    return undefined;
  }

  private fail(code: CaptureErrorCode, at: number, what: string): undefined {
    this.error = captureError(code, 'pcapng block', this.block, at, what);
    return undefined;
  }

  private u32(at: number): number {
    return this.le ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at);
  }

  private u16(at: number): number {
    return this.le ? this.buf.readUInt16LE(at) : this.buf.readUInt16BE(at);
  }

  /** Reads one block; returns a frame for packet blocks, undefined otherwise. */
  private readBlock(): CaptureFrame | undefined {
    const buf = this.buf;
    const at = this.offset;
    this.block++;
    const left = buf.length - at;
    if (left < 12) {
      return this.fail(CaptureErrorCode.TRUNCATED_RECORD_HEADER, at,
        `block header needs 12 bytes, only ${left} left in the file`);
    }
    const type = buf.readUInt32BE(at); // SHB's type is a palindrome, others read after the SHB
    if (type === BLOCK_SHB) {
      const bomLe = buf.readUInt32LE(at + 8);
      if (bomLe === BYTE_ORDER_MAGIC) this.le = true;
      else if (buf.readUInt32BE(at + 8) === BYTE_ORDER_MAGIC) this.le = false;
      else {
        return this.fail(CaptureErrorCode.BAD_FILE_HEADER, at,
          `section header byte-order magic is 0x${buf.readUInt32BE(at + 8).toString(16)}, expected 0x1a2b3c4d`);
      }
      this.interfaces = [];
    } else if (at === 0) {
      return this.fail(CaptureErrorCode.BAD_FILE_HEADER, at, 'pcapng file does not start with a section header block');
    }
    const blockType = type === BLOCK_SHB ? BLOCK_SHB : this.u32(at);
    const len = this.u32(at + 4);
    if (len < 12 || len % 4 !== 0 || len > MAX_RECORD_LEN + 64) {
      return this.fail(CaptureErrorCode.BAD_RECORD_LENGTH, at,
        `block total length ${len} is not a multiple of 4 between 12 and ${MAX_RECORD_LEN + 64}`);
    }
    if (len > left) {
      return this.fail(CaptureErrorCode.TRUNCATED_RECORD, at,
        `block of type 0x${blockType.toString(16)} claims ${len} bytes, only ${left} left in the file`);
    }
    if (this.u32(at + len - 4) !== len) {
      return this.fail(CaptureErrorCode.BAD_RECORD_LENGTH, at,
        `trailing block length ${this.u32(at + len - 4)} differs from leading length ${len}`);
    }
    this.offset = at + len;
    switch (blockType) {
      case BLOCK_SHB:
        if (len < 28) return this.fail(CaptureErrorCode.BAD_FILE_HEADER, at, `section header block of ${len} bytes is too short`);
        return undefined;
      case BLOCK_IDB:
        return this.readIdb(at, len);
      case BLOCK_EPB:
        return this.readEpb(at, len);
      case BLOCK_SPB:
        return this.readSpb(at, len);
      case BLOCK_PB:
        return this.readPb(at, len);
      default:
        return undefined; // ISB, NRB, DSB, custom blocks: nothing the dissectors need
    }
  }

  private readIdb(at: number, len: number): undefined {
    if (len < 20) return this.fail(CaptureErrorCode.BAD_RECORD_LENGTH, at, `interface description block of ${len} bytes is too short`);
    let tsresol = 6; // default: microseconds
    let offsetSeconds = 0;
    const end = at + len - 4;
    let p = at + 16;
    while (p + 4 <= end) {
      const code = this.u16(p);
      const olen = this.u16(p + 2);
      const v = p + 4;
      if (code === OPT_ENDOFOPT || v + olen > end) break;
      if (code === OPT_IF_TSRESOL && olen >= 1) tsresol = this.buf[v]!;
      if (code === OPT_IF_TSOFFSET && olen >= 8) {
        const hi = this.le ? this.buf.readInt32LE(v + 4) : this.buf.readInt32BE(v);
        const lo = this.le ? this.buf.readUInt32LE(v) : this.buf.readUInt32BE(v + 4);
        offsetSeconds = hi * 4294967296 + lo;
      }
      p = v + ((olen + 3) & ~3);
    }
    this.interfaces.push({ linkType: this.u16(at + 8), snapLen: this.u32(at + 12), scale: new TimestampScale(tsresol, offsetSeconds) });
    return undefined;
  }

  private iface(at: number, id: number): Interface | undefined {
    const i = this.interfaces[id];
    if (i === undefined) {
      return this.fail(CaptureErrorCode.UNKNOWN_INTERFACE, at,
        `packet names interface ${id}, but the section has described ${this.interfaces.length}`);
    }
    return i;
  }

  private packet(at: number, len: number, iface: Interface, hdrLen: number, hi: number, lo: number): CaptureFrame | undefined {
    const capLen = this.u32(at + hdrLen - 8);
    const origLen = this.u32(at + hdrLen - 4);
    if (capLen > len - hdrLen - 4) {
      return this.fail(CaptureErrorCode.BAD_RECORD_LENGTH, at,
        `captured length ${capLen} does not fit in a block of ${len} bytes`);
    }
    const start = at + hdrLen;
    return {
      frame: ++this.frame,
      linkType: iface.linkType,
      time: iface.scale.toTime(hi, lo),
      data: this.buf.subarray(start, start + capLen),
      originalLength: origLen,
    };
  }

  private readEpb(at: number, len: number): CaptureFrame | undefined {
    if (len < 32) return this.fail(CaptureErrorCode.BAD_RECORD_LENGTH, at, `enhanced packet block of ${len} bytes is too short`);
    const iface = this.iface(at, this.u32(at + 8));
    if (iface === undefined) return undefined;
    return this.packet(at, len, iface, 28, this.u32(at + 12), this.u32(at + 16));
  }

  private readPb(at: number, len: number): CaptureFrame | undefined {
    if (len < 32) return this.fail(CaptureErrorCode.BAD_RECORD_LENGTH, at, `packet block of ${len} bytes is too short`);
    const iface = this.iface(at, this.u16(at + 8));
    if (iface === undefined) return undefined;
    return this.packet(at, len, iface, 28, this.u32(at + 12), this.u32(at + 16));
  }

  private readSpb(at: number, len: number): CaptureFrame | undefined {
    if (len < 16) return this.fail(CaptureErrorCode.BAD_RECORD_LENGTH, at, `simple packet block of ${len} bytes is too short`);
    const iface = this.iface(at, 0);
    if (iface === undefined) return undefined;
    const origLen = this.u32(at + 8);
    // An SPB has no captured-length field: the packet is cut by the snaplen and the block.
    let capLen = Math.min(origLen, len - 16);
    if (iface.snapLen !== 0) capLen = Math.min(capLen, iface.snapLen);
    const start = at + 12;
    return {
      frame: ++this.frame,
      linkType: iface.linkType,
      time: { seconds: 0, nanos: 0 }, // SPBs carry no timestamp
      data: this.buf.subarray(start, start + capLen),
      originalLength: origLen,
    };
  }
}
