// TS 29.272 §5.2.2.1 Insert Subscriber Data (IDR/IDA, §7.2.9-§7.2.10), HSS → MME/SGSN: the changed
// parts of Subscription-Data. A changed APN list is sent whole (All-APN-Configurations-Included-
// Indicator = ALL_APN_CONFIGURATIONS_INCLUDED), which tells the MME to replace its APN set.
import type { ApnProfile, Subscriber } from '../../store/model.js';
import type { S6aContext } from './context.js';
import type { OutboundRecord, OutboundTarget } from './outbound.js';
import { subscriptionData, type SubscriptionDataParts } from './subscription-data.js';

export function insertSubscriberData(c: S6aContext, t: OutboundTarget, sub: Subscriber, profiles: readonly ApnProfile[], parts: SubscriptionDataParts): Promise<OutboundRecord> {
  return c.outbound.send('IDR', t, (d) => [subscriptionData(d, sub, profiles, parts)]);
}
