// `diamond start` end to end: the node opens <dataDir>/diamond.sqlite (migrations at start), serves
// provisioning on its admin API over a real socket, warns about the missing token on loopback,
// never logs keys, and the subscriber is in the file after SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/index.js';
import { K1, OPC1 } from '../store/helpers.js';
import { air, children, HSS, IMSI, K, OPC, REALM, top } from '../hss/s6a/harness.js';
import { ScriptedPeer, resultCode } from '../support/scripted-peer.js';

const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'diamond-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('diamond start with the subscriber store', () => {
  it('provisions over the running node API into ./data/diamond.sqlite', async () => {
    const cfg = join(dir, 'diamond.yaml');
    writeFileSync(cfg, 'identity: hss1.e2e.test\nrealm: e2e.test\nlisten: [{ transport: tcp, address: 127.0.0.1, port: 0 }]\napi: { port: 0 }\nlog: { level: info }\n');
    const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    const env = { ...process.env };
    delete env.DIAMOND_API_TOKEN;
    const child = spawn(process.execPath, ['--import', loader, join(ROOT, 'src/cli/main.ts'), 'start', '-c', cfg], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const start = Date.now();
      while (!/admin API (http:\/\/[0-9.:]+)/.test(out) && Date.now() - start < 20_000) await new Promise((r) => setTimeout(r, 100));
      const url = /admin API (http:\/\/[0-9.:]+)/.exec(out)?.[1];
      expect(url, out).toBeDefined();
      expect(out).toMatch(/has no token \(loopback only/);
      expect(out).toContain(join(dir, 'data', 'diamond.sqlite'));
      const json = { 'content-type': 'application/json' };
      expect((await fetch(`${url}/api/v1/apns`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'internet' }) })).status).toBe(201);
      const post = await fetch(`${url}/api/v1/subscribers`, { method: 'POST', headers: json, body: JSON.stringify({ imsi: '001010000000042', k: K1, opc: OPC1, amf: '8000', sqn: 0, apns: ['internet'] }) });
      expect(post.status).toBe(201);
      const got = await (await fetch(`${url}/api/v1/subscribers/001010000000042`)).text();
      expect(JSON.parse(got)).toMatchObject({ imsi: '001010000000042', apns: [{ name: 'internet' }] });
      expect(got).not.toContain(K1);
      expect((await fetch(`${url}/openapi.json`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).not.toContain(K1);
    expect(out).not.toContain(OPC1);
    const store = openSqliteStore(join(dir, 'data', 'diamond.sqlite'));
    expect(store.auc.credentials('001010000000042')?.opc?.toString('hex')).toBe(OPC1);
    store.close();
  }, 40_000);

  it('is the HSS: a subscriber provisioned over the API gets vectors in an AIA over Diameter', async () => {
    const d = mkdtempSync(join(tmpdir(), 'diamond-hss-'));
    const cfg = join(d, 'diamond.yaml');
    writeFileSync(
      cfg,
      `identity: ${HSS}\nrealm: ${REALM}\nlisten: [{ transport: tcp, address: 127.0.0.1, port: 0 }]\napi: { port: 0 }\n` +
        `peers: [{ identity: mme.${REALM}, realm: ${REALM}, address: 127.0.0.1, connect: false }]\n`,
    );
    const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    const child = spawn(process.execPath, ['--import', loader, join(ROOT, 'src/cli/main.ts'), 'start', '-c', cfg], { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let mme: ScriptedPeer | undefined;
    try {
      const start = Date.now();
      while (!/admin API (http:\/\/[0-9.:]+)/.test(out) && Date.now() - start < 20_000) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/HSS: s6a, cx, sh/);
      const url = /admin API (http:\/\/[0-9.:]+)/.exec(out)![1]!;
      const port = Number(/listening on tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
      const post = await fetch(`${url}/api/v1/subscribers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ imsi: IMSI, k: K, opc: OPC, amf: '8000', sqn: 0 }) });
      expect(post.status).toBe(201);
      mme = new ScriptedPeer({ identity: `mme.${REALM}`, realm: REALM, port, applications: [16777251] });
      await mme.connect();
      const a = await air(mme, IMSI, { eutran: 2 });
      expect(resultCode(a)).toBe(2001);
      const info = top(a, 'Authentication-Info');
      expect(info, JSON.stringify(a.avps.map((x) => x.code))).toBeDefined();
      expect(children(info, 'E-UTRAN-Vector')).toHaveLength(2);
    } finally {
      mme?.kill();
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).not.toContain(K);
    rmSync(d, { recursive: true, force: true });
  }, 40_000);
});

