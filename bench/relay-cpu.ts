// Relay CPU per request+answer pair at a fixed batch size (DRA routing issue: relay CPU per pair).
// Run: npm run build && npx tsx bench/relay-cpu.ts [--batch 1,8,32] [--pairs 100000] [--rounds 3]
//                                                  [--base ROOT] [--callgrind]
// The freeDiameter bench (relay-vs-freediameter.ts) lets the three processes set the batch sizes
// the relay sees, so its relay CPU per pair moves with machine load as much as with the code.
// Here the batch is fixed: the client (this process) writes BATCH S6a-shaped requests in one
// write and waits for their BATCH answers; the server (this process too) answers all the
// requests of one read in one write. Diamond (its own process, dist/) then reads BATCH messages
// per read on each side and should write them in one write. Reported per pair: the relay's user
// and system CPU (/proc/PID/stat), its read and write syscalls (/proc/PID/io) and its context
// switches (/proc/PID/status), over PAIRS pairs after a warm-up.
//
// --base ROOT runs another checkout's dist/ as "base" in alternate rounds (same machine load).
// --callgrind runs each Diamond under valgrind's callgrind with instrumentation on only while the
// measured pairs run (callgrind_control), and reports user-space instructions per pair: a figure
// that machine load does not move. DIAMOND_ROOT picks the build for "this" side.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { avp } from '../src/diameter/codec/builder.js';
import { encodeMessage } from '../src/diameter/codec/encode.js';
import { FrameDecoder } from '../src/diameter/codec/frame-decoder.js';
import { defaultDictionary } from '../src/diameter/dictionary/load.js';
import { buildCer } from '../src/diameter/peer/capabilities.js';
import { decodeMessage } from '../src/diameter/codec/decode.js';
import { benchLocal, s6aEcho } from './support/s6a-echo.js';
import { DiamondProcess } from '../test/support/diamond-process.js';
import { freePort } from '../test/support/freediameter.js';

const dict = defaultDictionary();
const S6A = 16777251;
const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? undefined : argv[i + 1];
};
const BATCHES = (opt('batch') ?? '1,8,32').split(',').map(Number);
const PAIRS = Number(opt('pairs') ?? 100_000);
const ROUNDS = Number(opt('rounds') ?? 3);
const BASE = opt('base');
const CALLGRIND = argv.includes('--callgrind');
for (const b of BATCHES) if (!Number.isInteger(b) || b < 1 || b > 200) throw new Error(`--batch: expected integers 1-200, found ${b}`);

const local = benchLocal;

