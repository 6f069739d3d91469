// IPv4 (RFC 791) and IPv6 (RFC 8200) headers: addresses, upper protocol, payload view and
// fragment fields. Reassembly of fragments is ip-reassembly.ts's job.

export const IPPROTO_IPIP = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_SCTP = 132;

const IPV6_HOP_BY_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_FRAGMENT = 44;
const IPV6_AH = 51;
const IPV6_NO_NEXT = 59;
const IPV6_DEST_OPTS = 60;
const IPV6_MOBILITY = 135;
const IPV6_HIP = 139;
const IPV6_SHIM6 = 140;

/** Filled by decodeIp; one instance is reused for every packet. */
export class IpPacket {
  version = 4;
  /** The IP header's bytes; addresses are formatted only when asked for (most packets never are). */
  header: Buffer = Buffer.alloc(0);
  headerAt = 0;
  private srcText: string | undefined = undefined;
  private dstText: string | undefined = undefined;
  protocol = 0;
  /** Payload after the IP header(s): a view into the frame. */
  payload: Buffer = Buffer.alloc(0);
  /** The snaplen cut the packet: payload is shorter than the header says. */
  truncated = false;
  /** How many payload bytes the snaplen cut off. */
  missing = 0;
  /** Only the fragment's own part of the payload is present (offset != 0 or more follow). */
  fragmented = false;
  fragmentOffset = 0;
  moreFragments = false;
  fragmentId = 0;

  setHeader(data: Buffer, at: number): void {
    this.header = data;
    this.headerAt = at;
    this.srcText = undefined;
    this.dstText = undefined;
  }

  get src(): string {
    this.srcText ??= this.version === 4 ? formatIpv4(this.header, this.headerAt + 12) : formatIpv6(this.header, this.headerAt + 8);
    return this.srcText;
  }

  get dst(): string {
    this.dstText ??= this.version === 4 ? formatIpv4(this.header, this.headerAt + 16) : formatIpv6(this.header, this.headerAt + 24);
    return this.dstText;
  }
}

export function formatIpv4(b: Buffer, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** RFC 5952 text form: lower case, no leading zeros, the longest zero run as "::". */
export function formatIpv6(b: Buffer, at: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(at + i * 2));
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${formatIpv4(b, at + 12)}`; // IPv4-mapped (RFC 5952 §5)
  }
  let bestStart = -1;
  let bestLen = 1; // a single zero group is not shortened
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Formats an address from its 4 or 16 bytes. */
export function formatIp(b: Buffer): string {
  return b.length === 4 ? formatIpv4(b, 0) : formatIpv6(b, 0);
}

function decodeIpv4(data: Buffer, at: number, out: IpPacket): boolean {
  if (data.length - at < 20) return false;
  const ihl = (data[at]! & 0x0f) * 4;
  if (ihl < 20 || at + ihl > data.length) return false;
  let total = data.readUInt16BE(at + 2);
  // Total length 0 comes from TCP segmentation offload captures: trust the captured size.
  if (total === 0) total = data.length - at;
  if (total < ihl) return false;
  const end = at + total;
  out.version = 4;
  out.truncated = end > data.length;
  out.missing = Math.max(0, end - data.length);
  out.payload = data.subarray(at + ihl, Math.min(end, data.length)); // drops Ethernet padding
  out.protocol = data[at + 9]!;
  const frag = data.readUInt16BE(at + 6);
  out.fragmentOffset = (frag & 0x1fff) * 8;
  out.moreFragments = (frag & 0x2000) !== 0;
  out.fragmented = out.fragmentOffset !== 0 || out.moreFragments;
  out.fragmentId = data.readUInt16BE(at + 4);
  out.setHeader(data, at);
  return true;
}

function isExtensionHeader(next: number): boolean {
  return next === IPV6_HOP_BY_HOP || next === IPV6_ROUTING || next === IPV6_DEST_OPTS ||
    next === IPV6_MOBILITY || next === IPV6_HIP || next === IPV6_SHIM6 || next === IPV6_AH ||
    next === IPV6_FRAGMENT;
}

/**
 * Walks the IPv6 extension header chain (RFC 8200 §4) from data[p], header type `next`, to the
 * upper-layer header. Stops after a Fragment header that starts or continues a fragmented
 * packet: what follows is fragment data. Sets out.protocol and out.payload; false if cut short.
 */
export function walkIpv6Extensions(data: Buffer, p: number, limit: number, next: number, out: IpPacket): boolean {
  while (isExtensionHeader(next)) {
    if (p + 8 > limit) return false;
    const n = data[p]!;
    if (next === IPV6_FRAGMENT) {
      const off = data.readUInt16BE(p + 2);
      out.fragmentOffset = off & 0xfff8;
      out.moreFragments = (off & 1) !== 0;
      out.fragmented = out.fragmentOffset !== 0 || out.moreFragments;
      out.fragmentId = data.readUInt32BE(p + 4);
      p += 8;
      next = n;
      if (out.fragmented) break;
    } else if (next === IPV6_AH) {
      p += (data[p + 1]! + 2) * 4; // RFC 4302 §2.2: length in 32-bit words, minus 2
      next = n;
    } else {
      p += (data[p + 1]! + 1) * 8;
      next = n;
    }
    if (p > limit) return false;
  }
  if (next === IPV6_NO_NEXT) return false;
  out.protocol = next;
  out.payload = data.subarray(p, limit);
  return true;
}

function decodeIpv6(data: Buffer, at: number, out: IpPacket): boolean {
  if (data.length - at < 40) return false;
  const payloadLen = data.readUInt16BE(at + 4);
  // 0 means a jumbogram or an offloaded segment: use what was captured.
  const end = payloadLen === 0 ? data.length : at + 40 + payloadLen;
  out.version = 6;
  out.fragmented = false;
  out.fragmentOffset = 0;
  out.moreFragments = false;
  out.fragmentId = 0;
  out.truncated = end > data.length;
  out.missing = Math.max(0, end - data.length);
  if (!walkIpv6Extensions(data, at + 40, Math.min(end, data.length), data[at + 6]!, out)) return false;
  out.setHeader(data, at);
  return true;
}

/** Decodes the IP header at data[at]; false when it is not a usable IPv4/IPv6 header. */
export function decodeIp(data: Buffer, at: number, out: IpPacket): boolean {
  if (at >= data.length) return false;
  const v = data[at]! >> 4;
  if (v === 4) return decodeIpv4(data, at, out);
  if (v === 6) return decodeIpv6(data, at, out);
  return false;
}
