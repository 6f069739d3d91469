// Added latency of Diamond as a relay (DRA routing issue: p99 added latency <= 1 ms at half load).
// Run: npm run bench:relay-latency -- [--rate 10000] [--seconds 10] [--rounds 1] [--base ROOT]
//                                     [--spin] [--relay-nice N] [--dump PREFIX]
// Three processes, as in a deployment: this one is the client, a child process runs the server
// (`--serve`), and Diamond runs as its own process (dist/, DIAMOND_ROOT to pick a build, and
// DIAMOND_NODE_ARGS for node flags such as --trace-gc). Both minimal endpoints set TCP_NODELAY. The
// client sends S6a-shaped requests at a fixed rate, first straight to the server, then through
// Diamond, and times every round trip after a 2 s warm-up on the same connection; every answer
// must be 2001. The rate should be about half of what the relay sustains
// (bench/relay-vs-freediameter.ts).
//
// Pacing: by default the client sends what is due every millisecond (a 1 ms timer: bursts of
// rate/1000 requests) and sleeps in between, so it does not hold a core. --spin sends from a
// setImmediate loop instead (the first version of this bench): that keeps one of the machine's two
// cores busy all the time, and the relay then waits for the scheduler. --relay-nice N sets the
// relay's nice value (an experiment for scheduler effects; needs root for N < 0). --base ROOT also
// runs another checkout's dist/ ("base"), alternating with this one round by round; each round
// measures the direct path first. Each process's wait for a CPU (time runnable but not running,
// /proc/PID/schedstat) is reported with each path: that is the scheduler's part of the latency.
// (Real-time scheduling of the three processes is an experiment to run by hand, with care: see
// docs/benchmarks.md. A SCHED_FIFO option here once left two processes spinning at 94% of a CPU
// each, which starves everything else on a shared machine.)
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { loadavg, setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { avp } from '../src/diameter/codec/builder.js';
import { encodeMessage } from '../src/diameter/codec/encode.js';
import { FrameDecoder } from '../src/diameter/codec/frame-decoder.js';
import { defaultDictionary } from '../src/diameter/dictionary/load.js';
import { buildCer, readCapabilities } from '../src/diameter/peer/capabilities.js';
import { decodeMessage } from '../src/diameter/codec/decode.js';
import { benchLocal, s6aEcho } from './support/s6a-echo.js';
import { DiamondProcess } from '../test/support/diamond-process.js';
import { freePort, processCpuSeconds } from '../test/support/freediameter.js';

const dict = defaultDictionary();
const S6A = 16777251;
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name}: expected a number, found "${process.argv[i + 1]}"`);
  return v;
};
const flag = (name: string): boolean => process.argv.includes(`--${name}`);
const RATE = arg('rate', 10_000);
const SECONDS = arg('seconds', 10);
const SPIN = flag('spin');
const RELAY_NICE = process.argv.includes('--relay-nice') ? arg('relay-nice', 0) : undefined;
/** --dump PREFIX: one PREFIX-N-PATH.csv per measured run (send time ms, round trip ms). */
const DUMP = process.argv.includes('--dump') ? process.argv[process.argv.indexOf('--dump') + 1] : undefined;
let dumps = 0;
const WARMUP = 2;
const ROUNDS = arg('rounds', 1);
const BASE = process.argv.includes('--base') ? process.argv[process.argv.indexOf('--base') + 1] : undefined;
/** A round trip above this counts as slow; slow ones closer than STALL_GAP_MS form one stall. */
const SLOW_MS = 1;
const STALL_GAP_MS = 5;

const local = benchLocal;

/** The server: answers every request with 2001, echoing Session-Id; answers CER. */
function startServer(identity: string, realm: string): Promise<Server> {
  const echo = s6aEcho(identity, realm);
  const server = createServer((sock) => {
    sock.setNoDelay(true);
    const dec = new FrameDecoder({
      onFrame: (f) => {
        if (f.readUIntBE(5, 3) === 257) {
          sock.write(echo.cea(f));
          return;
        }
        if ((f[4]! & 0x80) === 0) return;
        // Answer: same header, R cleared; AVPs Session-Id (first AVP of our requests) + Result-Code + origin.
        sock.write(echo.answer(f));
      },
      onError: () => sock.destroy(),
    });
    sock.on('data', (c: Buffer) => dec.push(c));
    sock.on('error', () => undefined);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

/** The server as a child process (this file with --serve); resolves with its port and pid. */
async function spawnServer(): Promise<{ port: number; pid: number; stop: () => void }> {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    lines.on('line', (l) => {
      const m = /^PORT (\d+)$/.exec(l);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the server process exited (${String(code)})`)));
  });
  return { port, pid: child.pid!, stop: () => child.kill('SIGTERM') };
}

