// Encoder: a Message tree to wire bytes (RFC 6733 §3, §4.1). Sizes are computed first, so the
// message is written into one exactly-sized buffer with no back-patching or copying.
import { DiamondError, ErrorCode } from '../../errors.js';
import { AvpFlag } from '../dictionary/model.js';
import { type Avp, HEADER_LENGTH, type Message } from './message.js';
import { valueLength, writeValue } from './value-codec.js';

function dataLength(a: Avp): number {
  if (a.avps !== undefined) {
    let n = 0;
    for (const c of a.avps) n += paddedAvpLength(c);
    return n;
  }
  if (a.value !== undefined) {
    if (!a.def) throw new DiamondError(ErrorCode.ENCODE_VALUE, `AVP ${a.code}: a typed value needs a dictionary definition`);
    const n = valueLength(a.def.type, a.value);
    if (n < 0) throw new DiamondError(ErrorCode.ENCODE_VALUE, `AVP ${a.def.name}: value does not fit type ${a.def.type}`);
    return n;
  }
  return a.data?.length ?? 0;
}

function headerLength(a: Avp): number {
  return (a.flags & AvpFlag.V) !== 0 ? 12 : 8;
}

/** AVP length as on the wire (without padding). */
export function avpLength(a: Avp): number {
  return headerLength(a) + dataLength(a);
}

export function paddedAvpLength(a: Avp): number {
  return (avpLength(a) + 3) & ~3;
}

/**
 * Writes an AVP with its padding; returns the offset after it. The length field is filled in
 * after the data is written, so nested Grouped AVPs are measured once, not once per level.
 */
export function writeAvp(a: Avp, b: Buffer, off: number): number {
  const hl = headerLength(a);
  b.writeUInt32BE(a.code, off);
  b[off + 4] = a.flags;
  if (hl === 12) b.writeUInt32BE(a.vendorId, off + 8);
  let p = off + hl;
  if (a.avps !== undefined) {
    for (const c of a.avps) p = writeAvp(c, b, p);
  } else if (a.value !== undefined) {
    if (!a.def) throw new DiamondError(ErrorCode.ENCODE_VALUE, `AVP ${a.code}: a typed value needs a dictionary definition`);
    const n = writeValue(a.def.type, a.value, b, p);
    if (n < 0) throw new DiamondError(ErrorCode.ENCODE_VALUE, `AVP ${a.def.name}: value does not fit type ${a.def.type}`);
    p += n;
  } else if (a.data) {
    p += a.data.copy(b, p);
  }
  const len = p - off;
  b[off + 5] = len >>> 16;
  b[off + 6] = (len >>> 8) & 0xff;
  b[off + 7] = len & 0xff;
  const end = off + ((len + 3) & ~3);
  while (p < end) b[p++] = 0; // at most 3 bytes: cheaper than a fill() call
  return end;
}

export function encodeAvps(avps: readonly Avp[]): Buffer {
  let n = 0;
  for (const a of avps) n += paddedAvpLength(a);
  const b = Buffer.allocUnsafe(n);
  let p = 0;
  for (const a of avps) p = writeAvp(a, b, p);
  return b;
}

export function encodeMessage(m: Message): Buffer {
  let n = HEADER_LENGTH;
  for (const a of m.avps) n += paddedAvpLength(a);
  if (n > 0xffffff) throw new DiamondError(ErrorCode.ENCODE_VALUE, `message of ${n} bytes exceeds the 24-bit length field`);
  const b = Buffer.allocUnsafe(n);
  b[0] = m.version;
  b.writeUIntBE(n, 1, 3);
  b[4] = m.flags;
  b.writeUIntBE(m.commandCode, 5, 3);
  b.writeUInt32BE(m.applicationId, 8);
  b.writeUInt32BE(m.hopByHopId, 12);
  b.writeUInt32BE(m.endToEndId, 16);
  let p = HEADER_LENGTH;
  for (const a of m.avps) p = writeAvp(a, b, p);
  return b;
}
