// Reading + extracting must keep up with at least 100,000 Diameter messages per second.
// One warm-up run (JIT), then the best of three, so a busy machine does not fail the build by
// bad luck.
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/pcap/reader.js';
import { PcapngBuilder } from '../../src/pcap/writer.js';
import { diameter } from './naive-bytes.js';

const MESSAGES = 100_000;
const TARGET_PER_SECOND = 100_000;

function bestRate(file: Buffer, expected: number): number {
  readCapture(file.subarray(0, file.length >> 3)); // warm-up; a cut file just ends with an error
  let best = 0;
  for (let run = 0; run < 3; run++) {
    const start = process.hrtime.bigint();
    const r = readCapture(file);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    expect(r.pdus.length).toBe(expected);
    best = Math.max(best, expected / seconds);
  }
  return best;
}

describe('reader throughput', () => {
  it(`extracts >= ${TARGET_PER_SECOND} messages/s`, () => {
    // 40 TCP connections and 10 SCTP associations; requests and answers; one message in five
    // big enough to span two segments.
    const b = new PcapngBuilder();
    const small = diameter({ code: 272, request: true, appId: 4, sessionId: 'pgw.example.org;1;2' });
    const large = diameter({ code: 272, request: true, appId: 4, sessionId: 'pgw.example.org;1;2', filler: 2000 });
    for (let i = 0; i < MESSAGES; i++) {
      const peer = i % 50;
      const answer = (i >> 1) % 2 === 1;
      const client = `10.2.${peer}.1`;
      const server = '10.9.0.1';
      b.add({
        time: { seconds: 1_700_000_000 + Math.floor(i / 1000), nanos: (i % 1000) * 1000 },
        src: answer ? server : client, dst: answer ? client : server,
        srcPort: answer ? 3868 : 40000 + peer, dstPort: answer ? 40000 + peer : 3868,
        transport: peer < 40 ? 'tcp' : 'sctp',
        data: i % 5 === 0 ? large : small,
      });
    }
    const file = b.toBuffer();
    const rate = bestRate(file, MESSAGES);
    console.log(`pcap reader: ${Math.round(rate)} Diameter messages/s (${(file.length / 1e6).toFixed(1)} MB capture)`);
    expect(rate).toBeGreaterThanOrEqual(TARGET_PER_SECOND);
  });
});