/** Answers every request with 2001 (Session-Id echoed), all the requests of one read in one write. */
function startServer(identity: string, realm: string): Promise<Server> {
  const echo = s6aEcho(identity, realm);
  const server = createServer((sock) => {
    sock.setNoDelay(true);
    let out: Buffer[] = [];
    const dec = new FrameDecoder({
      onFrame: (f) => {
        if (f.readUIntBE(5, 3) === 257) {
          sock.write(echo.cea(f));
          return;
        }
        if ((f[4]! & 0x80) === 0) return;
        out.push(echo.answer(f));
      },
      onError: () => sock.destroy(),
    });
    sock.on('data', (c: Buffer) => {
      dec.push(c);
      if (out.length > 0) {
        sock.write(out.length === 1 ? out[0]! : Buffer.concat(out));
        out = [];
      }
    });
    sock.on('error', () => undefined);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

/** The client: after CER/CEA, `rounds` times: BATCH requests in one write, wait for their answers. */
class Client {
  private readonly sock: Socket;
  private answered = 0;
  private waiting: (() => void) | undefined;
  private readonly template: Buffer;
  private hbh = 2;

  private constructor(sock: Socket) {
    this.sock = sock;
    this.template = encodeMessage({
      version: 1, flags: 0xc0, commandCode: 316, applicationId: S6A, hopByHopId: 0, endToEndId: 0,
      avps: [avp(dict, 'Session-Id', 'client.realm-a.test;bench;000000000'), avp(dict, 'Origin-Host', 'client.realm-a.test'), avp(dict, 'Origin-Realm', 'realm-a.test'), avp(dict, 'Destination-Realm', 'realm-b.test'), avp(dict, 'User-Name', '001010000000001')],
    });
  }

  static async open(port: number): Promise<Client> {
    const sock = connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.setNoDelay(true);
    const c = new Client(sock);
    let opened: () => void = () => undefined;
    const open = new Promise<void>((r) => (opened = r));
    const dec = new FrameDecoder({
      onFrame: (f) => {
        const code = f.readUIntBE(5, 3);
        if ((f[4]! & 0x80) !== 0) {
          const m = decodeMessage(f, dict).message!; // DWR
          sock.write(encodeMessage({ ...m, flags: 0, avps: [avp(dict, 'Result-Code', 2001), avp(dict, 'Origin-Host', 'client.realm-a.test'), avp(dict, 'Origin-Realm', 'realm-a.test')] }));
        } else if (code === 257) opened();
        else {
          const sidLen = f.readUIntBE(20 + 5, 3);
          if (f.readUInt32BE(20 + ((sidLen + 3) & ~3) + 8) !== 2001) throw new Error('an answer other than 2001');
          c.answered++;
          c.waiting?.();
        }
      },
      onError: (e) => {
        throw e;
      },
    });
    sock.on('data', (chunk: Buffer) => dec.push(chunk));
    sock.write(encodeMessage(buildCer(dict, local('client.realm-a.test', 'realm-a.test'), ['127.0.0.1'], { hopByHopId: 1, endToEndId: 1 }, false)));
    await open;
    return c;
  }

  async run(pairs: number, batch: number): Promise<void> {
    const buf = Buffer.allocUnsafe(this.template.length * batch);
    for (let sent = 0; sent < pairs; sent += batch) {
      for (let i = 0; i < batch; i++) {
        this.template.copy(buf, i * this.template.length);
        buf.writeUInt32BE(this.hbh, i * this.template.length + 12);
        buf.writeUInt32BE(this.hbh++, i * this.template.length + 16);
      }
      const target = this.answered + batch;
      const done = new Promise<void>((r) => (this.waiting = () => this.answered >= target && r()));
      this.sock.write(buf);
      await done;
    }
  }

  close(): void {
    this.sock.destroy();
  }
}

interface Counters {
  user: number;
  sys: number;
  reads: number;
  writes: number;
  switches: number;
}

function counters(pid: number): Counters {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(io)?.[1] ?? NaN);
  // Every thread's switches: the main thread's dominate.
  let switches = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    const st = readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8');
    for (const m of st.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)/gm)) switches += Number(m[1]);
  }
  return { user: Number(rest[11]) / 100, sys: Number(rest[12]) / 100, reads: field('syscr'), writes: field('syscw'), switches };
}

function callgrind(pid: number, what: string): void {
  execFileSync('callgrind_control', [...what.split(' '), String(pid)], { stdio: 'ignore' });
}

/** Instructions (Ir) in callgrind's dumps of a process: the sum of their "totals:" lines. */
function callgrindInstructions(dir: string, pid: number): number {
  let total = 0;
  for (const f of readdirSync(dir)) {
    if (!f.startsWith(`callgrind.out.${pid}`)) continue;
    const m = /^totals:\s+(\d+)/m.exec(readFileSync(join(dir, f), 'utf8'));
    if (m) total += Number(m[1]);
  }
  return total;
}

interface Result {
  build: string;
  batch: number;
  round: number;
  perPair: { userUs: number; sysUs: number; reads: number; writes: number; switches: number; instructions?: number };
}

