// Decision compatibility with freeDiameter (routing issue): for each rule file in cases.ts and
// each request, the peers that real freeDiameter 1.2.1 (freeDiameterd + rt_default.fdx, as a
// relay) sends the request to are the peers Diamond picks: offline (explainRoute's top-score
// group) and live (a DiameterNode relay with the same file). Around each relay: one client and
// five "HSS" servers, small real Diameter endpoints (test/support/scripted-peer) that answer 2001
// with their own Origin-Host, so each answer says where its request went. freeDiameter shuffles
// ties at the top unevenly (1/2, 1/4, ...): a tie case sends TIE_SAMPLES requests and compares
// the set of servers that got them.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avp } from '../../../src/diameter/codec/builder.js';
import type { Message } from '../../../src/diameter/codec/message.js';
import { DiameterNode } from '../../../src/node/node.js';
import { explainRoute } from '../../../src/routing/explain.js';
import { loadRuleFiles } from '../../../src/routing/rules-loader.js';
import type { Candidate, RouteRequest } from '../../../src/routing/scoring.js';
import { FD_EXTENSION_DIR, FreeDiameter, createPki, freeDiameterMissing } from '../../support/freediameter.js';
import { testConfig, testPeer, waitFor } from '../../support/node-config.js';
import { ScriptedPeer, S6A, originHost, resultCode, testDictionary as dict } from '../../support/scripted-peer.js';
import { CLIENT, GROUPS, SERVERS, expected, type CaseRequest, type CompatCase } from './cases.js';

const DRA = 'dra.realm-dra.test';
const REALM_DRA = 'realm-dra.test';
/** With 3 peers tied, freeDiameter's least likely gets 1/4: 0.75^60 ≈ 3e-8 to miss it. */
const TIE_SAMPLES = 60;
const SINGLE_SAMPLES = 8;

function fdMissing(): string | undefined {
  const m = freeDiameterMissing();
  if (m) return m;
  for (const ext of ['rt_default.fdx', 'acl_wl.fdx']) {
    if (!existsSync(join(FD_EXTENSION_DIR, ext))) return `freeDiameter's ${ext} is not installed (${FD_EXTENSION_DIR}); apt-get install freediameter-extensions`;
  }
  return undefined;
}
const missing = fdMissing();
if (missing) console.warn(`skipping the freeDiameter side of the routing compatibility cases (Diamond's side still runs): ${missing}`);

