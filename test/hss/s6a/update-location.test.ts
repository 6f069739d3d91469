// ULR/ULA, CLR to the old MME, PUR/PUA and NOR/NOA over real sockets (TS 29.272 §5.2.1, §5.2.5),
// with the ULA checked for every AVP the Open5GS MME requires (hss-anchors.md §4).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { avp } from '../../../src/diameter/codec/builder.js';
import { openSqliteStore } from '../../../src/store/index.js';
import { waitFor } from '../../support/node-config.js';
import { child, children, dict, IMSI, nor, pur, resultOf, startHss, top, tops, ulr, type Hss } from './harness.js';

const S6A_INDICATOR = 0b10;
const SKIP_SUBSCRIBER_DATA = 0b100;
const INITIAL_ATTACH = 0b100000;
const SINGLE_REGISTRATION = 0b1;
const PARTIAL_PURGE = 1 << 29;

const terminal = (imei: string, sv: string) => avp(dict, 'Terminal-Information', [avp(dict, 'IMEI', imei), avp(dict, 'Software-Version', sv)]);
const supportedFeatures = (id: number, list: number) =>
  avp(dict, 'Supported-Features', [avp(dict, 'Vendor-Id', 10415), avp(dict, 'Feature-List-ID', id), avp(dict, 'Feature-List', list)]);

