// Codec benchmarks (issue: foundation). Run: npx tsx bench/codec.ts
//  1. relay view: scan + Route-Record append + hop-by-hop rewrite of a ~300-byte ULR (target <= 1 us)
//  2. full decode + re-encode of an AIA with 4 E-UTRAN vectors (target <= 20 us)
// Each figure is the median of 7 timed rounds after a warm-up, on one core.
import { decodeMessage } from '../src/diameter/codec/decode.js';
import { encodeMessage } from '../src/diameter/codec/encode.js';
import { RelayView, encodeRouteRecord } from '../src/diameter/codec/relay-view.js';
import { defaultDictionary } from '../src/diameter/dictionary/load.js';
import { golden } from '../test/golden/messages.js';

const dict = defaultDictionary();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function bench(name: string, iterations: number, fn: () => void, targetNs: number): void {
  for (let i = 0; i < iterations; i++) fn(); // warm-up
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    rounds.push(Number(process.hrtime.bigint() - t0) / iterations);
  }
  const ns = median(rounds);
  console.log(`${name}: ${(ns / 1000).toFixed(3)} us/message (${Math.round(1e9 / ns).toLocaleString('en')} messages/s), target <= ${targetNs / 1000} us: ${ns <= targetNs ? 'met' : 'NOT met'}`);
}

// A ULR of about 300 bytes that already crossed one DRA (one Route-Record to check).
const ulr = golden['ulr-300']!;
const view = new RelayView();
const rr = encodeRouteRecord('dra1.epc.mnc001.mcc001.3gppnetwork.org');
const own = Buffer.from('dra1.epc.mnc001.mcc001.3gppnetwork.org');
let hbh = 1;
let sink = 0;
console.log(`node ${process.version}, ULR ${ulr.length} bytes, AIA ${golden['aia-4']!.length} bytes`);
bench(
  'relay view (scan, loop check, Route-Record append, hop-by-hop rewrite)',
  1_000_000,
  () => {
    view.scan(ulr);
    if (view.hasRouteRecord(own)) throw new Error('loop');
    const out = view.withAppended(rr);
    out.writeUInt32BE((hbh = (hbh + 1) >>> 0), 12);
    sink += out.length;
  },
  1000,
);
const aia = golden['aia-4']!;
bench(
  'full decode + re-encode, AIA with 4 E-UTRAN vectors',
  100_000,
  () => {
    const { message } = decodeMessage(aia, dict);
    sink += encodeMessage(message!).length;
  },
  20_000,
);
if (sink === 0) console.log('');
