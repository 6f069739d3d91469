// Cuts one direction of a TCP byte stream into Diameter PDUs (RFC 6733 §3: the 24-bit length
// delimits messages). A small state machine in the style of pg-protocol's reader: PDUs lying
// inside one chunk are emitted as views; only a PDU straddling chunks is copied, once.
// When the bytes stop looking like Diameter (capture began mid-stream, segments were lost) it
// scans for the next position where a whole, self-consistent message starts.
import { DIAMETER_HEADER_LEN, isLikelyPdu, isPlausibleHeader, pduLength } from './diameter-header.js';

/** How the next bytes relate to PDU boundaries. */
export const FramerStart = {
  /** At a known boundary (after a SYN, or in step): the light header check suffices. */
  BOUNDARY: 0,
  /** Probably at a boundary (first bytes seen of a stream): strict check on the first header. */
  PROBE: 1,
  /** Nowhere known (after lost bytes): scan for a whole, consistent PDU. */
  SCAN: 2,
} as const;
export type FramerStart = (typeof FramerStart)[keyof typeof FramerStart];

/** Cap on unfinished candidate boundaries tracked while scanning. */
const MAX_CANDIDATES = 16;

export class DiameterFramer {
  private readonly maxLen: number;
  private readonly emit: (pdu: Buffer) => void;
  private scanning = false;
  private probe = false;
  /** Header bytes gathered when a header straddles chunks. */
  private readonly hdr = Buffer.alloc(DIAMETER_HEADER_LEN);
  private hdrFill = 0;
  /** The PDU being filled when it straddles chunks (the only copy the framer makes). */
  private pdu: Buffer | undefined = undefined;
  private pduFill = 0;
  /** Bytes gathered while scanning, and how far candidate starts have been examined. */
  private scanBuf: Buffer | undefined = undefined;
  private scanLen = 0;
  private scanPos = 0;
  /** Scan positions that look like a PDU start whose end has not arrived yet. */
  private candidates: number[] = [];

  constructor(maxLen: number, emit: (pdu: Buffer) => void, start: FramerStart) {
    this.maxLen = maxLen;
    this.emit = emit;
    this.reset(start);
  }

  reset(start: FramerStart): void {
    this.hdrFill = 0;
    this.pdu = undefined;
    this.pduFill = 0;
    this.scanBuf = undefined;
    this.scanLen = 0;
    this.scanPos = 0;
    this.candidates = [];
    this.scanning = start === FramerStart.SCAN;
    this.probe = start === FramerStart.PROBE;
  }

  /** Bytes were lost before what comes next: drop any partial PDU and scan. */
  gap(): void {
    this.reset(FramerStart.SCAN);
  }

  push(chunk: Buffer): void {
    // A loop, not recursion: each resynchronisation hands back the bytes after the boundary it
    // found, and a hostile stream could alternate garbage and PDUs thousands of times.
    let next: Buffer | undefined = chunk;
    while (next !== undefined) next = this.pushChunk(next);
  }

  /** Frames one chunk; returns bytes still to frame when a scan found a boundary. */
  private pushChunk(chunk: Buffer): Buffer | undefined {
    const n = chunk.length;
    let p = 0;
    while (p < n) {
      if (this.scanning) return this.scanAppend(chunk, p);
      const pdu = this.pdu;
      if (pdu !== undefined) {
        const take = Math.min(pdu.length - this.pduFill, n - p);
        chunk.copy(pdu, this.pduFill, p, p + take);
        this.pduFill += take;
        p += take;
        if (this.pduFill === pdu.length) {
          this.pdu = undefined;
          this.emit(pdu);
        }
        continue;
      }
      if (this.hdrFill > 0 || n - p < DIAMETER_HEADER_LEN) {
        const take = Math.min(DIAMETER_HEADER_LEN - this.hdrFill, n - p);
        chunk.copy(this.hdr, this.hdrFill, p, p + take);
        this.hdrFill += take;
        p += take;
        if (this.hdrFill < DIAMETER_HEADER_LEN) return undefined;
        this.hdrFill = 0;
        if (!this.headerOk(this.hdr, 0, DIAMETER_HEADER_LEN)) return this.startScan(this.hdr, chunk, p);
        const len = pduLength(this.hdr, 0);
        const whole = Buffer.allocUnsafe(len);
        this.hdr.copy(whole, 0);
        if (len === DIAMETER_HEADER_LEN) this.emit(whole);
        else {
          this.pdu = whole;
          this.pduFill = DIAMETER_HEADER_LEN;
        }
        continue;
      }
      // Fast path: a whole header in this chunk.
      if (!this.headerOk(chunk, p, n - p)) return this.startScan(undefined, chunk, p);
      const len = pduLength(chunk, p);
      if (len <= n - p) {
        this.emit(chunk.subarray(p, p + len));
        p += len;
        continue;
      }
      const whole = Buffer.allocUnsafe(len);
      chunk.copy(whole, 0, p, n);
      this.pdu = whole;
      this.pduFill = n - p;
      p = n;
    }
    return undefined;
  }

