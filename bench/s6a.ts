// Benchmark: S6a AIR (1 E-UTRAN vector, SQN durably committed) and ULR (full Subscription-Data)
// answered by a DiameterNode with a SQLite store, over one TCP connection on 127.0.0.1.
// Phase 1: 64 requests outstanding for `seconds`, answers/s. Phase 2: a fixed rate of half that,
// latency percentiles. Targets (issue 7): >= 20,000 answers/s each; p99 <= 2 ms at half rate.
// Run: npx tsx bench/s6a.ts [seconds-per-phase]
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { avp } from '../src/diameter/codec/builder.js';
import { encodeMessage } from '../src/diameter/codec/encode.js';
import { FrameDecoder } from '../src/diameter/codec/frame-decoder.js';
import type { Avp } from '../src/diameter/codec/message.js';
import { defaultDictionary } from '../src/diameter/dictionary/load.js';
import { buildCer } from '../src/diameter/peer/capabilities.js';
import { createS6aApplication } from '../src/hss/s6a/index.js';
import { DiameterNode } from '../src/node/node.js';
import { openSqliteStore } from '../src/store/index.js';
import { testConfig } from '../test/support/node-config.js';

const seconds = Number(process.argv[2] ?? '3');
const SUBSCRIBERS = 1000;
const dict = defaultDictionary();
const dir = mkdtempSync(join(tmpdir(), 'diamond-bench-s6a-'));
const store = openSqliteStore(join(dir, 'diamond.sqlite'));
store.apns.create({ name: 'internet' }, 'bench');
const imsis: string[] = [];
for (let i = 0; i < SUBSCRIBERS; i++) {
  const imsi = `00101${String(i).padStart(10, '0')}`;
  imsis.push(imsi);
  store.subscribers.createWithAuc({ imsi, msisdn: `3361${String(i).padStart(7, '0')}`, apns: ['internet'] }, { k: '465b5ce8b199b49faa5f0a2ee238a6bc', opc: 'cd63cb71954a9f4e48a5994e37a02baf' }, 'bench');
}
const app = createS6aApplication({ store, options: { cancelOnChange: false } });
const node = new DiameterNode({ config: testConfig('hss.bench', 'bench', { allowUnknownPeers: true, limits: { maxMessageSize: 65536, maxPendingPerPeer: 10000, maxQueuedBytesPerPeer: 16 << 20 } }), applications: [app], logger: pino({ level: 'silent' }) });
await node.start(false);
const port = node.listeners[0]!.port;

const sock = connect(port, '127.0.0.1');
await new Promise<void>((r) => sock.once('connect', () => r()));
sock.setNoDelay(true);
const pending = new Map<number, (t: bigint) => void>();
let cea: (() => void) | undefined;
const dec = new FrameDecoder({
  onFrame: (f) => {
    if (f.readUIntBE(5, 3) === 257) return cea?.();
    pending.get(f.readUInt32BE(16))?.(process.hrtime.bigint());
  },
  onError: (e) => console.error(e),
});
sock.on('data', (c: Buffer) => dec.push(c));
const ceaDone = new Promise<void>((r) => (cea = r));
sock.write(encodeMessage(buildCer(dict, { originHost: 'mme.bench', originRealm: 'bench', vendorId: 0, productName: 'bench', firmwareRevision: 1, originStateId: 1, authApplications: [16777251], acctApplications: [], vendorApplications: [] }, ['127.0.0.1'], { hopByHopId: 1, endToEndId: 1 }, false)));
await ceaDone;

let e2e = 10;
function request(cmd: 316 | 318, imsi: string): Buffer {
  const id = ++e2e;
  const avps: Avp[] = [
    avp(dict, 'Session-Id', `mme.bench;${id}`),
    avp(dict, 'Auth-Session-State', 1),
    avp(dict, 'Origin-Host', 'mme.bench'),
    avp(dict, 'Origin-Realm', 'bench'),
    avp(dict, 'Destination-Realm', 'bench'),
    avp(dict, 'User-Name', imsi),
  ];
  if (cmd === 318) avps.push(avp(dict, 'Requested-EUTRAN-Authentication-Info', [avp(dict, 'Number-Of-Requested-Vectors', 1)]));
  else avps.push(avp(dict, 'RAT-Type', 1004), avp(dict, 'ULR-Flags', 2));
  avps.push(avp(dict, 'Visited-PLMN-Id', { mcc: '001', mnc: '01' }));
  return encodeMessage({ version: 1, flags: 0xc0, commandCode: cmd, applicationId: 16777251, hopByHopId: id, endToEndId: id, avps });
}

function send(cmd: 316 | 318, i: number): Promise<number> {
  const buf = request(cmd, imsis[i % SUBSCRIBERS]!);
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

async function throughput(cmd: 316 | 318): Promise<number> {
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
  return done / ((Date.now() - t0) / 1000);
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
  await throughput(cmd); // warm-up
  const rps = await throughput(cmd);
  const l = await latency(cmd, Math.floor(rps / 2));
  console.log(`${name}: ${Math.round(rps)} answers/s (64 outstanding); at ${Math.floor(rps / 2)}/s: p50 ${l.p50.toFixed(3)} ms, p99 ${l.p99.toFixed(3)} ms (${l.n} requests)`);
}
sock.destroy();
await node.stop();
store.close();
rmSync(dir, { recursive: true, force: true });
