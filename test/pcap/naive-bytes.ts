// A deliberately naive byte builder for capture tests, written apart from src/pcap so the tests
// do not share the code under test's mistakes: plain arrays, no state, spec field order spelled
// out. Checksums are left zero (the reader never checks them).

export type Bytes = number[];

function be16(n: number): Bytes {
  return [(n >>> 8) & 0xff, n & 0xff];
}
function be24(n: number): Bytes {
  return [(n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}
function be32(n: number): Bytes {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}
function le16(n: number): Bytes {
  return be16(n).reverse();
}
function le32(n: number): Bytes {
  return be32(n).reverse();
}
function pad4(b: Bytes): Bytes {
  const out = [...b];
  while (out.length % 4 !== 0) out.push(0);
  return out;
}
function ipv4Bytes(a: string): Bytes {
  return a.split('.').map(Number);
}

// ---- Diameter (RFC 6733 §3, §4.1) ----

export interface NaiveMessage {
  code: number;
  request: boolean;
  appId: number;
  hopByHop?: number;
  sessionId?: string;
  /** Extra filler AVP with this many value bytes (makes big messages): 3GPP RAND, an OctetString. */
  filler?: number;
}

function avp(code: number, value: Bytes, vendor?: number): Bytes {
  const flags = vendor === undefined ? 0x40 : 0xc0;
  const headerLen = vendor === undefined ? 8 : 12;
  const head = [...be32(code), flags, ...be24(headerLen + value.length), ...(vendor === undefined ? [] : be32(vendor))];
  return pad4([...head, ...value]);
}

export function diameter(m: NaiveMessage): Buffer {
  const avps: Bytes = [];
  if (m.sessionId !== undefined) avps.push(...avp(263, [...Buffer.from(m.sessionId)]));
  avps.push(...avp(264, [...Buffer.from('test.example.org')]));
  if (m.filler !== undefined) avps.push(...avp(1447, new Array<number>(m.filler).fill(0x5a), 10415));
  const len = 20 + avps.length;
  return Buffer.from([
    1, ...be24(len), m.request ? 0xc0 : 0x40, ...be24(m.code), ...be32(m.appId),
    ...be32(m.hopByHop ?? 0x1234), ...be32(0x5678), ...avps,
  ]);
}

// ---- Transport ----

export interface NaiveTcp {
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags?: number; // default ACK|PSH
  payload?: Buffer;
}

export function tcp(t: NaiveTcp): Buffer {
  return Buffer.from([
    ...be16(t.sport), ...be16(t.dport), ...be32(t.seq), ...be32(t.ack ?? 0),
    5 << 4, t.flags ?? 0x18, ...be16(8192), 0, 0, 0, 0, ...(t.payload ?? []),
  ]);
}

export type NaiveChunk =
  | { type: 'data'; flags: number; tsn: number; sid: number; ssn: number; ppid: number; data: Buffer }
  | { type: 'idata'; flags: number; tsn: number; sid: number; mid: number; ppidOrFsn: number; data: Buffer }
  | { type: 'sack'; cumTsn: number };

export function sctp(sport: number, dport: number, chunks: NaiveChunk[]): Buffer {
  const out: Bytes = [...be16(sport), ...be16(dport), ...be32(0xcafe), 0, 0, 0, 0];
  for (const c of chunks) {
    if (c.type === 'data') {
      out.push(...pad4([0, c.flags, ...be16(16 + c.data.length), ...be32(c.tsn), ...be16(c.sid), ...be16(c.ssn), ...be32(c.ppid), ...c.data]));
    } else if (c.type === 'idata') {
      out.push(...pad4([64, c.flags, ...be16(20 + c.data.length), ...be32(c.tsn), ...be16(c.sid), 0, 0, ...be32(c.mid), ...be32(c.ppidOrFsn), ...c.data]));
    } else {
      out.push(3, 0, ...be16(16), ...be32(c.cumTsn), ...be32(65536), 0, 0, 0, 0);
    }
  }
  return Buffer.from(out);
}

// ---- IP ----

export interface NaiveIpv4 {
  src: string;
  dst: string;
  proto: number;
  id?: number;
  fragOffset?: number; // bytes, multiple of 8
  more?: boolean;
  payload: Buffer;
}

export function ipv4(p: NaiveIpv4): Buffer {
  const frag = ((p.more ?? false) ? 0x2000 : 0) | ((p.fragOffset ?? 0) / 8);
  return Buffer.from([
    0x45, 0, ...be16(20 + p.payload.length), ...be16(p.id ?? 1), ...be16(frag), 64, p.proto, 0, 0,
    ...ipv4Bytes(p.src), ...ipv4Bytes(p.dst), ...p.payload,
  ]);
}

/** Splits a transport payload into IPv4 fragments of at most `size` bytes (size % 8 == 0). */
export function ipv4Fragments(p: Omit<NaiveIpv4, 'fragOffset' | 'more'>, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < p.payload.length; off += size) {
    const part = p.payload.subarray(off, off + size);
    out.push(ipv4({ ...p, payload: part, fragOffset: off, more: off + size < p.payload.length }));
  }
  return out;
}

/** IPv6 with a hop-by-hop options header and a destination options header before `proto`. */
export function ipv6(src: Buffer, dst: Buffer, proto: number, payload: Buffer, withExtensions = false): Buffer {
  const ext: Bytes = withExtensions
    ? [60, 0, 1, 4, 0, 0, 0, 0, /* HBH -> DestOpts, PadN */ proto, 0, 1, 4, 0, 0, 0, 0 /* DestOpts -> proto */]
    : [];
  const next = withExtensions ? 0 : proto;
  return Buffer.from([
    0x60, 0, 0, 0, ...be16(ext.length + payload.length), next, 64, ...src, ...dst, ...ext, ...payload,
  ]);
}

/** IPv6 fragments (RFC 8200 §4.5) of an upper-layer payload. */
export function ipv6Fragments(src: Buffer, dst: Buffer, proto: number, payload: Buffer, size: number, id: number): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < payload.length; off += size) {
    const part = payload.subarray(off, off + size);
    const more = off + size < payload.length ? 1 : 0;
    const frag = [proto, 0, ...be16(off | more), ...be32(id)];
    out.push(Buffer.from([0x60, 0, 0, 0, ...be16(8 + part.length), 44, 64, ...src, ...dst, ...frag, ...part]));
  }
  return out;
}

