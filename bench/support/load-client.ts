// Request/answer load over one TCP connection, for the HSS benchmarks (bench/s6a.ts, bench/cx.ts).
// The server script forks itself as the client (`forkClient`), so the client runs in its own process
// like a real MME or S-CSCF, and the server's CPU is measured on its own: the client says when the
// throughput phase starts and ends, and the server answers with its process CPU over that window.
// Phase 1 keeps `window` requests outstanding for `seconds` (answers/s); phase 2 sends at a fixed
// half of that rate (latency percentiles). Requests are encoded once per template and copied per
// send with fresh ids patched in, so the client costs little. Every 64th answer is decoded and must
// be DIAMETER_SUCCESS: the figures count only successes.
import { fork } from 'node:child_process';
import { connect } from 'node:net';
import { avp } from '../../src/diameter/codec/builder.js';
import { decodeMessage } from '../../src/diameter/codec/decode.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import { FrameDecoder } from '../../src/diameter/codec/frame-decoder.js';
import type { Avp } from '../../src/diameter/codec/message.js';
import type { Dictionary } from '../../src/diameter/dictionary/dictionary.js';
import { buildCer } from '../../src/diameter/peer/capabilities.js';
import { outcomeCode } from '../../src/hss/s6a/answer.js';

/** One pre-encoded request: Session-Id first, with room for a 10-digit counter at `sidAt`. */
export interface Template {
  readonly buf: Buffer;
  readonly sidAt: number;
}

export interface LoadPhase {
  readonly name: string;
  /** Used in turn, request i takes templates[i % length]. */
  readonly templates: readonly Template[];
}

export interface ClientIdentity {
  readonly host: string;
  readonly realm: string;
  /** Vendor-Specific-Application-Id the client advertises in its CER. */
  readonly application: { readonly vendorId: number; readonly id: number };
}

const ID_DIGITS = 10;

/** Encodes a request whose Session-Id is `<host>;<10 digits>`, followed by `avps`. */
export function template(dict: Dictionary, who: ClientIdentity, commandCode: number, avps: Avp[]): Template {
  const prefix = `${who.host};`;
  const buf = encodeMessage({
    version: 1,
    flags: 0xc0,
    commandCode,
    applicationId: who.application.id,
    hopByHopId: 0,
    endToEndId: 0,
    avps: [avp(dict, 'Session-Id', `${prefix}${'0'.repeat(ID_DIGITS)}`), ...avps],
  });
  // Session-Id is the first AVP: 20-byte header, 8-byte AVP header, then the prefix.
  return { buf, sidAt: 20 + 8 + Buffer.byteLength(prefix) };
}

type ToServer = { phase: 'start' | 'end' } | { result: string };

/** Server side: forks `script` with `args` + ['client', port], prints its results, measures CPU. */
export async function forkClient(script: string, args: string[], port: number): Promise<void> {
  const child = fork(script, [...args, 'client', String(port)], { stdio: 'inherit' });
  let cpu0 = process.cpuUsage();
  child.on('message', (m: ToServer) => {
    if ('result' in m) console.log(m.result);
    else if (m.phase === 'start') cpu0 = process.cpuUsage();
    else child.send({ cpu: process.cpuUsage(cpu0) });
  });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`bench client exited with ${code}`);
}