/** Send times and round trips of one run, in ms from the start of the measured part. */
interface Run {
  rtts: number[];
  sentAt: number[];
  clientCpu: number;
  wallSeconds: number;
}

/** The client: CER, then requests at RATE for WARMUP + SECONDS; the measured round trips. */
async function runClient(port: number, identity: string, realm: string, destRealm: string): Promise<Run> {
  const sock: Socket = connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  sock.setNoDelay(true); // as Diameter stacks do: no Nagle delay on small messages
  const total = RATE * (WARMUP + SECONDS);
  const sent = new Float64Array(total + 2);
  const rtts: number[] = [];
  const sentAt: number[] = [];
  let errors = 0;
  const errorCodes = new Map<number, number>();
  // The first WARMUP s warm the path up (JIT, first GCs) on the same connection; then it is measured.
  const measureFrom = RATE * WARMUP + 2;
  let measureStart = 0;
  let opened: () => void = () => undefined;
  const open = new Promise<void>((r) => (opened = r));
  const now = (): number => performance.now();
  const dec = new FrameDecoder({
    onFrame: (f) => {
      const code = f.readUIntBE(5, 3);
      if ((f[4]! & 0x80) !== 0) {
        // DWR from the relay: answer it.
        const m = decodeMessage(f, dict).message!;
        sock.write(encodeMessage({ ...m, flags: 0, avps: [avp(dict, 'Result-Code', 2001), avp(dict, 'Origin-Host', identity), avp(dict, 'Origin-Realm', realm)] }));
        return;
      }
      if (code === 257) {
        readCapabilities(decodeMessage(f, dict).message!);
        opened();
        return;
      }
      const e2e = f.readUInt32BE(16);
      // Result-Code is the AVP after the echoed Session-Id: anything but 2001 is an error.
      const sidLen = f.readUIntBE(20 + 5, 3);
      const rc = f.readUInt32BE(20 + ((sidLen + 3) & ~3) + 8);
      if (rc !== 2001) {
        errors++;
        errorCodes.set(rc, (errorCodes.get(rc) ?? 0) + 1);
      } else if (e2e >= measureFrom && e2e < sent.length) {
        const t0 = sent[e2e]!;
        rtts.push(now() - t0);
        sentAt.push(t0 - measureStart);
      }
    },
    onError: () => sock.destroy(),
  });
  sock.on('data', (c: Buffer) => dec.push(c));
  sock.write(encodeMessage(buildCer(dict, local(identity, realm), ['127.0.0.1'], { hopByHopId: 1, endToEndId: 1 }, false)));
  await open;
  const template = encodeMessage({
    version: 1,
    flags: 0xc0,
    commandCode: 316,
    applicationId: S6A,
    hopByHopId: 0,
    endToEndId: 0,
    avps: [avp(dict, 'Session-Id', `${identity};bench;000000000`), avp(dict, 'Origin-Host', identity), avp(dict, 'Origin-Realm', realm), avp(dict, 'Destination-Realm', destRealm), avp(dict, 'User-Name', '001010000000001')],
  });
  const start = now();
  let n = 0;
  let cpu0 = process.cpuUsage();
  let wall0 = start;
  await new Promise<void>((done) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((now() - start) / 1000) * RATE));
      for (; n < due; n++) {
        const id = n + 2;
        if (id === measureFrom) {
          measureStart = now();
          cpu0 = process.cpuUsage();
          wall0 = measureStart;
        }
        const b = Buffer.from(template);
        b.writeUInt32BE(id, 12);
        b.writeUInt32BE(id, 16);
        sent[id] = now();
        sock.write(b);
      }
      if (n < total) {
        if (SPIN) setImmediate(tick);
        else setTimeout(tick, 1);
      } else setTimeout(done, 500);
    };
    tick();
  });
  const cpu = process.cpuUsage(cpu0);
  const wallSeconds = (now() - wall0) / 1000;
  sock.destroy();
  const measured = RATE * SECONDS;
  if (errors > 0 || rtts.length < measured) console.log(`  warning: ${errors} error answers (${[...errorCodes].map(([c, k]) => `${k}× ${c}`).join(', ')}), ${measured - rtts.length} of ${measured} measured requests without a 2001`);
  return { rtts, sentAt, clientCpu: (cpu.user + cpu.system) / 1e6, wallSeconds };
}

