// Request/answer throughput over one SCTP association vs one TCP connection, in the same UML guest
// (`npm run bench:sctp`). Server: a DiameterNode (full peer layer; it answers each request with an
// error answer, which costs the same decode/encode as any answer). Client: a bare connection from
// the transport seam with framing, keeping CONCURRENCY requests in flight for SECONDS.
import type { Socket } from 'node:net';
import { FrameDecoder } from '../src/diameter/codec/frame-decoder.js';
import { connect } from '../src/diameter/transport/transport.js';
import { DiameterNode } from '../src/node/node.js';
import { air, cer } from '../test/sctp/support.js';
import { testConfig } from '../test/support/node-config.js';

const SECONDS = Number(process.env.SECONDS_PER_RUN ?? 5);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
/**
 * CLIENT_CORK=1: the client corks its writes per tick, so TCP gets one writev per burst too (the
 * SCTP transport batches a tick's writes by itself; a plain TCP socket writes each at once).
 */
const CLIENT_CORK = process.env.CLIENT_CORK === '1';
/** ONLY=tcp or ONLY=sctp runs one transport alone. */
const KINDS = (process.env.ONLY ? [process.env.ONLY] : ['tcp', 'sctp']) as ('tcp' | 'sctp')[];

interface Round {
  /** Answers per second. */
  rate: number;
  /** The client's reads ('data' events) per answer: 1 = one read per message. */
  readsPerAnswer: number;
}

async function run(kind: 'tcp' | 'sctp'): Promise<Round> {
  const node = new DiameterNode({ config: testConfig('dra.realm-a.test', 'realm-a.test', { listen: [{ transport: kind, addresses: ['127.0.0.1'], port: 0 }], allowUnknownPeers: true, timers: { tc: 30_000, tw: 30_000, ceTimeout: 5000, dpaTimeout: 1000, shutdownGrace: 1000, requestTimeout: 2000 } }) });
  await node.start();
  const socket: Socket = await connect({ kind, host: '127.0.0.1', port: node.listeners[0]!.port, timeoutMs: 5000 });
  const req = air('mme.realm-b.test', 'realm-b.test', 'realm-a.test');
  let answers = 0;
  let reads = 0;
  let open = false;
  let stopAt = 0;
  let hbh = 1;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  const send = (): void => {
    const b = Buffer.from(req);
    b.writeUInt32BE(hbh++ >>> 0, 12);
    if (CLIENT_CORK && !corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    socket.write(b);
  };
  const done = new Promise<void>((resolve) => {
    const dec = new FrameDecoder({
      onFrame: (f) => {
        const code = f.readUIntBE(5, 3);
        if (code === 257) {
          open = true;
          stopAt = Date.now() + SECONDS * 1000;
          for (let i = 0; i < CONCURRENCY; i++) send();
          return;
        }
        if (!open || code !== 318) return;
        answers++;
        if (Date.now() < stopAt) send();
        else if (answers >= hbh - 1) resolve(); // every request sent has been answered
      },
      onError: (e) => console.error(e.message),
    });
    socket.on('data', (d: Buffer) => {
      reads++;
      dec.push(d);
    });
  });
  socket.write(cer('mme.realm-b.test', 'realm-b.test'));
  const t0 = Date.now();
  await done;
  const rate = answers / ((Date.now() - t0) / 1000);
  socket.destroy();
  await node.stop();
  return { rate, readsPerAnswer: reads / Math.max(answers, 1) };
}

const results: Record<'tcp' | 'sctp', Round[]> = { tcp: [], sctp: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const kind of KINDS) results[kind].push(await run(kind));
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rates = (kind: 'tcp' | 'sctp'): number[] => results[kind].map((x) => x.rate);
for (const kind of KINDS) {
  console.log(`${kind}: answers/s per round ${rates(kind).map((x) => x.toFixed(0)).join(', ')}; median ${median(rates(kind)).toFixed(0)}; client reads per answer ${median(results[kind].map((x) => x.readsPerAnswer)).toFixed(2)}`);
}
if (KINDS.length === 2) console.log(`SCTP/TCP (medians): ${((median(rates('sctp')) / median(rates('tcp'))) * 100).toFixed(0)}%  (${SECONDS} s per round, ${CONCURRENCY} in flight, ${ROUNDS} rounds, alternating${CLIENT_CORK ? ', client corks per tick' : ''})`);
process.exit(0);
