// The `capture:` section of diamond.yaml: defaults, errors with file:line:col, round trip through `config show`.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { loadConfig } from '../../src/config/load.js';
import { configToYaml } from '../../src/config/to-yaml.js';
import { ErrorCode } from '../../src/errors.js';
import { tempDir } from '../replay/traffic.js';

const dir = tempDir('diamond-capture-config-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(text: string) {
  const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return { file, ...loadConfig(file) };
}

describe('capture config', () => {
  it('fills defaults and resolves the file against the config directory', () => {
    mkdirSync(path.join(dir, 'caps'), { recursive: true });
    const r = load('identity: hss1.epc.test\ncapture:\n  file: caps/node.pcapng\n');
    expect(r.errors).toEqual([]);
    expect(r.config!.capture).toEqual({ file: path.join(dir, 'caps/node.pcapng'), rotateMb: 100, peers: [], mask: true, enabled: true });
    const again = load(configToYaml(r.config!));
    expect(again.config!.capture).toEqual(r.config!.capture);
    expect(load('identity: hss1.epc.test\n').config!.capture).toBeUndefined();
  });

  it('reports each bad field with line and column', () => {
    const r = load('identity: hss1.epc.test\ncapture:\n  file: nowhere/x.pcapng\n  rotateMb: -1\n  peers: [not an identity]\n  mask: maybe\n  colour: red\n');
    expect(r.errors.map((e) => [e.code, e.message.slice(r.file.length + 1)])).toEqual([
      [ErrorCode.CONFIG_MISSING_FILE, `3:9: capture.file: directory not found: ${path.join(dir, 'nowhere')}`],
      [ErrorCode.CONFIG_INVALID, expect.stringMatching(/^4:13: capture\.rotateMb: /)],
      [ErrorCode.CONFIG_INVALID, expect.stringMatching(/^5:11: capture\.peers\[0\]: expected a Diameter identity/)],
      [ErrorCode.CONFIG_INVALID, expect.stringMatching(/^6:9: capture\.mask: /)],
      [ErrorCode.CONFIG_UNKNOWN_KEY, expect.stringMatching(/^7:3: .*colour/)],
    ]);
    const missing = load('identity: hss1.epc.test\ncapture:\n  rotateMb: 5\n');
    expect(missing.errors[0]!.message).toContain('capture.file: required');
  });
});
