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
});
