// Link-layer headers down to the IP packet (https://www.tcpdump.org/linktypes.html).
// Only IPv4 and IPv6 payloads matter here; everything else is reported as not IP.

export const LinkType = {
  NULL: 0, // BSD loopback: 4-byte address family in the capturing host's byte order
  ETHERNET: 1,
  RAW: 101, // raw IP, version from the first nibble
  LOOP: 108, // OpenBSD loopback: address family in network byte order
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100; // IEEE 802.1Q
const ETHERTYPE_QINQ = 0x88a8; // IEEE 802.1ad service tag
const ETHERTYPE_QINQ_OLD = 0x9100;
const ETHERTYPE_MPLS = 0x8847;

/** Filled by decodeLinkLayer; one instance is reused for every packet. */
export class LinkResult {
  etherType = 0;
  offset = 0;
}

function ipByVersion(data: Buffer, offset: number, out: LinkResult): boolean {
  if (offset >= data.length) return false;
  const v = data[offset]! >> 4;
  if (v !== 4 && v !== 6) return false;
  out.etherType = v === 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
  out.offset = offset;
  return true;
}

function addressFamily(af: number, data: Buffer, offset: number, out: LinkResult): boolean {
  // AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (OpenBSD/NetBSD), 28 (FreeBSD), 30 (macOS).
  if (af === 2 || af === 10 || af === 24 || af === 28 || af === 30) return ipByVersion(data, offset, out);
  return false;
}

/** Follows an ethertype at data[typeAt..typeAt+2] through VLAN tags, LLC/SNAP and MPLS. */
function fromEtherType(data: Buffer, typeAt: number, out: LinkResult): boolean {
  let p = typeAt;
  for (;;) {
    if (p + 2 > data.length) return false;
    const type = data.readUInt16BE(p);
    if (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
      p += 4; // skip TCI, read the inner type
      continue;
    }
    if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) {
      out.etherType = type;
      out.offset = p + 2;
      return true;
    }
    if (type <= 1500) {
      // IEEE 802.3 length; only LLC/SNAP (AA AA 03 + OUI) carries an ethertype
      if (p + 10 > data.length || data[p + 2] !== 0xaa || data[p + 3] !== 0xaa || data[p + 4] !== 0x03) return false;
      p += 8;
      continue;
    }
    if (type === ETHERTYPE_MPLS) {
      let q = p + 2;
      while (q + 4 <= data.length && (data[q + 2]! & 0x01) === 0) q += 4; // until bottom of stack
      return ipByVersion(data, q + 4, out);
    }
    return false;
  }
}

/** Finds the IP packet inside a frame of the given link type; false when there is none. */
export function decodeLinkLayer(linkType: number, data: Buffer, out: LinkResult): boolean {
  switch (linkType) {
    case LinkType.ETHERNET:
      return fromEtherType(data, 12, out);
    case LinkType.LINUX_SLL:
      return data.length >= 16 && fromEtherType(data, 14, out);
    case LinkType.LINUX_SLL2:
    {
      if (data.length < 20) return false;
      // The protocol field sits at the front, not next to the payload as in Ethernet and SLL.
      const type = data.readUInt16BE(0);
      if (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ) return fromEtherType(data, 22, out);
      out.etherType = type;
      out.offset = 20;
      return type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6;
    }
    case LinkType.RAW:
    case 12: // DLT_RAW on some BSDs, written unmapped by old tools
    case 14:
      return ipByVersion(data, 0, out);
    case LinkType.IPV4:
      out.etherType = ETHERTYPE_IPV4;
      out.offset = 0;
      return true;
    case LinkType.IPV6:
      out.etherType = ETHERTYPE_IPV6;
      out.offset = 0;
      return true;
    case LinkType.NULL: {
      if (data.length < 4) return false;
      // Host byte order of the capturing machine: whichever reading gives a small number.
      const le = data.readUInt32LE(0);
      return addressFamily(le <= 0xffff ? le : data.readUInt32BE(0), data, 4, out);
    }
    case LinkType.LOOP:
      return data.length >= 4 && addressFamily(data.readUInt32BE(0), data, 4, out);
    default:
      return false;
  }
}
