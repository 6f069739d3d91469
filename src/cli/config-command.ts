// `diamond config check|show` and `diamond import freediameter`: the operator's tools for diamond.yaml.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { embeddedDefaults } from '../config/defaults.js';
import { importFreeDiameter } from '../config/import-freediameter.js';
import { loadConfig, loadConfigText } from '../config/load.js';
import { configToYaml } from '../config/to-yaml.js';

/** Where a command writes; the CLI passes process streams, tests collect strings. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: CommandIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** `config check FILE`: returns the exit status (0 ok, 1 errors). */
export function runConfigCheck(file: string, io: CommandIo): number {
  const { config, errors } = loadConfig(file);
  if (!config) {
    for (const e of errors) io.stderr(`${e.message}\n`);
    io.stderr(`${file}: ${errors.length} error${errors.length === 1 ? '' : 's'}\n`);
    return 1;
  }
  const n = (k: number, what: string): string => `${k} ${what}${k === 1 ? '' : 's'}`;
  io.stdout(`${file}: ok (${n(config.peers.length, 'peer')}, ${n(config.listen.length, 'listener')})\n`);
  return 0;
}

/** `config show [FILE]`: the effective configuration (defaults filled in, secrets masked). */
export function runConfigShow(file: string | undefined, io: CommandIo): number {
  if (file === undefined) {
    io.stdout(`# effective configuration: built-in defaults (no file given)\n${configToYaml(embeddedDefaults(), { maskSecrets: true })}`);
    return 0;
  }
  const { config, errors } = loadConfig(file);
  if (!config) {
    for (const e of errors) io.stderr(`${e.message}\n`);
    return 1;
  }
  io.stdout(`# effective configuration of ${file} (defaults filled in, secrets masked)\n${configToYaml(config, { maskSecrets: true })}`);
  return 0;
}

export interface ImportOptions {
  output?: string;
  force?: boolean;
}

/** `import freediameter FILE [-o OUT]`: YAML to stdout or OUT, then what was not converted on stderr. */
export function runImportFreeDiameter(file: string, options: ImportOptions, io: CommandIo): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    io.stderr(`${file}: cannot read: ${(err as Error).message}\n`);
    return 1;
  }
  const result = importFreeDiameter(text, file);
  if (result.errors.length > 0) {
    for (const e of result.errors) io.stderr(`${e.message}\n`);
    return 1;
  }
  if (options.output !== undefined) {
    if (existsSync(options.output) && !options.force) {
      io.stderr(`${options.output}: exists; use --force to overwrite\n`);
      return 1;
    }
    writeFileSync(options.output, result.yaml);
    io.stderr(`wrote ${options.output}\n`);
  } else {
    io.stdout(result.yaml);
  }
  if (result.unconverted.length > 0) {
    io.stderr(`not converted (${result.unconverted.length}):\n`);
    for (const u of result.unconverted) {
      io.stderr(`${u.line > 0 ? `${file}:${u.line}` : `${file}: (freeDiameter default)`}: ${u.text}\n    ${u.reason}\n`);
    }
  }
  // Check the result where it will live, so relative TLS paths resolve as they will at start-up.
  const target = options.output ?? join(dirname(file), 'diamond.yaml');
  const check = loadConfigText(result.yaml, target);
  if (check.errors.length > 0) {
    const as = options.output === undefined ? ` (checked as ${target})` : '';
    io.stderr(`the converted configuration${as} does not pass \`diamond config check\` yet:\n`);
    for (const e of check.errors) io.stderr(`  ${e.message}\n`);
  }
  return 0;
}

export function registerConfig(program: Command): void {
  const config = program.command('config').description('check or print the configuration (diamond.yaml)');
  config
    .command('check')
    .description('validate FILE; prints FILE:LINE:COL: message for each problem and exits 1 if any')
    .argument('<file>', 'configuration file (diamond.yaml)')
    .action((file: string) => {
      process.exitCode = runConfigCheck(file, processIo);
    });
  config
    .command('show')
    .description('print the effective configuration as YAML, defaults filled in and secrets masked')
    .argument('[file]', 'configuration file; none: the built-in defaults')
    .action((file: string | undefined) => {
      process.exitCode = runConfigShow(file, processIo);
    });
}

export function registerImport(program: Command): void {
  const imp = program.command('import').description('convert another Diameter node\'s configuration to diamond.yaml');
  imp
    .command('freediameter')
    .description('convert a freeDiameter.conf; prints the YAML, then on stderr what could not be converted')
    .argument('<file>', 'freeDiameter.conf')
    .option('-o, --output <file>', 'write the YAML to this file instead of stdout')
    .option('--force', 'overwrite the output file if it exists')
    .action((file: string, opts: ImportOptions) => {
      process.exitCode = runImportFreeDiameter(file, opts, processIo);
    });
}