describe('S6a ULR/ULA', () => {
  let hss: Hss;
  beforeEach(async () => {
    hss = await startHss({
      provision: (s) => {
        s.subscribers.create({ imsi: '001010000000005', ratRestrictions: ['eutran'], apns: ['internet'] }, 'test');
        s.subscribers.create({ imsi: '001010000000006' }, 'test'); // no APN
      },
    });
  });
  afterEach(() => hss.close());

  it('answers ULA-Flags and the full Subscription-Data, and records the serving MME', async () => {
    const mme = await hss.mme('mme1.epc.test');
    const a = await ulr(mme, IMSI, S6A_INDICATOR);
    expect(resultOf(a)).toEqual({ result: 2001 });
    for (const name of ['Session-Id', 'Vendor-Specific-Application-Id', 'Auth-Session-State', 'Origin-Host', 'Origin-Realm']) expect(top(a, name), name).toBeDefined();
    expect(top(a, 'ULA-Flags')?.value).toBe(1);
    const sd = top(a, 'Subscription-Data');
    expect(child(sd, 'MSISDN')?.value).toBe('33612345678');
    expect(child(sd, 'Subscriber-Status')?.value).toBe(0);
    expect(child(sd, 'Network-Access-Mode')?.value).toBe(0);
    expect(child(sd, '3GPP-Charging-Characteristics')?.value).toBe('0800');
    expect(child(sd, 'Subscribed-Periodic-RAU-TAU-Timer')?.value).toBe(3240);
    const ambr = child(sd, 'AMBR');
    expect(child(ambr, 'Max-Requested-Bandwidth-UL')?.value).toBe(200_000_000);
    expect(child(ambr, 'Max-Requested-Bandwidth-DL')?.value).toBe(1_000_000_000);
    const prof = child(sd, 'APN-Configuration-Profile');
    expect(child(prof, 'Context-Identifier')?.value).toBe(1);
    expect(child(prof, 'All-APN-Configurations-Included-Indicator')?.value).toBe(0);
    const apns = children(prof, 'APN-Configuration');
    expect(apns.map((x) => [child(x, 'Context-Identifier')?.value, child(x, 'Service-Selection')?.value, child(x, 'PDN-Type')?.value])).toEqual([
      [1, 'internet', 2],
      [2, 'ims', 0],
    ]);
    const qos = child(apns[0], 'EPS-Subscribed-QoS-Profile');
    expect(child(qos, 'QoS-Class-Identifier')?.value).toBe(9);
    const arp = child(qos, 'Allocation-Retention-Priority');
    expect([child(arp, 'Priority-Level')?.value, child(arp, 'Pre-emption-Capability')?.value, child(arp, 'Pre-emption-Vulnerability')?.value]).toEqual([8, 1, 0]);
    expect(child(child(apns[0], 'AMBR'), 'Max-Requested-Bandwidth-DL')?.value).toBe(100_000_000);
    expect(child(apns[0], 'Served-Party-IP-Address')).toBeUndefined();
    expect(child(apns[1], 'Served-Party-IP-Address')?.value).toBe('10.45.0.7');
    const node = hss.store.servingNodes.get(IMSI)!;
    expect([node.mmeHost, node.mmeRealm, node.purged]).toEqual(['mme1.epc.test', 'epc.test', false]);
    expect(node.mmeUpdatedAt).not.toBeNull();
  });

  it('honours Skip-Subscriber-Data', async () => {
    const mme = await hss.mme('mme1.epc.test');
    const a = await ulr(mme, IMSI, S6A_INDICATOR | SKIP_SUBSCRIBER_DATA);
    expect(resultOf(a)).toEqual({ result: 2001 });
    expect(top(a, 'ULA-Flags')?.value).toBe(1);
    expect(top(a, 'Subscription-Data')).toBeUndefined();
  });

  it('records an SGSN (S6d) separately from the MME', async () => {
    const sgsn = await hss.mme('sgsn1.epc.test');
    expect(resultOf(await ulr(sgsn, IMSI, 0, { rat: 1000 }))).toEqual({ result: 2001 });
    const n = hss.store.servingNodes.get(IMSI)!;
    expect([n.sgsnHost, n.mmeHost]).toEqual(['sgsn1.epc.test', null]);
  });

  it('sends CLR (MME_UPDATE_PROCEDURE) to the old MME when another MME registers, not when the same one does', async () => {
    const old = await hss.mme('mme1.epc.test');
    const fresh = await hss.mme('mme2.epc.test');
    expect(resultOf(await ulr(old, IMSI, S6A_INDICATOR))).toEqual({ result: 2001 });
    expect(resultOf(await ulr(old, IMSI, S6A_INDICATOR))).toEqual({ result: 2001 });
    expect(resultOf(await ulr(fresh, IMSI, S6A_INDICATOR))).toEqual({ result: 2001 });
    await waitFor(() => old.received.length === 1, 'CLR at the old MME');
    const clr = old.received[0]!;
    expect(clr.commandCode).toBe(317);
    expect(clr.flags & 0x80).toBe(0x80);
    expect(top(clr, 'User-Name')?.value).toBe(IMSI);
    expect(top(clr, 'Destination-Host')?.value).toBe('mme1.epc.test');
    expect(top(clr, 'Origin-Host')?.value).toBe('hss.epc.test');
    expect(top(clr, 'Cancellation-Type')?.value).toBe(0);
    expect(top(clr, 'CLR-Flags')?.value).toBe(1);
    await hss.app.settled();
    expect(hss.app.outbound.map((r) => [r.command, r.host, r.ok])).toEqual([['CLR', 'mme1.epc.test', true]]);
    expect(fresh.received).toHaveLength(0);
    expect(hss.store.servingNodes.get(IMSI)!.mmeHost).toBe('mme2.epc.test');
    // Initial attach at a third MME: INITIAL_ATTACH_PROCEDURE to mme2.
    const third = await hss.mme('mme3.epc.test');
    await ulr(third, IMSI, S6A_INDICATOR | INITIAL_ATTACH);
    await waitFor(() => fresh.received.length === 1, 'CLR at mme2');
    expect(top(fresh.received[0]!, 'Cancellation-Type')?.value).toBe(4);
  });

  it('single registration: an MME registering with Single-Registration-Indication cancels the SGSN (CLR without S6a indicator) and ends its registration', async () => {
    const sgsn = await hss.mme('sgsn1.epc.test');
    const mme = await hss.mme('mme1.epc.test');
    expect(resultOf(await ulr(sgsn, IMSI, 0, { rat: 1000 }))).toEqual({ result: 2001 });
    // Without the indication (ISR possible), both registrations stay and nobody is cancelled.
    expect(resultOf(await ulr(mme, IMSI, S6A_INDICATOR))).toEqual({ result: 2001 });
    await hss.app.settled();
    expect(sgsn.received).toHaveLength(0);
    expect(hss.store.servingNodes.get(IMSI)).toMatchObject({ mmeHost: 'mme1.epc.test', sgsnHost: 'sgsn1.epc.test' });
    // With it: CLR to the SGSN, the SGSN registration cleared (in the store, after the ULA).
    expect(resultOf(await ulr(mme, IMSI, S6A_INDICATOR | SINGLE_REGISTRATION))).toEqual({ result: 2001 });
    await waitFor(() => sgsn.received.length === 1, 'CLR at the SGSN');
    const clr = sgsn.received[0]!;
    expect(clr.commandCode).toBe(317);
    expect(top(clr, 'Destination-Host')?.value).toBe('sgsn1.epc.test');
    expect(top(clr, 'Cancellation-Type')?.value).toBe(0); // MME_UPDATE_PROCEDURE
    expect(top(clr, 'CLR-Flags')?.value).toBe(0); // to an SGSN: no S6a/S6d-Indicator
    expect(hss.store.servingNodes.get(IMSI)).toMatchObject({ mmeHost: 'mme1.epc.test', sgsnHost: null, sgsnRealm: null });
    await hss.app.settled();
    expect(hss.app.outbound.map((r) => [r.command, r.host, r.ok])).toEqual([['CLR', 'sgsn1.epc.test', true]]);
    expect(mme.received).toHaveLength(0);
  });

  it('negotiates Supported-Features: answers the common features of each offered list, nothing when none are offered or shared', async () => {
    const mme = await hss.mme('mme1.epc.test');
    const offered = await ulr(mme, IMSI, S6A_INDICATOR, { extra: [supportedFeatures(1, PARTIAL_PURGE | 0b111), supportedFeatures(2, 0b11)] });
    expect(resultOf(offered)).toEqual({ result: 2001 });
    const sf = tops(offered, 'Supported-Features');
    expect(sf).toHaveLength(1);
    expect(child(sf[0]!, 'Vendor-Id')?.value).toBe(10415);
    expect(child(sf[0]!, 'Feature-List-ID')?.value).toBe(1);
    expect(child(sf[0]!, 'Feature-List')?.value).toBe(PARTIAL_PURGE);
    // Grammar order: after Origin-Realm, before ULA-Flags.
    const codes = offered.avps.map((a) => a.code);
    expect(codes.indexOf(296)).toBeLessThan(codes.indexOf(628));
    expect(codes.indexOf(628)).toBeLessThan(codes.indexOf(1406));
    expect(tops(await ulr(mme, IMSI, S6A_INDICATOR), 'Supported-Features')).toHaveLength(0);
    expect(tops(await ulr(mme, IMSI, S6A_INDICATOR, { extra: [supportedFeatures(1, 0b111)] }), 'Supported-Features')).toHaveLength(0);
  });

  it('retransmits a CLR the old MME refuses with a transient error (same End-to-End id, T bit)', async () => {
    let calls = 0;
    const old = await hss.mme('mme1.epc.test', () => (++calls < 2 ? 3004 : 2001));
    const fresh = await hss.mme('mme2.epc.test');
    await ulr(old, IMSI, S6A_INDICATOR);
    await ulr(fresh, IMSI, S6A_INDICATOR);
    await waitFor(() => hss.app.outbound.length === 1, 'CLR outcome');
    expect(old.received).toHaveLength(2);
    expect(old.received[1]!.endToEndId).toBe(old.received[0]!.endToEndId);
    expect(old.received[1]!.flags & 0x10).toBe(0x10); // T bit on the retransmission
    expect(hss.app.outbound[0]).toMatchObject({ command: 'CLR', ok: true, attempts: 2 });
  });

  it('gives up after the configured attempts and records the failure', async () => {
    const old = await hss.mme('mme1.epc.test', () => 3004);
    const fresh = await hss.mme('mme2.epc.test');
    await ulr(old, IMSI, S6A_INDICATOR);
    await ulr(fresh, IMSI, S6A_INDICATOR);
    await waitFor(() => hss.app.outbound.length === 1, 'CLR outcome');
    expect(old.received).toHaveLength(3);
    expect(hss.app.outbound[0]).toMatchObject({ command: 'CLR', ok: false, attempts: 3, resultCode: 3004 });
  });

  it('answers 5001 unknown, 5421 RAT not allowed, 5420 no EPS subscription, 5004 roaming barred', async () => {
    const mme = await hss.mme('mme1.epc.test');
    expect(resultOf(await ulr(mme, '001019999999999'))).toEqual({ experimental: 5001 });
    expect(resultOf(await ulr(mme, '001010000000005', S6A_INDICATOR, { rat: 1004 }))).toEqual({ experimental: 5421 });
    expect(resultOf(await ulr(mme, '001010000000005', S6A_INDICATOR, { rat: 1000 }))).toEqual({ result: 2001 });
    expect(resultOf(await ulr(mme, '001010000000006'))).toEqual({ experimental: 5420 });
    hss.store.subscribers.update(IMSI, { roamingAllowed: false }, 'test');
    expect(resultOf(await ulr(mme, IMSI, S6A_INDICATOR, { plmn: { mcc: '208', mnc: '93' } }))).toEqual({ experimental: 5004 });
    expect(hss.store.servingNodes.get('001019999999999')).toBeUndefined();
  });
});

