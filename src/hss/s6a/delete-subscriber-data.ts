// TS 29.272 §5.2.2.2 Delete Subscriber Data (DSR/DSA, §7.2.11-§7.2.12), HSS → MME/SGSN: data the
// MME holds that the subscription no longer has.
import { avp } from '../../diameter/codec/builder.js';
import type { S6aContext } from './context.js';
import type { OutboundRecord, OutboundTarget } from './outbound.js';

/** §7.3.25 DSR-Flags bits used here. */
export const DsrFlag = {
  REGIONAL_SUBSCRIPTION_WITHDRAWAL: 1 << 0,
  COMPLETE_APN_CONFIGURATION_PROFILE_WITHDRAWAL: 1 << 1,
  SUBSCRIBED_CHARGING_CHARACTERISTICS_WITHDRAWAL: 1 << 2,
} as const;

export function deleteSubscriberData(c: S6aContext, t: OutboundTarget, dsrFlags: number): Promise<OutboundRecord> {
  return c.outbound.send('DSR', t, (d) => [avp(d, 'DSR-Flags', dsrFlags)]);
}
