// Classic libpcap files (draft-ietf-opsawg-pcap §4-§5): a 24-byte file header, then records of
// a 16-byte header + captured bytes. Byte order comes from the magic number; 0xa1b23c4d marks
// nanosecond timestamps. The "modified" (Kuznetzov) variant 0xa1b2cd34 has 24-byte record headers.
import { captureError, CaptureErrorCode } from './capture-errors.js';
import type { CaptureError } from './capture-errors.js';
import type { CaptureFrame, FrameSource } from './capture-frame.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAP_MAGIC_KUZNETZOV = 0xa1b2cd34;
const FILE_HEADER_LEN = 24;
/** Larger records are corruption, not packets (Wireshark's own ceiling is 256 KiB). */
export const MAX_RECORD_LEN = 16 * 1024 * 1024;

export function isPcapMagic(buf: Buffer): boolean {
  if (buf.length < 4) return false;
  const le = buf.readUInt32LE(0);
  const be = buf.readUInt32BE(0);
  return [PCAP_MAGIC_US, PCAP_MAGIC_NS, PCAP_MAGIC_KUZNETZOV].some((m) => m === le || m === be);
}

export class PcapReader implements FrameSource {
  error: CaptureError | undefined = undefined;
  private readonly buf: Buffer;
  private readonly le: boolean;
  private readonly nanosPerUnit: number;
  private readonly recordHeaderLen: number;
  private readonly linkType: number;
  private offset = FILE_HEADER_LEN;
  private record = 0;

  constructor(buf: Buffer) {
    this.buf = buf;
    const magicLe = buf.length >= 4 ? buf.readUInt32LE(0) : 0;
    this.le = magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS || magicLe === PCAP_MAGIC_KUZNETZOV;
    const magic = this.le ? magicLe : buf.length >= 4 ? buf.readUInt32BE(0) : 0;
    this.nanosPerUnit = magic === PCAP_MAGIC_NS ? 1 : 1000;
    this.recordHeaderLen = magic === PCAP_MAGIC_KUZNETZOV ? 24 : 16;
    if (buf.length < FILE_HEADER_LEN) {
      this.linkType = -1;
      this.error = captureError(
        CaptureErrorCode.BAD_FILE_HEADER, 'file header', 0, 0,
        `pcap file header needs ${FILE_HEADER_LEN} bytes, file has ${buf.length}`,
      );
      return;
    }
    // The low 16 bits are the link type; the upper bits may carry FCS information.
    this.linkType = (this.le ? buf.readUInt32LE(20) : buf.readUInt32BE(20)) & 0xffff;
  }

  next(): CaptureFrame | undefined {
    if (this.error !== undefined) return undefined;
    const buf = this.buf;
    const at = this.offset;
    if (at >= buf.length) return undefined;
    const record = ++this.record;
    const left = buf.length - at;
    if (left < this.recordHeaderLen) {
      this.error = captureError(
        CaptureErrorCode.TRUNCATED_RECORD_HEADER, 'pcap record', record, at,
        `record header needs ${this.recordHeaderLen} bytes, only ${left} left in the file`,
      );
      return undefined;
    }
    const le = this.le;
    const seconds = le ? buf.readUInt32LE(at) : buf.readUInt32BE(at);
    const frac = le ? buf.readUInt32LE(at + 4) : buf.readUInt32BE(at + 4);
    const inclLen = le ? buf.readUInt32LE(at + 8) : buf.readUInt32BE(at + 8);
    const origLen = le ? buf.readUInt32LE(at + 12) : buf.readUInt32BE(at + 12);
    if (inclLen > MAX_RECORD_LEN) {
      this.error = captureError(
        CaptureErrorCode.BAD_RECORD_LENGTH, 'pcap record', record, at,
        `captured length ${inclLen} exceeds the ${MAX_RECORD_LEN}-byte limit (corrupt record header?)`,
      );
      return undefined;
    }
    const start = at + this.recordHeaderLen;
    if (inclLen > buf.length - start) {
      this.error = captureError(
        CaptureErrorCode.TRUNCATED_RECORD, 'pcap record', record, at,
        `captured length ${inclLen} runs past the end of the file (${buf.length - start} bytes left)`,
      );
      return undefined;
    }
    this.offset = start + inclLen;
    return {
      frame: record,
      linkType: this.linkType,
      time: { seconds, nanos: frac * this.nanosPerUnit },
      data: buf.subarray(start, start + inclLen),
      originalLength: origLen,
    };
  }
}
