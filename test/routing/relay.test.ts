// The relay end to end over real sockets: an "MME" sends requests to a Diamond DRA, which
// routes them by rules to "HSS" peers (small real Diameter endpoints, test/support/scripted-peer).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/model.js';
import { DiameterNode } from '../../src/node/node.js';
import { testConfig, testPeer, waitFor } from '../support/node-config.js';
import { avp } from '../../src/diameter/codec/builder.js';
import { ScriptedPeer, originHost, resultCode, routeRecords, testDictionary as dict, type ScriptedPeerOptions } from '../support/scripted-peer.js';

const DRA = 'dra.realm-dra.test';
let node: DiameterNode | undefined;
let peers: ScriptedPeer[] = [];
afterEach(async () => {
  for (const p of peers) p.kill();
  peers = [];
  await node?.stop();
  node = undefined;
});

function rulesFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'diamond-rules-'));
  const f = join(dir, 'rules.conf');
  writeFileSync(f, text);
  return f;
}

type PeerSpec = Omit<ScriptedPeerOptions, 'port'>;

/** Starts a DRA listing every peer (they connect to it), then connects them. */
async function topology(specs: PeerSpec[], over: Partial<Config> = {}): Promise<ScriptedPeer[]> {
  node = new DiameterNode({
    config: testConfig(DRA, 'realm-dra.test', {
      peers: specs.map((s) => testPeer(s.identity, 1, { connect: false, realm: s.realm, tw: 30_000 })),
      ...over,
    }),
  });
  await node.start();
  const port = node.listeners[0]!.port;
  peers = specs.map((s) => new ScriptedPeer({ ...s, port }));
  for (const p of peers) await p.connect();
  const n = node;
  await waitFor(() => specs.every((s) => n.peers.peer(s.identity)?.isAvailable), 'all peers open');
  return peers;
}

const MME: PeerSpec = { identity: 'mme.realm-a.test', realm: 'realm-a.test' };
const hss = (name: string, over: Partial<PeerSpec> = {}): PeerSpec => ({ identity: `${name}.realm-b.test`, realm: 'realm-b.test', ...over });

