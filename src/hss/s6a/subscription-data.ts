// TS 29.272 §7.3.2 Subscription-Data, as sent in ULA (§7.2.4) and IDR (§7.2.9): MSISDN (TBCD),
// Subscriber-Status, Network-Access-Mode, Access-Restriction-Data, charging characteristics, AMBR,
// APN-Configuration-Profile (§7.3.34/§7.3.35) and Subscribed-Periodic-RAU-TAU-Timer. The AVPs the
// Open5GS MME insists on (AMBR with both directions; per APN Context-Identifier, PDN-Type,
// Service-Selection, QoS with QCI and ARP priority) are always present.
import { avp } from '../../diameter/codec/builder.js';
import type { Avp } from '../../diameter/codec/message.js';
import type { Dictionary } from '../../diameter/dictionary/dictionary.js';
import type { Ambr, ApnProfile, NetworkAccessMode, PdnType, Subscriber } from '../../store/model.js';

const U32_MAX = 0xffffffff;
const PDN_TYPE: Record<PdnType, number> = { ipv4: 0, ipv6: 1, ipv4v6: 2, 'ipv4-or-ipv6': 3 };
const NAM: Record<NetworkAccessMode, number> = { 'packet-and-circuit': 0, 'only-packet': 2 };

/**
 * AMBR (§7.3.41). Above 2^32-1 bit/s the Unsigned32 AVPs carry their maximum and the TS 29.212
 * Extended-Max-Requested-BW AVPs (kbit/s) carry the real value, as Rel-15 MMEs expect.
 */
export function ambrAvp(d: Dictionary, a: Ambr): Avp {
  const kids = [avp(d, 'Max-Requested-Bandwidth-UL', Math.min(a.uplink, U32_MAX)), avp(d, 'Max-Requested-Bandwidth-DL', Math.min(a.downlink, U32_MAX))];
  if (a.uplink > U32_MAX) kids.push(avp(d, 'Extended-Max-Requested-BW-UL', Math.min(Math.floor(a.uplink / 1000), U32_MAX)));
  if (a.downlink > U32_MAX) kids.push(avp(d, 'Extended-Max-Requested-BW-DL', Math.min(Math.floor(a.downlink / 1000), U32_MAX)));
  return avp(d, 'AMBR', kids);
}

/** Context-Identifier of each APN: its 1-based position in the subscriber's list (stable across ULA/IDR). */
export function contextIdentifiers(sub: Subscriber): Map<string, number> {
  return new Map(sub.apns.map((a, i) => [a.name, i + 1]));
}

function apnConfiguration(d: Dictionary, sub: Subscriber, p: ApnProfile, contextId: number): Avp {
  const kids: Avp[] = [avp(d, 'Context-Identifier', contextId)];
  const ip = sub.apns.find((a) => a.name === p.name)?.staticIp;
  if (ip) kids.push(avp(d, 'Served-Party-IP-Address', ip));
  kids.push(avp(d, 'PDN-Type', PDN_TYPE[p.pdnType]), avp(d, 'Service-Selection', p.name));
  kids.push(
    avp(d, 'EPS-Subscribed-QoS-Profile', [
      avp(d, 'QoS-Class-Identifier', p.qci),
      avp(d, 'Allocation-Retention-Priority', [
        avp(d, 'Priority-Level', p.arp.priority),
        // Enumerated: 0 = ENABLED, 1 = DISABLED (TS 29.212 §5.3.46/§5.3.47).
        avp(d, 'Pre-emption-Capability', p.arp.preemptionCapability ? 0 : 1),
        avp(d, 'Pre-emption-Vulnerability', p.arp.preemptionVulnerability ? 0 : 1),
      ]),
    ]),
  );
  if (p.chargingCharacteristics) kids.push(avp(d, '3GPP-Charging-Characteristics', p.chargingCharacteristics));
  kids.push(ambrAvp(d, p.ambr));
  return avp(d, 'APN-Configuration', kids);
}

/**
 * APN-Configuration-Profile: the default APN's context first in Context-Identifier; `only` limits the
 * APN-Configurations (IDR of modified/added APNs, All-APN-Configurations-Included-Indicator = 1).
 * Undefined when the subscriber has no APN profile (ULR answers 5420 then).
 */
export function apnConfigurationProfile(d: Dictionary, sub: Subscriber, profiles: readonly ApnProfile[], only?: ReadonlySet<string>): Avp | undefined {
  const ids = contextIdentifiers(sub);
  const listed = profiles.filter((p) => ids.has(p.name) && (!only || only.has(p.name)));
  if (listed.length === 0) return undefined;
  const defaultName = sub.defaultApn && ids.has(sub.defaultApn) ? sub.defaultApn : listed[0]!.name;
  return avp(d, 'APN-Configuration-Profile', [
    avp(d, 'Context-Identifier', ids.get(defaultName)!),
    avp(d, 'All-APN-Configurations-Included-Indicator', only ? 1 : 0),
    ...listed.map((p) => apnConfiguration(d, sub, p, ids.get(p.name)!)),
  ]);
}

export interface SubscriptionDataParts {
  /** Which parts to include (IDR sends only what changed); default all. */
  readonly include?: ReadonlySet<'msisdn' | 'status' | 'nam' | 'access-restriction' | 'charging' | 'ambr' | 'apns' | 'tau'>;
  readonly onlyApns?: ReadonlySet<string>;
}

export function subscriptionData(d: Dictionary, sub: Subscriber, profiles: readonly ApnProfile[], parts: SubscriptionDataParts = {}): Avp {
  const has = (p: 'msisdn' | 'status' | 'nam' | 'access-restriction' | 'charging' | 'ambr' | 'apns' | 'tau'): boolean => !parts.include || parts.include.has(p);
  const kids: Avp[] = [];
  if (has('status')) kids.push(avp(d, 'Subscriber-Status', 0)); // SERVICE_GRANTED: disabled subscribers get no ULA
  if (has('msisdn') && sub.msisdn) kids.push(avp(d, 'MSISDN', sub.msisdn));
  if (has('nam')) kids.push(avp(d, 'Network-Access-Mode', NAM[sub.networkAccessMode]));
  if (has('access-restriction')) kids.push(avp(d, 'Access-Restriction-Data', sub.accessRestriction));
  if (has('charging') && sub.chargingCharacteristics) kids.push(avp(d, '3GPP-Charging-Characteristics', sub.chargingCharacteristics));
  if (has('ambr')) kids.push(ambrAvp(d, sub.ambr));
  if (has('apns')) {
    const profile = apnConfigurationProfile(d, sub, profiles, parts.onlyApns);
    if (profile) kids.push(profile);
  }
  if (has('tau') && sub.periodicTau !== null) kids.push(avp(d, 'Subscribed-Periodic-RAU-TAU-Timer', sub.periodicTau));
  return avp(d, 'Subscription-Data', kids);
}

