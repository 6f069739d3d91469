// freeDiameter 1.2.1 (Debian's freeDiameterd) and Diamond over kernel SCTP, both directions, in
// the UML guest. freeDiameter reads one Diameter message per SCTP message and uses its own 30
// streams, so this also checks that Diamond's framing and stream use suit a real SCTP peer.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DiameterNode } from '../../src/node/node.js';
import { FD_EXTENSION_DIR, FREEDIAMETERD, createPki, freeDiameterMissing, writeNodeFiles } from '../support/freediameter.js';
import { testConfig, testPeer, waitFor } from '../support/node-config.js';
import { peerState, requireSctp, sleep } from './support.js';

const FD = 'fd.realm-fd.test';
const DRA = 'dra.realm-a.test';

interface FdSctp {
  child: ChildProcess;
  dir: string;
  log(): string;
}

const running: FdSctp[] = [];
const nodes: DiameterNode[] = [];

beforeAll(() => {
  requireSctp();
  const missing = freeDiameterMissing();
  if (missing) throw new Error(missing);
});

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  for (const fd of running.splice(0)) {
    // Its SIGTERM shutdown takes up to ~16 s; nothing is left to check here, so SIGKILL.
    fd.child.kill('SIGKILL');
    if (!process.env.KEEP_FD_LOGS) rmSync(fd.dir, { recursive: true, force: true });
  }
});

/** freeDiameterd with SCTP only (No_TCP), listening on `port`, knowing Diamond at draPort. */
async function startFd(port: number, draPort: number): Promise<FdSctp> {
  // freeDiameter needs a local address on a non-loopback interface for its CER/CEA: scripts/uml-run.sh
  // gives the guest a dummy interface with 192.0.2.1 (RFC 5737 TEST-NET-1; nothing leaves the guest).
  const dir = mkdtempSync(join(tmpdir(), 'diamond-fd-sctp-'));
  const pki = createPki([FD]);
  const files = writeNodeFiles(dir, pki, FD);
  const conf = [
    `Identity = "${FD}";`,
    'Realm = "realm-fd.test";',
    `Port = ${port};`,
    `SecPort = ${port + 1};`,
    'No_TCP;',
    'No_IPv6;',
    'SCTP_streams = 30;',
    'TcTimer = 1;',
    'TwTimer = 6;',
    `TLS_Cred = "${files.cert}", "${files.key}";`,
    `TLS_CA = "${files.ca}";`,
    `LoadExtension = "${join(FD_EXTENSION_DIR, 'dbg_msg_dumps.fdx')}" : "0x2222";`,
    `ConnectPeer = "${DRA}" { ConnectTo = "127.0.0.1"; No_TCP; No_TLS; Port = ${draPort}; };`,
  ];
  writeFileSync(join(dir, 'freeDiameter.conf'), conf.join('\n') + '\n');
  const logPath = join(dir, 'fd.log');
  const { openSync, closeSync } = await import('node:fs');
  const out = openSync(logPath, 'a');
  const child = spawn(FREEDIAMETERD, ['-c', join(dir, 'freeDiameter.conf')], { stdio: ['ignore', out, out], cwd: dir });
  closeSync(out);
  const fd: FdSctp = { child, dir, log: () => readFileSync(logPath, 'utf8') };
  running.push(fd);
  await waitFor(() => fd.log().includes('freeDiameterd daemon initialized.') || child.exitCode !== null, 'freeDiameterd ready', 20_000);
  if (child.exitCode !== null) throw new Error(`freeDiameterd exited:\n${fd.log()}`);
  return fd;
}

describe('freeDiameter over SCTP', () => {
  it('freeDiameter connects to Diamond over SCTP: CER/CEA, then DWR/DWA', async () => {
    const node = new DiameterNode({
      config: testConfig(DRA, 'realm-a.test', {
        listen: [{ transport: 'sctp', addresses: ['127.0.0.1'], port: 3960 }],
        peers: [testPeer(FD, 3970, { connect: false, transport: 'sctp', prefer: 'sctp', tw: 300 })],
      }),
    });
    nodes.push(node);
    await node.start();
    const fd = await startFd(3970, 3960);
    await waitFor(() => peerState(node, FD) === 'R-Open', 'freeDiameter open (R-Open)', 20_000);
    const p = node.peers.peer(FD)!;
    expect(p.status().transport).toBe('sctp');
    expect(p.caps?.productName).toBe('freeDiameter');
    await sleep(1500); // several DWR/DWA rounds at Tw 300 ms
    expect(p.status().watchdog).toBe('OKAY');
    expect(p.isAvailable).toBe(true);
    expect(fd.log()).not.toMatch(/ERROR.*SCTP|Invalid message/i);
  });

  it('Diamond connects to freeDiameter over SCTP: CER/CEA, DWR/DWA, DPR/DPA', async () => {
    await startFd(3980, 3990);
    const node = new DiameterNode({
      config: testConfig(DRA, 'realm-a.test', { listen: [], peers: [testPeer(FD, 3980, { realm: 'realm-fd.test', transport: 'sctp', prefer: 'sctp', tw: 300 })] }),
    });
    nodes.push(node);
    await node.start();
    await waitFor(() => peerState(node, FD) === 'I-Open', 'I-Open with freeDiameter', 20_000);
    const p = node.peers.peer(FD)!;
    await sleep(1500);
    expect(p.status().watchdog).toBe('OKAY');
    const t0 = Date.now();
    await node.stop();
    nodes.splice(0);
    expect(peerState(node, FD)).toBe('Closed');
    // freeDiameter answered the DPR: stop() did not wait out its grace period.
    expect(Date.now() - t0).toBeLessThan(1500);
  });
});