describe('relay', () => {
  it('relays by Destination-Realm with Route-Record, keeps End-to-End, returns the answer', async () => {
    const [mme, h1] = await topology([MME, hss('hss1')]);
    const a = await mme!.request(1001, { destinationRealm: 'realm-b.test', userName: '001010000000001' });
    expect(resultCode(a)).toBe(2001);
    expect(originHost(a)).toBe('hss1.realm-b.test');
    const got = h1!.received[0]!;
    expect(got.endToEndId).toBe(1001);
    expect(routeRecords(got)).toEqual(['mme.realm-a.test']);
    expect(got.flags & 0x10).toBe(0);
  });

  it('sends to the Destination-Host peer over realm peers (FINALDEST)', async () => {
    const [mme] = await topology([MME, hss('hss1'), hss('hss2')]);
    for (let i = 0; i < 20; i++) {
      const a = await mme!.request(2000 + i, { destinationRealm: 'realm-b.test', destinationHost: 'hss2.realm-b.test' });
      expect(originHost(a)).toBe('hss2.realm-b.test');
    }
  });

  it('applies rt_default rules: exact IMSI, regex prefix, and a NO_DELIVERY ban', async () => {
    const rules = rulesFile(
      [
        '# lab SIM goes to the lab HSS; MVNO range to its HSS; hss2 never for realm-b',
        'un="001019999999999" : "hss-lab.realm-b.test" += 200 ;',
        'un=["^00101 2"] : "hss-mvno.realm-b.test" += 200 ;',
        'un=["^001012"] : "hss-mvno.realm-b.test" += 200 ;',
        'dr="realm-b.test" : dh="hss2.realm-b.test" += NO_DELIVERY ;',
      ].join('\n'),
    );
    const [mme] = await topology([MME, hss('hss1'), hss('hss2'), hss('hss-lab'), hss('hss-mvno')], { routing: { rules: [rules], retryOn: [] } });
    expect(originHost(await mme!.request(1, { destinationRealm: 'realm-b.test', userName: '001019999999999' }))).toBe('hss-lab.realm-b.test');
    // Plain strings match whole: a shorter IMSI is not the lab SIM (freeDiameter would prefix-match).
    const short = node!.router.explain({ applicationId: 16777251, commandCode: 316, originHost: undefined, originRealm: undefined, destinationHost: undefined, destinationRealm: 'realm-b.test', userName: '00101999', sessionId: undefined });
    expect(short.candidates.find((c) => c.identity === 'hss-lab.realm-b.test')?.score).toBe(13);
    expect(short.candidates.find((c) => c.identity === 'hss2.realm-b.test')?.score).toBe(13 - 70);
    expect(short.winners.sort()).toEqual(['hss-lab.realm-b.test', 'hss-mvno.realm-b.test', 'hss1.realm-b.test']);
    expect(originHost(await mme!.request(3, { destinationRealm: 'realm-b.test', userName: '001012000000042' }))).toBe('hss-mvno.realm-b.test');
    for (let i = 0; i < 40; i++) {
      const a = await mme!.request(100 + i, { destinationRealm: 'realm-b.test', userName: '001010000000001' });
      expect(['hss1.realm-b.test', 'hss-lab.realm-b.test', 'hss-mvno.realm-b.test']).toContain(originHost(a));
    }
  });

  it('splits equal scores uniformly and weight= rules proportionally', async () => {
    const rules = rulesFile(['* : "hss3.realm-b.test" += 50 weight=75 ;', '* : "hss4.realm-b.test" += 50 weight=25 ;', 'un=["^99"] : rlm="realm-b.test" += 0 ;'].join('\n'));
    const [mme] = await topology([MME, hss('hss3'), hss('hss4')], { routing: { rules: [rules], retryOn: [] } });
    const count = async (n: number, base: number): Promise<Map<string, number>> => {
      const by = new Map<string, number>();
      // Batches stay under maxPendingPerPeer, past which a busy peer is skipped (backpressure).
      for (let done = 0; done < n; done += 500) {
        const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => mme!.request(base + done + i, { destinationRealm: 'realm-b.test' })));
        for (const a of answers) by.set(originHost(a)!, (by.get(originHost(a)!) ?? 0) + 1);
      }
      return by;
    };
    const n = 4000;
    const by = await count(n, 10_000);
    expect(Math.abs(by.get('hss3.realm-b.test')! / n - 0.75)).toBeLessThan(0.03);
    // Without weights, a tie is shared evenly (freeDiameter's is 1/2, 1/4, ... for more peers).
    node!.router.setRules({ files: [], rules: [], prefixTables: [] });
    const even = await count(n, 20_000);
    expect(Math.abs(even.get('hss3.realm-b.test')! / n - 0.5)).toBeLessThan(0.03);
  });

  it('answers 3005 to a loop, 3003 for an unknown realm, 5005 without Destination-Realm, 3002 with no candidate', async () => {
    const [mme] = await topology([MME, hss('hss1')]);
    expect(resultCode(await mme!.request(1, { destinationRealm: 'realm-b.test', routeRecords: ['x.test', DRA.toUpperCase()] }))).toBe(3005);
    const unknown = await mme!.request(2, { destinationRealm: 'nowhere.test' });
    expect(resultCode(unknown)).toBe(3003);
    expect(unknown.flags & 0x20).toBe(0x20);
    expect(resultCode(await mme!.request(3, {}))).toBe(5005);
    // The only realm-b peer is excluded by Route-Record: nobody left.
    expect(resultCode(await mme!.request(4, { destinationRealm: 'realm-b.test', routeRecords: ['hss1.realm-b.test'] }))).toBe(3002);
  });

  it('answers 3002 when the next hop does not answer in time', async () => {
    const [mme] = await topology([MME, hss('hss1', { answer: 'silent' })], {
      timers: { tc: 300, tw: 30_000, ceTimeout: 2000, dpaTimeout: 1000, shutdownGrace: 500, requestTimeout: 300 },
    });
    const t0 = Date.now();
    const a = await mme!.request(1, { destinationRealm: 'realm-b.test' });
    expect(resultCode(a)).toBe(3002);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(node!.router.pendingCount()).toBe(0);
  });

  it('fails pending requests over to the next candidate with the T flag when a peer dies', async () => {
    const rules = rulesFile('* : "hss1.realm-b.test" += 100 ;');
    const [mme, h1, h2] = await topology([MME, hss('hss1', { answer: 'silent' }), hss('hss2')], { routing: { rules: [rules], retryOn: [] } });
    const answers = Array.from({ length: 10 }, (_, i) => mme!.request(500 + i, { destinationRealm: 'realm-b.test' }));
    await waitFor(() => h1!.received.length === 10, 'hss1 holds 10 requests');
    h1!.kill();
    const got = await Promise.all(answers);
    expect(got.map(resultCode)).toEqual(Array(10).fill(2001));
    expect(got.every((a) => originHost(a) === 'hss2.realm-b.test')).toBe(true);
    expect(h2!.received).toHaveLength(10);
    expect(h2!.received.every((m) => (m.flags & 0x10) === 0x10)).toBe(true);
    expect(new Set(h2!.received.map((m) => m.endToEndId)).size).toBe(10);
  });

  it('retries the next candidate on a configured error answer (3004), else passes the error back', async () => {
    const rules = rulesFile('* : "hss1.realm-b.test" += 100 ;');
    const [mme, , h2] = await topology([MME, hss('hss1', { answer: 3004 }), hss('hss2')], { routing: { rules: [rules], retryOn: [3004] } });
    const a = await mme!.request(1, { destinationRealm: 'realm-b.test' });
    expect(resultCode(a)).toBe(2001);
    expect(h2!.received).toHaveLength(1);
    node!.router.setRules({ files: [], rules: [], prefixTables: [] });
  });

  it('answers from an answer rule instead of routing', async () => {
    const rules = rulesFile('un=["^99999"] : answer 3004 "blocked by operator" ;');
    const [mme, h1] = await topology([MME, hss('hss1')], { routing: { rules: [rules], retryOn: [] } });
    const a = await mme!.request(1, { destinationRealm: 'realm-b.test', userName: '999990000000001' });
    expect(resultCode(a)).toBe(3004);
    expect(h1!.received).toHaveLength(0);
  });

  it('keeps the old rules when a reload finds an error, and names FILE:LINE:COL', async () => {
    const rules = rulesFile('* : "hss2.realm-b.test" += 100 ;');
    const [mme] = await topology([MME, hss('hss1'), hss('hss2')], { routing: { rules: [rules], retryOn: [] } });
    writeFileSync(rules, '* : "hss1.realm-b.test" += 100 ;\n* : "hss2.realm-b.test" += DEFAULT-5 ;\n');
    const r = node!.reloadRules();
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/rules\.conf:2:28: unexpected 'DEFAULT-5'/);
    expect(originHost(await mme!.request(1, { destinationRealm: 'realm-b.test' }))).toBe('hss2.realm-b.test');
    writeFileSync(rules, '* : "hss1.realm-b.test" += 100 ;\n');
    expect(node!.reloadRules()).toEqual({ ok: true, rules: 1 });
    expect(originHost(await mme!.request(2, { destinationRealm: 'realm-b.test' }))).toBe('hss1.realm-b.test');
  });

  it('follows a 3006 redirect to an open Redirect-Host, and caches it by Redirect-Host-Usage', async () => {
    const rules = rulesFile('* : "agent.realm-b.test" += 100 ;');
    const redirect = (usage: number | undefined) => () => ({
      resultCode: 3006,
      avps: [avp(dict, 'Redirect-Host', 'aaa://hss2.realm-b.test:3868;transport=tcp'), ...(usage === undefined ? [] : [avp(dict, 'Redirect-Host-Usage', usage), avp(dict, 'Redirect-Max-Cache-Time', 60)])],
    });
    const [mme, agent, , h2] = await topology([MME, hss('agent', { answer: redirect(6) }), hss('hss1'), hss('hss2')], { routing: { rules: [rules], retryOn: [] } });
    const a = await mme!.request(1, { destinationRealm: 'realm-b.test', userName: '001010000000007' });
    expect(resultCode(a)).toBe(2001);
    expect(originHost(a)).toBe('hss2.realm-b.test');
    expect(agent!.received).toHaveLength(1);
    // ALL_USER: the same user goes straight to hss2 now; another user still meets the agent.
    expect(originHost(await mme!.request(2, { destinationRealm: 'realm-b.test', userName: '001010000000007' }))).toBe('hss2.realm-b.test');
    expect(agent!.received).toHaveLength(1);
    const e = node!.router.explain({ applicationId: 16777251, commandCode: 316, originHost: undefined, originRealm: undefined, destinationHost: undefined, destinationRealm: 'realm-b.test', userName: '001010000000007', sessionId: undefined });
    expect(e.candidates.find((c) => c.identity === 'hss2.realm-b.test')?.score).toBe(13 + 45);
    expect(e.candidates.find((c) => c.identity === 'agent.realm-b.test')?.score).toBe(113 - 60);
    await mme!.request(3, { destinationRealm: 'realm-b.test', userName: '001010000000008' });
    expect(agent!.received).toHaveLength(2);
    expect(h2!.received).toHaveLength(3);
  });

  it('passes a 3006 back when no Redirect-Host is an open peer', async () => {
    const [mme] = await topology([MME, hss('agent', { answer: () => ({ resultCode: 3006, avps: [avp(dict, 'Redirect-Host', 'aaa://elsewhere.realm-z.test')] }) })]);
    const a = await mme!.request(1, { destinationRealm: 'realm-b.test' });
    expect(resultCode(a)).toBe(3006);
    expect(originHost(a)).toBe('agent.realm-b.test');
  });

  it('rewrites Destination-Realm with set_realm and relays by the new realm', async () => {
    const rules = rulesFile('un=["^001012"] : set_realm "mvno.test" ;');
    const [mme, h1, mvno] = await topology([MME, hss('hss1'), { identity: 'hss.mvno.test', realm: 'mvno.test' }], { routing: { rules: [rules], retryOn: [] } });
    expect(originHost(await mme!.request(1, { destinationRealm: 'realm-b.test', userName: '001012000000001' }))).toBe('hss.mvno.test');
    expect(originHost(await mme!.request(2, { destinationRealm: 'realm-b.test', userName: '001010000000001' }))).toBe('hss1.realm-b.test');
    const got = mvno!.received[0]!;
    expect(got.avps.filter((a) => a.code === 283).map((a) => a.value)).toEqual(['mvno.test']);
    expect(String(got.avps.find((a) => a.code === 1)!.value)).toBe('001012000000001');
    expect(routeRecords(got)).toEqual(['mme.realm-a.test']);
    expect(h1!.received).toHaveLength(1);
  });
});

