// A deliberately naive, independent Diameter wire builder for tests: plain concatenation,
// written straight from RFC 6733 §3 and §4.1 without any code from src/. If the codec and this
// builder disagree, one of them misreads the RFC.

export function u8(n: number): Buffer {
  return Buffer.from([n & 0xff]);
}
export function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}
export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
export function i32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
export function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
}
export function str(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}
export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}
export function ipv4(a: string): Buffer {
  return Buffer.concat([Buffer.from([0, 1]), Buffer.from(a.split('.').map(Number))]);
}

export const V = 0x80;
export const M = 0x40;

/** An AVP with padding. Pass vendor to set the V bit and the Vendor-Id field. */
export function avp(code: number, flags: number, data: Buffer | Buffer[], vendor?: number): Buffer {
  const body = Array.isArray(data) ? Buffer.concat(data) : data;
  const hasVendor = vendor !== undefined;
  const headerLen = hasVendor ? 12 : 8;
  const len = headerLen + body.length;
  const pad = (4 - (len % 4)) % 4;
  return Buffer.concat([
    u32(code),
    u8(hasVendor ? flags | V : flags),
    u24(len),
    hasVendor ? u32(vendor) : Buffer.alloc(0),
    body,
    Buffer.alloc(pad),
  ]);
}

export interface Header {
  flags: number;
  code: number;
  app: number;
  hbh: number;
  e2e: number;
}

export function msg(h: Header, avps: Buffer[]): Buffer {
  const body = Buffer.concat(avps);
  return Buffer.concat([u8(1), u24(20 + body.length), u8(h.flags), u24(h.code), u32(h.app), u32(h.hbh), u32(h.e2e), body]);
}

export const REQ = 0x80;
export const PXY = 0x40;
export const ERR = 0x20;