async function measure(build: 'this' | 'base', batch: number, round: number, serverPort: number): Promise<Result> {
  const relayPort = await freePort();
  const wrapper = CALLGRIND ? 'valgrind --tool=callgrind --instr-atstart=no --smc-check=all-non-file' : undefined;
  const saved = process.env.DIAMOND_WRAPPER;
  if (wrapper) process.env.DIAMOND_WRAPPER = wrapper;
  let relay: DiamondProcess;
  try {
    relay = await DiamondProcess.start({
      identity: 'dra.realm-dra.test',
      realm: 'realm-dra.test',
      listen: [{ transport: 'tcp', address: '127.0.0.1', port: relayPort }],
      peers: [
        { identity: 'client.realm-a.test', realm: 'realm-a.test', address: '127.0.0.1', port: 1, connect: false },
        { identity: 'server.realm-b.test', realm: 'realm-b.test', address: '127.0.0.1', port: serverPort },
      ],
      runner: 'dist',
      logLevel: 'warn',
      readyTimeoutMs: CALLGRIND ? 300_000 : 20_000,
      ...(build === 'base' ? { root: BASE } : {}),
    });
  } finally {
    if (wrapper) {
      if (saved === undefined) delete process.env.DIAMOND_WRAPPER;
      else process.env.DIAMOND_WRAPPER = saved;
    }
  }
  try {
    await new Promise((r) => setTimeout(r, CALLGRIND ? 10_000 : 1000)); // the relay connects to the server
    const client = await Client.open(relayPort);
    const pairs = CALLGRIND ? Math.min(PAIRS, 20_000) : PAIRS;
    // Warm-up (JIT, first collections); under callgrind longer, as V8 compiles on a thread that
    // valgrind runs in turn with the main one, so optimised code comes later.
    await client.run(CALLGRIND ? 40_000 : Math.max(batch * 200, pairs / 5), batch);
    const pid = relay.pid!;
    if (CALLGRIND) {
      callgrind(pid, '-z');
      callgrind(pid, '-i on');
    }
    const c0 = counters(pid);
    await client.run(pairs, batch);
    const c1 = counters(pid);
    if (CALLGRIND) {
      callgrind(pid, '-i off');
      callgrind(pid, '-d');
    }
    client.close();
    const n = Math.ceil(pairs / batch) * batch;
    const r: Result = {
      build,
      batch,
      round,
      perPair: {
        userUs: ((c1.user - c0.user) / n) * 1e6,
        sysUs: ((c1.sys - c0.sys) / n) * 1e6,
        reads: (c1.reads - c0.reads) / n,
        writes: (c1.writes - c0.writes) / n,
        switches: (c1.switches - c0.switches) / n,
      },
    };
    if (CALLGRIND) r.perPair.instructions = callgrindInstructions(relay.dir, pid) / n;
    return r;
  } finally {
    // KEEP_CALLGRIND=DIR keeps the profiles (callgrind_annotate DIR/FILE) for a look at where it goes.
    const keep = process.env.KEEP_CALLGRIND;
    if (CALLGRIND) {
      for (const f of readdirSync(relay.dir)) {
        if (!f.startsWith('callgrind.out')) continue;
        if (keep) copyFileSync(join(relay.dir, f), join(keep, `${build}-b${batch}-r${round}-${f}`));
        rmSync(join(relay.dir, f));
      }
    }
    await relay.dispose();
  }
}

const f1 = (x: number): string => x.toFixed(2);

async function main(): Promise<void> {
  console.log(`date ${new Date().toISOString()}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}`);
  console.log(`${PAIRS} pairs per run, batches ${BATCHES.join(', ')}, ${ROUNDS} round(s)${BASE ? `, base ${BASE}` : ''}${CALLGRIND ? ', under callgrind' : ''}`);
  const server = await startServer('server.realm-b.test', 'realm-b.test');
  const serverPort = (server.address() as { port: number }).port;
  const results: Result[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const batch of BATCHES) {
        const builds: ('this' | 'base')[] = BASE ? (round % 2 ? ['this', 'base'] : ['base', 'this']) : ['this'];
        for (const build of builds) {
          const r = await measure(build, batch, round, serverPort);
          results.push(r);
          const p = r.perPair;
          console.log(
            `round ${round} batch ${String(batch).padStart(3)} ${build.padEnd(4)}: user ${f1(p.userUs)} µs + sys ${f1(p.sysUs)} µs = ${f1(p.userUs + p.sysUs)} µs per pair; ` +
              `reads ${p.reads.toFixed(3)}, writes ${p.writes.toFixed(3)}, context switches ${p.switches.toFixed(3)} per pair` +
              (p.instructions === undefined ? '' : `; ${Math.round(p.instructions).toLocaleString('en')} instructions per pair`) +
              `; load ${loadavg()[0]!.toFixed(2)}`,
          );
        }
      }
    }
  } finally {
    server.close();
  }
  console.log('\nmedians per pair:');
  console.log('| batch | build | user µs | sys µs | total µs | reads | writes | context switches |' + (CALLGRIND ? ' instructions |' : ''));
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |' + (CALLGRIND ? ' --- |' : ''));
  const med = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  for (const batch of BATCHES) {
    for (const build of BASE ? (['this', 'base'] as const) : (['this'] as const)) {
      const rs = results.filter((r) => r.batch === batch && r.build === build).map((r) => r.perPair);
      if (rs.length === 0) continue;
      const m = (k: keyof Result['perPair']): number => med(rs.map((p) => p[k] ?? NaN));
      console.log(
        `| ${batch} | ${build} | ${f1(m('userUs'))} | ${f1(m('sysUs'))} | ${f1(med(rs.map((p) => p.userUs + p.sysUs)))} | ${m('reads').toFixed(3)} | ${m('writes').toFixed(3)} | ${m('switches').toFixed(3)} |` +
          (CALLGRIND ? ` ${Math.round(m('instructions')).toLocaleString('en')} |` : ''),
      );
    }
  }
}

await main();
