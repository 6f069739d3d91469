// The decoded form of a Diameter message (RFC 6733 §3) and of its AVPs (§4).
import type { AvpDef } from '../dictionary/model.js';

/** Command flag bits (RFC 6733 §3). */
export const CmdFlag = { R: 0x80, P: 0x40, E: 0x20, T: 0x10, RESERVED: 0x0f } as const;

export const HEADER_LENGTH = 20;
export const DIAMETER_VERSION = 1;

/** An Address AVP of a family other than IPv4/IPv6 (RFC 6733 §4.3.1). */
export interface OtherAddress {
  family: number;
  bytes: Buffer;
}

/** PLMN identity as MCC and MNC digits (TS 24.008 §10.5.1.3). */
export interface PlmnId {
  mcc: string;
  mnc: string;
}

/**
 * Typed AVP value. OctetString -> Buffer; Integer32, Unsigned32, Float32, Float64, Enumerated -> number;
 * Integer64/Unsigned64 -> bigint; Time -> Date; Address -> 'a.b.c.d' | IPv6 text | OtherAddress;
 * UTF8String/DiameterIdentity/DiameterURI/IPFilterRule/QoSFilterRule/TBCD -> string; PLMNId -> PlmnId.
 */
export type AvpValue = Buffer | number | bigint | string | Date | OtherAddress | PlmnId;

export interface Avp {
  code: number;
  vendorId: number;
  flags: number;
  /** Dictionary definition, when the AVP is known. */
  def: AvpDef | undefined;
  /** Typed value of a known non-grouped AVP that decoded cleanly. */
  value: AvpValue | undefined;
  /** Children of a Grouped AVP. */
  avps: Avp[] | undefined;
  /** Raw data, when there is no typed value (unknown AVP, or a value that did not decode). */
  data: Buffer | undefined;
}

export interface Message {
  version: number;
  flags: number;
  commandCode: number;
  applicationId: number;
  hopByHopId: number;
  endToEndId: number;
  avps: Avp[];
}

export function isRequest(m: { flags: number }): boolean {
  return (m.flags & CmdFlag.R) !== 0;
}

/** First top-level AVP with this code and vendor. */
export function findAvp(avps: readonly Avp[] | undefined, code: number, vendorId = 0): Avp | undefined {
  if (!avps) return undefined;
  for (const a of avps) if (a.code === code && a.vendorId === vendorId) return a;
  return undefined;
}

export function findAvps(avps: readonly Avp[] | undefined, code: number, vendorId = 0): Avp[] {
  return avps ? avps.filter((a) => a.code === code && a.vendorId === vendorId) : [];
}
