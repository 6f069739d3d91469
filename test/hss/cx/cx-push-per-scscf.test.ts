// RTR and PPR per S-CSCF (TS 29.228 §6.1.3, §6.1.5; TS 29.229 §6.1.9-§6.1.12): the IMPUs of one
// IMPI held by two S-CSCFs over real sockets, each S-CSCF getting one request with exactly its
// IMPUs, Associated-Identities for the subscription's other IMPIs held there, and the store's
// per-IMPU assignments cleared only where the S-CSCF answered 2001.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../../src/store/index.js';
import { waitFor } from '../../support/node-config.js';
import { resultCode } from '../../support/scripted-peer.js';
import { S1, S2, URI1, URI2, associatedIdentities, publicIdentities, reasonCode, requestsFor, resetPushBed, startPushBed, userDataXml, type PushBed } from './cx-push-support.js';

const A = 'alice@ims.test';
const A_SIP = 'sip:alice@ims.test';
const A_TEL = 'tel:+33100000001';
const A_WORK = 'sip:alice-work@ims.test';
const A_SPARE = 'sip:alice-spare@ims.test';
const B = 'bob@ims.test';
const C = 'carol@ims.test';
const D = 'dave@ims.test';
const E = 'erin@ims.test';
const IFC = '<InitialFilterCriteria><Priority>1</Priority><ApplicationServer><ServerName>sip:as1.ims.test</ServerName><DefaultHandling>0</DefaultHandling></ApplicationServer></InitialFilterCriteria>';
const REGISTRATION = 1;
const UNREGISTERED_USER = 3;

let templateId = 0;
function seed(s: SqliteStore): void {
  templateId = s.ifcTemplates.create({ name: 'push', xml: IFC }, 'test').id;
  const md5 = { authScheme: 'digest-md5' as const, digestRealm: 'ims.test', digestPassword: 'pw' };
  s.imsSubscribers.create(
    { impi: A, ...md5, subscriptionId: 'home', ifcTemplateId: templateId, impus: [{ impu: A_SIP }, { impu: A_TEL }, { impu: A_WORK, irs: 1 }, { impu: A_SPARE, irs: 2 }] },
    'test',
  );
  s.imsSubscribers.create({ impi: B, ...md5, subscriptionId: 'home', impus: [{ impu: 'sip:bob@ims.test' }] }, 'test');
  s.imsSubscribers.create({ impi: C, ...md5, subscriptionId: 'home', impus: [{ impu: 'sip:carol@ims.test' }] }, 'test');
  s.imsSubscribers.create({ impi: D, ...md5, impus: [{ impu: 'sip:dave@ims.test' }] }, 'test');
  s.imsSubscribers.create({ impi: E, ...md5, impus: [{ impu: 'sip:erin@ims.test' }] }, 'test');
}

let bed: PushBed;
beforeAll(async () => {
  bed = await startPushBed(seed, { scscfRealm: 'north.test' }, 400);
});
afterAll(async () => {
  await bed.close();
});
beforeEach(() => resetPushBed(bed));

/** Alice's first set at S1, her work set at S2, Bob registered at S1, Carol unregistered at S2. */
async function register(): Promise<void> {
  expect(resultCode(await bed.sar(S1, URI1, A, [A_SIP], REGISTRATION))).toBe(2001);
  expect(resultCode(await bed.sar(S2, URI2, A, [A_WORK], REGISTRATION))).toBe(2001);
  expect(resultCode(await bed.sar(S1, URI1, B, ['sip:bob@ims.test'], REGISTRATION))).toBe(2001);
  expect(resultCode(await bed.sar(S2, URI2, C, ['sip:carol@ims.test'], UNREGISTERED_USER))).toBe(2001);
}

/** IMPU → [S-CSCF, state] of an IMPI as stored. */
function states(impi: string): Record<string, [string | null, string]> {
  return Object.fromEntries(bed.store.imsSubscribers.get(impi)!.impus.map((p) => [p.impu, [p.scscfName, p.registrationState]]));
}

