// Benchmark: S6a AIR (1 E-UTRAN vector, SQN durably committed) and ULR (full Subscription-Data)
// answered by a DiameterNode with a SQLite store, over one TCP connection on 127.0.0.1.
// Phase 1: 64 requests outstanding for `seconds`, answers/s. Phase 2: a fixed rate of half that,
// latency percentiles. Targets (issue 7): >= 20,000 answers/s each; p99 <= 2 ms at half rate.
// Run: npx tsx bench/s6a.ts [seconds-per-phase] [air|ulr] (both by default; one for a CPU profile)
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { avp } from '../src/diameter/codec/builder.js';
import { decodeMessage } from '../src/diameter/codec/decode.js';
import { encodeMessage } from '../src/diameter/codec/encode.js';
import { FrameDecoder } from '../src/diameter/codec/frame-decoder.js';
import type { Avp } from '../src/diameter/codec/message.js';
import { defaultDictionary } from '../src/diameter/dictionary/load.js';
import { buildCer } from '../src/diameter/peer/capabilities.js';
import { outcomeCode } from '../src/hss/s6a/answer.js';
import { createS6aApplication } from '../src/hss/s6a/index.js';
import { DiameterNode } from '../src/node/node.js';
import { openSqliteStore } from '../src/store/index.js';
import { testConfig } from '../test/support/node-config.js';

const seconds = Number(process.argv[2] ?? '3');
const only = process.argv[3]?.toUpperCase();
const SUBSCRIBERS = 1000;
const dict = defaultDictionary();
const dir = mkdtempSync(join(tmpdir(), 'diamond-bench-s6a-'));
const store = openSqliteStore(join(dir, 'diamond.sqlite'));
store.apns.create({ name: 'internet' }, 'bench');
const imsis = Array.from({ length: SUBSCRIBERS }, (_, i) => `00101${String(i).padStart(10, '0')}`);
store.importSubscribers(
  imsis.map((imsi, i) => ({ imsi, msisdn: `3361${String(i).padStart(7, '0')}`, apns: ['internet'], k: '465b5ce8b199b49faa5f0a2ee238a6bc', opc: 'cd63cb71954a9f4e48a5994e37a02baf' })),
  { actor: 'bench', source: 'bench' },
);
const app = createS6aApplication({ store, options: { cancelOnChange: false } });
const node = new DiameterNode({ config: testConfig('hss.bench', 'bench', { allowUnknownPeers: true, limits: { maxMessageSize: 65536, maxPendingPerPeer: 10000, maxQueuedBytesPerPeer: 16 << 20 } }), applications: [app], logger: pino({ level: 'silent' }) });
await node.start(false);
const port = node.listeners[0]!.port;

let checked = 0;
function check(f: Buffer, id: number): void {
  const m = decodeMessage(f, dict).message;
  const code = m && outcomeCode(m);
  if (code !== 2001) throw new Error(`answer ${id} (command ${m?.commandCode}) has result ${code}: the benchmark is not measuring success`);
  checked++;
}

const sock = connect(port, '127.0.0.1');
await new Promise<void>((r) => sock.once('connect', () => r()));
sock.setNoDelay(true);
const pending = new Map<number, (t: bigint) => void>();
let cea: (() => void) | undefined;
const dec = new FrameDecoder({
  onFrame: (f) => {
    if (f.readUIntBE(5, 3) === 257) return cea?.();
    const id = f.readUInt32BE(16);
    // Every 64th answer is decoded: the figures count only DIAMETER_SUCCESS answers.
    if (id % 64 === 0) check(f, id);
    pending.get(id)?.(process.hrtime.bigint());
  },
  onError: (e) => console.error(e),
});
sock.on('data', (c: Buffer) => dec.push(c));
const ceaDone = new Promise<void>((r) => (cea = r));
sock.write(encodeMessage(buildCer(dict, { originHost: 'mme.bench', originRealm: 'bench', vendorId: 0, productName: 'bench', firmwareRevision: 1, originStateId: 1, authApplications: [16777251], acctApplications: [], vendorApplications: [] }, ['127.0.0.1'], { hopByHopId: 1, endToEndId: 1 }, false)));
await ceaDone;

