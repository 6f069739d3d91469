// Relay view: reads what routing needs from a message without decoding it (RFC 6733 §6.1,
// §6.7.1). One scan over the top-level AVPs records data offsets of Session-Id, Origin-Host/Realm,
// Destination-Host/Realm, User-Name, Route-Record(s) and the application ids; nothing is
// allocated per AVP (offsets live in preallocated fields), strings are made only on request.
// A view is reusable: scan() re-points it at the next message.
import { HEADER_LENGTH, CmdFlag } from './message.js';

const SESSION_ID = 263;
const ORIGIN_HOST = 264;
const ORIGIN_REALM = 296;
const DESTINATION_HOST = 293;
const DESTINATION_REALM = 283;
const USER_NAME = 1;
const ROUTE_RECORD = 282;
const AUTH_APPLICATION_ID = 258;
const ACCT_APPLICATION_ID = 259;
const VENDOR_SPECIFIC_APPLICATION_ID = 260;
const V_FLAG = 0x80;

/** scan() results: 0, or the Result-Code of a framing problem (RFC 6733 §7.1.5). */
export const SCAN_OK = 0;
export const SCAN_INVALID_AVP_LENGTH = 5014;
export const SCAN_INVALID_MESSAGE_LENGTH = 5015;

const EMPTY = Buffer.alloc(0);