describe('RTR per S-CSCF (TS 29.228 §6.1.3)', () => {
  it('sends one RTR to each S-CSCF with exactly its IMPUs and the associated IMPIs held there; 2001 clears them all', async () => {
    await register();
    expect(states(A)).toEqual({ [A_SIP]: [URI1, 'registered'], [A_TEL]: [URI1, 'registered'], [A_WORK]: [URI2, 'registered'], [A_SPARE]: [null, 'not-registered'] });

    const out = await bed.cx.deregister(A, 0, 'operator');

    const r1 = requestsFor(bed.peers[S1]!, 304, A);
    const r2 = requestsFor(bed.peers[S2]!, 304, A);
    expect(r1).toHaveLength(1);
    expect(r2).toHaveLength(1);
    expect(publicIdentities(r1[0]!)).toEqual([A_SIP, A_TEL]);
    expect(publicIdentities(r2[0]!)).toEqual([A_WORK]);
    // Bob is registered at S1 only, Carol (unregistered, profile held) at S2 only.
    expect(associatedIdentities(r1[0]!)).toEqual([B]);
    expect(associatedIdentities(r2[0]!)).toEqual([C]);
    expect(reasonCode(r1[0]!)).toBe(0);
    // No separate RTR for the associated IMPIs.
    expect(requestsFor(bed.peers[S1]!, 304, B)).toHaveLength(0);
    expect(requestsFor(bed.peers[S2]!, 304, C)).toHaveLength(0);
    expect(out).toEqual({
      sent: true,
      resultCode: 2001,
      scscfs: [
        { scscf: URI1, host: S1, impus: [A_SIP, A_TEL], associatedImpis: [B], resultCode: 2001, ok: true },
        { scscf: URI2, host: S2, impus: [A_WORK], associatedImpis: [C], resultCode: 2001, ok: true },
      ],
    });
    for (const impi of [A, B, C]) for (const [, st] of Object.entries(states(impi))) expect(st).toEqual([null, 'not-registered']);
    expect(await bed.cx.deregister(A)).toEqual({ sent: false, reason: 'not-assigned', scscfs: [] });
  });

  it('keeps the assignments of an S-CSCF that answers 5012 or does not answer, clears those of the one that answers 2001', async () => {
    await register();
    bed.answers[S2] = 5012;
    // REMOVE_S-CSCF is not the end of the subscription: no Associated-Identities, Bob stays.
    const out = await bed.cx.deregister(A, 3);
    expect(out.resultCode).toBe(5012);
    expect(out.scscfs.map((s) => [s.scscf, s.resultCode, s.ok, s.associatedImpis])).toEqual([
      [URI1, 2001, true, []],
      [URI2, 5012, false, []],
    ]);
    expect(associatedIdentities(requestsFor(bed.peers[S1]!, 304, A)[0]!)).toEqual([]);
    expect(reasonCode(requestsFor(bed.peers[S2]!, 304, A)[0]!)).toBe(3);
    expect(states(A)).toEqual({ [A_SIP]: [null, 'not-registered'], [A_TEL]: [null, 'not-registered'], [A_WORK]: [URI2, 'registered'], [A_SPARE]: [null, 'not-registered'] });
    expect(states(B)['sip:bob@ims.test']).toEqual([URI1, 'registered']);

    // Nobody answers: the node's own 3002 after its request timeout, and the IMPU stays assigned.
    bed.answers[S2] = 'silent';
    const silent = await bed.cx.deregister(A, 0);
    expect(silent.scscfs.map((s) => [s.scscf, s.impus, s.resultCode, s.ok])).toEqual([[URI2, [A_WORK], 3002, false]]);
    expect(states(A)[A_WORK]).toEqual([URI2, 'registered']);
    bed.answers[S2] = 2001;
    expect((await bed.cx.deregister(A, 0)).resultCode).toBe(2001);
    expect(states(A)[A_WORK]).toEqual([null, 'not-registered']);
    await bed.cx.deregister(B);
    await bed.cx.deregister(C);
  });

  it('named IMPUs go with their implicit registration set to their S-CSCF only; Server-Name is learned for every IMPI', async () => {
    await register();
    const out = await bed.cx.deregister(A, 0, undefined, { impus: [A_TEL] });
    expect(out.scscfs.map((s) => [s.scscf, s.impus, s.associatedImpis, s.ok])).toEqual([[URI1, [A_SIP, A_TEL], [], true]]);
    expect(requestsFor(bed.peers[S2]!, 304, A)).toHaveLength(0);
    expect(states(A)[A_WORK]).toEqual([URI2, 'registered']);

    // Dave never sent a SAR through S1 (state set as after a restart), yet his RTR reaches S1's
    // Diameter identity, learned from other IMPIs' SARs with the same Server-Name.
    bed.store.imsSubscribers.setServer(D, URI1, 'registered');
    const d = await bed.cx.deregister(D);
    expect(d.scscfs).toEqual([{ scscf: URI1, host: S1, impus: ['sip:dave@ims.test'], associatedImpis: [], resultCode: 2001, ok: true }]);
    expect(requestsFor(bed.peers[S1]!, 304, D)).toHaveLength(1);

    expect(await bed.cx.deregister(A, 0, undefined, { impus: ['sip:bob@ims.test'] })).toEqual({ sent: false, reason: 'unknown-impu', scscfs: [] });
    expect(await bed.cx.deregister('nobody@ims.test')).toEqual({ sent: false, reason: 'unknown-user', scscfs: [] });
    expect((await bed.cx.deregister(A, 0, undefined, { impus: [A_SPARE] })).reason).toBe('not-assigned');
    await bed.cx.deregister(A);
  });

  it('an S-CSCF no SAR named falls back to the host of its SIP URI in scscfRealm (a realm nobody serves here: 3003)', async () => {
    bed.store.imsSubscribers.setServer(D, 'sip:scscf-north.ims.test', 'registered');
    const out = await bed.cx.deregister(D);
    expect(out.scscfs).toEqual([{ scscf: 'sip:scscf-north.ims.test', host: 'scscf-north.ims.test', impus: ['sip:dave@ims.test'], associatedImpis: [], resultCode: 3003, ok: false }]);
    expect(states(D)['sip:dave@ims.test']).toEqual(['sip:scscf-north.ims.test', 'registered']);
    bed.store.imsSubscribers.setServer(D, null, 'not-registered');
  });

  it('deleting a registered IMS subscriber sends RTR PERMANENT_TERMINATION to its S-CSCF', async () => {
    expect(resultCode(await bed.sar(S2, URI2, E, ['sip:erin@ims.test'], REGISTRATION))).toBe(2001);
    bed.store.imsSubscribers.delete(E, 'test');
    await waitFor(() => requestsFor(bed.peers[S2]!, 304, E).length === 1, 'RTR for the deleted IMPI');
    const rtr = requestsFor(bed.peers[S2]!, 304, E)[0]!;
    expect(publicIdentities(rtr)).toEqual(['sip:erin@ims.test']);
    expect(reasonCode(rtr)).toBe(0);
    expect(requestsFor(bed.peers[S1]!, 304, E)).toHaveLength(0);
  });
});

