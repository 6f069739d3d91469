// On a kernel without SCTP (this machine's; SCTP itself is tested in the UML guest by
// `npm run test:sctp`): SCTP reports one clear reason, a node with an SCTP and a TCP listener
// still starts its TCP one, and `diamond replay --transport sctp` fails with that reason.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sctpConnect, sctpListen } from '../../src/diameter/transport/sctp/sctp-socket.js';
import { sctpUnavailableReason } from '../../src/diameter/transport/transport.js';
import { DiameterNode } from '../../src/node/node.js';
import { diamond } from '../pcap-cli/cli-run.js';
import { testConfig, testPeer, waitFor } from '../support/node-config.js';

const why = sctpUnavailableReason();

describe.runIf(why !== undefined)('no SCTP in this kernel', () => {
  it('says so clearly, with a stable code, for listen and connect', async () => {
    expect(why).toMatch(/this kernel has no SCTP: load the sctp module, or use TCP|SCTP addon/);
    await expect(sctpListen({ addresses: ['127.0.0.1'], port: 0 }, () => undefined)).rejects.toMatchObject({ code: 'DIAMOND_ERR_SCTP_UNAVAILABLE', message: why });
    await expect(sctpConnect({ addresses: ['127.0.0.1'], port: 3868, timeoutMs: 500 })).rejects.toMatchObject({ code: 'DIAMOND_ERR_SCTP_UNAVAILABLE' });
  });

  it('a node with an sctp and a tcp listener starts the tcp one and serves peers on it', async () => {
    const b = new DiameterNode({
      config: testConfig('b.realm-b.test', 'realm-b.test', {
        listen: [
          { transport: 'sctp', addresses: ['127.0.0.1'], port: 0 },
          { transport: 'tcp', addresses: ['127.0.0.1'], port: 0 },
        ],
        peers: [testPeer('a.realm-a.test', 1, { connect: false })],
      }),
    });
    await b.start();
    try {
      expect(b.listeners.map((l) => l.kind)).toEqual(['tcp']);
      const a = new DiameterNode({ config: testConfig('a.realm-a.test', 'realm-a.test', { listen: [], peers: [testPeer('b.realm-b.test', b.listeners[0]!.port)] }) });
      await a.start();
      try {
        await waitFor(() => a.peerStatus()[0]?.state === 'I-Open', 'TCP peer open');
      } finally {
        await a.stop();
      }
    } finally {
      await b.stop();
    }
  });

  it('a peer with transport sctp fails to connect with the reason, and prefer: sctp falls back to TCP', async () => {
    const b = new DiameterNode({ config: testConfig('b.realm-b.test', 'realm-b.test', { peers: [testPeer('a.realm-a.test', 1, { connect: false })] }) });
    await b.start();
    const port = b.listeners[0]!.port;
    const a = new DiameterNode({
      config: testConfig('a.realm-a.test', 'realm-a.test', { listen: [], peers: [testPeer('b.realm-b.test', port, { transport: 'sctp', prefer: 'sctp', fallback: true })] }),
    });
    // The fallback reaches the peer layer through PeerSettings.fallback (set from config by the node).
    const peer = a.peers.peer('b.realm-b.test')!;
    (peer.settings as { fallback?: string }).fallback = 'tcp';
    await a.start();
    try {
      await waitFor(() => a.peerStatus()[0]?.state === 'I-Open', 'open over TCP after SCTP failed');
      expect(a.peerStatus()[0]?.transport).toBe('tcp');
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

describe.runIf(why !== undefined)('diamond replay --transport on a kernel without SCTP', () => {
  it('--transport sctp: one line naming the target and the reason, exit 1; a bad --transport is named', async () => {
    const capture = path.resolve(import.meta.dirname, '../../pcaps/diamond-hss-attach-ims.pcapng');
    const r = await diamond(['replay', capture, '--target', '127.0.0.1:3868', '--transport', 'sctp']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: 127.0.0.1:3868 (SCTP): ${why}\n`);
    expect(r.stdout).toBe('');
    const bad = await diamond(['replay', capture, '--target', '127.0.0.1:3868', '--transport', 'udp']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--transport: expected tcp or sctp, got "udp"');
  });
});

describe.runIf(why === undefined)('kernel SCTP present', () => {
  it('reports SCTP as available', () => {
    expect(why).toBeUndefined();
  });
});
