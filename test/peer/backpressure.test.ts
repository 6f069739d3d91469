// A peer that sends requests but does not read the answers: Diamond's queue towards it stays
// bounded (reading from it pauses), and once it reads again every request has its answer.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { avp } from '../../src/diameter/codec/builder.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import { FrameDecoder } from '../../src/diameter/codec/frame-decoder.js';
import { defaultDictionary } from '../../src/diameter/dictionary/load.js';
import { buildCer } from '../../src/diameter/peer/capabilities.js';
import { DiameterNode } from '../../src/node/node.js';
import { testConfig, testPeer, waitFor } from '../support/node-config.js';

const dict = defaultDictionary();
let node: DiameterNode | undefined;
afterEach(async () => node?.stop());

describe('backpressure towards a slow peer', () => {
  it('bounds the queue and answers every request once the peer reads', async () => {
    const limit = 64 * 1024;
    node = new DiameterNode({
      config: testConfig('dra.realm-a.test', 'realm-a.test', {
        peers: [testPeer('slow.realm-b.test', 1, { connect: false, tw: 30_000 })],
        limits: { maxMessageSize: 65536, maxPendingPerPeer: 1000, maxQueuedBytesPerPeer: limit },
      }),
    });
    await node.start();
    const sock = connect(node.listeners[0]!.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    let answers = 0;
    const dec = new FrameDecoder({ onFrame: () => answers++, onError: (e) => { throw e; } });
    sock.on('data', (c: Buffer) => dec.push(c));
    const local = { originHost: 'slow.realm-b.test', originRealm: 'realm-b.test', vendorId: 0, productName: 'slow', firmwareRevision: 1, originStateId: 1, authApplications: [0xffffffff], acctApplications: [], vendorApplications: [] };
    sock.write(encodeMessage(buildCer(dict, local, ['127.0.0.1'], { hopByHopId: 1, endToEndId: 1 }, false)));
    await waitFor(() => answers === 1, 'CEA');
    sock.pause(); // stop reading: Diamond's answers back up
    const peer = node.peers.peer('slow.realm-b.test')!;
    await waitFor(() => peer.isAvailable, 'peer open');
    // Enough answers (~15 MB) to fill the loopback socket buffers, so Diamond's own queue is reached.
    const n = 100_000;
    const req = (i: number): Buffer =>
      encodeMessage({
        version: 1, flags: 0xc0, commandCode: 316, applicationId: 16777251, hopByHopId: 1000 + i, endToEndId: 1000 + i,
        avps: [avp(dict, 'Session-Id', `slow;${i}`), avp(dict, 'Origin-Host', 'slow.realm-b.test'), avp(dict, 'Origin-Realm', 'realm-b.test'), avp(dict, 'Destination-Realm', 'realm-x.test'), avp(dict, 'User-Name', '001010000000001')],
      });
    let written = 0;
    const writeMore = (): void => {
      while (written < n) if (!sock.write(req(written++))) return void sock.once('drain', writeMore);
    };
    writeMore();
    let maxQueued = 0;
    const sampler = setInterval(() => (maxQueued = Math.max(maxQueued, peer.queuedBytes)), 5);
    await new Promise((r) => setTimeout(r, 3000));
    clearInterval(sampler);
    // One incoming chunk is answered in one go before reading pauses: allow that much over the bound.
    expect(maxQueued).toBeGreaterThan(0);
    expect(maxQueued).toBeLessThan(limit + 512 * 1024);
    expect(written).toBeLessThan(n); // the sender was held back
    sock.resume();
    await waitFor(() => answers === n + 1, `all ${n} answers`, 30_000);
    sock.destroy();
  }, 60_000);
});
