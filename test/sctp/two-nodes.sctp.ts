// Two Diamond nodes over kernel SCTP in the UML guest: CER/CEA, DWR/DWA, DPR/DPA; a peer killed
// while it is sending; a multi-homed association (127.0.0.1 + 127.0.0.2) that survives the loss
// of one address.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiameterNode } from '../../src/node/node.js';
import { testConfig, testPeer, waitFor } from '../support/node-config.js';
import { air, cer, peerState, pythonPeer, requireSctp, sleep } from './support.js';

const nodes: DiameterNode[] = [];
beforeAll(requireSctp);
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

async function startNode(n: DiameterNode): Promise<DiameterNode> {
  nodes.push(n);
  await n.start();
  return n;
}

const sctpListen = [{ transport: 'sctp' as const, addresses: ['127.0.0.1'], port: 0 }];

describe('two Diamond nodes over SCTP', () => {
  it('open with CER/CEA, exchange DWR/DWA, close with DPR/DPA', async () => {
    const b = await startNode(
      new DiameterNode({ config: testConfig('b.realm-b.test', 'realm-b.test', { listen: sctpListen, peers: [testPeer('a.realm-a.test', 1, { connect: false })] }) }),
    );
    const port = b.listeners[0]!.port;
    const a = await startNode(
      new DiameterNode({
        config: testConfig('a.realm-a.test', 'realm-a.test', { listen: [], peers: [testPeer('b.realm-b.test', port, { realm: 'realm-b.test', transport: 'sctp', prefer: 'sctp', tw: 300 })] }),
      }),
    );
    await waitFor(() => peerState(a, 'b.realm-b.test') === 'I-Open' && peerState(b, 'a.realm-a.test') === 'R-Open', 'both sides open');
    const pa = a.peers.peer('b.realm-b.test')!;
    expect(pa.status().transport).toBe('sctp');
    expect(b.peers.peer('a.realm-a.test')!.status().transport).toBe('sctp');
    expect(pa.caps?.originRealm).toBe('realm-b.test');
    // Tw 300 ms: DWRs go out and are answered; the watchdog stays OKAY.
    await sleep(1200);
    expect(pa.status().watchdog).toBe('OKAY');
    expect(pa.isAvailable).toBe(true);
    const t0 = Date.now();
    await a.stop();
    nodes.splice(nodes.indexOf(a), 1);
    expect(peerState(a, 'b.realm-b.test')).toBe('Closed');
    await waitFor(() => peerState(b, 'a.realm-a.test') === 'Closed', 'B sees the DPR and the close', 3000);
    // DPA came back: stop() did not have to wait out its grace period.
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('notices a peer killed while it is sending, and accepts the next one', async () => {
    const node = await startNode(
      new DiameterNode({ config: testConfig('dra.realm-a.test', 'realm-a.test', { listen: sctpListen, peers: [testPeer('mme.realm-b.test', 1, { connect: false, transport: 'sctp', prefer: 'sctp', tw: 30_000 })] }) }),
    );
    const port = String(node.listeners[0]!.port);
    const args = ['--port', port, '--cer', cer('mme.realm-b.test', 'realm-b.test').toString('hex'), '--request', air('mme.realm-b.test', 'realm-b.test', 'realm-a.test').toString('hex')];
    const py = pythonPeer([...args, '--forever']);
    await waitFor(() => py.events.some((e) => e.event === 'open'), 'the Python peer open', 10_000);
    await waitFor(() => peerState(node, 'mme.realm-b.test') === 'R-Open', 'R-Open');
    await sleep(300); // requests flowing
    py.child.kill('SIGKILL');
    await py.exited;
    // The kernel aborts the association when the process dies; the node sees the close at once.
    await waitFor(() => peerState(node, 'mme.realm-b.test') === 'Closed', 'the killed peer closed', 3000);
    const again = pythonPeer([...args, '--count', '3']);
    expect(await again.exited).toBe(0);
    // After a failure the watchdog is in REOPEN (RFC 3539 §3.4.1) and sends a DWR first; the
    // Python peer does not answer it, and its requests are still answered.
    const codes = again.events.filter((e) => e.event === 'recv').map((e) => e.code);
    expect(codes[0]).toBe(257);
    expect(codes.filter((c) => c !== 280)).toEqual([257, 318, 318, 318]);
  });
});

// --- multi-homing: needs root in the guest for ip(8) and the SCTP sysctls ---

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

const SYSCTL = '/proc/sys/net/sctp/';
function setSysctl(values: Record<string, string>): Record<string, string> {
  const old: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    old[k] = readFileSync(SYSCTL + k, 'utf8').trim();
    writeFileSync(SYSCTL + k, v);
  }
  return old;
}

/** Remote addresses of each association, from /proc/net/sctp/assocs. */
function assocRemoteAddresses(): string[][] {
  const lines = readFileSync('/proc/net/sctp/assocs', 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => {
    const [, remote = ''] = l.split('<->');
    return remote.trim().split(/\s+/).filter((x) => /^\*?\d+\.\d+\.\d+\.\d+$/.test(x)).map((x) => x.replace('*', ''));
  });
}

describe('multi-homed SCTP association', () => {
  it('uses 127.0.0.1 and 127.0.0.2 and keeps the peer up when 127.0.0.1 is lost', async () => {
    try {
      ip('addr', 'add', '127.0.0.2/8', 'dev', 'lo');
    } catch {
      // already there
    }
    // Fast path failure detection: short RTOs and heartbeats, one retransmission per path.
    const old = setSysctl({ rto_min: '50', rto_initial: '200', rto_max: '400', hb_interval: '200', path_max_retrans: '1', association_max_retrans: '30' });
    let blocked = false;
    try {
      // The listener binds the wildcard: its INIT-ACK lists every local address, 127.0.0.2 included.
      const b = await startNode(
        new DiameterNode({
          config: testConfig('b.realm-b.test', 'realm-b.test', { listen: [{ transport: 'sctp', addresses: ['0.0.0.0'], port: 3900 }], peers: [testPeer('a.realm-a.test', 1, { connect: false })] }),
        }),
      );
      const a = await startNode(
        new DiameterNode({
          config: testConfig('a.realm-a.test', 'realm-a.test', {
            listen: [],
            peers: [testPeer('b.realm-b.test', b.listeners[0]!.port, { addresses: ['127.0.0.1', '127.0.0.2'], transport: 'sctp', prefer: 'sctp', tw: 2000 })],
          }),
        }),
      );
      await waitFor(() => peerState(a, 'b.realm-b.test') === 'I-Open', 'open');
      const pa = a.peers.peer('b.realm-b.test')!;
      for (const remotes of assocRemoteAddresses()) expect(remotes).toEqual(expect.arrayContaining(['127.0.0.1', '127.0.0.2']));
      expect(assocRemoteAddresses()).toHaveLength(2);
      // Lose 127.0.0.1: a blackhole rule ahead of the local table drops every packet sent to it.
      ip('rule', 'add', 'pref', '100', 'lookup', 'local');
      ip('rule', 'del', 'pref', '0');
      ip('rule', 'add', 'pref', '10', 'to', '127.0.0.1/32', 'blackhole');
      blocked = true;
      // Several watchdog rounds (Tw 2 s) with only 127.0.0.2 working: never unavailable.
      const until = Date.now() + 5000;
      while (Date.now() < until) {
        expect(pa.isAvailable, readFileSync('/proc/net/sctp/remaddr', 'utf8')).toBe(true);
        await sleep(100);
      }
      expect(pa.status().watchdog).toBe('OKAY');
      expect(peerState(a, 'b.realm-b.test')).toBe('I-Open');
      expect(peerState(b, 'a.realm-a.test')).toBe('R-Open');
    } finally {
      if (blocked) {
        ip('rule', 'del', 'pref', '10');
        ip('rule', 'add', 'pref', '0', 'lookup', 'local');
        ip('rule', 'del', 'pref', '100');
      }
      // Reverse order: rto_max goes back up before rto_min does (rto_min <= rto_max at every step).
      setSysctl(Object.fromEntries(Object.entries(old).reverse()));
    }
  });
});