// Requests are encoded once per (command, IMSI) and copied per send with fresh ids patched in, so
// the client, which shares this process and its CPU, costs little next to the server.
const ID_DIGITS = 10;
function template(cmd: 316 | 318, imsi: string): { buf: Buffer; sidAt: number } {
  const avps: Avp[] = [
    avp(dict, 'Session-Id', `mme.bench;${'0'.repeat(ID_DIGITS)}`),
    avp(dict, 'Auth-Session-State', 1),
    avp(dict, 'Origin-Host', 'mme.bench'),
    avp(dict, 'Origin-Realm', 'bench'),
    avp(dict, 'Destination-Realm', 'bench'),
    avp(dict, 'User-Name', imsi),
  ];
  if (cmd === 318) avps.push(avp(dict, 'Requested-EUTRAN-Authentication-Info', [avp(dict, 'Number-Of-Requested-Vectors', 1)]));
  else avps.push(avp(dict, 'RAT-Type', 1004), avp(dict, 'ULR-Flags', 2));
  avps.push(avp(dict, 'Visited-PLMN-Id', { mcc: '001', mnc: '01' }));
  const buf = encodeMessage({ version: 1, flags: 0xc0, commandCode: cmd, applicationId: 16777251, hopByHopId: 0, endToEndId: 0, avps });
  // Session-Id is the first AVP: 20-byte header, 8-byte AVP header, then "mme.bench;".
  return { buf, sidAt: 20 + 8 + 'mme.bench;'.length };
}
const templates = new Map<number, { buf: Buffer; sidAt: number }[]>([316, 318].map((cmd) => [cmd, imsis.map((imsi) => template(cmd as 316 | 318, imsi))]));

let e2e = 10;
function request(cmd: 316 | 318, i: number): Buffer {
  const id = ++e2e;
  const t = templates.get(cmd)![i % SUBSCRIBERS]!;
  const buf = Buffer.from(t.buf);
  buf.writeUInt32BE(id, 12);
  buf.writeUInt32BE(id, 16);
  buf.write(String(id).padStart(ID_DIGITS, '0'), t.sidAt, 'latin1');
  return buf;
}

function send(cmd: 316 | 318, i: number): Promise<number> {
  const buf = request(cmd, i);
  const id = buf.readUInt32BE(16);
  const t0 = process.hrtime.bigint();
  return new Promise((res) => {
    pending.set(id, (t) => {
      pending.delete(id);
      res(Number(t - t0) / 1e6);
    });
    sock.write(buf);
  });
}

async function throughput(cmd: 316 | 318): Promise<{ rps: number; done: number }> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  let i = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < end) {
      await send(cmd, i++);
      done++;
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: 64 }, worker));
  return { rps: done / ((Date.now() - t0) / 1000), done };
}

async function latency(cmd: 316 | 318, rate: number): Promise<{ p50: number; p99: number; n: number }> {
  const lat: number[] = [];
  const total = Math.floor(rate * seconds);
  const waits: Promise<void>[] = [];
  const t0 = performance.now();
  for (let k = 0; k < total; k++) {
    const due = t0 + (k * 1000) / rate;
    const now = performance.now();
    if (due > now + 1) await new Promise((r) => setTimeout(r, due - now));
    waits.push(send(cmd, k).then((ms) => void lat.push(ms)));
  }
  await Promise.all(waits);
  lat.sort((a, b) => a - b);
  return { p50: lat[Math.floor(lat.length * 0.5)]!, p99: lat[Math.floor(lat.length * 0.99)]!, n: lat.length };
}

for (const [name, cmd] of [['AIR', 318], ['ULR', 316]] as const) {
  if (only && only !== name) continue;
  await throughput(cmd); // warm-up
  const cpu0 = process.cpuUsage();
  const { rps, done } = await throughput(cmd);
  const cpu = process.cpuUsage(cpu0);
  const l = await latency(cmd, Math.floor(rps / 2));
  console.log(`${name}: ${Math.round(rps)} answers/s (64 outstanding); at ${Math.floor(rps / 2)}/s: p50 ${l.p50.toFixed(3)} ms, p99 ${l.p99.toFixed(3)} ms (${l.n} requests)`);
  // CPU of this process (server and client) per answer in the throughput phase: the figure a shared machine does not distort.
  console.log(`  CPU per answer: ${((cpu.user + cpu.system) / done).toFixed(1)} µs (user ${(cpu.user / done).toFixed(1)}, system ${(cpu.system / done).toFixed(1)})`);
}
const registered = imsis.filter((imsi) => store.servingNodes.get(imsi)?.mmeHost === 'mme.bench').length;
console.log(`${checked} sampled answers all DIAMETER_SUCCESS; ${registered}/${SUBSCRIBERS} subscribers have mme.bench as serving MME`);
sock.destroy();
await node.stop();
store.close();
rmSync(dir, { recursive: true, force: true });
