// Reading the S6a request AVPs the procedures use (TS 29.272 §7.3). The node has already checked
// the grammar (required AVPs present, types decoded), so these only pick values out.
import { findAvp, type Avp, type Message } from '../../diameter/codec/message.js';
import { encodePlmnId } from '../auth/index.js';
import { VENDOR_3GPP } from './answer.js';

export function u32(avps: readonly Avp[] | undefined, code: number, vendorId = VENDOR_3GPP): number | undefined {
  const v = findAvp(avps, code, vendorId)?.value;
  return typeof v === 'number' ? v : undefined;
}

export function str(avps: readonly Avp[] | undefined, code: number, vendorId = 0): string | undefined {
  const v = findAvp(avps, code, vendorId)?.value;
  return typeof v === 'string' ? v : undefined;
}

export function octets(avps: readonly Avp[] | undefined, code: number, vendorId = VENDOR_3GPP): Buffer | undefined {
  const a = findAvp(avps, code, vendorId);
  if (!a) return undefined;
  if (Buffer.isBuffer(a.value)) return a.value;
  return a.data;
}

/** User-Name (1): the IMSI on S6a. */
export function imsiOf(req: Message): string {
  return str(req.avps, 1) ?? '';
}

export function originHostOf(req: Message): string {
  return str(req.avps, 264) ?? '';
}

export function originRealmOf(req: Message): string {
  return str(req.avps, 296) ?? '';
}

export interface VisitedPlmn {
  readonly mcc: string;
  readonly mnc: string;
  /** The 3 octets as on the wire: the serving network id for KASME (TS 33.401 A.2). */
  readonly octets: Buffer;
}

/** Visited-PLMN-Id (1407); undefined when absent or not BCD digits. */
export function visitedPlmnOf(req: Message): VisitedPlmn | undefined {
  const a = findAvp(req.avps, 1407, VENDOR_3GPP);
  const v = a?.value;
  if (!v || typeof v !== 'object' || !('mcc' in v)) return undefined;
  return { mcc: v.mcc, mnc: v.mnc, octets: encodePlmnId(v.mcc, v.mnc) };
}

/** Terminal-Information (§7.3.3): IMEI and Software-Version; undefined without an IMEI. */
export function terminalOf(req: Message): { imei: string; softwareVersion: string | null } | undefined {
  const t = findAvp(req.avps, 1401, VENDOR_3GPP);
  const imei = str(t?.avps, 1402, VENDOR_3GPP);
  return imei ? { imei, softwareVersion: str(t?.avps, 1403, VENDOR_3GPP) ?? null } : undefined;
}
