// What the HSS tells the serving MME when the store changes a subscription (TS 29.272 §5.2.2.1.1,
// §5.2.2.2.1, §5.2.1.2.1): deleted or disabled → CLR SUBSCRIPTION_WITHDRAWAL; data removed → DSR;
// data changed → IDR with the changed parts. A purged UE has no MME context: nothing is sent.
import type { ServingNode, SubscriberChangedEvent } from '../../store/model.js';
import { CancellationType, cancelLocation } from './cancel-location.js';
import type { S6aContext } from './context.js';
import { DsrFlag, deleteSubscriberData } from './delete-subscriber-data.js';
import { insertSubscriberData } from './insert-subscriber-data.js';
import type { OutboundTarget } from './outbound.js';
import type { SubscriptionDataParts } from './subscription-data.js';

type Part = NonNullable<SubscriptionDataParts['include']> extends ReadonlySet<infer P> ? P : never;

/** Store field names → the Subscription-Data part they change. */
const PART_OF: Record<string, Part> = {
  msisdn: 'msisdn',
  ambr: 'ambr',
  networkAccessMode: 'nam',
  accessRestriction: 'access-restriction',
  chargingCharacteristics: 'charging',
  periodicTau: 'tau',
  apns: 'apns',
  defaultApn: 'apns',
};

function targets(n: ServingNode | null): { t: OutboundTarget; toMme: boolean }[] {
  if (!n || n.purged) return [];
  const out: { t: OutboundTarget; toMme: boolean }[] = [];
  if (n.mmeHost && n.mmeRealm) out.push({ t: { imsi: n.imsi, host: n.mmeHost, realm: n.mmeRealm }, toMme: true });
  if (n.sgsnHost && n.sgsnRealm) out.push({ t: { imsi: n.imsi, host: n.sgsnHost, realm: n.sgsnRealm }, toMme: false });
  return out;
}

export function onSubscriberChanged(c: S6aContext, e: SubscriberChangedEvent): void {
  const nodes = targets(e.servingNode);
  if (nodes.length === 0) return;
  const sub = e.kind === 'deleted' ? undefined : c.store.subscribers.get(e.imsi);
  if (!sub || !sub.enabled) {
    for (const { t, toMme } of nodes) void cancelLocation(c, t, CancellationType.SUBSCRIPTION_WITHDRAWAL, toMme);
    return;
  }
  const parts = new Set<Part>();
  for (const f of e.fields) {
    const p = PART_OF[f] ?? (f.startsWith('apns.') ? 'apns' : undefined);
    if (p) parts.add(p);
  }
  const profiles = c.store.apns.forSubscriber(e.imsi);
  let dsr = 0;
  if (parts.has('apns') && profiles.length === 0) {
    dsr |= DsrFlag.COMPLETE_APN_CONFIGURATION_PROFILE_WITHDRAWAL;
    parts.delete('apns');
  }
  if (parts.has('charging') && !sub.chargingCharacteristics) {
    dsr |= DsrFlag.SUBSCRIBED_CHARGING_CHARACTERISTICS_WITHDRAWAL;
    parts.delete('charging');
  }
  // A removed MSISDN or TAU timer has no DSR flag we send; the IDR simply omits it.
  for (const { t } of nodes) {
    if (dsr !== 0) void deleteSubscriberData(c, t, dsr);
    if (parts.size > 0) void insertSubscriberData(c, t, sub, profiles, { include: parts });
  }
}
