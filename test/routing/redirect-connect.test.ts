// Diamond's redirect extra over real sockets: a next hop answers 3006 naming a Redirect-Host that
// is a configured peer but not open; Diamond connects to it (a real listening Diameter endpoint)
// and the request is answered there. When the connection cannot be made, or does not open within
// the request timeout, the 3006 goes back to the origin as it would have at once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config, PeerConfig } from '../../src/config/model.js';
import { avp } from '../../src/diameter/codec/builder.js';
import { DiameterNode } from '../../src/node/node.js';
import { testConfig, testPeer, waitFor } from '../support/node-config.js';
import { ScriptedPeer, originHost, resultCode, routeRecords, testDictionary as dict } from '../support/scripted-peer.js';
import { ListeningPeer } from './listening-peer.js';

const DRA = 'dra.realm-dra.test';
const MME = { identity: 'mme.realm-a.test', realm: 'realm-a.test' };
const AGENT = 'agent.realm-b.test';
const HSS2 = 'hss2.realm-b.test';

let node: DiameterNode | undefined;
let clients: ScriptedPeer[] = [];
let servers: ListeningPeer[] = [];
afterEach(async () => {
  for (const c of clients) c.kill();
  clients = [];
  await node?.stop();
  node = undefined;
  for (const s of servers) await s.close();
  servers = [];
});

/** The agent answers every request 3006 naming hss2 (Redirect-Host-Usage `usage`, 60 s cache). */
const redirecting = (usage: number) => () => ({
  resultCode: 3006,
  avps: [avp(dict, 'Redirect-Host', `aaa://${HSS2}:3868;transport=tcp`), avp(dict, 'Redirect-Host-Usage', usage), avp(dict, 'Redirect-Max-Cache-Time', 60)],
});

/**
 * A DRA with the MME and the agent connected to it, and hss2 configured (`hss2`) but not
 * connected: the node is started without connecting to its peers.
 */
async function rig(hss2: PeerConfig, over: Partial<Config> = {}): Promise<{ mme: ScriptedPeer; agent: ScriptedPeer }> {
  const dir = mkdtempSync(join(tmpdir(), 'diamond-redirect-'));
  const rules = join(dir, 'rules.conf');
  writeFileSync(rules, `* : "${AGENT}" += 100 ;\n`);
  node = new DiameterNode({
    config: testConfig(DRA, 'realm-dra.test', {
      peers: [testPeer(MME.identity, 1, { connect: false, realm: MME.realm, tw: 30_000 }), testPeer(AGENT, 1, { connect: false, realm: 'realm-b.test', tw: 30_000 }), hss2],
      routing: { rules: [rules], retryOn: [] },
      ...over,
    }),
  });
  await node.start(false);
  const port = node.listeners[0]!.port;
  const mme = new ScriptedPeer({ ...MME, port });
  const agent = new ScriptedPeer({ identity: AGENT, realm: 'realm-b.test', port, answer: redirecting(6) });
  clients = [mme, agent];
  for (const c of clients) await c.connect();
  const n = node;
  await waitFor(() => [MME.identity, AGENT].every((id) => n.peers.peer(id)?.isAvailable), 'MME and agent open');
  expect(n.peers.peer(HSS2)?.state).toBe('Closed');
  return { mme, agent };
}

describe('redirect to a configured peer that is not open', () => {
  it('connects to a connect: false Redirect-Host and the request is answered there; the redirect is cached', async () => {
    const hss2 = new ListeningPeer({ identity: HSS2, realm: 'realm-b.test' });
    servers.push(hss2);
    const port = await hss2.listen();
    const { mme, agent } = await rig(testPeer(HSS2, port, { connect: false, realm: 'realm-b.test', tw: 30_000 }));
    const a = await mme.request(1, { destinationRealm: 'realm-b.test', userName: '001010000000007' });
    expect(resultCode(a)).toBe(2001);
    expect(originHost(a)).toBe(HSS2);
    expect(a.endToEndId).toBe(1);
    expect(agent.received).toHaveLength(1);
    expect(hss2.connections).toBe(1);
    expect(hss2.received).toHaveLength(1);
    expect(routeRecords(hss2.received[0]!)).toEqual([MME.identity]);
    // The re-sent request is not a retransmission: no T flag.
    expect(hss2.received[0]!.flags & 0x10).toBe(0);
    expect(node!.peers.peer(HSS2)?.isAvailable).toBe(true);
    // ALL_USER, cached: the same user goes straight to hss2 on the connection now open.
    expect(originHost(await mme.request(2, { destinationRealm: 'realm-b.test', userName: '001010000000007' }))).toBe(HSS2);
    expect(agent.received).toHaveLength(1);
    expect(hss2.connections).toBe(1);
  });

  it('starts a connect: true peer that has not been connected yet', async () => {
    const hss2 = new ListeningPeer({ identity: HSS2, realm: 'realm-b.test' });
    servers.push(hss2);
    const port = await hss2.listen();
    const { mme } = await rig(testPeer(HSS2, port, { connect: true, realm: 'realm-b.test', tw: 30_000 }));
    const a = await mme.request(1, { destinationRealm: 'realm-b.test', userName: '001010000000008' });
    expect(resultCode(a)).toBe(2001);
    expect(originHost(a)).toBe(HSS2);
    expect(hss2.received).toHaveLength(1);
  });

  it('passes the 3006 back soon when the Redirect-Host refuses the connection', async () => {
    // A port with nothing listening: take one, then close it.
    const gone = new ListeningPeer({ identity: HSS2, realm: 'realm-b.test' });
    const port = await gone.listen();
    await gone.close();
    const { mme, agent } = await rig(testPeer(HSS2, port, { connect: false, realm: 'realm-b.test', tw: 30_000 }), {
      timers: { tc: 300, tw: 1000, ceTimeout: 2000, dpaTimeout: 1000, shutdownGrace: 500, requestTimeout: 5000 },
    });
    const t0 = Date.now();
    const a = await mme.request(1, { destinationRealm: 'realm-b.test', userName: '001010000000009' });
    expect(resultCode(a)).toBe(3006);
    expect(originHost(a)).toBe(AGENT);
    expect(a.endToEndId).toBe(1);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(agent.received).toHaveLength(1);
    expect(node!.router.pendingCount()).toBe(0);
  });

  it('waits no longer than the request timeout for a Redirect-Host that does not open, then passes the 3006 back', async () => {
    const hss2 = new ListeningPeer({ identity: HSS2, realm: 'realm-b.test', silentCer: true });
    servers.push(hss2);
    const port = await hss2.listen();
    const { mme } = await rig(testPeer(HSS2, port, { connect: false, realm: 'realm-b.test', tw: 30_000 }), {
      timers: { tc: 300, tw: 1000, ceTimeout: 5000, dpaTimeout: 1000, shutdownGrace: 500, requestTimeout: 600 },
    });
    const t0 = Date.now();
    const a = await mme.request(1, { destinationRealm: 'realm-b.test', userName: '001010000000010' });
    const took = Date.now() - t0;
    expect(resultCode(a)).toBe(3006);
    expect(originHost(a)).toBe(AGENT);
    expect(hss2.connections).toBe(1);
    expect(hss2.received).toHaveLength(0);
    expect(took).toBeGreaterThanOrEqual(550);
    expect(took).toBeLessThan(3000);
  });
});
