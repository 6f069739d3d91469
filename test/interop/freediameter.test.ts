// Diamond against a real freeDiameter 1.2.1 (Debian's freeDiameterd) on 127.0.0.1: CER/CEA in
// both directions, DWR/DWA both ways, DPR/DPA on stop, reconnection after either side restarts,
// then the same handshake over TLS at connect (RFC 6733 §13) and in-band TLS (RFC 3588,
// freeDiameter's TLS_old_method). Applications: freeDiameter without application extensions
// advertises only Relay (Auth-Application-Id 0xffffffff), and Diamond with `applications: []`
// does too; Relay on either side matches everything (RFC 6733 §5.3), so no 5010.
//
// freeDiameter's log lines asserted here come from its own notices ("'STATE_WAITCEA' ->
// 'STATE_OPEN' 'peer'", "Peer 'x' sent a DPR with cause: REBOOTING") and from dbg_msg_dumps in
// compact mode ("SND to 'x': 'Device-Watchdog-Answer'0/280 f:---- ...", "RCV from 'x': (no
// model)0/280 f:R--- ..."; received messages print "(no model)" because the hook runs before the
// dictionary lookup). Timers: freeDiameter TwTimer 6 s (its minimum), TcTimer 1 s (plus its
// random 0-4 s); Diamond Tw 1 s unless a test wants freeDiameter to send the DWRs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Config, PeerConfig } from '../../src/config/model.js';
import { DiameterNode } from '../../src/node/node.js';
import { FreeDiameter, type FdPeer, type TestPki, createPki, freeDiameterMissing, freePort, re, writeNodeFiles } from '../support/freediameter.js';
import { testConfig, testPeer, waitFor } from '../support/node-config.js';

const D = 'diamond.realm-d.test';
const D_REALM = 'realm-d.test';
const FD = 'fd.realm-fd.test';
const FD_REALM = 'realm-fd.test';

const missing = freeDiameterMissing();
if (missing) console.warn(`skipping the freeDiameter interop tests: ${missing}`);

/** Diamond's log, kept in memory: pino writes each record as one JSON line. */
interface MemoryLog {
  logger: Logger;
  messages(): string[];
  has(re: RegExp): boolean;
}

const logs: MemoryLog[] = [];

function memoryLog(): MemoryLog {
  const records: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void records.push(s) });
  const messages = (): string[] => records.map((r) => (JSON.parse(r) as { msg?: string }).msg ?? '');
  const log: MemoryLog = { logger, messages, has: (r) => messages().some((m) => r.test(m)) };
  logs.push(log);
  return log;
}

let pki: TestPki;
let certDir: string;
let tlsFiles: { cert: string; key: string; ca: string };
const nodes: DiameterNode[] = [];
const daemons: FreeDiameter[] = [];

beforeAll(() => {
  if (missing) return;
  pki = createPki([D, FD]);
  certDir = mkdtempSync(join(tmpdir(), 'diamond-interop-'));
  tlsFiles = writeNodeFiles(certDir, pki, D);
});

