// `diamond subscriber ...` on a real store file: add/show/list/delete in-process through commander,
// and import as a real child process (progress on stderr, exit code, file:line errors).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerSubscriber } from '../../src/cli/subscriber-command.js';
import { DiamondError } from '../../src/errors.js';
import { openSqliteStore } from '../../src/store/index.js';
import { K1, OPC1, tempStore, type TempStore } from './helpers.js';

const ROOT = join(import.meta.dirname, '../..');
let t: TempStore;
beforeEach(() => {
  t = tempStore();
  t.store.apns.create({ name: 'internet' }, 'test');
  t.store.close();
});
afterEach(() => t.cleanup());

async function cli(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerSubscriber(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    await program.parseAsync(['node', 'diamond', 'subscriber', ...args, '--db', t.file]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('diamond subscriber add|show|list|delete', () => {
  it('adds with keys, shows and lists without them, deletes', async () => {
    expect(await cli('add', '--imsi', '001010000000001', '--k', K1, '--opc', OPC1, '--msisdn', '1234', '--apn', 'internet', '--sqn', '0x40')).toBe('added 001010000000001\n');
    const shown = await cli('show', '001010000000001');
    expect(shown).toMatch(/IMSI\s+001010000000001/);
    expect(shown).toMatch(/AuC\s+milenage, opc operator key, AMF 8000, SQN 64 \(0x40\)/);
    expect(shown).not.toContain(K1);
    expect(shown).not.toContain(OPC1);
    const json = JSON.parse(await cli('show', '001010000000001', '--json')) as Record<string, unknown>;
    expect(json).toMatchObject({ imsi: '001010000000001', apns: [{ name: 'internet' }], auc: { sqn: 64 } });
    expect(await cli('list')).toMatch(/^IMSI\s+MSISDN\s+ENABLED\s+APNS\n001010000000001\s+1234\s+true\s+internet\n$/);
    await expect(cli('add', '--imsi', '001010000000001', '--k', K1, '--opc', OPC1)).rejects.toThrow(/imsi: subscriber 001010000000001 already exists/);
    await expect(cli('add', '--imsi', '0010', '--k', K1, '--opc', OPC1)).rejects.toThrow(DiamondError);
    expect(await cli('delete', '001010000000001')).toBe('deleted 001010000000001\n');
    await expect(cli('show', '001010000000001')).rejects.toThrow(/does not exist/);
    const s = openSqliteStore(t.file);
    expect(s.audit.list({ resource: 'subscriber' }).items.map((a) => [a.action, a.actor.startsWith('cli')])).toEqual([
      ['delete', true],
      ['create', true],
    ]);
    s.close();
  });
});

describe('diamond subscriber import (child process)', () => {
  const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const run = (file: string) =>
    spawnSync(process.execPath, ['--import', loader, join(ROOT, 'src/cli/main.ts'), 'subscriber', 'import', file, '--db', t.file], { encoding: 'utf8', cwd: t.dir });

  it('imports CSV and JSON with progress on stderr; a bad row names file:line and field, and nothing is imported', () => {
    const rows = Array.from({ length: 2500 }, (_, i) => `00101${String(i).padStart(10, '0')},${33600000000 + i},${K1},${OPC1},8000,${i},internet`);
    const csv = join(t.dir, 'subs.csv');
    writeFileSync(csv, `imsi,msisdn,k,opc,amf,sqn,apns\n${rows.join('\n')}\n`);
    const ok = run(csv);
    expect(ok.stderr).toMatch(/100% 2500\/2500/);
    expect(ok.stdout).toBe(`imported 2500 subscribers from ${csv}\n`);
    expect(ok.status).toBe(0);

    const bad = join(t.dir, 'bad.csv');
    writeFileSync(bad, `imsi,msisdn,k,opc,amf,sqn,apns\n# comment\n001019000000001,1,${K1},${OPC1},8000,0,internet\n001019000000002,2,${K1},${OPC1.slice(2)},8000,0,internet\n`);
    const r = run(bad);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${bad}:4: opc: must be 32 hex digits (128 bits); nothing was imported`);
    expect(r.stderr).not.toContain(OPC1.slice(2));

    const json = join(t.dir, 'subs.json');
    writeFileSync(json, JSON.stringify([{ imsi: '001019000000009', k: K1, op: OPC1, apns: ['internet'] }]));
    expect(run(json).stdout).toBe(`imported 1 subscribers from ${json}\n`);

    const s = openSqliteStore(t.file);
    expect(s.subscribers.count()).toBe(2501);
    expect(s.subscribers.get('001019000000001')).toBeUndefined();
    expect(s.auc.get('001010000002499')).toMatchObject({ sqn: 2499, operatorKey: 'opc' });
    expect(s.audit.list({ resource: 'subscriber' }).items.map((a) => a.details)).toEqual([
      { source: json, count: 1 },
      { source: csv, count: 2500 },
    ]);
    s.close();
  });
});