describe('S6a requests an HSS does not answer', () => {
  it('answers a CLR sent to the HSS with 3001 and the E bit, with the mandatory head', async () => {
    const hss = await startHss();
    try {
      const mme = await hss.mme('mme1.epc.test');
      const a = await mme.sendMessage({
        version: 1,
        flags: 0xc0,
        commandCode: 317,
        applicationId: 16777251,
        hopByHopId: 0,
        endToEndId: 77,
        avps: [
          avp(dict, 'Session-Id', 'mme1.epc.test;77'),
          avp(dict, 'Auth-Session-State', 1),
          avp(dict, 'Origin-Host', 'mme1.epc.test'),
          avp(dict, 'Origin-Realm', 'epc.test'),
          avp(dict, 'Destination-Host', 'hss.epc.test'),
          avp(dict, 'Destination-Realm', 'epc.test'),
          avp(dict, 'User-Name', IMSI),
          avp(dict, 'Cancellation-Type', 0),
        ],
      });
      expect(resultOf(a)).toEqual({ result: 3001 });
      expect(a.flags & 0xa0).toBe(0x20);
      expect(top(a, 'Vendor-Specific-Application-Id')).toBeDefined();
      expect(top(a, 'Origin-Host')?.value).toBe('hss.epc.test');
    } finally {
      await hss.close();
    }
  });
});