interface Stats {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  slow: number;
  /** Groups of slow round trips (sent within STALL_GAP_MS of each other): count, longest span. */
  stalls: number;
  longestStallMs: number;
}

function stats(run: Run): Stats {
  const s = Float64Array.from(run.rtts).sort();
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  let slow = 0;
  let stalls = 0;
  let longest = 0;
  let last = -Infinity;
  let first = 0;
  const order = run.sentAt.map((t, i) => i).filter((i) => run.rtts[i]! > SLOW_MS).sort((a, b) => run.sentAt[a]! - run.sentAt[b]!);
  for (const i of order) {
    slow++;
    const t = run.sentAt[i]!;
    if (t - last > STALL_GAP_MS) {
      stalls++;
      first = t;
    }
    last = t;
    longest = Math.max(longest, last - first + run.rtts[i]!);
  }
  return { p50: q(0.5), p99: q(0.99), p999: q(0.999), max: s[s.length - 1]!, slow, stalls, longestStallMs: longest };
}

const fmt = (x: Stats): string =>
  `p50 ${x.p50.toFixed(3)} ms, p99 ${x.p99.toFixed(3)} ms, p99.9 ${x.p999.toFixed(2)} ms, max ${x.max.toFixed(1)} ms; ` +
  `${x.slow} over ${SLOW_MS} ms in ${x.stalls} stall(s), longest ${x.longestStallMs.toFixed(1)} ms`;

