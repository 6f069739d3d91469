// Streaming framer for Diameter over a byte stream (RFC 6733 §3: 24-bit Message Length).
// Accepts any chunking. A frame that lies inside one chunk is emitted as a view (no copy); only a
// frame that straddles chunks is copied, into a buffer sized by its validated length. The length
// is checked against the maximum *before* anything is buffered, so a hostile length field cannot
// make us allocate. After a desynchronisation the decoder stays failed: the caller closes.
import { DiamondError, ErrorCode } from '../../errors.js';
import { DIAMETER_VERSION, HEADER_LENGTH } from './message.js';

export const DEFAULT_MAX_MESSAGE_SIZE = 1 << 20;

export interface FrameSink {
  onFrame(frame: Buffer): void;
  onError(err: DiamondError): void;
}

export class FrameDecoder {
  private readonly sink: FrameSink;
  private readonly maxMessageSize: number;
  /** Partial frame being assembled; its length is `expected` once the prefix is known. */
  private partial: Buffer | undefined = undefined;
  private filled = 0;
  private expected = 0;
  /** Up to 4 bytes of a prefix split across chunks. */
  private readonly prefix = Buffer.alloc(4);
  private prefixLength = 0;
  /** Bytes consumed since the stream began, for error offsets. */
  private consumed = 0;
  private failed = false;

  constructor(sink: FrameSink, maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE) {
    this.sink = sink;
    this.maxMessageSize = maxMessageSize;
  }

  get isFailed(): boolean {
    return this.failed;
  }

  /** Bytes buffered for an incomplete frame. */
  get buffered(): number {
    return this.partial ? this.filled : this.prefixLength;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    const n = chunk.length;
    while (pos < n && !this.failed) {
      if (this.partial) {
        const take = Math.min(this.expected - this.filled, n - pos);
        chunk.copy(this.partial, this.filled, pos, pos + take);
        this.filled += take;
        pos += take;
        if (this.filled === this.expected) {
          const frame = this.partial;
          this.partial = undefined;
          this.consumed += frame.length;
          this.sink.onFrame(frame);
        }
        continue;
      }
      if (this.prefixLength > 0 || n - pos < 4) {
        const take = Math.min(4 - this.prefixLength, n - pos);
        chunk.copy(this.prefix, this.prefixLength, pos, pos + take);
        this.prefixLength += take;
        pos += take;
        if (this.prefixLength < 4) return;
        const length = this.checkPrefix(this.prefix, 0);
        if (length < 0) return;
        this.partial = Buffer.allocUnsafe(length);
        this.prefix.copy(this.partial, 0, 0, 4);
        this.filled = 4;
        this.expected = length;
        this.prefixLength = 0;
        continue;
      }
      const length = this.checkPrefix(chunk, pos);
      if (length < 0) return;
      if (n - pos >= length) {
        const frame = chunk.subarray(pos, pos + length);
        pos += length;
        this.consumed += length;
        this.sink.onFrame(frame);
      } else {
        this.partial = Buffer.allocUnsafe(length);
        chunk.copy(this.partial, 0, pos, n);
        this.filled = n - pos;
        this.expected = length;
        pos = n;
      }
    }
  }

  /** Validates version and length of the 4-byte prefix at off; -1 (and failed) when desynchronised. */
  private checkPrefix(b: Buffer, off: number): number {
    const version = b[off]!;
    const length = (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!;
    if (version !== DIAMETER_VERSION) {
      return this.fail(new DiamondError(ErrorCode.FRAME_VERSION, `stream desynchronised: version byte ${version} at stream offset ${this.consumed}, expected 1`, this.consumed));
    }
    if (length < HEADER_LENGTH) {
      return this.fail(new DiamondError(ErrorCode.FRAME_LENGTH, `stream desynchronised: message length ${length} at stream offset ${this.consumed} is below ${HEADER_LENGTH}`, this.consumed));
    }
    if (length > this.maxMessageSize) {
      return this.fail(new DiamondError(ErrorCode.FRAME_TOO_LARGE, `message length ${length} at stream offset ${this.consumed} exceeds the maximum ${this.maxMessageSize}`, this.consumed));
    }
    return length;
  }

  private fail(err: DiamondError): number {
    this.failed = true;
    this.partial = undefined;
    this.sink.onError(err);
    return -1;
  }
}
