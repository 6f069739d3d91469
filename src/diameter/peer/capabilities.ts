// Capabilities exchange (RFC 6733 §5.3): building CER/CEA, reading the peer's capabilities, and
// the checks that decide the CEA's Result-Code — 5010 NO_COMMON_APPLICATION (§5.3, Relay
// 0xffffffff matches everything), 3010 UNKNOWN_PEER for a realm we do not expect (as freeDiameter),
// 5017 NO_COMMON_SECURITY when in-band TLS is required but not offered (§6.10, RFC 3588 style).
import type { Dictionary } from '../dictionary/dictionary.js';
import { avp } from '../codec/builder.js';
import { type Avp, DIAMETER_VERSION, type Message, findAvp, findAvps } from '../codec/message.js';
import { answerTo, type RequestHeader } from '../codec/answer.js';

export const RELAY_APPLICATION_ID = 0xffffffff;
export const INBAND_NO_SECURITY = 0;
export const INBAND_TLS = 1;

export interface LocalCapabilities {
  originHost: string;
  originRealm: string;
  vendorId: number;
  productName: string;
  firmwareRevision: number;
  originStateId: number;
  /** Auth applications without a vendor (Auth-Application-Id), including Relay when relaying. */
  authApplications: number[];
  acctApplications: number[];
  /** Vendor-specific applications (Vendor-Specific-Application-Id). */
  vendorApplications: { vendorId: number; id: number; kind: 'auth' | 'acct' }[];
}

export interface PeerCapabilities {
  originHost: string;
  originRealm: string;
  hostIpAddresses: string[];
  vendorId: number | undefined;
  productName: string | undefined;
  originStateId: number | undefined;
  firmwareRevision: number | undefined;
  supportedVendorIds: number[];
  /** Every application advertised, auth or acct, plain or vendor-specific. */
  applications: Set<number>;
  inbandSecurityIds: number[];
}

function u32(a: Avp | undefined): number | undefined {
  return typeof a?.value === 'number' ? a.value : undefined;
}
function text(a: Avp | undefined): string | undefined {
  return typeof a?.value === 'string' ? a.value : undefined;
}

/** Reads a CER or CEA; undefined when Origin-Host or Origin-Realm is missing. */
export function readCapabilities(m: Message): PeerCapabilities | undefined {
  const originHost = text(findAvp(m.avps, 264));
  const originRealm = text(findAvp(m.avps, 296));
  if (!originHost || !originRealm) return undefined;
  const applications = new Set<number>();
  for (const a of [...findAvps(m.avps, 258), ...findAvps(m.avps, 259)]) {
    const v = u32(a);
    if (v !== undefined) applications.add(v);
  }
  for (const vsai of findAvps(m.avps, 260)) {
    for (const code of [258, 259]) {
      const v = u32(findAvp(vsai.avps, code));
      if (v !== undefined) applications.add(v);
    }
  }
  return {
    originHost,
    originRealm,
    hostIpAddresses: findAvps(m.avps, 257).flatMap((a) => (typeof a.value === 'string' ? [a.value] : [])),
    vendorId: u32(findAvp(m.avps, 266)),
    productName: text(findAvp(m.avps, 269)),
    originStateId: u32(findAvp(m.avps, 278)),
    firmwareRevision: u32(findAvp(m.avps, 267)),
    supportedVendorIds: findAvps(m.avps, 265).flatMap((a) => (typeof a.value === 'number' ? [a.value] : [])),
    applications,
    inbandSecurityIds: findAvps(m.avps, 299).flatMap((a) => (typeof a.value === 'number' ? [a.value] : [])),
  };
}

export function localApplications(local: LocalCapabilities): Set<number> {
  return new Set([...local.authApplications, ...local.acctApplications, ...local.vendorApplications.map((v) => v.id)]);
}

