// The diamond command, run as a real child process.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { golden } from '../golden/messages.js';
import { cliArgs, runDiamond } from '../support/run-cli.js';

const cli = cliArgs;
const dir = mkdtempSync(path.join(tmpdir(), 'diamond-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function diamond(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runDiamond(args, dir);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('diamond decode', () => {
  it('prints the tree of a message given as hex', async () => {
    const r = await diamond(['decode', '--hex', golden.ula!.toString('hex')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Update-Location-Answer (ULA) cmd=316 app=16777251 (S6a)');
    expect(r.stdout).toContain('MSISDN (701 v10415) [VM] = 33612345678');
    expect(r.stdout).toContain('Pre-emption-Capability (1047 v10415) [VM] = PRE-EMPTION_CAPABILITY_DISABLED (1)');
  });

  it('prints JSON for a file of several messages', async () => {
    const file = path.join(dir, 'two.bin');
    writeFileSync(file, Buffer.concat([golden.cer!, golden['acr-2036']!]));
    const r = await diamond(['decode', file, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { messages: { commandCode: number; flags: { request: boolean }; avps: { name?: string; value?: unknown; hex?: string; vendorId: number }[] }[] };
    expect(out.messages.map((m) => m.commandCode)).toEqual([257, 271]);
    expect(out.messages[0]!.flags.request).toBe(true);
    const acr = out.messages[1]!.avps;
    expect(acr.find((a) => a.name === 'Event-Timestamp')?.value).toBe('2036-02-07T06:28:32.000Z');
    expect(acr.find((a) => a.name === 'Accounting-Sub-Session-Id')?.value).toBe('81985529216486895');
    expect(acr.find((a) => a.vendorId === 99999)).toMatchObject({ hex: 'fffffffb' });
  });

  it('names the byte offset of bad input and exits 1', async () => {
    const truncated = await diamond(['decode', '--hex', golden.cer!.subarray(0, 100).toString('hex')]);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr.trim()).toMatch(/^error: offset 100: truncated message: length field says 228 bytes, only 100 present$/);
    const version = Buffer.from(golden.cer!);
    version[0] = 2;
    const v = await diamond(['decode', '--hex', version.toString('hex')]);
    expect(v.code).toBe(1);
    expect(v.stderr).toContain('offset 0: unsupported version 2');
    const badAvp = Buffer.from(golden.cer!);
    badAvp.writeUIntBE(2000, 25, 3); // Origin-Host length past the end
    const a = await diamond(['decode', '--hex', badAvp.toString('hex')]);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/^error: offset 25: AVP Origin-Host length 2000 runs past the end/);
  });
});

describe('diamond start / peers', () => {
  let child: ChildProcess | undefined;
  afterAll(() => child?.kill('SIGKILL'));

  it('starts on a config, lists peers through the API, and stops on SIGTERM', async () => {
    const [port, api] = [await freePort(), await freePort()];
    const cfg = path.join(dir, 'diamond.yaml');
    writeFileSync(
      cfg,
      `identity: hss1.realm-a.test\nrealm: realm-a.test\nlisten: [{ transport: tcp, address: 127.0.0.1, port: ${port} }]\n` +
        `peers: [{ identity: mme1.realm-a.test, address: 127.0.0.1, port: 1, connect: false }]\napi: { port: ${api} }\nlog: { level: warn }\n`,
    );
    child = spawn('node', [...cli, 'start', '-c', cfg], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    const start = Date.now();
    while (!out.includes('listening on') && Date.now() - start < 15000) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain(`Diamond hss1.realm-a.test (realm realm-a.test) listening on tcp://127.0.0.1:${port}`);
    const peers = await diamond(['peers', '-c', cfg]);
    expect(peers.code).toBe(0);
    expect(peers.stdout).toMatch(/^IDENTITY\s+STATE/);
    expect(peers.stdout).toMatch(/mme1\.realm-a\.test\s+Closed/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses to start on a bad config, naming file, line and column', async () => {
    const cfg = path.join(dir, 'bad.yaml');
    writeFileSync(cfg, 'identity: hss1.realm-a.test\nlisten:\n  - { transport: tcp, port: 99999 }\n');
    const r = await diamond(['start', '-c', cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${cfg}:3:`);
  });
});