async function main(): Promise<void> {
  console.log(`date ${new Date().toISOString()}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}`);
  console.log(`${RATE.toLocaleString('en')} requests/s for ${SECONDS} s per path (after ${WARMUP} s of warm-up), ${SPIN ? 'spinning sender' : 'sent every 1 ms'}`);
  const server = await spawnServer();
  try {
    const cpuOf = (pid: number | undefined): number => (pid === undefined ? 0 : processCpuSeconds(pid));
    // The main thread's run-queue wait (ns) and number of times it ran, from /proc/PID/schedstat:
    // time it was ready to run but waited for a CPU (the scheduler's share of the latency).
    const sched = (pid: number | undefined): [number, number] => {
      if (pid === undefined) return [0, 0];
      const f = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ');
      return [Number(f[1]), Number(f[2])];
    };
    const waitText = (name: string, a: [number, number], b: [number, number], seconds: number): string => {
      const waitMs = (b[0] - a[0]) / 1e6;
      const runs = b[1] - a[1];
      return `${name} ${(waitMs / seconds).toFixed(1)} ms/s (${runs > 0 ? ((waitMs * 1000) / runs).toFixed(0) : '0'} µs per wake-up)`;
    };
    const measure = async (name: string, port: number, relayPid?: number): Promise<Stats> => {
      const s0 = cpuOf(server.pid);
      const r0 = cpuOf(relayPid);
      const w0 = [sched(process.pid), sched(server.pid), sched(relayPid)] as const;
      const t0 = performance.now();
      const run = await runClient(port, 'client.realm-a.test', 'realm-a.test', 'realm-b.test');
      const w1 = [sched(process.pid), sched(server.pid), sched(relayPid)] as const;
      const wallS = (performance.now() - t0) / 1000;
      // Server and relay CPU include the warm-up and the tail: an upper bound for the measured part.
      const serverCpu = cpuOf(server.pid) - s0;
      const relayCpu = cpuOf(relayPid) - r0;
      const st = stats(run);
      if (DUMP) writeFileSync(`${DUMP}-${++dumps}-${name.replace(/[^a-z]/gi, '')}.csv`, run.sentAt.map((t, i) => `${t.toFixed(3)},${run.rtts[i]!.toFixed(3)}`).join('\n') + '\n');
      const total = (WARMUP + SECONDS + 0.5) * 100;
      console.log(`${name.padEnd(16)} ${fmt(st)}`);
      console.log(
        `${''.padEnd(16)} CPU: client ${((run.clientCpu / run.wallSeconds) * 100).toFixed(0)}%, server ${((serverCpu * 100 * 100) / total).toFixed(0)}%` +
          (relayPid === undefined ? '' : `, relay ${((relayCpu * 100 * 100) / total).toFixed(0)}% of one core`) +
          `; load ${loadavg()[0]!.toFixed(2)}`,
      );
      console.log(
        `${''.padEnd(16)} waiting for a CPU: ${waitText('client', w0[0], w1[0], wallS)}, ${waitText('server', w0[1], w1[1], wallS)}` +
          (relayPid === undefined ? '' : `, ${waitText('relay', w0[2], w1[2], wallS)}`),
      );
      return st;
    };
    const relayRun = async (name: string, root: string | undefined): Promise<Stats> => {
      const relayPort = await freePort();
      const relay = await DiamondProcess.start({
        identity: 'dra.realm-dra.test',
        realm: 'realm-dra.test',
        listen: [{ transport: 'tcp', address: '127.0.0.1', port: relayPort }],
        peers: [
          { identity: 'client.realm-a.test', realm: 'realm-a.test', address: '127.0.0.1', port: 1, connect: false },
          { identity: 'server.realm-b.test', realm: 'realm-b.test', address: '127.0.0.1', port: server.port },
        ],
        runner: 'dist',
        logLevel: 'warn',
        ...(root === undefined ? {} : { root }),
      });
      try {
        if (RELAY_NICE !== undefined) setPriority(relay.pid!, RELAY_NICE);
        await new Promise((r) => setTimeout(r, 1500)); // the relay connects to the server
        return await measure(name, relayPort, relay.pid);
      } finally {
        await relay.dispose();
      }
    };
    for (let round = 1; round <= ROUNDS; round++) {
      if (ROUNDS > 1) console.log(`round ${round}`);
      const direct = await measure('direct:', server.port);
      const builds: [string, string | undefined][] = BASE === undefined ? [['through Diamond:', undefined]] : [['through Diamond:', undefined], ['through base:', BASE]];
      if (round % 2 === 0) builds.reverse();
      for (const [name, root] of builds) {
        const via = await relayRun(name, root);
        console.log(`added by ${name.replace('through ', '').replace(':', '')}: p50 ${(via.p50 - direct.p50).toFixed(3)} ms, p99 ${(via.p99 - direct.p99).toFixed(3)} ms (target p99 <= 1 ms)`);
      }
    }
  } finally {
    server.stop();
  }
}

if (process.argv.includes('--serve')) {
  const s = await startServer('server.realm-b.test', 'realm-b.test');
  console.log(`PORT ${(s.address() as { port: number }).port}`);
  // Ends with the parent: its pipe closes.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  process.once('SIGTERM', () => process.exit(0));
} else {
  await main();
}