afterAll(() => {
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

beforeEach((ctx) => {
  ctx.skip(missing !== undefined, missing);
});

afterEach(async (ctx) => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  const fds = daemons.splice(0);
  const diamondLogs = logs.splice(0);
  if (ctx.task.result?.state === 'fail') {
    for (const l of diamondLogs) console.error(`Diamond log:\n${l.messages().join('\n')}`);
    for (const fd of fds) console.error(`freeDiameter log (${fd.logPath}):\n${fd.tail(80)}`);
  }
  await Promise.all(fds.map((fd) => fd.dispose()));
});

function diamondConfig(over: { listen?: Config['listen']; peer: Partial<PeerConfig> & { port: number }; tls?: boolean }): Config {
  const base = testConfig(D, D_REALM);
  return testConfig(D, D_REALM, {
    listen: over.listen ?? [{ transport: 'tcp', addresses: ['127.0.0.1'], port: 0 }],
    tls: over.tls ? { ...tlsFiles, verifyPeer: true, checkIdentity: true } : base.tls,
    peers: [testPeer(FD, over.peer.port, { realm: FD_REALM, tw: 1000, tc: 300, ...over.peer })],
    // A DPA timeout long enough that "stop() was quick" proves the DPA arrived.
    timers: { ...base.timers, dpaTimeout: 4000, shutdownGrace: 5000 },
  });
}

async function startDiamond(config: Config, log: MemoryLog): Promise<DiameterNode> {
  const n = new DiameterNode({ config, logger: log.logger });
  nodes.push(n);
  await n.start();
  return n;
}

async function startFd(peer: FdPeer): Promise<FreeDiameter> {
  const fd = await FreeDiameter.start({ identity: FD, realm: FD_REALM, pki, peers: [peer] });
  daemons.push(fd);
  return fd;
}

function fdPeerOf(n: DiameterNode): NonNullable<ReturnType<DiameterNode['peers']['peer']>> {
  const p = n.peers.peer(FD);
  if (!p) throw new Error(`Diamond has no peer ${FD}`);
  return p;
}

/** Records every watchdog state Diamond shows for the peer while fn runs. */
async function watchdogStatesDuring(n: DiameterNode, fn: () => Promise<unknown>): Promise<Set<string>> {
  const seen = new Set<string>([fdPeerOf(n).status().watchdog]);
  const t = setInterval(() => seen.add(fdPeerOf(n).status().watchdog), 20);
  try {
    await fn();
  } finally {
    clearInterval(t);
  }
  seen.add(fdPeerOf(n).status().watchdog);
  return seen;
}

const fdOpen = new RegExp(`-> 'STATE_OPEN'\\s+'${re(D)}'`);
const fdSent = (name: string): RegExp => new RegExp(`SND to '${re(D)}': '${name}'`);
/** A message freeDiameter received from Diamond, by command code and flags ("R---" request, "----" answer). */
const fdReceived = (code: number, flags: 'R---' | '----'): RegExp => new RegExp(`RCV from '${re(D)}': .*\\b0/${code} f:${flags}`);

describe('Diamond and freeDiameter over TCP', () => {
  it('freeDiameter connects to Diamond: CER/CEA, Diamond DWRs answered, stop() sends DPR, restarted Diamond is reconnected', async () => {
    const log = memoryLog();
    const config = diamondConfig({ peer: { port: 1, connect: false } });
    const d = await startDiamond(config, log);
    const port = d.listeners[0]!.port;
    const fd = await startFd({ identity: D, port, tls: 'none' });

    // (a) CER/CEA: Diamond R-Open and available; freeDiameter OPEN, without TLS.
    await waitFor(() => fdPeerOf(d).state === 'R-Open' && fdPeerOf(d).isAvailable, 'Diamond R-Open with freeDiameter', 15_000);
    await fd.waitForLog(fdOpen, 'the Diamond peer OPEN');
    expect(fd.lines(new RegExp(`No TLS protection negotiated with peer '${re(D)}'`))).toHaveLength(1);
    const caps = fdPeerOf(d).caps!;
    expect(caps.originRealm).toBe(FD_REALM);
    expect(caps.productName).toBe('freeDiameter');
    expect([...caps.applications]).toEqual([0xffffffff]);
    expect(fdPeerOf(d).status().transport).toBe('tcp');

    // (c) Diamond's Tw is 1 s: its DWRs reach freeDiameter, which answers each; the watchdog
    // never leaves OKAY.
    const mark = fd.mark();
    const states = await watchdogStatesDuring(d, () =>
      fd.waitForLog(fdSent('Device-Watchdog-Answer'), "three DWAs to Diamond's DWRs", { mark, count: 3, timeoutMs: 10_000 }),
    );
    expect(fd.lines(fdReceived(280, 'R---'), mark).length).toBeGreaterThanOrEqual(3);
    expect([...states]).toEqual(['OKAY']);
    expect(log.has(/watchdog OKAY -> SUSPECT/)).toBe(false);

    // (d) stop(): DPR (REBOOTING), freeDiameter answers DPA, Diamond is Closed at once rather than
    // after its 4 s DPA timeout.
    const beforeStop = fd.mark();
    const t0 = Date.now();
    await d.stop();
    nodes.splice(nodes.indexOf(d), 1);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(fdPeerOf(d).state).toBe('Closed');
    expect(log.has(/Closing -> Closed \(Rcv-DPA\)/)).toBe(true);
    expect(log.has(/timeout waiting for DPA/)).toBe(false);
    await fd.waitForLog(new RegExp(`Peer '${re(D)}' sent a DPR with cause: REBOOTING`), 'the DPR', { mark: beforeStop });
    await fd.waitForLog(fdSent('Disconnect-Peer-Answer'), 'the DPA', { mark: beforeStop });

    // (e) Diamond comes back on the same port: freeDiameter reconnects after its Tc (REBOOTING).
    const beforeRestart = fd.mark();
    const log2 = memoryLog();
    const d2 = await startDiamond({ ...config, listen: [{ transport: 'tcp', addresses: ['127.0.0.1'], port }] }, log2);
    await waitFor(() => fdPeerOf(d2).state === 'R-Open' && fdPeerOf(d2).isAvailable, 'freeDiameter reconnects to the restarted Diamond', 15_000);
    await fd.waitForLog(fdOpen, 'the Diamond peer OPEN again', { mark: beforeRestart });
  });

  it('Diamond connects to freeDiameter: CER/CEA, DWR/DWA, restarted freeDiameter is reconnected', async () => {
    const log = memoryLog();
    // freeDiameter must list Diamond to accept it; the port it would connect to is closed, so
    // the only connection is Diamond's.
    const fd = await startFd({ identity: D, port: await freePort(), tls: 'none' });
    const d = await startDiamond(diamondConfig({ listen: [], peer: { port: fd.port } }), log);

    // (b) Diamond's connection: I-Open.
    await waitFor(() => fdPeerOf(d).state === 'I-Open' && fdPeerOf(d).isAvailable, 'Diamond I-Open with freeDiameter', 15_000);
    await fd.waitForLog(fdOpen, 'the Diamond peer OPEN');
    await fd.waitForLog(new RegExp(`CONNECTED TO '${re(D)}' \\(TCP,soc`), 'a TCP connection from Diamond');
    await fd.waitForLog(fdSent('Device-Watchdog-Answer'), 'a DWA');
    expect(fdPeerOf(d).status().watchdog).toBe('OKAY');

    // (e) freeDiameter restarts: on SIGTERM it sends DPR (REBOOTING); Diamond answers and closes.
    const beforeStop = fd.mark();
    await fd.stop();
    expect(fd.lines(fdSent('Disconnect-Peer-Request'), beforeStop)).toHaveLength(1);
    expect(fd.lines(fdReceived(282, '----'), beforeStop)).toHaveLength(1);
    expect(log.has(/DPR received \(Disconnect-Cause 0\)/)).toBe(true);
    await waitFor(() => fdPeerOf(d).state !== 'I-Open', 'Diamond sees freeDiameter go');
    expect(fdPeerOf(d).isAvailable).toBe(false);

    // Back up on the same ports: Diamond reconnects every Tc. The connection ended with DPR/DPA,
    // not a failure, so the watchdog starts INITIAL again and needs no REOPEN round of 3 DWAs.
    const beforeRestart = fd.mark();
    await fd.restart();
    await waitFor(() => fdPeerOf(d).state === 'I-Open' && fdPeerOf(d).isAvailable, 'Diamond reconnects and trusts freeDiameter again', 15_000);
    await fd.waitForLog(fdOpen, 'the Diamond peer OPEN again', { mark: beforeRestart });
    expect(log.has(/watchdog OKAY -> INITIAL/)).toBe(true);
    expect(log.has(/watchdog INITIAL -> OKAY/)).toBe(true);
    expect(log.has(/watchdog DOWN -> REOPEN/)).toBe(false);
  });
});

describe('Diamond and freeDiameter applications', () => {
  it('a Diamond that advertises only S6a (not Relay) opens with freeDiameter, whose Relay matches it', async () => {
    const log = memoryLog();
    const fd = await startFd({ identity: D, port: await freePort(), tls: 'none' });
    const config = { ...diamondConfig({ listen: [], peer: { port: fd.port } }), applications: [{ id: 16777251, vendorId: 10415, kind: 'auth' as const }] };
    const d = await startDiamond(config, log);
    await waitFor(() => fdPeerOf(d).state === 'I-Open' && fdPeerOf(d).isAvailable, 'Diamond I-Open with freeDiameter', 15_000);
    await fd.waitForLog(fdOpen, 'the Diamond peer OPEN');
    expect([...fdPeerOf(d).caps!.applications]).toEqual([0xffffffff]);
    expect(fdPeerOf(d).status().applications).toEqual([16777251]);
  });
});

describe('Diamond and freeDiameter over TLS at connect (RFC 6733 §13)', () => {
  it('freeDiameter connects to Diamond over TLS; freeDiameter\'s own DWRs are answered', async () => {
    const log = memoryLog();
    // Diamond's Tw (10 s ± 1 s) is longer than freeDiameter's (6 s ± 2 s), so freeDiameter sends
    // the DWRs and each one it receives restarts Diamond's timer.
    const d = await startDiamond(
      diamondConfig({ tls: true, listen: [{ transport: 'tls', addresses: ['127.0.0.1'], port: 0 }], peer: { port: 1, connect: false, tls: 'connect', tw: 10_000 } }),
      log,
    );
    const fd = await startFd({ identity: D, port: d.listeners[0]!.port, tls: 'connect' });

    await waitFor(() => fdPeerOf(d).state === 'R-Open' && fdPeerOf(d).isAvailable, 'Diamond R-Open over TLS', 15_000);
    await fd.waitForLog(fdOpen, 'the Diamond peer OPEN');
    await fd.waitForLog(new RegExp(`CONNECTED TO '${re(D)}' \\(TCP,TLS,`), 'a TLS connection to Diamond');
    expect(fdPeerOf(d).status().transport).toBe('tls');
    expect(fd.lines(/No TLS protection negotiated/)).toHaveLength(0);

    // (c) the other direction: freeDiameter's DWR, Diamond's DWA.
    const states = await watchdogStatesDuring(d, async () => {
      await fd.waitForLog(fdSent('Device-Watchdog-Request'), "freeDiameter's DWR", { timeoutMs: 15_000 });
      await fd.waitForLog(fdReceived(280, '----'), "Diamond's DWA");
    });
    expect([...states]).toEqual(['OKAY']);
    expect(fd.lines(fdReceived(280, 'R---'))).toHaveLength(0);
  });

  it('Diamond connects to freeDiameter over TLS', async () => {
    const log = memoryLog();
    const fd = await startFd({ identity: D, port: await freePort(), tls: 'connect' });
    const d = await startDiamond(diamondConfig({ tls: true, listen: [], peer: { port: fd.secPort, tls: 'connect' } }), log);

    await waitFor(() => fdPeerOf(d).state === 'I-Open' && fdPeerOf(d).isAvailable, 'Diamond I-Open over TLS', 15_000);
    await fd.waitForLog(fdOpen, 'the Diamond peer OPEN');
    await fd.waitForLog(new RegExp(`CONNECTED TO '${re(D)}' \\(TCP,TLS,`), 'a TLS connection from Diamond');
    await fd.waitForLog(fdSent('Device-Watchdog-Answer'), "a DWA to Diamond's DWR over TLS");
    expect(fdPeerOf(d).status().transport).toBe('tls');
  });
});

describe('Diamond and freeDiameter with in-band TLS (RFC 3588, TLS_old_method)', () => {
  const tlsAfterCea = /in-band TLS established/;

  it('freeDiameter connects to Diamond and starts TLS after CER/CEA', async () => {
    const log = memoryLog();
    const d = await startDiamond(diamondConfig({ tls: true, peer: { port: 1, connect: false, tls: 'inband' } }), log);
    const fd = await startFd({ identity: D, port: d.listeners[0]!.port, tls: 'inband' });

    // Available only once the handshake on the same connection succeeded (the watchdog starts then).
    await waitFor(() => fdPeerOf(d).state === 'R-Open' && fdPeerOf(d).isAvailable, 'Diamond R-Open with in-band TLS', 15_000);
    expect(log.has(tlsAfterCea)).toBe(true);
    await fd.waitForLog(new RegExp(`'STATE_OPEN_HANDSHAKE'\\s+-> 'STATE_OPEN'\\s+'${re(D)}'`), 'the handshake state left for OPEN');
    await fd.waitForLog(fdSent('Device-Watchdog-Answer'), "a DWA to Diamond's DWR inside TLS");
    expect(fd.lines(/No TLS protection negotiated|non-properly terminated/)).toHaveLength(0);
    expect(fdPeerOf(d).status().transport).toBe('tcp+inband-tls');
  });

  it('Diamond connects to freeDiameter and starts TLS after CER/CEA', async () => {
    const log = memoryLog();
    const fd = await startFd({ identity: D, port: await freePort(), tls: 'inband' });
    const d = await startDiamond(diamondConfig({ tls: true, listen: [], peer: { port: fd.port, tls: 'inband' } }), log);

    await waitFor(() => fdPeerOf(d).state === 'I-Open' && fdPeerOf(d).isAvailable, 'Diamond I-Open with in-band TLS', 15_000);
    expect(log.has(tlsAfterCea)).toBe(true);
    await fd.waitForLog(fdOpen, 'the Diamond peer OPEN');
    await fd.waitForLog(fdSent('Device-Watchdog-Answer'), "a DWA to Diamond's DWR inside TLS");
    expect(fd.lines(/No TLS protection negotiated|non-properly terminated/)).toHaveLength(0);
  });
});
