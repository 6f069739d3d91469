// Benchmark: E-UTRAN authentication vectors per second on one core (TS 35.206 MILENAGE + TS 33.401
// Annex A.2 KASME, SQN reservation per TS 33.102 Annex C). Target: >= 50,000 vectors/s.
// Run: npx tsx bench/auth-vectors.ts [seconds-per-case]
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import {
  buildEpsVector,
  buildEpsVectors,
  createAkaAlgorithm,
  encodePlmnId,
  reserve,
  type AkaSubscriberKeys,
} from '../src/hss/auth/index.js';

const seconds = Number(process.argv[2] ?? '2');
const SUBSCRIBERS = 1024;
const amf = Buffer.from('8000', 'hex');
const snId = encodePlmnId('001', '01');

// A pool of subscribers with their own keys, so every request pays its own AES key schedule.
const withOpc: AkaSubscriberKeys[] = [];
const withOp: AkaSubscriberKeys[] = [];
for (let i = 0; i < SUBSCRIBERS; i++) {
  withOpc.push({ algorithm: 'milenage', k: randomBytes(16), opc: randomBytes(16) });
  withOp.push({ algorithm: 'milenage', k: randomBytes(16), op: randomBytes(16) });
}
const sqn = new Array<number>(SUBSCRIBERS).fill(0);

/** Runs `request` (which returns the number of vectors it built) for `secs`; returns vectors/s. */
function measure(secs: number, request: (i: number) => number): number {
  const warmEnd = performance.now() + 300;
  let i = 0;
  while (performance.now() < warmEnd) request(i++ % SUBSCRIBERS);
  let vectors = 0;
  const start = performance.now();
  const end = start + secs * 1000;
  let now = start;
  while (now < end) {
    for (let j = 0; j < 64; j++) vectors += request(i++ % SUBSCRIBERS);
    now = performance.now();
  }
  return (vectors * 1000) / (now - start);
}

/** One AIR asking for `n` vectors: algorithm set-up from stored keys, SQN reservation, vectors. */
function air(keys: readonly AkaSubscriberKeys[], n: number) {
  return (i: number): number => {
    const alg = createAkaAlgorithm(keys[i]!);
    if (n === 1) {
      const next = reserve(sqn[i]!, 1);
      sqn[i] = next.stored;
      buildEpsVector(alg, next.sqns[0]!, amf, snId);
      return 1;
    }
    const r = reserve(sqn[i]!, n);
    sqn[i] = r.stored;
    return buildEpsVectors(alg, r.sqns, amf, snId).length;
  };
}

const cases: [string, (i: number) => number][] = [
  ['AIR x1 vector, keys K+OPc', air(withOpc, 1)],
  ['AIR x1 vector, keys K+OP (OPc derived per request)', air(withOp, 1)],
  ['AIR x5 vectors, keys K+OPc', air(withOpc, 5)],
  ['AIR x32 vectors, keys K+OPc', air(withOpc, 32)],
];

console.log(`$ npx tsx bench/auth-vectors.ts ${process.argv.slice(2).join(' ')}`.trimEnd());
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, one thread, ${seconds}s per case`);
for (const [name, fn] of cases) {
  const rate = measure(seconds, fn);
  console.log(`${name.padEnd(52)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} EPS vectors/s`);
}
