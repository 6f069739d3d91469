// A real freeDiameter 1.2.1 (Debian's freeDiameterd) as a test peer: writes freeDiameter.conf and
// certificates into a mkdtemp directory, starts the daemon with its output in a log file, waits for
// it to be ready, and stops it by PID (SIGTERM, then SIGKILL after a bound: its shutdown can take
// ~16 s). Quirks handled here are in /work/shared/specs/freediameter-peer.md: it binds the wildcard
// address whatever ListenOn says (so each instance gets its own free ports), it needs TLS_Cred even
// when no peer uses TLS, and it refuses peers that are not listed with ConnectPeer.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PemPair, createCa, createNodeCert } from '../../src/certs/generate.js';

export const FREEDIAMETERD = process.env.FREEDIAMETERD ?? '/usr/bin/freeDiameterd';
export const FD_EXTENSION_DIR = process.env.FD_EXTENSION_DIR ?? '/usr/lib/freeDiameter';

/** Why freeDiameter tests cannot run here, or undefined when they can. */
export function freeDiameterMissing(): string | undefined {
  try {
    accessSync(FREEDIAMETERD, constants.X_OK);
  } catch {
    return `freeDiameterd is not installed (${FREEDIAMETERD}); apt-get install freediameterd freediameter-extensions`;
  }
  if (!existsSync(join(FD_EXTENSION_DIR, 'dbg_msg_dumps.fdx'))) {
    return `freeDiameter extensions are not installed (${FD_EXTENSION_DIR}/dbg_msg_dumps.fdx); apt-get install freediameter-extensions`;
  }
  return undefined;
}

/** A TCP port that was free a moment ago (bind port 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** One CA and a certificate per Diameter identity (CN = SAN = identity), as PEM strings. */
export interface TestPki {
  ca: PemPair;
  nodes: Map<string, PemPair>;
}

export function createPki(identities: string[]): TestPki {
  const ca = createCa({ cn: 'Diamond interop test CA', days: 2 });
  const nodes = new Map<string, PemPair>();
  for (const id of identities) nodes.set(id, createNodeCert({ cn: id, ca, days: 2 }));
  return { ca, nodes };
}

/** Writes `<dir>/ca.pem`, `<dir>/<id>.pem`, `<dir>/<id>.key`; returns their paths. */
export function writeNodeFiles(dir: string, pki: TestPki, identity: string): { cert: string; key: string; ca: string } {
  const pair = pki.nodes.get(identity);
  if (!pair) throw new Error(`no certificate for ${identity} in the test PKI`);
  const ca = join(dir, 'ca.pem');
  const cert = join(dir, `${identity}.pem`);
  const key = join(dir, `${identity}.key`);
  writeFileSync(ca, pki.ca.certPem);
  writeFileSync(cert, pair.certPem);
  writeFileSync(key, pair.keyPem, { mode: 0o600 });
  return { cert, key, ca };
}

export interface FdPeer {
  identity: string;
  /** Where freeDiameter connects to reach it. */
  address?: string;
  port: number;
  /** none = No_TLS; connect = RFC 6733 TLS at connect (its default); inband = TLS_old_method. */
  tls: 'none' | 'connect' | 'inband';
}

export interface FdOptions {
  identity: string;
  realm: string;
  pki: TestPki;
  peers: FdPeer[];
  /** Seconds; freeDiameter accepts TcTimer >= 1 and TwTimer >= 6. */
  tcTimer?: number;
  twTimer?: number;
  /** dbg_msg_dumps mask; 0x2222 = compact one-line dumps of errors, messages, routing, peers. */
  dumpMask?: string;
  /** Extra lines appended to freeDiameter.conf. */
  extraConf?: string;
  /** Bound on the wait for "daemon initialized", ms. */
  readyTimeoutMs?: number;
}

/** Every daemon started by this module, so a failing test cannot leave one behind. */
const running = new Set<FreeDiameter>();

process.once('exit', () => {
  for (const fd of running) fd.killNow();
});

/** Stops every daemon this module started (for afterEach/afterAll). */
export async function stopAllFreeDiameter(): Promise<void> {
  await Promise.all([...running].map((fd) => fd.stop()));
}

const READY_LINE = 'freeDiameterd daemon initialized.';

export class FreeDiameter {
  readonly opts: FdOptions;
  readonly dir: string;
  readonly confPath: string;
  readonly logPath: string;
  port = 0;
  secPort = 0;
  private child: ChildProcess | undefined = undefined;
  private exited: Promise<void> = Promise.resolve();
  private removed = false;

  private constructor(opts: FdOptions) {
    this.opts = opts;
    this.dir = mkdtempSync(join(tmpdir(), 'diamond-fd-'));
    this.confPath = join(this.dir, 'freeDiameter.conf');
    this.logPath = join(this.dir, 'freeDiameter.log');
  }

