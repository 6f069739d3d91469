// Checksums the writer fills in so Wireshark does not flag synthesised packets:
// the Internet checksum (RFC 1071) for IPv4 and TCP, CRC32c (RFC 9260 Appendix A) for SCTP.

/** Adds the 16-bit big-endian words of b[start..end) to sum (an odd tail byte is padded). */
export function onesComplementAdd(sum: number, b: Buffer, start: number, end: number): number {
  let s = sum;
  let i = start;
  for (; i + 1 < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (i < end) s += b[i]! << 8;
  // Fold now and then so the running sum stays a small integer.
  return (s & 0xffff) + (s >>> 16);
}

/** Folds carries and complements: the value to store in the checksum field. */
export function onesComplementFinish(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

const CRC32C_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1; // Castagnoli, reflected
    t[n] = c;
  }
  return t;
})();

/** CRC32c of b[start..end). SCTP stores it least significant byte first (RFC 9260 App. A). */
export function crc32c(b: Buffer, start = 0, end = b.length): number {
  let c = ~0;
  for (let i = start; i < end; i++) c = CRC32C_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