describe('PPR per S-CSCF (TS 29.228 §6.1.5)', () => {
  it('an iFC template change sends one PPR to each S-CSCF holding IMPUs, with the profile of those IMPUs', async () => {
    await register();
    bed.store.ifcTemplates.update(templateId, { xml: IFC.replace('sip:as1.ims.test', 'sip:as2.ims.test') }, 'test');
    await waitFor(() => requestsFor(bed.peers[S1]!, 305, A).length === 1 && requestsFor(bed.peers[S2]!, 305, A).length === 1, 'a PPR at each S-CSCF');
    const x1 = userDataXml(requestsFor(bed.peers[S1]!, 305, A)[0]!);
    const x2 = userDataXml(requestsFor(bed.peers[S2]!, 305, A)[0]!);
    for (const x of [x1, x2]) expect(x).toContain('sip:as2.ims.test');
    expect(x1).toContain(`<Identity>${A_SIP}</Identity>`);
    expect(x1).toContain(`<Identity>${A_TEL}</Identity>`);
    expect(x1).not.toContain(A_WORK);
    expect(x2).toContain(`<Identity>${A_WORK}</Identity>`);
    expect(x2).not.toContain(A_SIP);
    for (const x of [x1, x2]) expect(x).not.toContain(A_SPARE);

    // Direct push: S1 refuses, S2 accepts; the states stay as they are.
    bed.answers[S1] = 5001;
    const out = await bed.cx.pushProfile(A);
    expect(out.scscfs.map((s) => [s.scscf, s.host, s.impus, s.resultCode, s.ok])).toEqual([
      [URI1, S1, [A_SIP, A_TEL], 5001, false],
      [URI2, S2, [A_WORK], 2001, true],
    ]);
    expect(states(A)[A_SIP]).toEqual([URI1, 'registered']);
    await bed.cx.deregister(A);
  });
});
