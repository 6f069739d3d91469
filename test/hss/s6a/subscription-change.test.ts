// HSS-initiated requests on subscription changes (TS 29.272 §5.2.2.1 IDR, §5.2.2.2 DSR, §5.2.1.2
// CLR SUBSCRIPTION_WITHDRAWAL): a store update reaches the serving MME over a real socket.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../support/node-config.js';
import type { ScriptedPeer } from '../../support/scripted-peer.js';
import { child, children, IMSI, startHss, top, ulr, type Hss } from './harness.js';

describe('S6a IDR/DSR/CLR on subscription change', () => {
  let hss: Hss;
  let mme: ScriptedPeer;
  beforeEach(async () => {
    hss = await startHss();
    mme = await hss.mme('mme1.epc.test');
    await ulr(mme, IMSI, 0b10);
  });
  afterEach(() => hss.close());

  it('sends IDR with the new MSISDN and AMBR only', async () => {
    hss.store.subscribers.update(IMSI, { msisdn: '33699999999', ambr: { uplink: 1000, downlink: 2000 } }, 'api:test');
    await waitFor(() => mme.received.length === 1, 'IDR');
    const idr = mme.received[0]!;
    expect(idr.commandCode).toBe(319);
    expect(top(idr, 'Destination-Host')?.value).toBe('mme1.epc.test');
    const sd = top(idr, 'Subscription-Data');
    expect(child(sd, 'MSISDN')?.value).toBe('33699999999');
    expect(child(child(sd, 'AMBR'), 'Max-Requested-Bandwidth-DL')?.value).toBe(2000);
    expect(child(sd, 'APN-Configuration-Profile')).toBeUndefined();
    await hss.app.settled();
    expect(hss.app.outbound.map((r) => [r.command, r.ok])).toEqual([['IDR', true]]);
  });

  it('sends IDR with the whole APN set when an APN is added or its profile changes', async () => {
    hss.store.subscribers.update(IMSI, { apns: ['internet'] }, 'api:test');
    await waitFor(() => mme.received.length === 1, 'IDR');
    const prof = child(top(mme.received[0]!, 'Subscription-Data'), 'APN-Configuration-Profile');
    expect(child(prof, 'All-APN-Configurations-Included-Indicator')?.value).toBe(0);
    expect(children(prof, 'APN-Configuration').map((a) => child(a, 'Service-Selection')?.value)).toEqual(['internet']);
    const internet = hss.store.apns.getByName('internet')!;
    hss.store.apns.update(internet.id, { qci: 6 }, 'api:test');
    await waitFor(() => mme.received.length === 2, 'second IDR');
    const qos = child(children(child(top(mme.received[1]!, 'Subscription-Data'), 'APN-Configuration-Profile'), 'APN-Configuration')[0], 'EPS-Subscribed-QoS-Profile');
    expect(child(qos, 'QoS-Class-Identifier')?.value).toBe(6);
  });

  it('sends DSR when the charging characteristics are removed', async () => {
    hss.store.subscribers.update(IMSI, { chargingCharacteristics: null }, 'api:test');
    await waitFor(() => mme.received.length === 1, 'DSR');
    expect(mme.received[0]!.commandCode).toBe(320);
    expect(top(mme.received[0]!, 'DSR-Flags')?.value).toBe(0b100);
  });

  it('sends CLR SUBSCRIPTION_WITHDRAWAL when the subscriber is disabled or deleted', async () => {
    hss.store.subscribers.update(IMSI, { enabled: false }, 'api:test');
    await waitFor(() => mme.received.length === 1, 'CLR');
    expect(mme.received[0]!.commandCode).toBe(317);
    expect(top(mme.received[0]!, 'Cancellation-Type')?.value).toBe(2);
    hss.store.subscribers.delete(IMSI, 'api:test');
    await waitFor(() => mme.received.length === 2, 'CLR after delete');
    expect(top(mme.received[1]!, 'Cancellation-Type')?.value).toBe(2);
  });

  it('sends nothing for a purged UE', async () => {
    await hss.store.servingNodes.setPurged(IMSI, true);
    hss.store.subscribers.update(IMSI, { msisdn: '33699999999' }, 'api:test');
    await new Promise((r) => setTimeout(r, 200));
    expect(mme.received).toHaveLength(0);
  });
});