const tmp = mkdtempSync(join(tmpdir(), 'diamond-compat-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeRules(name: string, text: string): string {
  const f = join(tmp, `${name}.conf`);
  writeFileSync(f, text);
  return f;
}

const sessionId = (r: CaseRequest, n: number): string => r.sessionId ?? `${CLIENT.identity};compat;${n}`;

function routeRequest(r: CaseRequest): RouteRequest {
  return {
    applicationId: S6A,
    commandCode: 316,
    originHost: CLIENT.identity,
    originRealm: CLIENT.realm,
    destinationHost: r.destinationHost,
    destinationRealm: r.destinationRealm,
    userName: r.userName,
    sessionId: sessionId(r, 0),
  };
}

const candidates: Candidate[] = SERVERS.map((s) => ({ identity: s.identity, realm: s.realm, applications: new Set(s.applications) }));

/** A relay under test with the client and the servers connected to it. */
interface Rig {
  client: ScriptedPeer;
  servers: ScriptedPeer[];
  close(): Promise<void>;
}

async function connectAll(port: number): Promise<{ client: ScriptedPeer; servers: ScriptedPeer[] }> {
  const client = new ScriptedPeer({ ...CLIENT, applications: [...CLIENT.applications], port });
  const servers = SERVERS.map((s) => new ScriptedPeer({ identity: s.identity, realm: s.realm, applications: s.applications, port }));
  for (const p of [client, ...servers]) await p.connect();
  return { client, servers };
}

let e2e = 1;
/** How long to wait before calling a request unanswered (freeDiameter's silent drop). */
const NO_ANSWER_MS = 1500;

function send(rig: Rig, r: CaseRequest): Promise<Message> {
  const id = e2e++;
  return rig.client.request(id, {
    destinationRealm: r.destinationRealm,
    ...(r.destinationHost !== undefined ? { destinationHost: r.destinationHost } : {}),
    // The helper leaves out an empty User-Name; an empty one goes in as an extra AVP.
    ...(r.userName === '' ? { extra: [avp(dict, 'User-Name', '')] } : r.userName !== undefined ? { userName: r.userName } : {}),
    sessionId: sessionId(r, id),
  });
}

/**
 * Sends the case's request (enough times for a tie) and returns the sorted set of servers that
 * answered; 'no answer' when want is that and nothing came back (nor reached a server) in time.
 */
async function observe(rig: Rig, c: CompatCase, want: string[] | 'no answer'): Promise<string[] | 'no answer'> {
  if (want === 'no answer') {
    const reached = rig.servers.reduce((n, p) => n + p.received.length, 0);
    let timer: NodeJS.Timeout | undefined;
    const silence = new Promise<'no answer'>((resolve) => (timer = setTimeout(() => resolve('no answer'), NO_ANSWER_MS)));
    const got = await Promise.race([send(rig, c.request), silence]);
    clearTimeout(timer);
    if (got !== 'no answer') return [`answer ${String(resultCode(got))} from ${String(originHost(got))}`];
    const after = rig.servers.reduce((n, p) => n + p.received.length, 0);
    return after === reached ? 'no answer' : [`${after - reached} request(s) reached a server but no answer came back`];
  }
  const n = want.length > 1 ? TIE_SAMPLES : SINGLE_SAMPLES;
  const answers = await Promise.all(Array.from({ length: n }, () => send(rig, c.request)));
  const bad = answers.filter((a) => resultCode(a) !== 2001);
  if (bad.length) throw new Error(`${bad.length}/${n} answers were not 2001 (first: ${String(resultCode(bad[0]!))} from ${String(originHost(bad[0]!))})`);
  return [...new Set(answers.map((a) => originHost(a)!))].sort();
}

async function diamondRig(rulesPath: string): Promise<Rig> {
  const node = new DiameterNode({
    config: testConfig(DRA, REALM_DRA, {
      peers: [CLIENT, ...SERVERS].map((s) => testPeer(s.identity, 1, { connect: false, realm: s.realm, tw: 30_000 })),
      routing: { rules: [rulesPath], retryOn: [] },
    }),
  });
  await node.start();
  const { client, servers } = await connectAll(node.listeners[0]!.port);
  await waitFor(() => [CLIENT, ...SERVERS].every((s) => node.peers.peer(s.identity)?.isAvailable), 'every peer open at Diamond');
  return {
    client,
    servers,
    close: async () => {
      for (const p of [client, ...servers]) p.kill();
      await node.stop();
    },
  };
}

async function freeDiameterRig(name: string, rules: string): Promise<Rig & { fd: FreeDiameter }> {
  // acl_wl admits the peers without ConnectPeer (which would also dial them); ALLOW_IPSEC = plain TCP.
  const acl = join(tmp, `${name}-acl_wl.conf`);
  writeFileSync(acl, ['realm-a.test', 'realm-b.test', 'realm-c.test'].map((r) => `ALLOW_IPSEC *.${r}\n`).join(''));
  const fd = await FreeDiameter.start({
    identity: DRA,
    realm: REALM_DRA,
    pki: createPki([DRA]),
    peers: [],
    rtDefault: rules,
    extraConf: `LoadExtension = "${join(FD_EXTENSION_DIR, 'acl_wl.fdx')}" : "${acl}";`,
  });
  try {
    const { client, servers } = await connectAll(fd.port);
    for (const p of [CLIENT, ...SERVERS]) await fd.waitOpen(p.identity);
    return {
      fd,
      client,
      servers,
      close: async () => {
        for (const p of [client, ...servers]) p.kill();
        await fd.stop(1000);
        await fd.dispose();
      },
    };
  } catch (err) {
    console.error(`freeDiameter log (${fd.logPath}):\n${fd.tail(60)}`);
    await fd.stop(1000);
    await fd.dispose();
    throw err;
  }
}

for (const group of GROUPS) {
  describe(`rule file "${group.name}"`, () => {
    const rulesPath = writeRules(group.name, group.rules);

    describe("Diamond's decision (explainRoute)", () => {
      const rules = loadRuleFiles([rulesPath]);
      it.each(group.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
        const e = explainRoute(routeRequest(c.request), candidates, rules);
        expect([...e.winners].sort(), `${c.note}\n${JSON.stringify(e.candidates.map((x) => [x.identity, x.score]))}`).toEqual(expected(c, 'diamond'));
      });
    });

    describe('Diamond relay, live', () => {
      let rig: Rig | undefined;
      beforeAll(async () => {
        rig = await diamondRig(rulesPath);
      });
      afterAll(async () => {
        await rig?.close();
      });
      it.each(group.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
        const want = expected(c, 'diamond');
        expect(await observe(rig!, c, want), c.note).toEqual(want);
      });
    });

    describe.skipIf(missing !== undefined)('freeDiameter 1.2.1 relay with rt_default', () => {
      let rig: (Rig & { fd: FreeDiameter }) | undefined;
      beforeAll(async () => {
        rig = await freeDiameterRig(group.name, group.rules);
      });
      afterAll(async () => {
        await rig?.close();
      });
      it.each(group.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
        const want = expected(c, 'freeDiameter');
        const got = await observe(rig!, c, want);
        if (JSON.stringify(got) !== JSON.stringify(want)) console.error(`freeDiameter log tail:\n${rig!.fd.tail(30)}`);
        expect(got, `${c.note}${c.difference ? '' : ' (Diamond picks the same)'}`).toEqual(want);
      });
    });
  });
}
