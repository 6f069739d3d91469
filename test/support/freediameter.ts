// A real freeDiameter 1.2.1 (Debian's freeDiameterd) as a test peer: writes freeDiameter.conf and
// certificates into a mkdtemp directory, starts the daemon with its output in a log file, waits for
// it to be ready, and stops it by PID (SIGTERM, then SIGKILL after a bound: its shutdown can take
// ~16 s). Quirks handled here are in /work/shared/specs/freediameter-peer.md: it binds the wildcard
// address whatever ListenOn says (so each instance gets its own free ports), it needs TLS_Cred even
// when no peer uses TLS, and it refuses peers that are not listed with ConnectPeer.
//
// It can also load freeDiameter's test_app extension (built by scripts/build-freediameter-test-app.sh,
// Debian does not ship it) as a request generator (`benchmark SECONDS CONCURRENCY`, started by
// SIGUSR1, results read from the "Benchmark results" block it logs) or as an answering server, and
// rt_default with a rule file.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PemPair, createCa, createNodeCert } from '../../src/certs/generate.js';

export const FREEDIAMETERD = process.env.FREEDIAMETERD ?? '/usr/bin/freeDiameterd';
export const FD_EXTENSION_DIR = process.env.FD_EXTENSION_DIR ?? '/usr/lib/freeDiameter';
/** Where scripts/build-freediameter-test-app.sh installs test_app (same variable, same default). */
export const FD_TEST_APP = process.env.FD_TEST_APP ?? '/var/cache/diamond/test_app.fdx';

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