  private headerOk(b: Buffer, at: number, avail: number): boolean {
    if (!this.probe) return isPlausibleHeader(b, at, this.maxLen);
    this.probe = false;
    return isLikelyPdu(b, at, avail, this.maxLen, true);
  }

  /** Switches to scanning with `stash` (a rejected header, if any) then chunk[from..]. */
  private startScan(stash: Buffer | undefined, chunk: Buffer, from: number): Buffer | undefined {
    this.scanning = true;
    this.scanBuf = undefined;
    this.scanLen = 0;
    this.scanPos = 0;
    this.candidates = [];
    if (stash !== undefined) this.appendBytes(stash, 0, stash.length);
    return this.scanAppend(chunk, from);
  }

  private appendBytes(src: Buffer, from: number, to: number): void {
    const add = to - from;
    if (add <= 0) return;
    let buf = this.scanBuf;
    if (buf === undefined || buf.length - this.scanLen < add) {
      const grown = Buffer.allocUnsafe(Math.max(4096, (this.scanLen + add) * 2));
      if (buf !== undefined) buf.copy(grown, 0, 0, this.scanLen);
      buf = grown;
      this.scanBuf = grown;
    }
    src.copy(buf, this.scanLen, from, to);
    this.scanLen += add;
  }

  private scanAppend(src: Buffer, from: number): Buffer | undefined {
    this.appendBytes(src, from, src.length);
    return this.rescan();
  }

  /**
   * Looks for the earliest position where a complete PDU passes the strict check. A plausible
   * start whose end has not arrived stays a candidate, but a later complete one wins over it:
   * a false candidate claiming a long length must not hold up real PDUs behind it.
   */
  private rescan(): Buffer | undefined {
    const buf = this.scanBuf;
    if (buf === undefined) return undefined;
    const len = this.scanLen;
    const max = this.maxLen;
    let found = -1;
    const stillWaiting: number[] = [];
    for (const c of this.candidates) {
      const plen = pduLength(buf, c);
      if (c + plen > len) stillWaiting.push(c);
      else if (found < 0 && isLikelyPdu(buf, c, len - c, max, false)) found = c;
    }
    let p = this.scanPos;
    if (found < 0) {
      for (; p + DIAMETER_HEADER_LEN <= len; p++) {
        if (buf[p] !== 1 || !isLikelyPdu(buf, p, len - p, max, true)) continue;
        if (p + pduLength(buf, p) <= len) {
          found = p;
          break;
        }
        stillWaiting.push(p);
      }
    }
    if (found >= 0) {
      // In step again: the rest of the scan buffer is ordinary stream data. PDUs emitted from it
      // are views into buf, so buf is abandoned here rather than reused.
      this.scanning = false;
      this.scanBuf = undefined;
      this.scanLen = 0;
      this.candidates = [];
      return buf.subarray(found, len);
    }
    this.scanPos = p;
    this.candidates = stillWaiting.length > MAX_CANDIDATES ? stillWaiting.slice(-MAX_CANDIDATES) : stillWaiting;
    // Keep only what a candidate or a future header start can still need.
    const keepFrom = Math.min(this.candidates[0] ?? p, p);
    if (keepFrom > 65536 && keepFrom > len / 2) {
      buf.copyWithin(0, keepFrom, len); // safe: nothing emitted points into buf while scanning
      this.scanLen = len - keepFrom;
      this.scanPos = p - keepFrom;
      this.candidates = this.candidates.map((c) => c - keepFrom);
    }
    return undefined;
  }
}