/** Client side (in the forked process): runs each phase against 127.0.0.1:port and reports. */
export async function runClient(dict: Dictionary, who: ClientIdentity, port: number, phases: readonly LoadPhase[], seconds: number, window = 64): Promise<void> {
  const report = (m: ToServer): void => void process.send!(m);
  const serverCpu = (): Promise<NodeJS.CpuUsage> => new Promise((r) => process.once('message', (m: { cpu: NodeJS.CpuUsage }) => r(m.cpu)));

  let checked = 0;
  const sock = connect(port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  sock.setNoDelay(true);
  const pending = new Map<number, (t: bigint) => void>();
  let cea: (() => void) | undefined;
  const dec = new FrameDecoder({
    onFrame: (f) => {
      if (f.readUIntBE(5, 3) === 257) return cea?.();
      const id = f.readUInt32BE(16);
      if (id % 64 === 0) {
        const m = decodeMessage(f, dict).message;
        const code = m && outcomeCode(m);
        if (code !== 2001) throw new Error(`answer ${id} (command ${m?.commandCode}) has result ${code}: the benchmark is not measuring success`);
        checked++;
      }
      pending.get(id)?.(process.hrtime.bigint());
    },
    onError: (e) => console.error(e),
  });
  sock.on('data', (c: Buffer) => dec.push(c));
  const ceaDone = new Promise<void>((r) => (cea = r));
  const caps = { originHost: who.host, originRealm: who.realm, vendorId: 0, productName: 'bench', firmwareRevision: 1, originStateId: 1, authApplications: [], acctApplications: [] };
  sock.write(encodeMessage(buildCer(dict, { ...caps, vendorApplications: [{ ...who.application, kind: 'auth' }] }, ['127.0.0.1'], { hopByHopId: 1, endToEndId: 1 }, false)));
  await ceaDone;

  let e2e = 10;
  function send(t: Template): Promise<number> {
    const id = ++e2e;
    const buf = Buffer.from(t.buf);
    buf.writeUInt32BE(id, 12);
    buf.writeUInt32BE(id, 16);
    buf.write(String(id).padStart(ID_DIGITS, '0'), t.sidAt, 'latin1');
    const t0 = process.hrtime.bigint();
    return new Promise((res) => {
      pending.set(id, (t1) => {
        pending.delete(id);
        res(Number(t1 - t0) / 1e6);
      });
      sock.write(buf);
    });
  }

  async function throughput(p: LoadPhase): Promise<{ rps: number; done: number }> {
    const end = Date.now() + seconds * 1000;
    let done = 0;
    let i = 0;
    const worker = async (): Promise<void> => {
      while (Date.now() < end) {
        await send(p.templates[i++ % p.templates.length]!);
        done++;
      }
    };
    const t0 = Date.now();
    await Promise.all(Array.from({ length: window }, worker));
    return { rps: done / ((Date.now() - t0) / 1000), done };
  }

  async function latency(p: LoadPhase, rate: number): Promise<{ p50: number; p99: number; n: number }> {
    // Nothing per request outlives its answer: a list of 40,000 promises (the first version) made
    // this process's own scavenges take 12-16 ms every 0.4 s, and those pauses showed up as the
    // server's latency.
    const total = Math.floor(rate * seconds);
    const lat = new Float64Array(total);
    let n = 0;
    let outstanding = 0;
    let allSent = false;
    let finish: () => void = () => undefined;
    const done = new Promise<void>((r) => (finish = r));
    const record = (ms: number): void => {
      lat[n++] = ms;
      if (--outstanding === 0 && allSent) finish();
    };
    const t0 = performance.now();
    for (let k = 0; k < total; k++) {
      const due = t0 + (k * 1000) / rate;
      const now = performance.now();
      if (due > now + 1) await new Promise((r) => setTimeout(r, due - now));
      outstanding++;
      void send(p.templates[k % p.templates.length]!).then(record);
    }
    allSent = true;
    if (outstanding === 0) finish();
    await done;
    const sorted = lat.subarray(0, n).sort();
    return { p50: sorted[Math.floor(n * 0.5)]!, p99: sorted[Math.floor(n * 0.99)]!, n };
  }

  for (const p of phases) {
    await throughput(p); // warm-up
    report({ phase: 'start' });
    const clientCpu0 = process.cpuUsage();
    const { rps, done } = await throughput(p);
    const clientCpu = process.cpuUsage(clientCpu0);
    const cpuAnswer = serverCpu();
    report({ phase: 'end' });
    const cpu = await cpuAnswer;
    const l = await latency(p, Math.floor(rps / 2));
    const us = (c: NodeJS.CpuUsage): string => `${((c.user + c.system) / done).toFixed(1)} µs (user ${(c.user / done).toFixed(1)}, system ${(c.system / done).toFixed(1)})`;
    report({ result: `${p.name}: ${Math.round(rps)} answers/s (${window} outstanding); at ${Math.floor(rps / 2)}/s: p50 ${l.p50.toFixed(3)} ms, p99 ${l.p99.toFixed(3)} ms (${l.n} requests)` });
    // Server CPU per answer in the throughput phase (all its threads): steadier than the rate on a shared machine.
    report({ result: `  server CPU per answer: ${us(cpu)}; client: ${us(clientCpu)}` });
  }
  report({ result: `${checked} sampled answers all DIAMETER_SUCCESS` });
  sock.destroy();
  process.disconnect();
}
