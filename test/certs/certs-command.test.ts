import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerCerts } from '../../src/cli/certs-command.js';
import { DiamondError, ErrorCode } from '../../src/errors.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'diamond-certs-cli-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs `diamond ARGS` in-process; returns stdout. */
async function run(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerCerts(program);
  let stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    vi.restoreAllMocks();
  }
  return stdout;
}

describe('diamond certs generate', () => {
  it('writes the CA and node files and prints the tls: snippet', async () => {
    const dir = join(tmp, 'certs');
    const out = await run(['certs', 'generate', '--cn', 'dra.realm-dra.test', '--dir', dir, '--days', '30', '--alt', '127.0.0.12', 'dra-2.realm-dra.test']);
    expect(out).toContain(`wrote ${join(dir, 'ca.pem')}`);
    expect(out).toContain(`wrote ${join(dir, 'dra.realm-dra.test.key')} (mode 0600)`);
    expect(out).toContain(`tls:\n  cert: ${join(dir, 'dra.realm-dra.test.pem')}\n  key: ${join(dir, 'dra.realm-dra.test.key')}\n  ca: ${join(dir, 'ca.pem')}\n`);
    const x = new X509Certificate(readFileSync(join(dir, 'dra.realm-dra.test.pem')));
    expect(x.subjectAltName).toBe('DNS:dra.realm-dra.test, IP Address:127.0.0.12, DNS:dra-2.realm-dra.test');

    const second = await run(['certs', 'generate', '--cn', 'hss.realm-a.test', '--dir', join(tmp, 'hss'), '--ca', dir]);
    expect(second).toContain(`using CA ${join(dir, 'ca.pem')}`);
    expect(second).not.toContain('CA key');
  });

  it('refuses to overwrite without --force, and accepts --force', async () => {
    const dir = join(tmp, 'again');
    await run(['certs', 'generate', '--cn', 'mme.realm-a.test', '--dir', dir]);
    const err = await run(['certs', 'generate', '--cn', 'mme.realm-a.test', '--dir', dir]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiamondError);
    expect((err as DiamondError).code).toBe(ErrorCode.CLI_INPUT);
    await expect(run(['certs', 'generate', '--cn', 'mme.realm-a.test', '--dir', dir, '--force'])).resolves.toContain('tls:');
  });

  it('rejects a bad --days', async () => {
    const err = await run(['certs', 'generate', '--cn', 'x.test', '--dir', join(tmp, 'd'), '--days', '12x']).catch((e: unknown) => e);
    expect((err as DiamondError).code).toBe(ErrorCode.CLI_INPUT);
  });
});
