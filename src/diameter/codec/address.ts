// Address type (RFC 6733 §4.3.1): 2-octet IANA address family, then the address.
// Family 1 = IPv4 (4 octets), 2 = IPv6 (16 octets); text forms per RFC 5952.
import { isIPv4, isIPv6 } from 'node:net';
import type { OtherAddress } from './message.js';

export const AddressFamily = { IPv4: 1, IPv6: 2 } as const;

export function formatIPv6(b: Buffer, off: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(b.readUInt16BE(off + i * 2));
  // RFC 5952 §4.2: compress the longest run (>= 2) of zero groups, the first one on a tie.
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}

/** Writes the 16 octets of an IPv6 text address; false when it is not one. */
export function writeIPv6(text: string, b: Buffer, off: number): boolean {
  if (!isIPv6(text)) return false;
  let s = text;
  const groups: number[] = [];
  // A trailing dotted IPv4 (::ffff:1.2.3.4) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4?.[1]) {
    const p = v4[1].split('.').map(Number) as [number, number, number, number];
    s = `${s.slice(0, -v4[1].length)}${((p[0] << 8) | p[1]).toString(16)}:${((p[2] << 8) | p[3]).toString(16)}`;
  }
  const [head = '', tail] = s.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  for (const g of h) groups.push(Number.parseInt(g, 16));
  for (let i = 0; i < fill; i++) groups.push(0);
  for (const g of t) groups.push(Number.parseInt(g, 16));
  if (groups.length !== 8) return false;
  for (let i = 0; i < 8; i++) b.writeUInt16BE(groups[i] ?? 0, off + i * 2);
  return true;
}

export function addressLength(v: string | OtherAddress): number {
  if (typeof v !== 'string') return 2 + v.bytes.length;
  if (isIPv4(v)) return 6;
  if (isIPv6(v)) return 18;
  return -1;
}

/** Writes an Address value; returns bytes written, or -1 if the text is no IP address. */
export function writeAddress(v: string | OtherAddress, b: Buffer, off: number): number {
  if (typeof v !== 'string') {
    b.writeUInt16BE(v.family, off);
    v.bytes.copy(b, off + 2);
    return 2 + v.bytes.length;
  }
  if (isIPv4(v)) {
    b.writeUInt16BE(AddressFamily.IPv4, off);
    const p = v.split('.');
    for (let i = 0; i < 4; i++) b[off + 2 + i] = Number(p[i]);
    return 6;
  }
  b.writeUInt16BE(AddressFamily.IPv6, off);
  return writeIPv6(v, b, off + 2) ? 18 : -1;
}

/** Reads an Address; undefined when the length does not fit the family. */
export function readAddress(b: Buffer, start: number, end: number): string | OtherAddress | undefined {
  if (end - start < 2) return undefined;
  const family = b.readUInt16BE(start);
  const len = end - start - 2;
  if (family === AddressFamily.IPv4) {
    if (len !== 4) return undefined;
    return `${b[start + 2]}.${b[start + 3]}.${b[start + 4]}.${b[start + 5]}`;
  }
  if (family === AddressFamily.IPv6) {
    if (len !== 16) return undefined;
    return formatIPv6(b, start + 2);
  }
  return { family, bytes: Buffer.from(b.subarray(start + 2, end)) };
}
