// Relay benchmark (issue: DRA routing engine), freeDiameter and Diamond side by side in one run.
// Topology (shared/specs/freediameter-peer.md): freeDiameter test_app client on 127.0.0.11 → relay
// on 127.0.0.12 → freeDiameter test_app server on 127.0.0.13, TCP (or TLS at connect on both legs
// with --tls), CONCURRENCY requests in flight for SECONDS per run. Each round runs the no-relay
// baseline (client → server), then freeDiameter and Diamond as the relay, alternating which goes
// first. Diamond is its own process (dist/cli/main.js: `npm run build` first; `npm run bench:relay`
// does both). Relay CPU is utime+stime from /proc/PID/stat over the run; the three processes share
// the machine's cores, so CPU per relayed request+answer pair is the figure that compares relays.
//
//   npm run bench:relay -- [--seconds 20] [--rounds 3] [--concurrency 100] [--tls] [--json FILE]
//                          [--only direct,freediameter,diamond] [--base ROOT]
// --base ROOT adds a fourth path, "diamond-base": Diamond run from another checkout's dist/ (built
// there), alternating with this one in the same run, so a before/after comparison sees the same
// machine load. DIAMOND_NODE_ARGS passes node flags to both Diamonds (--cpu-prof, --trace-gc).
// Needs freeDiameterd and test_app (scripts/build-freediameter-test-app.sh).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { DiamondProcess } from '../test/support/diamond-process.js';
import { type BenchmarkResult, FreeDiameter, type FdPeer, type TestPki, createPki, freePort, testAppMissing } from '../test/support/freediameter.js';

type Path = 'direct' | 'freediameter' | 'diamond' | 'diamond-base';
const PATHS: readonly Path[] = ['direct', 'freediameter', 'diamond', 'diamond-base'];

const CLIENT = { identity: 'client.realm-a.test', realm: 'realm-a.test', address: '127.0.0.11' };
const RELAY = { identity: 'dra.realm-dra.test', realm: 'realm-dra.test', address: '127.0.0.12' };
const SERVER = { identity: 'server.realm-b.test', realm: 'realm-b.test', address: '127.0.0.13' };
/** The same rule file for both relays (the server is also the Destination-Realm's only peer). */
const RELAY_RULES = `* : "${SERVER.identity}" += DEFAULT ;\n`;

interface Options {
  seconds: number;
  rounds: number;
  concurrency: number;
  tls: boolean;
  only: Path[];
  json: string | undefined;
  /** Another checkout whose dist/ runs as "diamond-base". */
  base: string | undefined;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { seconds: 20, rounds: 3, concurrency: 100, tls: false, only: ['direct', 'freediameter', 'diamond'], json: undefined, base: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const int = (min: number): number => {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(`${a}: expected an integer >= ${min}, found "${v}"`);
      return n;
    };
    if (a === '--seconds') o.seconds = int(1);
    else if (a === '--rounds') o.rounds = int(1);
    else if (a === '--concurrency') o.concurrency = int(1);
    else if (a === '--tls') o.tls = true;
    else if (a === '--json') o.json = value();
    else if (a === '--base') o.base = value();
    else if (a === '--only') {
      const paths = value().split(',');
      for (const p of paths) if (!PATHS.includes(p as Path)) throw new Error(`--only: unknown path "${p}" (${PATHS.join(', ')})`);
      o.only = paths as Path[];
    } else throw new Error(`unknown option ${a}; usage: [--seconds N] [--rounds N] [--concurrency N] [--tls] [--json FILE] [--only ${PATHS.join(',')}] [--base ROOT]`);
  }
  if (o.base !== undefined && !o.only.includes('diamond-base')) o.only.push('diamond-base');
  if (o.only.includes('diamond-base') && o.base === undefined) throw new Error('diamond-base needs --base ROOT');
  return o;
}

interface RunResult {
  path: Path;
  round: number;
  result: BenchmarkResult;
  /** CPU seconds over the run (from SIGUSR1 to the last answer). */
  relayCpu: number | undefined;
  clientCpu: number;
  serverCpu: number;
  wallSeconds: number;
  loadBefore: number;
}

interface Ports {
  client: { port: number; secPort: number };
  relay: { port: number; secPort: number };
  server: { port: number; secPort: number };
}

async function ports(): Promise<Ports> {
  const [a, b, c, d, e, f] = await Promise.all(Array.from({ length: 6 }, () => freePort()));
  return { client: { port: a!, secPort: b! }, relay: { port: c!, secPort: d! }, server: { port: e!, secPort: f! } };
}

/** How `from` reaches `to`: the plain port, or the TLS one with TLS at connect. */
function hop(to: { identity: string; address: string }, p: { port: number; secPort: number }, tls: boolean): FdPeer {
  return { identity: to.identity, address: to.address, port: tls ? p.secPort : p.port, tls: tls ? 'connect' : 'none' };
}

