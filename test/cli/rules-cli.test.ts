// `diamond rules check` and `diamond rules explain` as a real child process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runDiamond } from '../support/run-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'diamond-rules-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const example = path.join(repoRoot, 'rules/example.conf');

describe('diamond rules', () => {
  it('check: ok for the example, FILE:LINE:COL and exit 1 for a broken file', async () => {
    const ok = await runDiamond(['rules', 'check', example], dir);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('example.conf: ok, 7 rule(s)');
    writeFileSync(path.join(dir, 'bad.conf'), '* : "a" += 1 ;\n\n  un=["^001"] : "b" += DEFAULT -5 ;\n');
    const bad = await runDiamond(['rules', 'check', 'bad.conf'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("bad.conf:3:32: expected ';' at the end of the rule, found '-5'\n");
  });

  it('explain (offline): candidates from the config, scores and the rules behind them', async () => {
    writeFileSync(
      path.join(dir, 'diamond.yaml'),
      [
        'identity: dra.epc.mnc001.mcc001.3gppnetwork.org',
        'peers:',
        ...['hss01', 'hss03', 'hss04', 'hss-lab'].map((h) => `  - { identity: ${h}.epc.mnc001.mcc001.3gppnetwork.org, realm: epc.mnc001.mcc001.3gppnetwork.org, address: 127.0.0.1, connect: false }`),
        'routing:',
        `  rules: [${example}]`,
        '',
      ].join('\n'),
    );
    const r = await runDiamond(['rules', 'explain', '-c', 'diamond.yaml', '--app', 's6a', '--cmd', '316', '--dr', 'epc.mnc001.mcc001.3gppnetwork.org', '--un', '001019999999999999'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('decision: relay to one of: hss-lab.epc.mnc001.mcc001.3gppnetwork.org');
    expect(r.stdout).toMatch(/ {3}213 {2}hss-lab\.epc\.mnc001\.mcc001\.3gppnetwork\.org \(realm epc\.mnc001\.mcc001\.3gppnetwork\.org\)/);
    expect(r.stdout).toMatch(/\+200 {2}.*example\.conf:17:1: un="001019999999999999" : dh="hss-lab\.epc\.mnc001\.mcc001\.3gppnetwork\.org" \+= 200 ;/);
    const j = await runDiamond(['rules', 'explain', '-c', 'diamond.yaml', '--app', '16777251', '--dr', 'epc.mnc001.mcc001.3gppnetwork.org', '--un', '001010000000001', '--json'], dir);
    expect((JSON.parse(j.stdout) as { winners: string[] }).winners.sort()).toEqual(['hss03.epc.mnc001.mcc001.3gppnetwork.org', 'hss04.epc.mnc001.mcc001.3gppnetwork.org']);
  });
});
