// Idle-peer benchmark (issue: peer layer): N idle peers (default 1000) connected with Tw 30 s to
// a Diamond node and, in the same run and the same window, to freeDiameter (the rival). Measures
// each node's CPU (utime+stime from /proc/PID/stat over a steady window after every peer is open)
// and RSS (/proc/PID/status, sampled every 5 s). Targets: Diamond CPU < 2%, RSS < 200 MB.
//
// Run: npm run bench:idle-peers [-- --peers 1000 --window 90 --settle 10 --tw 30]
//
// Each node runs in its own child process: Diamond as `diamond start -c <generated yaml>` listing
// every peer with `connect: false`; freeDiameter as freeDiameterd with acl_wl admitting the peers
// (it has no passive form of ConnectPeer: a listed peer is also dialled every Tc). The peers are
// simulated here, in the benchmark process: CER, DWA to every DWR, a DWR after Tw of silence
// (RFC 3539 §3.4.1, jittered), DPA to a DPR. They are the load, not the system under test.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FreeDiameter, FD_EXTENSION_DIR, createPki, freeDiameterMissing, freePort } from '../test/support/freediameter.js';
import { M, REQ, avp, ipv4, msg, str, u32 } from '../test/support/naive-wire.js';

// --- options ---

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name}: expected a positive number, found ${process.argv[i + 1]}`);
  return v;
}
const PEERS = arg('peers', 1000);
const WINDOW_S = arg('window', 90);
const SETTLE_S = arg('settle', 10);
const TW_S = arg('tw', 30);
const CONNECT_CONCURRENCY = 20; // freeDiameter listens with a backlog of 5
const REALM = 'load.test';
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const MAIN_JS = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

// --- /proc readings ---

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

function status(pid: number): { rssKb: number; hwmKb: number; threads: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM'), threads: field('Threads') };
}

/** CPU seconds per thread name (comm), from /proc/PID/task/TID/stat. */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = execFileSync('ls', [`/proc/${pid}/task`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(comm, (out.get(comm) ?? 0) + (Number(f[11]) + Number(f[12])) / CLK_TCK);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** The threads that used the most CPU between two readings, as "name n%". */
function topThreads(a: Map<string, number>, b: Map<string, number>, wall: number): string {
  return [...b]
    .map(([name, s]) => [name, s - (a.get(name) ?? 0)] as const)
    .filter(([, d]) => d > 0)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 3)
    .map(([name, d]) => `${name} ${((d / wall) * 100).toFixed(2)}%`)
    .join(', ');
}

function openFds(pid: number): number {
  try {
    return execFileSync('ls', [`/proc/${pid}/fd`], { encoding: 'utf8' }).split('\n').filter(Boolean).length;
  } catch {
    return NaN;
  }
}

// --- simulated peers ---

const TERMINATE = 282;
const CER = 257;
const DWR = 280;

interface Counters {
  open: number;
  dwrReceived: number;
  dwaReceived: number;
  dwrSent: number;
  dwaMissed: number;
  closedAfterOpen: number;
  refused: number;
}

const newCounters = (): Counters => ({ open: 0, dwrReceived: 0, dwaReceived: 0, dwrSent: 0, dwaMissed: 0, closedAfterOpen: 0, refused: 0 });

let hbhSeq = 1;

class SimPeer {
  socket: Socket | undefined;
  open = false;
  private buf: Buffer = Buffer.alloc(0);
  private lastRx = Date.now();
  private dwrOutstanding = false;
  /** This peer's Tw, jittered by ±2 s like RFC 3539 §3.4.1 asks. */
  private readonly twMs = TW_S * 1000 + (Math.random() * 4000 - 2000);
  private readonly originState = Math.floor(Date.now() / 1000);

  constructor(
    readonly identity: string,
    readonly port: number,
    readonly counters: Counters,
  ) {}

  private originAvps(): Buffer[] {
    return [avp(264, M, str(this.identity)), avp(296, M, str(REALM))];
  }

  /** Connects and exchanges CER/CEA; resolves true when open, false when refused or closed. */
  start(): Promise<boolean> {
    return new Promise((resolve) => {
      const s = connect({ host: '127.0.0.1', port: this.port });
      this.socket = s;
      let settled = false;
      const settle = (ok: boolean): void => {
        if (!settled) {
          settled = true;
          resolve(ok);
        }
      };
      s.setNoDelay(true);
      s.on('connect', () => {
        const hbh = hbhSeq++;
        s.write(
          msg({ flags: REQ, code: CER, app: 0, hbh, e2e: hbh }, [
            ...this.originAvps(),
            avp(257, M, ipv4('127.0.0.1')),
            avp(266, M, u32(0)),
            avp(269, 0, str('diamond-idle-bench')),
            avp(278, M, u32(this.originState)),
            avp(299, M, u32(0)), // Inband-Security-Id NO_INBAND_SECURITY
            avp(258, M, u32(0xffffffff)),
          ]),
        );
      });
      s.on('data', (chunk: Buffer) => {
        this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
        while (this.buf.length >= 20) {
          const len = this.buf.readUIntBE(1, 3);
          if (this.buf.length < len) break;
          const frame = this.buf.subarray(0, len);
          this.buf = this.buf.subarray(len);
          this.onFrame(frame, settle);
        }
      });
      s.on('error', () => undefined);
      s.on('close', () => {
        if (this.open) this.counters.closedAfterOpen++;
        if (this.open) this.counters.open--;
        this.open = false;
        settle(false);
      });
    });
  }

  private onFrame(frame: Buffer, settle: (ok: boolean) => void): void {
    this.lastRx = Date.now();
    const flags = frame[4]!;
    const code = frame.readUIntBE(5, 3);
    const hbh = frame.readUInt32BE(12);
    const e2e = frame.readUInt32BE(16);
    const request = (flags & REQ) !== 0;
    if (code === CER && !request) {
      const rc = resultCode(frame);
      if (rc === 2001) {
        this.open = true;
        this.counters.open++;
        settle(true);
      } else {
        this.counters.refused++;
        this.socket?.destroy();
        settle(false);
      }
    } else if (code === DWR && request) {
      this.counters.dwrReceived++;
      this.send(msg({ flags: 0, code: DWR, app: 0, hbh, e2e }, [avp(268, M, u32(2001)), ...this.originAvps(), avp(278, M, u32(this.originState))]));
    } else if (code === DWR) {
      this.counters.dwaReceived++;
      this.dwrOutstanding = false;
    } else if (code === TERMINATE && request) {
      this.send(msg({ flags: 0, code: TERMINATE, app: 0, hbh, e2e }, [avp(268, M, u32(2001)), ...this.originAvps()]));
    }
  }

  private send(b: Buffer): void {
    if (this.socket && !this.socket.destroyed) this.socket.write(b);
  }

  /** Called every second: a DWR after Tw without anything received (RFC 3539 §3.4). */
  tick(now: number): void {
    if (!this.open || now - this.lastRx < this.twMs) return;
    if (this.dwrOutstanding) this.counters.dwaMissed++;
    this.dwrOutstanding = true;
    this.lastRx = now;
    const hbh = hbhSeq++;
    this.counters.dwrSent++;
    this.send(msg({ flags: REQ, code: DWR, app: 0, hbh, e2e: hbh }, [...this.originAvps(), avp(278, M, u32(this.originState))]));
  }

  close(): void {
    this.socket?.destroy();
  }
}

function resultCode(frame: Buffer): number | undefined {
  for (let at = 20; at + 8 <= frame.length; ) {
    const code = frame.readUInt32BE(at);
    const len = frame.readUIntBE(at + 5, 3);
    if (len < 8) return undefined;
    if (code === 268 && (frame[at + 4]! & 0x80) === 0) return frame.readUInt32BE(at + 8);
    at += len + ((4 - (len % 4)) % 4);
  }
  return undefined;
}

/** Opens every peer, CONNECT_CONCURRENCY at a time, retrying a peer whose connection failed. */
async function openAll(peers: SimPeer[], what: string): Promise<void> {
  const queue = [...peers];
  const t0 = Date.now();
  const worker = async (): Promise<void> => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      for (let attempt = 1; !(await p.start()); attempt++) {
        if (p.counters.refused > 0) throw new Error(`${what} refused ${p.identity} (CEA not 2001)`);
        if (attempt >= 10) throw new Error(`${what}: ${p.identity} could not connect after ${attempt} attempts`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  console.error(`${what}: ${peers.length} peers open in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

