import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runConfigCheck, runConfigShow, runImportFreeDiameter } from '../../src/cli/config-command.js';
import type { CommandIo } from '../../src/cli/config-command.js';
import { loadConfigText } from '../../src/config/load.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function capture(): CommandIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
  };
  return io;
}

let dir: string;
let good: string;
let bad: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'diamond-cli-'));
  good = join(dir, 'good.yaml');
  bad = join(dir, 'bad.yaml');
  writeFileSync(
    good,
    'identity: dra.realm-a.test\nlisten:\n  - { address: 127.0.0.1 }\n  - { transport: sctp, address: 127.0.0.1 }\npeers:\n  - { identity: hss1.realm-a.test, address: 127.0.0.2 }\napi: { address: 0.0.0.0, token: very-secret }\n',
  );
  writeFileSync(bad, 'identity: dra.realm-a.test\npeers:\n  - { identity: hss1.realm-a.test, port: abc }\ntimerz: {}\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('config check', () => {
  it('prints FILE: ok (N peers, M listeners)', () => {
    const io = capture();
    expect(runConfigCheck(good, io)).toBe(0);
    expect(io.out).toBe(`${good}: ok (1 peer, 2 listeners)\n`);
    expect(io.err).toBe('');
  });

  it('prints each error as FILE:LINE:COL: message and fails', () => {
    const io = capture();
    expect(runConfigCheck(bad, io)).toBe(1);
    expect(io.out).toBe('');
    expect(io.err.split('\n')).toEqual([
      `${bad}:3:42: peers[0].port: expected an integer 1-65535, found "abc"`,
      `${bad}:4:1: timerz: unknown key (did you mean timers?); allowed: identity, realm, hostIpAddresses, productName, vendorId, firmwareRevision, listen, tls, peers, applications, relay, allowUnknownPeers, dataDir, dictionaries, limits, timers, log, api, routing, hss, capture`,
      `${bad}: 2 errors`,
      '',
    ]);
  });
});

describe('config show', () => {
  it('prints the effective configuration with the API token masked', () => {
    const io = capture();
    expect(runConfigShow(good, io)).toBe(0);
    expect(io.out).toContain("token: '********'");
    expect(io.out).not.toContain('very-secret');
    expect(io.out).toContain('  - { identity: hss1.realm-a.test, addresses: [ 127.0.0.2 ], port: 3868, transport: tcp, tls: none, connect: true, tc: 30, tw: 30 }');
    // Apart from the mask, the output is a valid configuration equal to the input's.
    const back = loadConfigText(io.out.replace("'********'", 'very-secret'), good);
    expect(back.errors).toEqual([]);
  });

  it('without a file prints the built-in defaults', () => {
    const io = capture();
    expect(runConfigShow(undefined, io)).toBe(0);
    expect(io.out).toMatch(/^# effective configuration: built-in defaults/);
    expect(io.out).toContain('realm: diamond.local');
    expect(io.out).toContain('  - { transport: tcp, addresses: [ 127.0.0.1 ], port: 3868 }');
  });

  it('prints errors instead when the file is invalid', () => {
    const io = capture();
    expect(runConfigShow(bad, io)).toBe(1);
    expect(io.out).toBe('');
    expect(io.err).toContain(`${bad}:3:42: peers[0].port`);
  });
});

describe('import freediameter', () => {
  const conf = 'Identity = "dra.realm-a.test";\nNo_SCTP;\nAppServThreads = 4;\nLoadExtension = "rt_default.fdx" : "rt.conf";\nConnectPeer = "hss1.realm-a.test" { ConnectTo = "127.0.0.2"; No_TLS; };\n';

  it('prints the YAML, then what was not converted on stderr', () => {
    const file = join(dir, 'fd.conf');
    writeFileSync(file, conf);
    const io = capture();
    expect(runImportFreeDiameter(file, {}, io)).toBe(0);
    expect(io.out).toContain('identity: dra.realm-a.test');
    expect(io.err).toContain(`not converted (2):\n${file}:3: AppServThreads = 4;\n`);
    expect(io.err).toContain(`${file}:4: LoadExtension = "rt_default.fdx" : "rt.conf";\n    routing rules: copy rt.conf to rules/`);
    expect(io.err).not.toContain('does not pass');
  });

  it('writes -o OUT, refuses to overwrite without --force, and says when the result needs more work', () => {
    const file = join(dir, 'fd2.conf');
    const out = join(dir, 'converted.yaml');
    writeFileSync(file, `${conf}TLS_Cred = "missing.pem", "missing.key";\n`);
    const io = capture();
    expect(runImportFreeDiameter(file, { output: out }, io)).toBe(0);
    expect(io.out).toBe('');
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out, 'utf8')).toContain('cert: missing.pem');
    expect(io.err).toContain('the converted configuration does not pass `diamond config check` yet:');
    expect(io.err).toContain(`${out}:`);
    const again = capture();
    expect(runImportFreeDiameter(file, { output: out }, again)).toBe(1);
    expect(again.err).toBe(`${out}: exists; use --force to overwrite\n`);
    expect(runImportFreeDiameter(file, { output: out, force: true }, capture())).toBe(0);
  });

  it('fails with FILE:LINE:COL on a syntax error', () => {
    const file = join(dir, 'broken.conf');
    writeFileSync(file, 'Identity = "a.b.test"\nPort = ;\n');
    const io = capture();
    expect(runImportFreeDiameter(file, {}, io)).toBe(1);
    expect(io.err).toBe(`${file}:1:22: expected ';' after "a.b.test"\n${file}:2:8: expected a "string" or an integer, found ';'\n`);
  });
});

describe('the commands in a real process', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test/config/fixtures/cli.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

  it('config check exits 0 with the summary, 1 with the errors', () => {
    const ok = run('config', 'check', good);
    expect([ok.status, ok.stdout, ok.stderr]).toEqual([0, `${good}: ok (1 peer, 2 listeners)\n`, '']);
    const ko = run('config', 'check', bad);
    expect(ko.status).toBe(1);
    expect(ko.stderr).toContain(`${bad}:3:42: peers[0].port: expected an integer 1-65535, found "abc"\n`);
  });
});
