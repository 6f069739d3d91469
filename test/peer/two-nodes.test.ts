// Two Diamond nodes over real TCP sockets on 127.0.0.1: CER/CEA, DWR/DWA, DPR/DPA, reconnect,
// and the election when both sides connect at once.
import { afterEach, describe, expect, it } from 'vitest';
import { DiameterNode } from '../../src/node/node.js';
import { testConfig, testPeer, waitFor } from '../support/node-config.js';

const nodes: DiameterNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

async function startNode(n: DiameterNode): Promise<DiameterNode> {
  nodes.push(n);
  await n.start();
  return n;
}

function peerState(n: DiameterNode, id: string): string | undefined {
  return n.peerStatus().find((p) => p.identity === id)?.state;
}

describe('two Diamond nodes over TCP', () => {
  it('open with CER/CEA, exchange DWR/DWA, close with DPR/DPA', async () => {
    const b = await startNode(new DiameterNode({ config: testConfig('b.realm-b.test', 'realm-b.test', { peers: [testPeer('a.realm-a.test', 1, { connect: false })] }) }));
    const port = b.listeners[0]!.port;
    const a = await startNode(
      new DiameterNode({ config: testConfig('a.realm-a.test', 'realm-a.test', { listen: [], peers: [testPeer('b.realm-b.test', port, { realm: 'realm-b.test', tw: 300 })] }) }),
    );
    await waitFor(() => peerState(a, 'b.realm-b.test') === 'I-Open' && peerState(b, 'a.realm-a.test') === 'R-Open', 'both sides open');
    const pa = a.peers.peer('b.realm-b.test')!;
    expect(pa.caps?.originRealm).toBe('realm-b.test');
    expect(pa.caps?.productName).toBe('Diamond-test');
    // Tw 300 ms: a DWR goes out and the watchdog stays OKAY.
    await new Promise((r) => setTimeout(r, 900));
    expect(pa.status().watchdog).toBe('OKAY');
    expect(pa.isAvailable).toBe(true);
    await a.stop();
    nodes.splice(nodes.indexOf(a), 1);
    expect(peerState(a, 'b.realm-b.test')).toBe('Closed');
    await waitFor(() => peerState(b, 'a.realm-a.test') === 'Closed', 'B sees the DPR');
  });

  it('refuses an unknown peer with CEA 3010 and keeps serving others', async () => {
    const b = await startNode(new DiameterNode({ config: testConfig('b.realm-b.test', 'realm-b.test', { peers: [] }) }));
    const port = b.listeners[0]!.port;
    const a = await startNode(new DiameterNode({ config: testConfig('a.realm-a.test', 'realm-a.test', { listen: [], peers: [testPeer('b.realm-b.test', port)] }) }));
    await new Promise((r) => setTimeout(r, 400));
    expect(peerState(a, 'b.realm-b.test')).not.toMatch(/Open/);
    expect(b.peerStatus()).toEqual([]);
  });

  it('elects one connection when both sides connect at the same time (RFC 6733 §5.6.4)', async () => {
    // Both listen first; then both connect in the same tick, so each gets the other's CER while
    // waiting for its own CEA. b.realm-b.test > a.realm-a.test: b wins and keeps the connection
    // a opened (b R-Open), a keeps its own (a I-Open); the losing connections are closed.
    const a = new DiameterNode({ config: testConfig('a.realm-a.test', 'realm-a.test', { peers: [] }) });
    const b = new DiameterNode({ config: testConfig('b.realm-b.test', 'realm-b.test', { peers: [] }) });
    await a.start(false);
    const pa = a.listeners[0]!.port;
    await a.stop();
    await b.start(false);
    const pb = b.listeners[0]!.port;
    await b.stop();
    const a2 = new DiameterNode({ config: testConfig('a.realm-a.test', 'realm-a.test', { listen: [{ transport: 'tcp', addresses: ['127.0.0.1'], port: pa }], peers: [testPeer('b.realm-b.test', pb)] }) });
    const b2 = new DiameterNode({ config: testConfig('b.realm-b.test', 'realm-b.test', { listen: [{ transport: 'tcp', addresses: ['127.0.0.1'], port: pb }], peers: [testPeer('a.realm-a.test', pa)] }) });
    nodes.push(a2, b2);
    await a2.start(false);
    await b2.start(false);
    a2.peers.startPeers();
    b2.peers.startPeers();
    await waitFor(() => /Open/.test(peerState(a2, 'b.realm-b.test') ?? '') && /Open/.test(peerState(b2, 'a.realm-a.test') ?? ''), 'both open');
    await new Promise((r) => setTimeout(r, 300));
    expect(peerState(b2, 'a.realm-a.test')).toBe('R-Open');
    expect(peerState(a2, 'b.realm-b.test')).toBe('I-Open');
    expect(a2.peers.peer('b.realm-b.test')!.isAvailable).toBe(true);
  });

  it('reconnects after the other side restarts', async () => {
    const cfgB = testConfig('b.realm-b.test', 'realm-b.test', { peers: [testPeer('a.realm-a.test', 1, { connect: false })] });
    const b = await startNode(new DiameterNode({ config: cfgB }));
    const port = b.listeners[0]!.port;
    const a = await startNode(new DiameterNode({ config: testConfig('a.realm-a.test', 'realm-a.test', { listen: [], peers: [testPeer('b.realm-b.test', port, { tc: 200 })] }) }));
    await waitFor(() => peerState(a, 'b.realm-b.test') === 'I-Open', 'open');
    await b.stop();
    nodes.splice(nodes.indexOf(b), 1);
    await waitFor(() => peerState(a, 'b.realm-b.test') !== 'I-Open', 'A sees B go');
    const b2 = await startNode(new DiameterNode({ config: { ...cfgB, listen: [{ transport: 'tcp', addresses: ['127.0.0.1'], port }] } }));
    await waitFor(() => peerState(a, 'b.realm-b.test') === 'I-Open' && peerState(b2, 'a.realm-a.test') === 'R-Open', 'reopened', 8000);
  });

  it('after a clean DPR/DPA, the reconnected peer carries traffic at once (no REOPEN)', async () => {
    // Tw 30 s: a REOPEN would need 3 DWAs, about 90 s; a clean close is not a failure.
    const cfgB = testConfig('b.realm-b.test', 'realm-b.test', { peers: [testPeer('a.realm-a.test', 1, { connect: false, tw: 30_000 })] });
    const b = await startNode(new DiameterNode({ config: cfgB }));
    const port = b.listeners[0]!.port;
    const a = await startNode(new DiameterNode({ config: testConfig('a.realm-a.test', 'realm-a.test', { listen: [], peers: [testPeer('b.realm-b.test', port, { tc: 200, tw: 30_000 })] }) }));
    const pa = a.peers.peer('b.realm-b.test')!;
    await waitFor(() => pa.isAvailable, 'open');
    await b.stop();
    nodes.splice(nodes.indexOf(b), 1);
    await waitFor(() => !pa.isAvailable, 'A sees the DPR');
    const b2 = await startNode(new DiameterNode({ config: { ...cfgB, listen: [{ transport: 'tcp', addresses: ['127.0.0.1'], port }] } }));
    await waitFor(() => pa.isAvailable && b2.peers.peer('a.realm-a.test')!.isAvailable, 'available again without 3 DWAs', 3000);
    expect(pa.status().watchdog).toBe('OKAY');
  });
});
