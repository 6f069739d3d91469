// pcap benchmarks (issue 9). Run: npx tsc -p tsconfig.json --outDir .build; node .build/bench/pcap.js
// (under tsx it works too, 1.5-2x slower: see docs/benchmarks.md).
//  1. read + decode: a pcapng of 200,000 Diameter messages (S6a AIR/AIA pairs over TCP, several
//     PDUs per segment at times) read by readCapture and every PDU decoded by dictionary
//     (target >= 100,000 messages/s).
//  2. replay: 20,000 AIRs replayed by runReplay (window 256) against a node in its own process
//     with capture on; then that node's capture replayed against a fresh node with every answer
//     compared (target >= 10,000 requests/s).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { avp, message } from '../src/diameter/codec/builder.js';
import { decodeMessage } from '../src/diameter/codec/decode.js';
import { encodeMessage } from '../src/diameter/codec/encode.js';
import { defaultDictionary } from '../src/diameter/dictionary/load.js';
import { readCapture, readCaptureFile } from '../src/pcap/reader.js';
import { PcapngBuilder } from '../src/pcap/writer.js';
import { DEFAULT_IGNORED_AVPS, DEFAULT_IGNORED_TYPES } from '../src/replay/compare.js';
import { buildPlan } from '../src/replay/plan.js';
import { runReplay } from '../src/replay/run.js';
import { MessageSelector } from '../src/replay/select.js';

const dict = defaultDictionary();
const here = path.dirname(fileURLToPath(import.meta.url));
const compiled = here.includes(`${path.sep}.build${path.sep}`);
const root = compiled ? path.resolve(here, '../..') : path.resolve(here, '..');
const work = mkdtempSync(path.join(tmpdir(), 'diamond-bench-pcap-'));

function air(i: number): Buffer {
  const sid = `mme${i % 8}.epc.test;1700000000;${i}`;
  return encodeMessage(message(dict, 'AIR', [
    avp(dict, 'Session-Id', sid),
    avp(dict, 'Vendor-Specific-Application-Id', [avp(dict, 'Vendor-Id', 10415), avp(dict, 'Auth-Application-Id', 16777251)]),
    avp(dict, 'Auth-Session-State', 1), avp(dict, 'Origin-Host', `mme${i % 8}.epc.test`), avp(dict, 'Origin-Realm', 'epc.test'),
    avp(dict, 'Destination-Realm', 'epc.test'), avp(dict, 'User-Name', `00101${String(i).padStart(10, '0')}`),
    avp(dict, 'Requested-EUTRAN-Authentication-Info', [avp(dict, 'Number-Of-Requested-Vectors', 1), avp(dict, 'Immediate-Response-Preferred', 1)]),
    avp(dict, 'Visited-PLMN-Id', { mcc: '001', mnc: '01' }),
  ], { hopByHopId: i, endToEndId: i }, 16777251));
}

function aia(i: number): Buffer {
  const v = Buffer.alloc(32, i & 0xff);
  return encodeMessage(message(dict, 'AIA', [
    avp(dict, 'Session-Id', `mme${i % 8}.epc.test;1700000000;${i}`), avp(dict, 'Auth-Session-State', 1),
    avp(dict, 'Origin-Host', 'hss1.epc.test'), avp(dict, 'Origin-Realm', 'epc.test'), avp(dict, 'Result-Code', 2001),
    avp(dict, 'Authentication-Info', [avp(dict, 'E-UTRAN-Vector', [avp(dict, 'RAND', v.subarray(0, 16)), avp(dict, 'XRES', v.subarray(0, 8)), avp(dict, 'AUTN', v.subarray(0, 16)), avp(dict, 'KASME', v)])]),
  ], { hopByHopId: i, endToEndId: i }, 16777251));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function readDecode(): void {
  const pairs = 100_000;
  const b = new PcapngBuilder();
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < pairs; i++) {
    const c = 40000 + (i % 8);
    b.add({ time: new Date(t0 + i), src: '10.0.0.1', srcPort: c, dst: '10.0.0.2', dstPort: 3868, data: air(i) });
    b.add({ time: new Date(t0 + i), src: '10.0.0.2', srcPort: 3868, dst: '10.0.0.1', dstPort: c, data: aia(i) });
  }
  const file = b.toBuffer();
  const rounds: number[] = [];
  let n = 0;
  for (let r = 0; r < 6; r++) {
    const start = process.hrtime.bigint();
    const { pdus } = readCapture(file);
    let ok = 0;
    for (const p of pdus) if (decodeMessage(p.data, dict).message) ok++;
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    if (r > 0) rounds.push(ok / s); // round 0 warms up
    n = ok;
  }
  const rate = median(rounds);
  console.log(`read + decode: ${n.toLocaleString('en')} messages from a ${(file.length / 1e6).toFixed(1)} MB pcapng; ${Math.round(rate).toLocaleString('en')} messages/s (median of 5), target >= 100,000: ${rate >= 100_000 ? 'met' : 'NOT met'}`);
}

