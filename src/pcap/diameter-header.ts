// Is this a Diameter message? RFC 6733 §3 (header) and §4.1 (AVP header) give the checks used to
// find PDU boundaries when the capture starts mid-stream or the port says nothing.

export const DIAMETER_HEADER_LEN = 20;
/** Default ceiling on a PDU's length; a larger length field means we are not on a boundary. */
export const DEFAULT_MAX_PDU_LEN = 1 << 20;

const FLAG_R = 0x80;
const FLAG_E = 0x20;
const FLAGS_RESERVED = 0x0f; // RFC 6733 §3: r(eserved) bits MUST be zero
const AVP_FLAGS_RESERVED = 0x1f; // RFC 6733 §4.1: only V, M, P are defined
const AVP_FLAG_V = 0x80;
/** Command codes 0-255 are RADIUS's (RFC 6733 §3.1); Diameter's own start at 257. */
const MIN_COMMAND_CODE = 257;

/** The 24-bit big-endian number at b[at..at+2] (message length, command code, AVP length). */
export function read24(b: Buffer, at: number): number {
  return (b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!;
}

/** Message length field of the header at b[at]. */
export function pduLength(b: Buffer, at: number): number {
  return read24(b, at + 1);
}

/**
 * Header check on the 20 bytes at b[at]: version 1, a length that is a multiple of 4 in
 * [20, maxLen], reserved flag bits clear. Enough once the stream is known to be in step.
 */
export function isPlausibleHeader(b: Buffer, at: number, maxLen: number): boolean {
  if (b[at] !== 1) return false;
  const len = pduLength(b, at);
  if (len < DIAMETER_HEADER_LEN || len > maxLen || (len & 3) !== 0) return false;
  return (b[at + 4]! & FLAGS_RESERVED) === 0;
}

/**
 * Stricter check for guessing (resynchronising, or traffic on a port not known to be Diameter):
 * also a Diameter command code, no E bit on a request, and AVP headers that chain exactly to the
 * message length within the `avail` bytes present. With partial=true, a message that extends
 * past avail passes if every AVP header seen so far is sound.
 */
export function isLikelyPdu(b: Buffer, at: number, avail: number, maxLen: number, partial: boolean): boolean {
  if (avail < DIAMETER_HEADER_LEN || !isPlausibleHeader(b, at, maxLen)) return false;
  const flags = b[at + 4]!;
  if ((flags & FLAG_R) !== 0 && (flags & FLAG_E) !== 0) return false;
  const code = read24(b, at + 5);
  if (code < MIN_COMMAND_CODE) return false;
  const len = pduLength(b, at);
  if (len > avail && !partial) return false;
  const end = at + Math.min(len, avail);
  let p = at + DIAMETER_HEADER_LEN;
  while (p + 8 <= end) {
    const avpFlags = b[p + 4]!;
    if ((avpFlags & AVP_FLAGS_RESERVED) !== 0) return false;
    const avpLen = read24(b, p + 5);
    if (avpLen < ((avpFlags & AVP_FLAG_V) !== 0 ? 12 : 8)) return false;
    if (b.readUInt32BE(p) === 0) return false; // AVP code 0 is not assigned
    p += (avpLen + 3) & ~3;
  }
  if (len <= avail) return p === at + len;
  return p >= end || partial;
}

/** Request flag, command code and application id, for logs and tests. */
export function describePdu(b: Buffer): { request: boolean; commandCode: number; applicationId: number } {
  return {
    request: (b[4]! & FLAG_R) !== 0,
    commandCode: read24(b, 5),
    applicationId: b.readUInt32BE(8),
  };
}