  /** Writes the configuration and starts the daemon; resolves once it reports it is initialised. */
  static async start(opts: FdOptions): Promise<FreeDiameter> {
    const fd = new FreeDiameter(opts);
    running.add(fd);
    try {
      writeNodeFiles(fd.dir, opts.pki, opts.identity);
      // A port picked by freePort() can be taken before the daemon binds it: try again with others.
      for (let attempt = 1; ; attempt++) {
        fd.port = await freePort();
        fd.secPort = await freePort();
        fd.writeConf();
        try {
          await fd.launch();
          return fd;
        } catch (err) {
          await fd.stop();
          running.add(fd);
          if (attempt >= 3 || !/Address already in use/.test(fd.log())) throw err;
        }
      }
    } catch (err) {
      await fd.stop();
      fd.remove();
      throw err;
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private writeConf(): void {
    const o = this.opts;
    const cert = join(this.dir, `${o.identity}.pem`);
    const key = join(this.dir, `${o.identity}.key`);
    const lines = [
      `Identity = "${o.identity}";`,
      `Realm = "${o.realm}";`,
      `Port = ${this.port};`,
      `SecPort = ${this.secPort};`,
      'No_SCTP;',
      'No_IPv6;',
      `TcTimer = ${o.tcTimer ?? 1};`,
      `TwTimer = ${o.twTimer ?? 6};`,
      // Mandatory even when every peer is No_TLS.
      `TLS_Cred = "${cert}", "${key}";`,
      `TLS_CA = "${join(this.dir, 'ca.pem')}";`,
      `LoadExtension = "${join(FD_EXTENSION_DIR, 'dbg_msg_dumps.fdx')}" : "${o.dumpMask ?? '0x2222'}";`,
    ];
    for (const p of o.peers) {
      const tls = p.tls === 'none' ? ' No_TLS;' : p.tls === 'inband' ? ' TLS_old_method;' : '';
      lines.push(`ConnectPeer = "${p.identity}" { ConnectTo = "${p.address ?? '127.0.0.1'}"; No_SCTP; Prefer_TCP;${tls} Port = ${p.port}; };`);
    }
    if (o.extraConf) lines.push(o.extraConf);
    writeFileSync(this.confPath, lines.join('\n') + '\n');
  }

  private async launch(): Promise<void> {
    const out = openSync(this.logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(FREEDIAMETERD, ['-c', this.confPath], { stdio: ['ignore', out, out], cwd: this.dir });
    } finally {
      closeSync(out);
    }
    this.child = child;
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    child.once('error', () => undefined);
    const mark = this.mark();
    const bound = this.opts.readyTimeoutMs ?? 10_000;
    const start = Date.now();
    for (;;) {
      const text = this.logSince(mark);
      if (text.includes(READY_LINE)) {
        if (/Address already in use/.test(text)) throw new Error(`freeDiameterd could not bind its ports:\n${this.tail()}`);
        return;
      }
      if (!this.isRunning) throw new Error(`freeDiameterd exited before it was ready (${String(child.exitCode ?? child.signalCode)}):\n${this.tail()}`);
      if (Date.now() - start > bound) throw new Error(`freeDiameterd not ready after ${bound} ms:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Stops the daemon and starts it again with the same configuration and ports. */
  async restart(): Promise<void> {
    await this.stop();
    running.add(this);
    await this.launch();
  }

  /** SIGTERM, then SIGKILL if it is still running after boundMs. Always resolves. */
  async stop(boundMs = 5000): Promise<void> {
    running.delete(this);
    const child = this.child;
    if (!child || !this.isRunning) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        if (this.isRunning) child.kill('SIGKILL');
        resolve();
      }, boundMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    await this.exited;
  }

  /** Synchronous last resort (process exit). */
  killNow(): void {
    if (this.isRunning) this.child?.kill('SIGKILL');
  }

  /** Stops the daemon and deletes its directory (unless KEEP_FD_LOGS is set, for debugging). */
  async dispose(): Promise<void> {
    await this.stop();
    this.remove();
  }

  private remove(): void {
    if (this.removed || process.env.KEEP_FD_LOGS) return;
    this.removed = true;
    rmSync(this.dir, { recursive: true, force: true });
  }

  log(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** A position in the log; logSince(mark) reads what was written after it. */
  mark(): number {
    return this.log().length;
  }

  logSince(mark: number): string {
    return this.log().slice(mark);
  }

  /** Last lines of the log, for failure messages. */
  tail(lines = 40): string {
    return this.log().split('\n').slice(-lines).join('\n');
  }

  /** Log lines (after mark) that match. */
  lines(re: RegExp, mark = 0): string[] {
    return this.logSince(mark)
      .split('\n')
      .filter((l) => re.test(l));
  }

  /** Resolves with the first matching line written after mark; rejects with the log tail on timeout. */
  async waitForLog(re: RegExp, what: string, opts: { mark?: number; timeoutMs?: number; count?: number } = {}): Promise<string> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const count = opts.count ?? 1;
    const start = Date.now();
    for (;;) {
      const found = this.lines(re, opts.mark ?? 0);
      if (found.length >= count) return found[count - 1]!;
      if (Date.now() - start > timeoutMs) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for freeDiameter to log ${what} (${re.source}, ${found.length}/${count} seen); log tail:\n${this.tail()}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** Escapes a Diameter identity for use inside a RegExp. */
export function re(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
