// The running node's operator calls over its admin API, end to end against `diamond start`:
// routing reload (a broken file is refused and the old rules stay) and explain (also through
// `diamond rules explain --api`), and S6a Reset: RSR to the MMEs serving the named IMSI prefixes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avp } from '../../src/diameter/codec/builder.js';
import { findAvp } from '../../src/diameter/codec/message.js';
import { dict, HSS, K, OPC, REALM, top, ulr } from '../hss/s6a/harness.js';
import { waitFor } from '../support/node-config.js';
import { cliArgs, runDiamond } from '../support/run-cli.js';
import { ScriptedPeer, S6A, resultCode } from '../support/scripted-peer.js';

const dir = mkdtempSync(join(tmpdir(), 'diamond-admin-'));
const rules = join(dir, 'rules.conf');
let child: ReturnType<typeof spawn> | undefined;
let url = '';
let port = 0;
let out = '';
const peers: ScriptedPeer[] = [];
const CX = 16777216;

const json = { 'content-type': 'application/json' };
const post = (path: string, body: unknown): Promise<Response> => fetch(`${url}${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) });

beforeAll(async () => {
  writeFileSync(rules, 'dr="far.test" : dh="hss02.far.test" += 10;\n');
  const cfg = join(dir, 'diamond.yaml');
  writeFileSync(
    cfg,
    `identity: ${HSS}\nrealm: ${REALM}\nlisten: [{ transport: tcp, address: 127.0.0.1, port: 0 }]\napi: { port: 0 }\nallowUnknownPeers: true\nrouting: { rules: [${JSON.stringify(rules)}] }\nhss: { scscfPool: [sip:scscf1.ims.test:6060] }\nlog: { level: info }\n`,
  );
  const env = { ...process.env };
  delete env.DIAMOND_API_TOKEN;
  child = spawn(process.execPath, [...cliArgs, 'start', '-c', cfg], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => /admin API (http:\/\/[0-9.:]+)/.test(out), 'the node to start', 20_000);
  url = /admin API (http:\/\/[0-9.:]+)/.exec(out)![1]!;
  port = Number(/tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
}, 30_000);

afterAll(async () => {
  for (const p of peers) p.kill();
  child?.kill('SIGTERM');
  if (child && child.exitCode === null) await new Promise((r) => child!.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
});

async function mme(identity: string): Promise<ScriptedPeer> {
  const p = new ScriptedPeer({ identity, realm: REALM, port, applications: [S6A] });
  await p.connect();
  peers.push(p);
  return p;
}

describe('routing calls on a running node', () => {
  it('explains a request against the loaded rules, over the API and with `diamond rules explain --api`', async () => {
    const r = await post('/api/v1/routing/explain', { applicationId: S6A, destinationRealm: 'far.test' });
    expect(r.status).toBe(200);
    const e = (await r.json()) as { candidates: unknown[] };
    expect(Array.isArray(e.candidates)).toBe(true);
    const bad = await post('/api/v1/routing/explain', { applicationId: 'x' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('applicationId');
    const cli = await runDiamond(['rules', 'explain', '--api', url, '--app', 's6a', '--dr', 'far.test', '--json'], dir);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual(e);
  });

  it('reloads the rule files; a broken file is refused with FILE:LINE:COL and the old rules stay', async () => {
    writeFileSync(rules, 'dr="far.test" : dh="hss02.far.test" += 10;\ndr="far.test" : dh="hss03.far.test" += 20;\n');
    const ok = await post('/api/v1/routing/reload', {});
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, rules: 2 });
    writeFileSync(rules, 'dr="far.test" : += 10;\n');
    const refused = await post('/api/v1/routing/reload', {});
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as { message: string };
    expect(body.message).toContain(`${rules}:1:`);
    expect(body.message).toContain('old rules stay');
  });
});

describe('Cx with the S-CSCF pool of the configuration', () => {
  it('gives a user with no S-CSCF the pool entry as Server-Name in the UAA (2001 FIRST_REGISTRATION)', async () => {
    const created = await post('/api/v1/ims-subscribers', { impi: 'alice@ims.test', authScheme: 'digest-md5', digestPassword: 'secret', impus: [{ impu: 'sip:alice@ims.test' }] });
    expect(created.status).toBe(201);
    const icscf = new ScriptedPeer({ identity: 'icscf.ims.test', realm: 'ims.test', port, applications: [CX] });
    await icscf.connect();
    peers.push(icscf);
    const vsai = avp(dict, 'Vendor-Specific-Application-Id', [avp(dict, 'Vendor-Id', 10415), avp(dict, 'Auth-Application-Id', CX)]);
    const uaa = await icscf.request(1, {
      destinationRealm: REALM,
      commandCode: 300,
      applicationId: CX,
      extra: [vsai, avp(dict, 'User-Name', 'alice@ims.test'), avp(dict, 'Public-Identity', 'sip:alice@ims.test'), avp(dict, 'Visited-Network-Identifier', Buffer.from('ims.test'))],
    });
    const exp = findAvp(findAvp(uaa.avps, 297)?.avps, 298)?.value;
    expect(exp).toBe(2001);
    expect(findAvp(uaa.avps, 602, 10415)?.value).toBe('sip:scscf1.ims.test:6060');
  });
});

describe('S6a Reset from the API', () => {
  it('sends RSR with the User-Id prefixes to each MME serving a matching subscriber, and only to those', async () => {
    // Two subscribers in different ranges, each attached at its own MME; a third MME serves nobody.
    expect((await post('/api/v1/apns', { name: 'internet' })).status).toBe(201);
    for (const imsi of ['001010000000001', '001020000000001']) {
      expect((await post('/api/v1/subscribers', { imsi, k: K, opc: OPC, apns: ['internet'] })).status).toBe(201);
    }
    const [a, b, idle] = [await mme('mme-a.epc.test'), await mme('mme-b.epc.test'), await mme('mme-c.epc.test')];
    const terminal = avp(dict, 'Terminal-Information', [avp(dict, 'IMEI', '35209900176148'), avp(dict, 'Software-Version', '01')]);
    expect(resultCode(await ulr(a, '001010000000001', 0b10, { extra: [terminal] }))).toBe(2001);
    expect(resultCode(await ulr(b, '001020000000001'))).toBe(2001);

    const r = await post('/api/v1/s6a/reset', { userIds: ['00101'] });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ nodes: [{ host: 'mme-a.epc.test', ok: true, resultCode: 2001, attempts: 1 }] });
    expect(a.received).toHaveLength(1);
    const rsr = a.received[0]!;
    expect(rsr.commandCode).toBe(322);
    expect(rsr.flags & 0x80).toBe(0x80);
    expect(top(rsr, 'User-Id')?.value).toBe('00101');
    expect(top(rsr, 'User-Name')).toBeUndefined();
    expect(top(rsr, 'Destination-Host')?.value).toBe('mme-a.epc.test');
    expect(b.received).toHaveLength(0);

    // No User-Id: every serving node; never the one serving nobody.
    const all = (await (await post('/api/v1/s6a/reset', {})).json()) as { nodes: { host: string }[] };
    expect(all.nodes.map((n) => n.host).sort()).toEqual(['mme-a.epc.test', 'mme-b.epc.test']);
    await waitFor(() => b.received.length === 1, 'RSR at mme-b');
    expect(top(b.received[0]!, 'User-Id')).toBeUndefined();
    expect(idle.received).toHaveLength(0);
  });

  it("shows a subscriber's serving MME with its IMEI; 404 for an unknown IMSI", async () => {
    const r = await fetch(`${url}/api/v1/s6a/subscribers/001010000000001`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ imsi: '001010000000001', servingNode: { mmeHost: 'mme-a.epc.test', imei: '35209900176148', softwareVersion: '01', purged: false }, lastNotification: null });
    const unknown = await fetch(`${url}/api/v1/s6a/subscribers/001019999999999`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ field: 'imsi' });
  });

  it('refuses a malformed User-Id with 400 naming the field', async () => {
    const r = await post('/api/v1/s6a/reset', { userIds: ['0010'] });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('userIds');
    expect((await post('/api/v1/s6a/reset', { userId: ['00101'] })).status).toBe(400);
  });
});
