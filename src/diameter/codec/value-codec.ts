// Encoding and decoding of AVP data by type (RFC 6733 §4.2 basic, §4.3 derived types).
import { isUtf8 } from 'node:buffer';
import type { AvpType } from '../dictionary/model.js';
import { addressLength, readAddress, writeAddress } from './address.js';
import type { AvpValue, OtherAddress, PlmnId } from './message.js';
import { decodePlmnId, writePlmnId } from './plmn-id.js';
import { decodeTbcd, tbcdLength, writeTbcd } from './tbcd.js';
import { dateToNtp, ntpToDate } from './time.js';

/** Why data did not decode to a typed value. Symbols, so the hot path allocates nothing. */
export const BAD_LENGTH = Symbol('5014 invalid AVP length');
export const BAD_VALUE = Symbol('5004 invalid AVP value');
/** Valid on the wire but with no exact typed form (a NaN payload, odd TBCD): kept as raw bytes. */
export const RAW_ONLY = Symbol('raw only');
export type ValueFault = typeof BAD_LENGTH | typeof BAD_VALUE | typeof RAW_ONLY;

const FIXED_LENGTH: Partial<Record<AvpType, number>> = {
  Integer32: 4,
  Integer64: 8,
  Unsigned32: 4,
  Unsigned64: 8,
  Float32: 4,
  Float64: 8,
  Enumerated: 4,
  Time: 4,
};

function utf8(b: Buffer, start: number, end: number): string | ValueFault {
  const view = b.subarray(start, end);
  return isUtf8(view) ? view.toString('utf8') : BAD_VALUE;
}

export function decodeValue(type: AvpType, b: Buffer, start: number, end: number): AvpValue | ValueFault {
  const fixed = FIXED_LENGTH[type];
  if (fixed !== undefined && end - start !== fixed) return BAD_LENGTH;
  switch (type) {
    case 'Integer32':
    case 'Enumerated':
      return b.readInt32BE(start);
    case 'Unsigned32':
      return b.readUInt32BE(start);
    case 'Integer64':
      return b.readBigInt64BE(start);
    case 'Unsigned64':
      return b.readBigUInt64BE(start);
    case 'Float32': {
      const v = b.readFloatBE(start);
      return Number.isNaN(v) ? RAW_ONLY : v;
    }
    case 'Float64': {
      const v = b.readDoubleBE(start);
      return Number.isNaN(v) ? RAW_ONLY : v;
    }
    case 'Time':
      return ntpToDate(b.readUInt32BE(start));
    case 'Address': {
      if (end - start < 2) return BAD_LENGTH;
      return readAddress(b, start, end) ?? BAD_LENGTH;
    }
    // DiameterURI is kept as text; its syntax is checked where it is used (parseDiameterUri),
    // since deployed HSSes send values such as "pri_ccf_address" that Wireshark also accepts.
    case 'UTF8String':
    case 'DiameterIdentity':
    case 'DiameterURI':
    case 'IPFilterRule':
    case 'QoSFilterRule':
      return utf8(b, start, end);
    case 'TBCD':
      return decodeTbcd(b, start, end) ?? RAW_ONLY;
    case 'PLMNId':
      return decodePlmnId(b, start, end) ?? RAW_ONLY;
    case 'OctetString':
      return b.subarray(start, end);
    case 'Grouped':
      throw new Error('decodeValue called for a Grouped AVP');
  }
}

/** Byte length of a value's encoding, or -1 when the value does not fit the type. */
export function valueLength(type: AvpType, v: AvpValue): number {
  const fixed = FIXED_LENGTH[type];
  if (fixed !== undefined) return fixed;
  switch (type) {
    case 'OctetString':
      return Buffer.isBuffer(v) ? v.length : -1;
    case 'UTF8String':
    case 'DiameterIdentity':
    case 'DiameterURI':
    case 'IPFilterRule':
    case 'QoSFilterRule':
      return typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : -1;
    case 'Address':
      return typeof v === 'string' || isOtherAddress(v) ? addressLength(v as string | OtherAddress) : -1;
    case 'TBCD':
      return typeof v === 'string' ? tbcdLength(v) : -1;
    case 'PLMNId':
      return 3;
    default:
      return -1;
  }
}

function isOtherAddress(v: AvpValue): v is OtherAddress {
  return typeof v === 'object' && v !== null && 'family' in v && 'bytes' in v;
}

/** Writes a value at off; returns bytes written or -1 when the value does not fit the type. */
export function writeValue(type: AvpType, v: AvpValue, b: Buffer, off: number): number {
  switch (type) {
    case 'Integer32':
    case 'Enumerated':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x8000_0000 || v > 0x7fff_ffff) return -1;
      b.writeInt32BE(v, off);
      return 4;
    case 'Unsigned32':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) return -1;
      b.writeUInt32BE(v, off);
      return 4;
    case 'Integer64':
      if (typeof v !== 'bigint' || v < -(2n ** 63n) || v >= 2n ** 63n) return -1;
      b.writeBigInt64BE(v, off);
      return 8;
    case 'Unsigned64':
      if (typeof v !== 'bigint' || v < 0n || v >= 2n ** 64n) return -1;
      b.writeBigUInt64BE(v, off);
      return 8;
    case 'Float32':
      if (typeof v !== 'number') return -1;
      b.writeFloatBE(v, off);
      return 4;
    case 'Float64':
      if (typeof v !== 'number') return -1;
      b.writeDoubleBE(v, off);
      return 8;
    case 'Time': {
      const ntp = v instanceof Date ? dateToNtp(v) : undefined;
      if (ntp === undefined) return -1;
      b.writeUInt32BE(ntp, off);
      return 4;
    }
    case 'Address':
      if (typeof v !== 'string' && !isOtherAddress(v)) return -1;
      return writeAddress(v, b, off);
    case 'UTF8String':
    case 'DiameterIdentity':
    case 'DiameterURI':
    case 'IPFilterRule':
    case 'QoSFilterRule':
      if (typeof v !== 'string') return -1;
      return b.write(v, off, 'utf8');
    case 'TBCD':
      return typeof v === 'string' ? writeTbcd(v, b, off) : -1;
    case 'PLMNId':
      return typeof v === 'object' && v !== null && 'mcc' in v ? writePlmnId(v as PlmnId, b, off) : -1;
    case 'OctetString':
      if (!Buffer.isBuffer(v)) return -1;
      return v.copy(b, off);
    case 'Grouped':
      return -1;
  }
}