async function runOnce(path: Path, round: number, o: Options, pki: TestPki): Promise<RunResult> {
  const p = await ports();
  const started: { stop(boundMs?: number): Promise<void>; dispose(): Promise<void> }[] = [];
  try {
    const next = path === 'direct' ? { who: SERVER, ports: p.server } : { who: RELAY, ports: p.relay };
    const server = await FreeDiameter.start({
      identity: SERVER.identity,
      realm: SERVER.realm,
      pki,
      ...p.server,
      peers: [path === 'direct' ? hop(CLIENT, p.client, o.tls) : hop(RELAY, p.relay, o.tls)],
      testApp: { mode: 'server' },
      dumpMask: '0x1111',
    });
    started.push(server);
    let relayCpu: () => number = () => 0;
    if (path === 'freediameter') {
      const relay = await FreeDiameter.start({
        identity: RELAY.identity,
        realm: RELAY.realm,
        pki,
        ...p.relay,
        peers: [hop(CLIENT, p.client, o.tls), hop(SERVER, p.server, o.tls)],
        rtDefault: RELAY_RULES,
        dumpMask: '0x1111',
      });
      started.push(relay);
      relayCpu = () => relay.cpuSeconds();
    } else if (path === 'diamond' || path === 'diamond-base') {
      const certs = pki.nodes.get(RELAY.identity)!;
      const relay = await DiamondProcess.start({
        identity: RELAY.identity,
        realm: RELAY.realm,
        listen: [{ transport: o.tls ? 'tls' : 'tcp', address: RELAY.address, port: o.tls ? p.relay.secPort : p.relay.port }],
        peers: [CLIENT, SERVER].map((peer) => {
          const h = hop(peer, peer === CLIENT ? p.client : p.server, o.tls);
          return { identity: h.identity, realm: peer.realm, address: peer.address, port: h.port, tls: h.tls };
        }),
        rules: [RELAY_RULES],
        ...(o.tls ? { tls: { certPem: certs.certPem, keyPem: certs.keyPem, caPem: pki.ca.certPem } } : {}),
        logLevel: 'warn',
        runner: 'dist',
        ...(path === 'diamond-base' ? { root: o.base } : {}),
      });
      started.push(relay);
      relayCpu = () => relay.cpuSeconds();
    }
    const client = await FreeDiameter.start({
      identity: CLIENT.identity,
      realm: CLIENT.realm,
      pki,
      ...p.client,
      peers: [hop(next.who, next.ports, o.tls)],
      testApp: { mode: 'client', destRealm: SERVER.realm, seconds: o.seconds, concurrency: o.concurrency },
      ...(path === 'direct' ? {} : { rtDefault: `* : "${RELAY.identity}" += DEFAULT ;\n` }),
      dumpMask: '0x1111',
    });
    started.push(client);
    await client.waitOpen(next.who.identity, { timeoutMs: 20_000 });
    await server.waitOpen(path === 'direct' ? CLIENT.identity : RELAY.identity, { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 500));

    const loadBefore = loadavg()[0]!;
    const r0 = relayCpu();
    const c0 = client.cpuSeconds();
    const s0 = server.cpuSeconds();
    const t0 = process.hrtime.bigint();
    const result = await client.benchmark({ graceMs: 15_000 });
    const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return {
      path,
      round,
      result,
      relayCpu: path === 'direct' ? undefined : relayCpu() - r0,
      clientCpu: client.cpuSeconds() - c0,
      serverCpu: server.cpuSeconds() - s0,
      wallSeconds,
      loadBefore,
    };
  } finally {
    // Their graceful shutdown takes up to ~16 s and measures nothing: a short bound, then SIGKILL.
    await Promise.all(started.map((s) => s.stop(1500)));
    await Promise.all(started.map((s) => s.dispose()));
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function machineState(): string[] {
  const sh = (cmd: string, args: string[]): string => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '?';
    }
  };
  const dirty = sh('git', ['status', '--porcelain', '--untracked-files=no']) === '' ? '' : ' (uncommitted changes)';
  return [
    `date: ${new Date().toISOString()}`,
    `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`,
    `node ${process.version}, freeDiameter ${sh('dpkg-query', ['-W', '-f=${Version}', 'freediameterd'])}, Diamond ${sh('git', ['rev-parse', '--short', 'HEAD'])}${dirty}`,
  ];
}