/** Why tests that need freeDiameter's test_app cannot run here, or undefined when they can. */
export function testAppMissing(): string | undefined {
  const fd = freeDiameterMissing();
  if (fd) return fd;
  if (!existsSync(join(FD_EXTENSION_DIR, 'rt_default.fdx'))) {
    return `freeDiameter's rt_default extension is not installed (${FD_EXTENSION_DIR}/rt_default.fdx); apt-get install freediameter-extensions`;
  }
  if (!existsSync(FD_TEST_APP)) {
    return `freeDiameter's test_app extension is not built (${FD_TEST_APP}); run scripts/build-freediameter-test-app.sh as root (CI does)`;
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

/** test_app's code defaults (1.2.1), which differ from its sample config. */
export const TEST_APP = {
  vendorId: 999999,
  applicationId: 0xffffff,
  commandCode: 0xfffffe,
  avpCode: 0xffffff,
} as const;

/**
 * test_app as a client: on SIGUSR1 it keeps `concurrency` Test-Requests in flight for `seconds`
 * (see FreeDiameter.benchmark). As a server it answers every Test-Request with 2001; `countable`
 * makes it print one "ECHO Test-Request received" line per request (see FreeDiameter.echoed),
 * otherwise it answers silently (its benchmark mode, for throughput runs).
 */
export type TestAppOptions =
  | { mode: 'client'; destRealm: string; destHost?: string; userName?: string; seconds: number; concurrency: number }
  | { mode: 'server'; countable?: boolean };

/** The numbers of one test_app benchmark run (its "Benchmark results" block). */
export interface BenchmarkResult {
  /** Seconds from SIGUSR1 to the end of sending, as test_app measured it. */
  seconds: number;
  sent: number;
  /** Answers with a Result-Code other than 2001 (including those the client's own stack generated). */
  errors: number;
  /** Answers with 2001. */
  answers: number;
  /** sent - errors - answers when the run ended: requests never answered. */
  unanswered: number;
  /** answers / seconds. */
  answersPerSecond: number;
  /** Round-trip times of the 2001 answers, seconds. */
  fastest: number;
  slowest: number;
  average: number;
  /** test_app logged "Test Complete": every request sent got an answer. */
  complete: boolean;
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
  /** Loads test_app (FD_TEST_APP) in this mode. */
  testApp?: TestAppOptions;
  /** Loads rt_default with these rules (rt_default syntax) as rt_default.conf. */
  rtDefault?: string;
  /** Loads these extensions (paths relative to FD_EXTENSION_DIR unless absolute) after the others. */
  extensions?: { name: string; conf?: string }[];
  /** Listening ports to use instead of free ones picked at start (so two daemons can list each other first). */
  port?: number;
  secPort?: number;
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
        fd.port = opts.port ?? (await freePort());
        fd.secPort = opts.secPort ?? (await freePort());
        fd.writeConf();
        try {
          await fd.launch();
          return fd;
        } catch (err) {
          await fd.stop();
          running.add(fd);
          const fixed = opts.port !== undefined && opts.secPort !== undefined;
          if (fixed || attempt >= 3 || !/Address already in use/.test(fd.log())) throw err;
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
    if (o.testApp) {
      const conf = join(this.dir, 'test_app.conf');
      writeFileSync(conf, testAppConf(o.testApp));
      lines.push(`LoadExtension = "${FD_TEST_APP}" : "${conf}";`);
    }
    if (o.rtDefault !== undefined) {
      const conf = join(this.dir, 'rt_default.conf');
      writeFileSync(conf, o.rtDefault.endsWith('\n') || o.rtDefault === '' ? o.rtDefault : `${o.rtDefault}\n`);
      lines.push(`LoadExtension = "${join(FD_EXTENSION_DIR, 'rt_default.fdx')}" : "${conf}";`);
    }
    for (const e of o.extensions ?? []) {
      const path = e.name.startsWith('/') ? e.name : join(FD_EXTENSION_DIR, e.name);
      lines.push(e.conf === undefined ? `LoadExtension = "${path}";` : `LoadExtension = "${path}" : "${e.conf}";`);
    }
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
    // Generous: on a loaded 2-core machine its start-up (GnuTLS set-up included) has taken 10 s.
    const bound = this.opts.readyTimeoutMs ?? 30_000;
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

  /** A position in the log (a byte offset); logSince(mark) reads what was written after it. */
  mark(): number {
    try {
      const f = openSync(this.logPath, 'r');
      try {
        return fstatSync(f).size;
      } finally {
        closeSync(f);
      }
    } catch {
      return 0;
    }
  }

  logSince(mark: number): string {
    if (mark <= 0) return this.log();
    let f: number;
    try {
      f = openSync(this.logPath, 'r');
    } catch {
      return '';
    }
    try {
      const size = fstatSync(f).size;
      if (size <= mark) return '';
      const buf = Buffer.alloc(size - mark);
      const n = readSync(f, buf, 0, buf.length, mark);
      return buf.subarray(0, n).toString('utf8');
    } finally {
      closeSync(f);
    }
  }

  /**
   * Runs one test_app benchmark (client mode): sends SIGUSR1, waits for "Test Complete" (every
   * request answered) or until the run plus graceMs is over, and returns the last results block.
   */
  async benchmark(opts: { graceMs?: number } = {}): Promise<BenchmarkResult> {
    const t = this.opts.testApp;
    if (t?.mode !== 'client') throw new Error(`${this.opts.identity} does not run test_app in client mode`);
    const pid = this.pid;
    if (pid === undefined || !this.isRunning) throw new Error(`freeDiameterd ${this.opts.identity} is not running`);
    const mark = this.mark();
    process.kill(pid, 'SIGUSR1');
    await this.waitForLog(/Starting benchmark client/, 'the benchmark start', { mark, timeoutMs: 5000 });
    const bound = t.seconds * 1000 + (opts.graceMs ?? 10_000);
    const start = Date.now();
    for (;;) {
      const text = this.logSince(mark);
      if (/Test Complete/.test(text) || Date.now() - start > bound || !this.isRunning) {
        const result = parseBenchmark(text);
        if (!result) throw new Error(`test_app logged no benchmark results within ${bound} ms; log tail:\n${this.tail()}`);
        return result;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Test-Requests a countable test_app server answered since mark. */
  echoed(mark = 0): number {
    const text = this.logSince(mark);
    let n = 0;
    for (let i = text.indexOf('ECHO Test-Request received'); i >= 0; i = text.indexOf('ECHO Test-Request received', i + 1)) n++;
    return n;
  }

  /** CPU seconds the daemon has used so far. */
  cpuSeconds(): number {
    const pid = this.pid;
    if (pid === undefined) throw new Error(`freeDiameterd ${this.opts.identity} was never started`);
    return processCpuSeconds(pid);
  }

  /** Resolves once the connection with peer identity is OPEN (a state change logged after mark). */
  async waitOpen(identity: string, opts: { mark?: number; timeoutMs?: number } = {}): Promise<void> {
    await this.waitForLog(new RegExp(`-> 'STATE_OPEN'\\s+'${re(identity)}'`), `the connection with ${identity} OPEN`, { timeoutMs: 15_000, ...opts });
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

/** test_app.conf for the given mode (grammar: freeDiameter's extensions/test_app/ta_conf.y). */
export function testAppConf(t: TestAppOptions): string {
  const lines = [
    `vendor-id = ${TEST_APP.vendorId};`,
    `appli-id = ${TEST_APP.applicationId};`,
    `cmd-id = ${TEST_APP.commandCode};`,
    `avp-id = ${TEST_APP.avpCode};`,
  ];
  if (t.mode === 'client') {
    if (!Number.isInteger(t.seconds) || t.seconds < 1) throw new Error(`test_app benchmark seconds must be a positive integer, got ${t.seconds}`);
    if (!Number.isInteger(t.concurrency) || t.concurrency < 1) throw new Error(`test_app benchmark concurrency must be a positive integer, got ${t.concurrency}`);
    lines.push('mode = client;', `benchmark ${t.seconds} ${t.concurrency};`, `dest-realm = "${t.destRealm}";`, `signal = ${SIGUSR1};`);
    if (t.destHost) lines.push(`dest-host = "${t.destHost}";`);
    if (t.userName) lines.push(`user-name = "${t.userName}";`);
  } else {
    lines.push('mode = server;');
    if (!t.countable) lines.push('benchmark;');
  }
  return lines.join('\n') + '\n';
}

/** SIGUSR1's number on Linux; test_app takes the signal as a number. */
const SIGUSR1 = 10;

const BENCH_HEADER = /app_test Benchmark results, end sending \+(\d+)s/;

/**
 * The last "Benchmark results" block in text (test_app repeats it every second until every request
 * is answered, then logs "Test Complete"), or undefined when there is none.
 */
export function parseBenchmark(text: string): BenchmarkResult | undefined {
  const lines = text.split('\n');
  let first = -1;
  let last = -1;
  for (let i = 0; i < lines.length; i++) {
    if (BENCH_HEADER.test(lines[i]!)) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (last < 0) return undefined;
  const block = lines.slice(last, last + 12).join('\n');
  const num = (re: RegExp, what: string): number => {
    const m = re.exec(block);
    if (!m) throw new Error(`test_app benchmark block without ${what}:\n${block}`);
    return Number(m[1]);
  };
  // Sending ended at the first block; later blocks only add late answers.
  const firstBlock = lines.slice(first, first + 3).join('\n');
  const secs = /Executing for: ([\d.]+) sec/.exec(firstBlock);
  const seconds = secs ? Number(secs[1]) : num(/Executing for: ([\d.]+) sec/, 'Executing for');
  const sent = num(/(\d+) messages sent/, 'messages sent');
  const errors = num(/(\d+) error\(s\) received/, 'errors');
  const answers = num(/(\d+) answer\(s\) received/, 'answers');
  return {
    seconds,
    sent,
    errors,
    answers,
    unanswered: sent - errors - answers,
    answersPerSecond: seconds > 0 ? answers / seconds : 0,
    fastest: num(/fastest: ([\d.]+) sec/, 'fastest'),
    slowest: num(/slowest: ([\d.]+) sec/, 'slowest'),
    average: num(/Average: ([\d.]+) sec/, 'Average'),
    complete: /Test Complete/.test(lines.slice(last).join('\n')),
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) may contain spaces: count fields after its closing parenthesis.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return (utime + stime) / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS = 100;

/** Escapes a Diameter identity for use inside a RegExp. */
export function re(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