describe('S6a PUR/PUA and NOR/NOA', () => {
  let hss: Hss;
  beforeEach(async () => {
    hss = await startHss();
  });
  afterEach(() => hss.close());

  it('marks the UE purged when the registered MME purges it (PUA-Flags Freeze-M-TMSI), not for another MME', async () => {
    const mme = await hss.mme('mme1.epc.test');
    const other = await hss.mme('mme9.epc.test');
    await ulr(mme, IMSI, S6A_INDICATOR);
    const stray = await pur(other, IMSI, 1);
    expect(resultOf(stray)).toEqual({ result: 2001 });
    expect(top(stray, 'PUA-Flags')?.value).toBe(0);
    expect(hss.store.servingNodes.get(IMSI)!.purged).toBe(false);
    const a = await pur(mme, IMSI, 1);
    expect(resultOf(a)).toEqual({ result: 2001 });
    expect(top(a, 'PUA-Flags')?.value).toBe(1);
    expect(hss.store.servingNodes.get(IMSI)!.purged).toBe(true);
    expect(resultOf(await pur(mme, '001019999999999', 1))).toEqual({ experimental: 5001 });
    // A new ULR clears the purge.
    await ulr(mme, IMSI, S6A_INDICATOR);
    expect(hss.store.servingNodes.get(IMSI)!.purged).toBe(false);
  });

  it('keeps what a NOR notifies', async () => {
    const mme = await hss.mme('mme1.epc.test');
    const a = await nor(mme, IMSI, [
      terminal('35209900176148', '23'),
      avp(dict, 'MIP6-Agent-Info', [avp(dict, 'MIP-Home-Agent-Host', [avp(dict, 'Destination-Realm', 'epc.test'), avp(dict, 'Destination-Host', 'pgw1.epc.test')])]),
      avp(dict, 'Context-Identifier', 1),
      avp(dict, 'Service-Selection', 'internet'),
      avp(dict, 'Alert-Reason', 0),
    ]);
    expect(resultOf(a)).toEqual({ result: 2001 });
    const kept = { from: 'mme1.epc.test', pdnGwHost: 'pgw1.epc.test', contextIdentifier: 1, serviceSelection: 'internet', alertReason: 0, imei: '35209900176148', softwareVersion: '23' };
    expect(hss.app.notification(IMSI)).toMatchObject(kept);
    expect(resultOf(await nor(mme, '001019999999999', []))).toEqual({ experimental: 5001 });
    // The NOA left after the commit: another connection to the file (a restarted node) sees it.
    const reopened = openSqliteStore(hss.store.file);
    try {
      expect(reopened.servingNodes.lastNotification(IMSI)).toMatchObject(kept);
      expect(reopened.servingNodes.get(IMSI)).toMatchObject({ imei: '35209900176148', softwareVersion: '23' });
    } finally {
      reopened.close();
    }
  });

  it('stores the Terminal-Information (IMEI, software version) of a ULR with the serving node, on disk before the ULA', async () => {
    const mme = await hss.mme('mme1.epc.test');
    const a = await ulr(mme, IMSI, S6A_INDICATOR, { extra: [terminal('35209900176148', '01')] });
    expect(resultOf(a)).toEqual({ result: 2001 });
    const reopened = openSqliteStore(hss.store.file);
    try {
      expect(reopened.servingNodes.get(IMSI)).toMatchObject({ mmeHost: 'mme1.epc.test', imei: '35209900176148', softwareVersion: '01' });
    } finally {
      reopened.close();
    }
    // A ULR without it keeps what was known.
    await ulr(mme, IMSI, S6A_INDICATOR);
    expect(hss.store.servingNodes.get(IMSI)).toMatchObject({ imei: '35209900176148' });
  });
});
