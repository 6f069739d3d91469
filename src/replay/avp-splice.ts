// Byte-level edits of a captured message (RFC 6733 §3 header, §4.1 AVP header): replace the values
// of top-level base AVPs (Session-Id, Origin-Host, ...) and set the ids, leaving every other byte
// as captured. A replay sends what was captured, not a re-encoding of our decoding of it.
import { HEADER_LENGTH } from '../diameter/codec/message.js';

const AVP_FLAG_VENDOR = 0x80;

/** A copy of `frame` where each top-level vendor-0 AVP whose code is in `values` carries the new value. */
export function replaceTopLevelAvps(frame: Buffer, values: ReadonlyMap<number, Buffer>): Buffer {
  if (values.size === 0) return Buffer.from(frame);
  const parts: Buffer[] = [frame.subarray(0, HEADER_LENGTH)];
  let pos = HEADER_LENGTH;
  let copyFrom = pos;
  const end = Math.min(frame.length, frame.readUIntBE(1, 3));
  while (pos + 8 <= end) {
    const code = frame.readUInt32BE(pos);
    const flags = frame[pos + 4]!;
    const len = frame.readUIntBE(pos + 5, 3);
    const padded = (len + 3) & ~3;
    if (len < 8 || pos + len > end) break; // damaged: the rest is copied as captured
    const value = (flags & AVP_FLAG_VENDOR) === 0 ? values.get(code) : undefined;
    if (value !== undefined) {
      parts.push(frame.subarray(copyFrom, pos));
      const avp = Buffer.alloc((8 + value.length + 3) & ~3);
      avp.writeUInt32BE(code, 0);
      avp[4] = flags;
      avp.writeUIntBE(8 + value.length, 5, 3);
      value.copy(avp, 8);
      parts.push(avp);
      copyFrom = Math.min(end, pos + padded);
    }
    pos += padded;
  }
  parts.push(frame.subarray(copyFrom));
  const out = Buffer.concat(parts);
  out.writeUIntBE(out.length, 1, 3);
  return out;
}

/** The value bytes of the first top-level vendor-0 AVP with this code. */
export function topLevelAvpValue(frame: Buffer, code: number): Buffer | undefined {
  let pos = HEADER_LENGTH;
  const end = Math.min(frame.length, frame.readUIntBE(1, 3));
  while (pos + 8 <= end) {
    const len = frame.readUIntBE(pos + 5, 3);
    if (len < 8 || pos + len > end) return undefined;
    if (frame.readUInt32BE(pos) === code && (frame[pos + 4]! & AVP_FLAG_VENDOR) === 0) return frame.subarray(pos + 8, pos + len);
    pos += (len + 3) & ~3;
  }
  return undefined;
}

export function setIds(frame: Buffer, hopByHopId: number, endToEndId: number): void {
  frame.writeUInt32BE(hopByHopId >>> 0, 12);
  frame.writeUInt32BE(endToEndId >>> 0, 16);
}