// ---- Link layers ----

export function ethernet(ip: Buffer, vlans: number[] = []): Buffer {
  const tags = vlans.flatMap((vid, i) => [...be16(i === 0 && vlans.length > 1 ? 0x88a8 : 0x8100), ...be16(vid)]);
  const type = (ip[0]! >> 4) === 6 ? 0x86dd : 0x0800;
  return Buffer.from([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, ...tags, ...be16(type), ...ip]);
}

export function sll(ip: Buffer): Buffer {
  const type = (ip[0]! >> 4) === 6 ? 0x86dd : 0x0800;
  return Buffer.from([0, 0, ...be16(1), ...be16(6), 2, 0, 0, 0, 0, 1, 0, 0, ...be16(type), ...ip]);
}

export function sll2(ip: Buffer): Buffer {
  const type = (ip[0]! >> 4) === 6 ? 0x86dd : 0x0800;
  return Buffer.from([...be16(type), 0, 0, ...be32(3), ...be16(1), 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...ip]);
}

/** BSD loopback (LINKTYPE_NULL): address family in the capturing host's byte order. */
export function nullLoopback(ip: Buffer, littleEndianHost: boolean): Buffer {
  const af = (ip[0]! >> 4) === 6 ? 30 : 2;
  return Buffer.from([...(littleEndianHost ? le32(af) : be32(af)), ...ip]);
}

/** OpenBSD loopback (LINKTYPE_LOOP): address family always big-endian. */
export function loop(ip: Buffer): Buffer {
  const af = (ip[0]! >> 4) === 6 ? 24 : 2;
  return Buffer.from([...be32(af), ...ip]);
}

// ---- Files ----

export interface NaivePacket {
  data: Buffer;
  seconds?: number;
  frac?: number; // µs or ns, as the file says
  origLen?: number;
  iface?: number;
}

/** Classic pcap: 24-byte header, 16-byte record headers. */
export function pcapFile(linkType: number, packets: NaivePacket[], opts: { bigEndian?: boolean; nanos?: boolean } = {}): Buffer {
  const u32 = opts.bigEndian === true ? be32 : le32;
  const u16 = opts.bigEndian === true ? be16 : le16;
  const magic = opts.nanos === true ? 0xa1b23c4d : 0xa1b2c3d4;
  const out: Bytes = [...u32(magic), ...u16(2), ...u16(4), ...u32(0), ...u32(0), ...u32(65535), ...u32(linkType)];
  packets.forEach((p, i) => {
    out.push(...u32(p.seconds ?? 1_700_000_000 + i), ...u32(p.frac ?? 0), ...u32(p.data.length), ...u32(p.origLen ?? p.data.length), ...p.data);
  });
  return Buffer.from(out);
}

export interface NaiveInterface {
  linkType: number;
  tsresol?: number;
}

/** pcapng with one section; packets as EPBs (or an SPB when iface is -1), plus an NRB to skip. */
export function pcapngFile(interfaces: NaiveInterface[], packets: Array<NaivePacket & { ts?: bigint }>, opts: { bigEndian?: boolean } = {}): Buffer {
  const u32 = opts.bigEndian === true ? be32 : le32;
  const u16 = opts.bigEndian === true ? be16 : le16;
  const block = (type: number, body: Bytes): Bytes => {
    const b = pad4(body);
    return [...u32(type), ...u32(12 + b.length), ...b, ...u32(12 + b.length)];
  };
  const out: Bytes = [];
  out.push(...block(0x0a0d0d0a, [...u32(0x1a2b3c4d), ...u16(1), ...u16(0), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
  for (const i of interfaces) {
    const opt = i.tsresol === undefined ? [] : [...u16(9), ...u16(1), i.tsresol, 0, 0, 0];
    out.push(...block(1, [...u16(i.linkType), ...u16(0), ...u32(0), ...opt, ...u16(0), ...u16(0)]));
  }
  out.push(...block(4, [...u16(0), ...u16(0)])); // empty name resolution block: must be skipped
  for (const p of packets) {
    if (p.iface === -1) {
      out.push(...block(3, [...u32(p.data.length), ...p.data]));
      continue;
    }
    const ts = p.ts ?? 0n;
    out.push(...block(6, [
      ...u32(p.iface ?? 0), ...u32(Number(ts >> 32n)), ...u32(Number(ts & 0xffffffffn)),
      ...u32(p.data.length), ...u32(p.origLen ?? p.data.length), ...p.data,
    ]));
  }
  return Buffer.from(out);
}