/** A node in its own process (`diamond start`), listening on a free port. */
async function startNode(name: string, capture: string | undefined): Promise<{ child: ChildProcess; port: number }> {
  const cfg = path.join(work, `${name}.yaml`);
  writeFileSync(cfg, `identity: hss1.epc.test\nrealm: epc.test\nlisten: [{ transport: tcp, address: 127.0.0.1, port: 0 }]\nallowUnknownPeers: true\n` +
    `api: { enabled: false }\nlog: { level: warn }\nlimits: { maxPendingPerPeer: 100000 }\n${capture ? `capture: { file: ${capture}, rotateMb: 0 }\n` : ''}`);
  const args = compiled
    ? [path.join(root, '.build/src/cli/main.js'), 'start', '-c', cfg]
    : ['--import', pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href, path.join(root, 'src/cli/main.ts'), 'start', '-c', cfg];
  const child = spawn('node', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const start = Date.now();
  while (!/tcp:\/\/127\.0\.0\.1:(\d+)/.test(out)) {
    if (Date.now() - start > 20000) throw new Error(`node did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, port: Number(/tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]) };
}

async function stopNode(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function replayBench(): Promise<void> {
  const count = 20_000;
  const b = new PcapngBuilder();
  for (let i = 0; i < count; i++) b.add({ time: new Date(), src: '10.0.0.1', srcPort: 40000, dst: '10.0.0.2', dstPort: 3868, data: air(i).subarray(0) });
  const requestsOnly = readCapture(b.toBuffer()).pdus;
  const opts = {
    host: '127.0.0.1', pacing: { mode: 'fast' as const }, window: 256, timeoutMs: 10_000,
    ignore: new Set(DEFAULT_IGNORED_AVPS), ignoreTypes: new Set(DEFAULT_IGNORED_TYPES),
  };
  // Every request from one client (mme0): one connection.
  const selector = new MessageSelector();
  const capFile = path.join(work, 'node-a.pcapng');
  const a = await startNode('a', capFile);
  const first = await runReplay(buildPlan(requestsOnly, dict, { selector, peers: [] }), dict, { ...opts, port: a.port, originHost: 'mme0.epc.test' });
  await stopNode(a.child);
  console.log(`replay, requests only (node A capturing): ${first.answered.toLocaleString('en')} answered in ${(first.durationMs / 1000).toFixed(2)} s: ${first.requestsPerSecond.toLocaleString('en')} requests/s; latency ms p50 ${first.latencyMs?.p50} p99 ${first.latencyMs?.p99}`);

  const captured = readCaptureFile(capFile, { heuristic: true });
  const plan = buildPlan(captured.pdus, dict, { selector, peers: [] });
  const bNode = await startNode('b', undefined);
  const second = await runReplay(plan, dict, { ...opts, port: bNode.port });
  await stopNode(bNode.child);
  const rate = second.requestsPerSecond;
  console.log(`replay of node A's capture against node B, every answer compared: ${second.answered.toLocaleString('en')} answered, ${second.matched.toLocaleString('en')} matched, ${second.differed} differed, ${second.timedOut} timed out, in ${(second.durationMs / 1000).toFixed(2)} s: ${rate.toLocaleString('en')} requests/s, target >= 10,000: ${rate >= 10_000 ? 'met' : 'NOT met'}; latency ms p50 ${second.latencyMs?.p50} p99 ${second.latencyMs?.p99}`);
}

console.log(`node ${process.version}, ${compiled ? 'tsc output' : 'tsx'}`);
readDecode();
await replayBench();
rmSync(work, { recursive: true, force: true });
