/* global process, console */
// Builds the kernel-SCTP addon (src/diameter/transport/sctp/sctp-addon.c) at `npm ci` / `npm install`.
// One C file against Node's own headers with the system C compiler: no node-gyp header download
// (CI reaches only the package registries) and no lksctp-tools. A failed build never fails the
// install: Diamond then reports SCTP as unavailable with the reason, and TCP/TLS work as before.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src/diameter/transport/sctp/sctp-addon.c');
const outDir = join(root, 'build/sctp');
const out = join(outDir, 'diamond_sctp.node');
const statusFile = join(outDir, 'build-status.txt');

function headerDir() {
  const candidates = [
    process.env.NODE_INCLUDE_DIR,
    join(dirname(process.execPath), '..', 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
    join(process.env.HOME ?? '/root', '.cache/node-gyp', process.versions.node, 'include/node'),
  ];
  return candidates.find((d) => d && existsSync(join(d, 'node_api.h')));
}

function fail(reason) {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(statusFile, `failed: ${reason}\n`);
  console.warn(`diamond: SCTP addon not built (${reason}); SCTP will be reported as unavailable, TCP/TLS are unaffected`);
  process.exit(0);
}

if (process.platform !== 'linux') fail(`kernel SCTP support is Linux-only (platform ${process.platform})`);
const include = headerDir();
if (!include) fail('node_api.h not found: set NODE_INCLUDE_DIR to the directory of Node\'s headers');
mkdirSync(outDir, { recursive: true });
const cc = process.env.CC ?? 'cc';
try {
  execFileSync(cc, ['-O2', '-Wall', '-shared', '-fPIC', '-DNODE_GYP_MODULE_NAME=diamond_sctp', `-I${include}`, '-o', out, source], { stdio: ['ignore', 'inherit', 'pipe'] });
} catch (err) {
  fail(`${cc} failed: ${String(err.stderr ?? err.message).trim().split('\n').slice(0, 5).join(' | ')}`);
}
writeFileSync(statusFile, `built with ${cc} against ${include}\n`);
console.log(`diamond: SCTP addon built (${out})`);
