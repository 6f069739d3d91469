// Kernel SCTP through the transport seam, in the UML guest: IPv4/IPv6 associations driven by
// node:net, negotiated streams and SCTP_NODELAY, multi-homed bind, and what goes on the wire
// (stream, PPID, one Diameter message per SCTP message) as seen by an independent Python peer.
import { once } from 'node:events';
import type { Server, Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sctpConnect, sctpListen, sctpStatus } from '../../src/diameter/transport/sctp/sctp-socket.js';
import { DiameterNode } from '../../src/node/node.js';
import { testConfig, waitFor } from '../support/node-config.js';
import { air, cer, pythonPeer, requireSctp } from './support.js';

const servers: Server[] = [];
const sockets: Socket[] = [];
const nodes: DiameterNode[] = [];
beforeAll(requireSctp);
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

async function echoServer(addresses: string[]): Promise<{ port: number; accepted: Socket[] }> {
  const accepted: Socket[] = [];
  const server = await sctpListen({ addresses, port: 0 }, (s) => {
    accepted.push(s);
    sockets.push(s);
    s.on('data', (d) => s.write(d));
  });
  servers.push(server);
  const addr = server.address();
  return { port: typeof addr === 'object' && addr ? addr.port : 0, accepted };
}

function frame(app: number, body: string): Buffer {
  // A Diameter-shaped frame (header with the application id at offset 8) and a text body.
  const b = Buffer.alloc(20 + body.length);
  b[0] = 1;
  b.writeUIntBE(b.length, 1, 3);
  b.writeUInt32BE(app, 8);
  b.write(body, 20);
  return b;
}

describe('SCTP transport (kernel SCTP through node:net)', () => {
  for (const [family, host] of [
    ['IPv4', '127.0.0.1'],
    ['IPv6', '::1'],
  ] as const) {
    it(`opens an ${family} association with 30 streams and SCTP_NODELAY, and carries bytes both ways`, async () => {
      const { port, accepted } = await echoServer([host]);
      const c = await sctpConnect({ addresses: [host], port, timeoutMs: 3000 });
      sockets.push(c);
      const st = sctpStatus(c);
      expect(st.outStreams).toBe(30);
      expect(st.inStreams).toBe(30);
      expect(st.nodelay).toBe(true);
      expect(st.primary.address).toBe(host);
      expect(c.remotePort).toBe(port);
      const got: Buffer[] = [];
      c.on('data', (d: Buffer) => got.push(d));
      const msgs = [frame(0, 'base'), frame(16777251, 'app-1'), frame(16777251, 'app-2')];
      for (const m of msgs) c.write(m);
      await waitFor(() => Buffer.concat(got).length === msgs.reduce((n, m) => n + m.length, 0), 'the echo');
      expect(Buffer.concat(got)).toEqual(Buffer.concat(msgs));
      await waitFor(() => accepted.length === 1, 'accepted');
      expect(sctpStatus(accepted[0]!).nodelay).toBe(true);
    });
  }

  it('a burst written in one tick leaves in one batch and is read back in a few reads, byte for byte', async () => {
    // 200 frames of varied sizes (one over a 4 KiB recvmmsg slot): with one read per SCTP message
    // the echo server would see 200 'data' events; batched reads need a handful.
    const { port, accepted } = await echoServer(['127.0.0.1']);
    const c = await sctpConnect({ addresses: ['127.0.0.1'], port, timeoutMs: 3000 });
    sockets.push(c);
    await waitFor(() => accepted.length === 1, 'accepted');
    let serverReads = 0;
    accepted[0]!.on('data', () => serverReads++);
    const got: Buffer[] = [];
    let gotBytes = 0;
    c.on('data', (d: Buffer) => {
      got.push(d);
      gotBytes += d.length;
    });
    const msgs = Array.from({ length: 200 }, (_, i) => frame(i % 3 === 0 ? 0 : 16777251, `m${i}-${'x'.repeat(i === 7 ? 9000 : i)}`));
    for (const m of msgs) c.write(m);
    const sent = Buffer.concat(msgs);
    await waitFor(() => gotBytes >= sent.length, 'the echo of the burst');
    expect(Buffer.concat(got).equals(sent)).toBe(true); // same bytes, same order
    expect(serverReads).toBeLessThan(20);
  });

  it('binds several local addresses to one endpoint (multi-homing) and reports them', async () => {
    const { port } = await echoServer(['127.0.0.1', '::1']);
    const c = await sctpConnect({ addresses: ['::1', '127.0.0.1'], port, timeoutMs: 3000 });
    sockets.push(c);
    const peers = sctpStatus(c).peerAddresses.map((a) => a.address);
    expect(peers).toEqual(expect.arrayContaining(['::1', '127.0.0.1']));
  });

  it('refuses a connection to a port with no listener with a clear error', async () => {
    await expect(sctpConnect({ addresses: ['127.0.0.1'], port: 9, timeoutMs: 2000 })).rejects.toMatchObject({ code: 'DIAMOND_ERR_SCTP_SOCKET' });
  });

  it('end() on an association closes both sides (no half-close in SCTP)', async () => {
    const { port, accepted } = await echoServer(['127.0.0.1']);
    const c = await sctpConnect({ addresses: ['127.0.0.1'], port, timeoutMs: 3000 });
    await waitFor(() => accepted.length === 1, 'accepted');
    const closedHere = once(c, 'close');
    const closedThere = once(accepted[0]!, 'close');
    c.end();
    await Promise.all([closedHere, closedThere]);
  });
});

describe('Diameter over SCTP on the wire (independent Python peer)', () => {
  it('answers requests sent on several streams; CEA on stream 0, answers spread over streams, PPID 46, one message per SCTP message', async () => {
    const node = new DiameterNode({
      config: testConfig('dra.realm-a.test', 'realm-a.test', { listen: [{ transport: 'sctp', addresses: ['127.0.0.1'], port: 0 }], allowUnknownPeers: true }),
    });
    nodes.push(node);
    await node.start();
    const port = node.listeners[0]!.port;
    expect(node.listeners[0]!.kind).toBe('sctp');
    // Enough requests that the node reads them in bursts and answers in batches (sendmmsg): each
    // answer must still arrive as its own SCTP message.
    const COUNT = 60;
    const py = pythonPeer(['--port', String(port), '--cer', cer('mme.realm-b.test', 'realm-b.test').toString('hex'), '--request', air('mme.realm-b.test', 'realm-b.test', 'realm-a.test').toString('hex'), '--count', String(COUNT), '--streams', '5']);
    const code = await py.exited;
    expect(py.stderr()).toBe('');
    expect(code).toBe(0);
    const recv = py.events.filter((e) => e.event === 'recv' && e.code !== 280); // DWRs may come in between
    expect(recv[0]).toMatchObject({ code: 257, sid: 0, ppid: 46, eor: true });
    const answers = recv.slice(1);
    expect(answers).toHaveLength(COUNT);
    for (const a of answers) {
      expect(a).toMatchObject({ code: 318, app: 16777251, ppid: 46, eor: true });
      expect(a.len).toBe(a.dlen); // exactly one Diameter message in the SCTP message
    }
    expect(new Set(answers.map((a) => a.hbh))).toEqual(new Set(Array.from({ length: COUNT }, (_, i) => i + 1)));
    const sids = new Set(answers.map((a) => a.sid));
    expect(sids.has(0)).toBe(false);
    expect(sids.size).toBeGreaterThan(5);
  });
});
