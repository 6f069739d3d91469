// Added latency of Diamond as a relay (DRA routing issue: p99 added latency <= 1 ms at half load).
// Run: npm run build && npx tsx bench/relay-latency.ts [--rate 10000] [--seconds 10]
// A client and a server, both minimal Diameter endpoints in this process, exchange S6a-shaped
// requests at a fixed rate: first directly (client -> server), then through Diamond running as its
// own process (client -> Diamond -> server). Every request's round trip is timed; the report gives
// p50/p99/max of both paths and the difference. The rate should be about half of what the relay
// sustains (see bench/relay-vs-freediameter.ts).
import { connect, createServer, type Server, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { avp } from '../src/diameter/codec/builder.js';
import { encodeMessage } from '../src/diameter/codec/encode.js';
import { FrameDecoder } from '../src/diameter/codec/frame-decoder.js';
import { defaultDictionary } from '../src/diameter/dictionary/load.js';
import { buildCea, buildCer, readCapabilities } from '../src/diameter/peer/capabilities.js';
import { decodeMessage } from '../src/diameter/codec/decode.js';
import { DiamondProcess } from '../test/support/diamond-process.js';
import { freePort } from '../test/support/freediameter.js';

const dict = defaultDictionary();
const S6A = 16777251;
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RATE = arg('rate', 10_000);
const SECONDS = arg('seconds', 10);

const local = (originHost: string, originRealm: string) => ({ originHost, originRealm, vendorId: 0, productName: 'bench', firmwareRevision: 1, originStateId: 1, authApplications: [S6A], acctApplications: [], vendorApplications: [] });

/** The server: answers every request with 2001, echoing Session-Id; answers CER and DWR. */
function startServer(identity: string, realm: string): Promise<Server> {
  const server = createServer((sock) => {
    sock.setNoDelay(true);
    const dec = new FrameDecoder({
      onFrame: (f) => {
        const code = f.readUIntBE(5, 3);
        if (code === 257) {
          const cer = decodeMessage(f, dict).message!;
          sock.write(encodeMessage(buildCea(dict, local(identity, realm), ['127.0.0.1'], cer, 2001, undefined, false)));
          return;
        }
        if ((f[4]! & 0x80) === 0) return;
        // Answer: same header, R cleared; AVPs Session-Id (first AVP of our requests) + Result-Code + origin.
        const sidLen = f.readUIntBE(20 + 5, 3);
        const sid = f.subarray(20, 20 + ((sidLen + 3) & ~3));
        const body = Buffer.concat([sid, answerTail(identity, realm)]);
        const a = Buffer.alloc(20 + body.length);
        f.copy(a, 0, 0, 20);
        a.writeUIntBE(a.length, 1, 3);
        a[4] = f[4]! & 0x40;
        body.copy(a, 20);
        sock.write(a);
      },
      onError: () => sock.destroy(),
    });
    sock.on('data', (c: Buffer) => dec.push(c));
    sock.on('error', () => undefined);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}
const tails = new Map<string, Buffer>();
function answerTail(identity: string, realm: string): Buffer {
  let t = tails.get(identity);
  if (!t) {
    t = encodeMessage({ version: 1, flags: 0, commandCode: 316, applicationId: S6A, hopByHopId: 0, endToEndId: 0, avps: [avp(dict, 'Result-Code', 2001), avp(dict, 'Origin-Host', identity), avp(dict, 'Origin-Realm', realm)] }).subarray(20);
    tails.set(identity, t);
  }
  return t;
}

/** The client: CER, then requests at RATE for SECONDS; resolves with the round-trip times (ms). */
async function runClient(port: number, identity: string, realm: string, destRealm: string): Promise<number[]> {
  const sock: Socket = connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  sock.setNoDelay(true); // as Diameter stacks do: no Nagle delay on small messages
  const sent = new Map<number, bigint>();
  const rtts: number[] = [];
  let errors = 0;
  const errorCodes = new Map<number, number>();
  // The first 2 s warm the path up (JIT, first GCs) on the same connection; then it is measured.
  const WARMUP = 2;
  const measureFrom = RATE * WARMUP + 2;
  let opened: () => void = () => undefined;
  const open = new Promise<void>((r) => (opened = r));
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
      const t0 = sent.get(e2e);
      // Result-Code is the AVP after the echoed Session-Id: anything but 2001 is an error.
      const sidLen = f.readUIntBE(20 + 5, 3);
      const rc = f.readUInt32BE(20 + ((sidLen + 3) & ~3) + 8);
      if (rc !== 2001) {
        errors++;
        errorCodes.set(rc, (errorCodes.get(rc) ?? 0) + 1);
      }
      else if (t0 !== undefined && e2e >= measureFrom) rtts.push(Number(process.hrtime.bigint() - t0) / 1e6);
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
  const total = RATE * (WARMUP + SECONDS);
  const start = process.hrtime.bigint();
  let n = 0;
  await new Promise<void>((done) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor((Number(process.hrtime.bigint() - start) / 1e9) * RATE));
      for (; n < due; n++) {
        const b = Buffer.from(template);
        b.writeUInt32BE(n + 2, 12);
        b.writeUInt32BE(n + 2, 16);
        sent.set(n + 2, process.hrtime.bigint());
        sock.write(b);
      }
      if (n < total) setImmediate(tick);
      else setTimeout(done, 500);
    };
    tick();
  });
  sock.destroy();
  const measured = RATE * SECONDS;
  if (errors > 0 || rtts.length < measured) console.log(`  warning: ${errors} error answers (${[...errorCodes].map(([c, k]) => `${k}× ${c}`).join(', ')}), ${measured - rtts.length} of ${measured} measured requests without a 2001`);
  return rtts;
}

function stats(xs: number[]): { p50: number; p99: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: q(0.5), p99: q(0.99), max: s[s.length - 1]! };
}

const fmt = (x: { p50: number; p99: number; max: number }): string => `p50 ${x.p50.toFixed(3)} ms, p99 ${x.p99.toFixed(3)} ms, max ${x.max.toFixed(1)} ms`;

console.log(`date ${new Date().toISOString()}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}`);
console.log(`${RATE.toLocaleString('en')} requests/s for ${SECONDS} s per path`);
const server = await startServer('server.realm-b.test', 'realm-b.test');
const serverPort = (server.address() as { port: number }).port;
const direct = stats(await runClient(serverPort, 'client.realm-a.test', 'realm-a.test', 'realm-b.test'));
console.log(`direct:        ${fmt(direct)}`);
const relayPort = await freePort();
const relay = await DiamondProcess.start({
  identity: 'dra.realm-dra.test',
  realm: 'realm-dra.test',
  listen: [{ transport: 'tcp', address: '127.0.0.1', port: relayPort }],
  peers: [
    { identity: 'client.realm-a.test', realm: 'realm-a.test', address: '127.0.0.1', port: 1, connect: false },
    { identity: 'server.realm-b.test', realm: 'realm-b.test', address: '127.0.0.1', port: serverPort },
  ],
  runner: 'dist',
  logLevel: 'warn',
});
await new Promise((r) => setTimeout(r, 1500)); // the relay connects to the server
const viaRelay = stats(await runClient(relayPort, 'client.realm-a.test', 'realm-a.test', 'realm-b.test'));
console.log(`through Diamond: ${fmt(viaRelay)}`);
console.log(`added by the relay: p50 ${(viaRelay.p50 - direct.p50).toFixed(3)} ms, p99 ${(viaRelay.p99 - direct.p99).toFixed(3)} ms (target p99 <= 1 ms)`);
await relay.stop();
server.close();