// --- the nodes under test ---

interface Target {
  name: string;
  pid: number;
  port: number;
  peers: SimPeer[];
  counters: Counters;
  stop(): Promise<void>;
}

async function waitForLine(file: string, re: RegExp, child: ChildProcess, what: string, timeoutMs = 30_000): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const text = readFileSync(file, 'utf8');
    const m = re.exec(text);
    if (m) return m[0];
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited before it was ready:\n${text.slice(-3000)}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what} not ready after ${timeoutMs} ms:\n${text.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startDiamond(dir: string): Promise<Target> {
  const port = await freePort();
  const ids = Array.from({ length: PEERS }, (_, i) => `peer-${String(i + 1).padStart(4, '0')}.${REALM}`);
  const yaml = [
    'identity: dra.diamond-bench.test',
    'realm: diamond-bench.test',
    `listen: [{ transport: tcp, address: 127.0.0.1, port: ${port} }]`,
    `timers: { tc: 30, tw: ${TW_S} }`,
    'log: { level: info, messageDump: false }',
    'dataDir: ./data',
    'peers:',
    ...ids.map((id) => `  - { identity: ${id}, realm: ${REALM}, address: 127.0.0.1, port: 3868, transport: tcp, tls: none, connect: false, tw: ${TW_S} }`),
  ].join('\n');
  const conf = join(dir, 'diamond.yaml');
  writeFileSync(conf, yaml + '\n');
  const logPath = join(dir, 'diamond.log');
  const out = openSync(logPath, 'a');
  const child = spawn(process.execPath, [MAIN_JS, 'start', '-c', conf], { stdio: ['ignore', out, out], cwd: dir });
  closeSync(out);
  child.once('error', () => undefined);
  await waitForLine(logPath, /listening on tcp:\/\/127\.0\.0\.1:\d+/, child, 'diamond start');
  const counters = newCounters();
  return {
    name: 'Diamond',
    pid: child.pid!,
    port,
    counters,
    peers: ids.map((id) => new SimPeer(id, port, counters)),
    stop: async () => {
      const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

async function startFreeDiameter(dir: string): Promise<Target> {
  const identity = 'dra.fd-bench.test';
  const acl = join(dir, 'acl_wl.conf');
  // ALLOW_IPSEC: admit these peers on plain TCP (Inband-Security-Id 0), not only with TLS.
  writeFileSync(acl, `ALLOW_IPSEC *.${REALM}\n`);
  const fd = await FreeDiameter.start({
    identity,
    realm: 'fd-bench.test',
    pki: createPki([identity]),
    peers: [],
    tcTimer: 30,
    twTimer: TW_S,
    dumpMask: '0x1111',
    extraConf: `LoadExtension = "${join(FD_EXTENSION_DIR, 'acl_wl.fdx')}" : "${acl}";`,
    readyTimeoutMs: 30_000,
  });
  const counters = newCounters();
  return {
    name: 'freeDiameter',
    pid: fd.pid!,
    port: fd.port,
    counters,
    peers: Array.from({ length: PEERS }, (_, i) => new SimPeer(`fdpeer-${String(i + 1).padStart(4, '0')}.${REALM}`, fd.port, counters)),
    stop: async () => {
      if (process.env.KEEP_FD_LOGS) console.error(`freeDiameter log: ${fd.logPath}`);
      await fd.dispose();
    },
  };
}

// --- the run ---

interface Result {
  name: string;
  idleRssMb: number;
  setupCpuS: number;
  cpuPct: number;
  topThreads: string;
  rssMaxMb: number;
  rssEndMb: number;
  hwmMb: number;
  threads: number;
  fds: number;
  open: number;
  counters: Counters;
}

const mb = (kb: number): number => kb / 1024;

async function main(): Promise<void> {
  const missing = freeDiameterMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'diamond-idle-bench-'));
  const targets: Target[] = [];
  const ticker = setInterval(() => {
    const now = Date.now();
    for (const t of targets) for (const p of t.peers) p.tick(now);
  }, 1000);
  try {
    const load0 = loadavg();
    console.error(`node ${process.version}, ${PEERS} peers per node, Tw ${TW_S} s, window ${WINDOW_S} s after ${SETTLE_S} s settle; ulimit -n ${execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()}`);
    targets.push(await startDiamond(dir));
    targets.push(await startFreeDiameter(dir));
    const idle = new Map(targets.map((t) => [t.name, { rssKb: status(t.pid).rssKb, cpu: cpuSeconds(t.pid) }]));
    // Both nodes get their peers at the same time, so they share the machine's state.
    await Promise.all(targets.map((t) => openAll(t.peers, t.name)));
    const setupCpu = new Map(targets.map((t) => [t.name, cpuSeconds(t.pid) - idle.get(t.name)!.cpu]));
    await new Promise((r) => setTimeout(r, SETTLE_S * 1000));

    const before = new Map(targets.map((t) => [t.name, { cpu: cpuSeconds(t.pid), threads: threadCpu(t.pid), counters: { ...t.counters } }]));
    const rssMax = new Map(targets.map((t) => [t.name, 0]));
    const self0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const sample = (): void => {
      for (const t of targets) rssMax.set(t.name, Math.max(rssMax.get(t.name)!, status(t.pid).rssKb));
    };
    sample();
    for (let elapsed = 0; elapsed < WINDOW_S; elapsed += 5) {
      await new Promise((r) => setTimeout(r, Math.min(5, WINDOW_S - elapsed) * 1000));
      sample();
    }
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const selfUse = process.cpuUsage(self0);
    const results: Result[] = targets.map((t) => {
      const st = status(t.pid);
      const b = before.get(t.name)!;
      const c = t.counters;
      return {
        name: t.name,
        idleRssMb: mb(idle.get(t.name)!.rssKb),
        setupCpuS: setupCpu.get(t.name)!,
        cpuPct: ((cpuSeconds(t.pid) - b.cpu) / wall) * 100,
        topThreads: topThreads(b.threads, threadCpu(t.pid), wall),
        rssMaxMb: mb(rssMax.get(t.name)!),
        rssEndMb: mb(st.rssKb),
        hwmMb: mb(st.hwmKb),
        threads: st.threads,
        fds: openFds(t.pid),
        open: c.open,
        counters: {
          open: c.open,
          dwrReceived: c.dwrReceived - b.counters.dwrReceived,
          dwaReceived: c.dwaReceived - b.counters.dwaReceived,
          dwrSent: c.dwrSent - b.counters.dwrSent,
          dwaMissed: c.dwaMissed - b.counters.dwaMissed,
          closedAfterOpen: c.closedAfterOpen,
          refused: c.refused,
        },
      };
    });
    const load1 = loadavg();
    report(results, wall, (selfUse.user + selfUse.system) / 1e6, load0, load1);
  } finally {
    clearInterval(ticker);
    for (const t of targets) for (const p of t.peers) p.close();
    await Promise.all(targets.map((t) => t.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(rs: Result[], wall: number, loadGenCpuS: number, load0: number[], load1: number[]): void {
  const f = (n: number, d = 1): string => n.toFixed(d);
  const lines = [
    `window ${f(wall)} s; load average before ${load0.map((x) => f(x, 2)).join(' ')}, after ${load1.map((x) => f(x, 2)).join(' ')}; load generator CPU in window ${f((loadGenCpuS / wall) * 100, 2)}%`,
    '',
    '| node | CPU % (window) | RSS max in window | RSS at end | RSS before peers | VmHWM | threads | fds | CPU s to open all | peers open at end | DWR from node (answered) | DWR to node / DWA back | DWA missed | closed |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rs.map(
      (r) =>
        `| ${r.name} | ${f(r.cpuPct, 2)} | ${f(r.rssMaxMb)} MB | ${f(r.rssEndMb)} MB | ${f(r.idleRssMb)} MB | ${f(r.hwmMb)} MB | ${r.threads} | ${r.fds} | ${f(r.setupCpuS, 2)} | ${r.open}/${PEERS} | ${r.counters.dwrReceived} | ${r.counters.dwrSent} / ${r.counters.dwaReceived} | ${r.counters.dwaMissed} | ${r.counters.closedAfterOpen} |`,
    ),
    '',
    ...rs.map((r) => `${r.name} busiest threads in the window: ${r.topThreads}`),
  ];
  const d = rs.find((r) => r.name === 'Diamond');
  const fd = rs.find((r) => r.name === 'freeDiameter');
  if (d && fd) {
    lines.push(
      '',
      `Diamond targets: CPU ${f(d.cpuPct, 2)}% < 2%: ${d.cpuPct < 2 ? 'met' : 'NOT met'}; RSS ${f(d.rssMaxMb)} MB < 200 MB: ${d.rssMaxMb < 200 ? 'met' : 'NOT met'}`,
      `ratios Diamond / freeDiameter: CPU ${f(d.cpuPct / fd.cpuPct, 2)}x, RSS ${f(d.rssMaxMb / fd.rssMaxMb, 2)}x, CPU to open all ${f(d.setupCpuS / fd.setupCpuS, 2)}x`,
    );
  }
  console.log(lines.join('\n'));
  console.log(JSON.stringify({ wall, loadGenCpuS, load0, load1, results: rs }));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
