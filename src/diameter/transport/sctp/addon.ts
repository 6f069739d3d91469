// Loads the kernel-SCTP addon (sctp-addon.c, built by scripts/build-sctp-addon.mjs at install).
// SCTP is optional: a missing addon or a kernel without SCTP is a reason string, never a crash.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants } from 'node:os';

export interface SctpAddress {
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

export interface SctpStatus {
  /** SCTP_STATUS sstat_state (4 = ESTABLISHED on Linux). */
  state: number;
  inStreams: number;
  outStreams: number;
  primary: SctpAddress;
  nodelay: boolean;
  peerAddresses: SctpAddress[];
  localAddresses: SctpAddress[];
}

/** The native functions (see sctp-addon.c). Errors thrown carry errno and syscall. */
export interface SctpAddon {
  available(): number | undefined;
  listen(addresses: string[], port: number, streams: number, backlog: number): number;
  connect(addresses: string[], port: number, localAddresses: string[], streams: number, timeoutMs: number): Promise<number>;
  setup(fd: number): void;
  status(fd: number): SctpStatus;
  send(fd: number, data: Buffer, stream: number): number;
  /** One sendmmsg: each buffer one SCTP message on its stream; messages sent, or -errno if none. */
  sendMany(fd: number, buffers: Buffer[], streams: number[]): number;
  /** One non-blocking recvmmsg of the queued messages into `into`, end to end: bytes, 0, or -errno. */
  recvMany(fd: number, into: Buffer): number;
  setPrimary(fd: number, address: string): void;
  tunePaths(fd: number, hbIntervalMs: number, pathMaxRetrans: number): void;
}

export const NO_KERNEL_SCTP = 'this kernel has no SCTP: load the sctp module, or use TCP';

/** errno values of socket(…, IPPROTO_SCTP) on a kernel without SCTP (module absent or blocked). */
const NO_SCTP_ERRNOS = new Set([constants.errno.EPROTONOSUPPORT, 94 /* ESOCKTNOSUPPORT */, constants.errno.EAFNOSUPPORT, constants.errno.ENOPROTOOPT]);

export function isNoSctpErrno(errno: number | undefined): boolean {
  return errno !== undefined && NO_SCTP_ERRNOS.has(errno);
}

function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts', 'build-sctp-addon.mjs'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

let loaded: { addon: SctpAddon } | { reason: string } | undefined;

function load(): { addon: SctpAddon } | { reason: string } {
  const root = packageRoot();
  const path = process.env.DIAMOND_SCTP_ADDON ?? (root ? join(root, 'build', 'sctp', 'diamond_sctp.node') : undefined);
  if (process.platform !== 'linux') return { reason: `kernel SCTP is supported on Linux only (this is ${process.platform}); use TCP` };
  if (!path || !existsSync(path)) {
    let why = 'the SCTP addon was not built';
    try {
      if (root) why += ` (${readFileSync(join(root, 'build', 'sctp', 'build-status.txt'), 'utf8').trim()})`;
    } catch {
      why += ' (run `node scripts/build-sctp-addon.mjs`)';
    }
    return { reason: `${why}; use TCP` };
  }
  try {
    const addon = createRequire(import.meta.url)(path) as SctpAddon;
    return { addon };
  } catch (err) {
    return { reason: `the SCTP addon ${path} does not load (${(err as Error).message}); use TCP` };
  }
}

/** The addon, or why SCTP cannot be used here (no addon, or no SCTP in the kernel). */
export function sctpAddon(): { addon: SctpAddon } | { reason: string } {
  if (loaded) return loaded;
  const l = load();
  if ('addon' in l) {
    const errno = l.addon.available();
    loaded = errno === undefined ? l : { reason: isNoSctpErrno(errno) ? NO_KERNEL_SCTP : `SCTP socket() failed with errno ${errno}; use TCP` };
  } else {
    loaded = l;
  }
  return loaded;
}

/** Undefined when SCTP works here, else the operator-facing reason. */
export function sctpUnavailableReason(): string | undefined {
  const l = sctpAddon();
  return 'reason' in l ? l.reason : undefined;
}