/** Applications both sides can use; Relay on either side means "everything the other has". */
export function commonApplications(local: LocalCapabilities, peer: PeerCapabilities): number[] {
  const ours = localApplications(local);
  if (ours.has(RELAY_APPLICATION_ID)) return [...peer.applications];
  if (peer.applications.has(RELAY_APPLICATION_ID)) return [...ours];
  return [...ours].filter((a) => peer.applications.has(a));
}

export interface CapabilityCheck {
  resultCode: number;
  reason: string;
}

/** The Result-Code for a peer's capabilities (2001 when acceptable). */
export function checkCapabilities(
  local: LocalCapabilities,
  peer: PeerCapabilities,
  expect: { realm: string | undefined; inbandTls: boolean },
): CapabilityCheck {
  if (expect.realm !== undefined && expect.realm.toLowerCase() !== peer.originRealm.toLowerCase()) {
    return { resultCode: 3010, reason: `realm ${peer.originRealm} is not the configured ${expect.realm}` };
  }
  if (commonApplications(local, peer).length === 0) {
    return { resultCode: 5010, reason: `no common application (peer offers ${[...peer.applications].join(', ') || 'none'})` };
  }
  if (expect.inbandTls && !peer.inbandSecurityIds.includes(INBAND_TLS)) {
    return { resultCode: 5017, reason: 'in-band TLS is required but the peer did not offer Inband-Security-Id TLS' };
  }
  return { resultCode: 2001, reason: 'ok' };
}

/** The capability AVPs of CER and CEA, in RFC 6733 §5.3.1 order after the Origin AVPs. */
function capabilityAvps(dict: Dictionary, local: LocalCapabilities, hostIps: string[], inbandTls: boolean): Avp[] {
  const avps: Avp[] = [avp(dict, 'Origin-Host', local.originHost), avp(dict, 'Origin-Realm', local.originRealm)];
  for (const ip of hostIps) avps.push(avp(dict, 'Host-IP-Address', ip));
  avps.push(avp(dict, 'Vendor-Id', local.vendorId), avp(dict, 'Product-Name', local.productName));
  avps.push(avp(dict, 'Origin-State-Id', local.originStateId));
  const vendors = [...new Set(local.vendorApplications.map((v) => v.vendorId))];
  for (const v of vendors) avps.push(avp(dict, 'Supported-Vendor-Id', v));
  for (const a of local.authApplications) avps.push(avp(dict, 'Auth-Application-Id', a));
  if (inbandTls) avps.push(avp(dict, 'Inband-Security-Id', INBAND_TLS));
  for (const a of local.acctApplications) avps.push(avp(dict, 'Acct-Application-Id', a));
  for (const v of local.vendorApplications) {
    avps.push(
      avp(dict, 'Vendor-Specific-Application-Id', [
        avp(dict, 'Vendor-Id', v.vendorId),
        avp(dict, v.kind === 'auth' ? 'Auth-Application-Id' : 'Acct-Application-Id', v.id),
      ]),
    );
  }
  avps.push(avp(dict, 'Firmware-Revision', local.firmwareRevision));
  return avps;
}

export function buildCer(
  dict: Dictionary,
  local: LocalCapabilities,
  hostIps: string[],
  ids: { hopByHopId: number; endToEndId: number },
  inbandTls: boolean,
): Message {
  return {
    version: DIAMETER_VERSION,
    flags: 0x80,
    commandCode: 257,
    applicationId: 0,
    hopByHopId: ids.hopByHopId,
    endToEndId: ids.endToEndId,
    avps: capabilityAvps(dict, local, hostIps, inbandTls),
  };
}

export function buildCea(
  dict: Dictionary,
  local: LocalCapabilities,
  hostIps: string[],
  cer: RequestHeader,
  resultCode: number,
  errorMessage: string | undefined,
  inbandTls: boolean,
): Message {
  const caps = capabilityAvps(dict, local, hostIps, inbandTls && resultCode === 2001);
  const avps = [avp(dict, 'Result-Code', resultCode), ...caps];
  if (errorMessage && resultCode !== 2001) avps.push(avp(dict, 'Error-Message', errorMessage));
  return answerTo(cer, avps, resultCode);
}
