// `diamond certs generate`: a lab CA and a TLS certificate for one Diameter identity.
import { relative } from 'node:path';
import type { Command } from 'commander';
import { DiamondError, ErrorCode } from '../errors.js';
import { DEFAULT_NODE_DAYS, generateCertificates } from '../certs/generate.js';
import type { GeneratedFiles } from '../certs/generate.js';

interface GenerateFlags {
  cn: string;
  dir: string;
  ca?: string;
  days: string;
  alt?: string[];
  force?: boolean;
}

function parseDays(text: string): number {
  if (!/^[1-9][0-9]*$/.test(text)) {
    throw new DiamondError(ErrorCode.CLI_INPUT, `--days: expected a positive whole number of days, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** Paths under the working directory are shown relative to it; the config resolves relative paths against its own directory. */
function show(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') ? rel : path;
}

/** The report printed after generation: files written, then the config to paste. */
export function formatGenerated(files: GeneratedFiles): string {
  const lines = [
    files.caCreated ? `wrote ${show(files.caCert)} (CA certificate)` : `using CA ${show(files.caCert)}`,
    ...(files.caCreated ? [`wrote ${show(files.caKey)} (CA key, mode 0600; keep it off the nodes)`] : []),
    `wrote ${show(files.cert)}`,
    `wrote ${show(files.key)} (mode 0600)`,
    '',
    '# diamond.yaml (relative paths as seen from a diamond.yaml in this directory)',
    'tls:',
    `  cert: ${show(files.cert)}`,
    `  key: ${show(files.key)}`,
    `  ca: ${show(files.caCert)}`,
    '  verifyPeer: true',
    '  checkIdentity: true',
    '',
    '# freeDiameter.conf (the same files work there)',
    `# TLS_Cred = "${files.cert}", "${files.key}";  TLS_CA = "${files.caCert}";`,
  ];
  return `${lines.join('\n')}\n`;
}

export function registerCerts(program: Command): void {
  const certs = program.command('certs').description('TLS certificates for Diameter peers');
  certs
    .command('generate')
    .description('write <cn>.pem and <cn>.key signed by a CA (ca.pem + ca.key, created if absent)')
    .requiredOption('--cn <identity>', 'Diameter identity of the node (Origin-Host), used as CN and subjectAltName')
    .option('--dir <dir>', 'directory for the node certificate and key', 'certs')
    .option('--ca <dir>', 'directory holding ca.pem and ca.key (default: --dir)')
    .option('--days <n>', 'validity of the node certificate in days', String(DEFAULT_NODE_DAYS))
    .option('--alt <name...>', 'extra subjectAltNames (DNS names or IP addresses)')
    .option('--force', 'overwrite an existing <cn>.pem / <cn>.key (an existing CA is always reused)')
    .action((opts: GenerateFlags) => {
      const files = generateCertificates({
        cn: opts.cn,
        dir: opts.dir,
        ...(opts.ca !== undefined ? { caDir: opts.ca } : {}),
        days: parseDays(opts.days),
        altNames: opts.alt ?? [],
        force: opts.force === true,
      });
      process.stdout.write(formatGenerated(files));
    });
}