/** Big-endian uint32 at off: plain byte reads (on the relay path, Buffer's methods cost more). */
export function readU32(b: Buffer, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

/** Writes a big-endian uint32 at off (hop-by-hop ids). */
export function writeU32(b: Buffer, off: number, v: number): void {
  b[off] = v >>> 24;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

export class RelayView {
  buf: Buffer = EMPTY;
  length = 0;
  avpCount = 0;
  // [start, end) of each AVP's data; -1 when absent. The first occurrence wins.
  sessionIdStart = -1;
  sessionIdEnd = -1;
  originHostStart = -1;
  originHostEnd = -1;
  originRealmStart = -1;
  originRealmEnd = -1;
  destinationHostStart = -1;
  destinationHostEnd = -1;
  destinationRealmStart = -1;
  destinationRealmEnd = -1;
  userNameStart = -1;
  userNameEnd = -1;
  /** Auth-/Acct-Application-Id (top level or inside Vendor-Specific-Application-Id); -1 if absent. */
  authApplicationId = -1;
  acctApplicationId = -1;
  routeRecordCount = 0;
  /** Pairs of [start, end) per Route-Record; grows when a message carries many. */
  routeRecords = new Int32Array(32);

  /** Points the view at a message; returns SCAN_OK or a Result-Code. */
  scan(buf: Buffer): number {
    this.buf = buf;
    this.avpCount = 0;
    this.sessionIdStart = this.sessionIdEnd = -1;
    this.originHostStart = this.originHostEnd = -1;
    this.originRealmStart = this.originRealmEnd = -1;
    this.destinationHostStart = this.destinationHostEnd = -1;
    this.destinationRealmStart = this.destinationRealmEnd = -1;
    this.userNameStart = this.userNameEnd = -1;
    this.authApplicationId = this.acctApplicationId = -1;
    this.routeRecordCount = 0;
    if (buf.length < HEADER_LENGTH) return SCAN_INVALID_MESSAGE_LENGTH;
    const length = (buf[1]! << 16) | (buf[2]! << 8) | buf[3]!;
    if (length !== buf.length || (length & 3) !== 0) return SCAN_INVALID_MESSAGE_LENGTH;
    this.length = length;
    let pos = HEADER_LENGTH;
    while (pos < length) {
      if (length - pos < 8) return SCAN_INVALID_AVP_LENGTH;
      // Byte reads rather than Buffer methods: this loop runs for every AVP of every relayed request.
      const code = readU32(buf, pos);
      const flags = buf[pos + 4]!;
      const avpLength = (buf[pos + 5]! << 16) | (buf[pos + 6]! << 8) | buf[pos + 7]!;
      const vendor = (flags & V_FLAG) !== 0;
      const headerLength = vendor ? 12 : 8;
      if (avpLength < headerLength || pos + avpLength > length) return SCAN_INVALID_AVP_LENGTH;
      this.avpCount++;
      // Base AVPs have no Vendor-Id; a vendor AVP with a base code is a different AVP.
      if (!vendor) {
        const start = pos + 8;
        const end = pos + avpLength;
        switch (code) {
          case SESSION_ID:
            if (this.sessionIdStart < 0) {
              this.sessionIdStart = start;
              this.sessionIdEnd = end;
            }
            break;
          case ORIGIN_HOST:
            if (this.originHostStart < 0) {
              this.originHostStart = start;
              this.originHostEnd = end;
            }
            break;
          case ORIGIN_REALM:
            if (this.originRealmStart < 0) {
              this.originRealmStart = start;
              this.originRealmEnd = end;
            }
            break;
          case DESTINATION_HOST:
            if (this.destinationHostStart < 0) {
              this.destinationHostStart = start;
              this.destinationHostEnd = end;
            }
            break;
          case DESTINATION_REALM:
            if (this.destinationRealmStart < 0) {
              this.destinationRealmStart = start;
              this.destinationRealmEnd = end;
            }
            break;
          case USER_NAME:
            if (this.userNameStart < 0) {
              this.userNameStart = start;
              this.userNameEnd = end;
            }
            break;
          case ROUTE_RECORD:
            this.addRouteRecord(start, end);
            break;
          case AUTH_APPLICATION_ID:
            if (avpLength === 12 && this.authApplicationId < 0) this.authApplicationId = readU32(buf, start);
            break;
          case ACCT_APPLICATION_ID:
            if (avpLength === 12 && this.acctApplicationId < 0) this.acctApplicationId = readU32(buf, start);
            break;
          case VENDOR_SPECIFIC_APPLICATION_ID:
            this.scanVendorSpecific(start, end);
            break;
        }
      }
      pos += (avpLength + 3) & ~3;
    }
    return pos === length ? SCAN_OK : SCAN_INVALID_AVP_LENGTH;
  }

  private addRouteRecord(start: number, end: number): void {
    const i = this.routeRecordCount * 2;
    if (i + 2 > this.routeRecords.length) {
      const grown = new Int32Array(this.routeRecords.length * 2);
      grown.set(this.routeRecords);
      this.routeRecords = grown;
    }
    this.routeRecords[i] = start;
    this.routeRecords[i + 1] = end;
    this.routeRecordCount++;
  }

  /** RFC 6733 §6.11: the application id may sit inside Vendor-Specific-Application-Id. */
  private scanVendorSpecific(start: number, end: number): void {
    const buf = this.buf;
    let p = start;
    while (end - p >= 12) {
      const code = buf.readUInt32BE(p);
      const flags = buf[p + 4]!;
      const len = (buf[p + 5]! << 16) | (buf[p + 6]! << 8) | buf[p + 7]!;
      if (len < 8 || p + len > end) return;
      if ((flags & V_FLAG) === 0 && len === 12) {
        if (code === AUTH_APPLICATION_ID && this.authApplicationId < 0) this.authApplicationId = buf.readUInt32BE(p + 8);
        else if (code === ACCT_APPLICATION_ID && this.acctApplicationId < 0) this.acctApplicationId = buf.readUInt32BE(p + 8);
      }
      p += (len + 3) & ~3;
    }
  }

  get flags(): number {
    return this.buf[4]!;
  }
  get isRequest(): boolean {
    return (this.buf[4]! & CmdFlag.R) !== 0;
  }
  get commandCode(): number {
    return (this.buf[5]! << 16) | (this.buf[6]! << 8) | this.buf[7]!;
  }
  get applicationId(): number {
    return readU32(this.buf, 8);
  }
  get hopByHopId(): number {
    return readU32(this.buf, 12);
  }
  get endToEndId(): number {
    return readU32(this.buf, 16);
  }

  /** Rewrites the hop-by-hop id in place (RFC 6733 §6.1.3: replaced per hop, restored on the answer). */
  setHopByHopId(id: number): void {
    writeU32(this.buf, 12, id >>> 0);
  }
  setFlags(flags: number): void {
    this.buf[4] = flags;
  }

  text(start: number, end: number): string | undefined {
    return start < 0 ? undefined : this.buf.toString('utf8', start, end);
  }
  get sessionId(): string | undefined {
    return this.text(this.sessionIdStart, this.sessionIdEnd);
  }
  get originHost(): string | undefined {
    return this.text(this.originHostStart, this.originHostEnd);
  }
  get originRealm(): string | undefined {
    return this.text(this.originRealmStart, this.originRealmEnd);
  }
  get destinationHost(): string | undefined {
    return this.text(this.destinationHostStart, this.destinationHostEnd);
  }
  get destinationRealm(): string | undefined {
    return this.text(this.destinationRealmStart, this.destinationRealmEnd);
  }
  get userName(): string | undefined {
    return this.text(this.userNameStart, this.userNameEnd);
  }
  routeRecord(i: number): string | undefined {
    if (i < 0 || i >= this.routeRecordCount) return undefined;
    return this.text(this.routeRecords[2 * i]!, this.routeRecords[2 * i + 1]!);
  }

  /** ASCII case-insensitive comparison of buf[start, end) with a lower-case identity (FQDN). */
  equalsIdentity(start: number, end: number, lowerIdentity: Buffer): boolean {
    if (start < 0 || end - start !== lowerIdentity.length) return false;
    const buf = this.buf;
    for (let i = 0; i < lowerIdentity.length; i++) {
      let c = buf[start + i]!;
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      if (c !== lowerIdentity[i]) return false;
    }
    return true;
  }

  /** True when a Route-Record names this identity: a loop (RFC 6733 §6.1.3, 3005). */
  hasRouteRecord(lowerIdentity: Buffer): boolean {
    const rr = this.routeRecords;
    for (let i = 0; i < this.routeRecordCount; i++) {
      if (this.equalsIdentity(rr[2 * i]!, rr[2 * i + 1]!, lowerIdentity)) return true;
    }
    return false;
  }

  /**
   * The message with a pre-encoded (padded) AVP appended and the length updated: one
   * allocation and one copy per relayed message. The view keeps pointing at the old bytes.
   */
  withAppended(paddedAvp: Buffer): Buffer {
    const total = this.length + paddedAvp.length;
    const out = Buffer.allocUnsafe(total);
    this.buf.copy(out, 0, 0, this.length);
    paddedAvp.copy(out, this.length);
    out[1] = (total >>> 16) & 0xff;
    out[2] = (total >>> 8) & 0xff;
    out[3] = total & 0xff;
    return out;
  }
}

/** Rewrites the 24-bit Message Length of a message header in place (RFC 6733 §3). */
export function setMessageLength(buf: Buffer, length: number): void {
  buf[1] = (length >>> 16) & 0xff;
  buf[2] = (length >>> 8) & 0xff;
  buf[3] = length & 0xff;
}

/**
 * The viewed message with its Destination-Realm replaced by `realm` and a pre-encoded (padded)
 * AVP appended; the length is updated. Used when routing rewrites the realm (rare path: copies).
 */
export function withDestinationRealm(v: RelayView, realm: string, paddedAvp: Buffer): Buffer {
  const start = v.destinationRealmStart - 8; // base AVP: 8-byte header
  const end = start + ((v.destinationRealmEnd - start + 3) & ~3);
  const data = Buffer.from(realm, 'utf8');
  const dr = Buffer.alloc((8 + data.length + 3) & ~3);
  dr.writeUInt32BE(DESTINATION_REALM, 0);
  dr[4] = v.buf[start + 4]!; // keep the M bit as sent
  dr.writeUIntBE(8 + data.length, 5, 3);
  data.copy(dr, 8);
  const out = Buffer.concat([v.buf.subarray(0, start), dr, v.buf.subarray(end, v.length), paddedAvp]);
  out.writeUIntBE(out.length, 1, 3);
  return out;
}

/** Pre-encodes a Route-Record AVP for an identity once (RFC 6733 §6.7.1), to append per message. */
export function encodeRouteRecord(identity: string): Buffer {
  const data = Buffer.from(identity, 'utf8');
  const len = 8 + data.length;
  const out = Buffer.alloc((len + 3) & ~3);
  out.writeUInt32BE(ROUTE_RECORD, 0);
  out[4] = 0x40; // M
  out.writeUIntBE(len, 5, 3);
  data.copy(out, 8);
  return out;
}