function summarise(runs: RunResult[], o: Options): string {
  const out: string[] = [];
  const by = (p: Path): RunResult[] => runs.filter((r) => r.path === p);
  out.push(`| path | answered/s, median of ${o.rounds} | range | errors + unanswered | avg RTT ms | relay CPU (% of one core) | pairs per relay CPU-second | µs of relay CPU per pair |`);
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
  const medians = new Map<Path, { rate: number; pairsPerCpu: number | undefined }>();
  for (const p of PATHS) {
    const rs = by(p);
    if (rs.length === 0) continue;
    const rates = rs.map((r) => r.result.answersPerSecond);
    const bad = rs.reduce((n, r) => n + r.result.errors + r.result.unanswered, 0);
    const rtt = median(rs.map((r) => r.result.average * 1000));
    let cpuCol = '—';
    let ppcCol = '—';
    let usCol = '—';
    let pairsPerCpu: number | undefined;
    if (p !== 'direct') {
      const cpuPct = median(rs.map((r) => (r.relayCpu! / r.result.seconds) * 100));
      pairsPerCpu = median(rs.map((r) => r.result.answers / Math.max(r.relayCpu!, 0.01)));
      cpuCol = `${fmt(cpuPct)}%`;
      ppcCol = fmt(pairsPerCpu);
      usCol = pairsPerCpu > 0 ? fmt(1e6 / pairsPerCpu, 1) : '—';
    }
    medians.set(p, { rate: median(rates), pairsPerCpu });
    const name = p === 'direct' ? 'client → server (no relay)' : `through ${p === 'freediameter' ? 'freeDiameter' : p === 'diamond' ? 'Diamond' : 'Diamond (base)'}`;
    out.push(`| ${name}${o.tls ? ', TLS' : ''} | ${fmt(median(rates))} | ${fmt(Math.min(...rates))}-${fmt(Math.max(...rates))} | ${bad} | ${fmt(rtt, 2)} | ${cpuCol} | ${ppcCol} | ${usCol} |`);
  }
  const fd = medians.get('freediameter');
  const dm = medians.get('diamond');
  const direct = medians.get('direct');
  out.push('');
  if (fd && dm) {
    out.push(`Diamond / freeDiameter throughput: ${(dm.rate / fd.rate).toFixed(2)}× (target ≥ 1.4×)`);
    if (fd.pairsPerCpu && dm.pairsPerCpu) {
      out.push(`relay CPU per pair, freeDiameter / Diamond: ${(dm.pairsPerCpu / fd.pairsPerCpu).toFixed(2)}× (target ≥ 4×)`);
    }
  }
  if (direct && dm) out.push(`Diamond relay / no relay: ${((dm.rate / direct.rate) * 100).toFixed(0)}% (target ≥ 90%)`);
  if (direct && fd) out.push(`freeDiameter relay / no relay: ${((fd.rate / direct.rate) * 100).toFixed(0)}%`);
  const base = medians.get('diamond-base');
  if (base && fd?.pairsPerCpu && base.pairsPerCpu) out.push(`base: relay CPU per pair, freeDiameter / Diamond (base): ${(base.pairsPerCpu / fd.pairsPerCpu).toFixed(2)}×`);
  if (base && direct) out.push(`base: Diamond (base) relay / no relay: ${((base.rate / direct.rate) * 100).toFixed(0)}%`);
  if (base?.pairsPerCpu && dm?.pairsPerCpu) out.push(`relay CPU per pair, Diamond (base) / Diamond: ${(dm.pairsPerCpu / base.pairsPerCpu).toFixed(2)}×`);
  return out.join('\n');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const missing = testAppMissing();
  if (missing) throw new Error(missing);
  const pki = createPki([CLIENT.identity, RELAY.identity, SERVER.identity]);
  const state = machineState();
  console.log(state.join('\n'));
  console.log(`${o.rounds} rounds of ${o.seconds} s, ${o.concurrency} in flight, ${o.tls ? 'TLS at connect on both legs' : 'TCP'}; paths: ${o.only.join(', ')}\n`);
  const runs: RunResult[] = [];
  for (let round = 1; round <= o.rounds; round++) {
    // Rotate which relay goes first, so drift in machine load does not favour one.
    const active = (['freediameter', 'diamond', 'diamond-base'] as Path[]).filter((p) => o.only.includes(p));
    const shift = active.length === 0 ? 0 : (round - 1) % active.length;
    const relays = [...active.slice(shift), ...active.slice(0, shift)];
    for (const path of (['direct', ...relays] as Path[]).filter((p) => o.only.includes(p))) {
      let r: RunResult;
      try {
        r = await runOnce(path, round, o, pki);
      } catch (err) {
        // A daemon that did not start or connect in time on a busy machine: one more try.
        console.log(`round ${round} ${path}: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}; retrying once`);
        r = await runOnce(path, round, o, pki);
      }
      runs.push(r);
      const res = r.result;
      const relay = r.relayCpu === undefined ? '' : `, relay CPU ${r.relayCpu.toFixed(2)} s (${fmt((r.relayCpu / res.seconds) * 100)}%), ${fmt(res.answers / Math.max(r.relayCpu, 0.01))} pairs/CPU-s`;
      console.log(
        `round ${round} ${path.padEnd(13)} ${fmt(res.answersPerSecond).padStart(7)} answered/s (sent ${res.sent}, errors ${res.errors}, unanswered ${res.unanswered}), ` +
          `avg RTT ${(res.average * 1000).toFixed(2)} ms${relay}; client CPU ${r.clientCpu.toFixed(1)} s, server CPU ${r.serverCpu.toFixed(1)} s, load ${r.loadBefore.toFixed(2)}`,
      );
      if (res.errors > 0 || res.unanswered > 0) console.log(`  WARNING: ${path} left ${res.errors} error answers and ${res.unanswered} unanswered requests`);
    }
  }
  console.log('');
  const table = summarise(runs, o);
  console.log(table);
  if (o.json) writeFileSync(o.json, JSON.stringify({ state, options: o, runs }, null, 2) + '\n');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
