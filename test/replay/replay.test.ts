// `diamond replay` as a child process against real nodes on 127.0.0.1: a capture made by a node's
// own capture replays against that node (restarted) with every answer matching; the committed
// regression capture still matches; a node that answers differently, and a capture whose answer
// was made different on purpose, are reported difference by difference with exit code 1.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { avp, message } from '../../src/diameter/codec/builder.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import { PcapngBuilder } from '../../src/pcap/writer.js';
import type { ReplayReport } from '../../src/replay/run.js';
import { diamond } from '../pcap-cli/cli-run.js';
import { captureSession, REGRESSION, REGRESSION_NODE } from './regression-capture.js';
import { dict, request, startNode, tempDir } from './traffic.js';

const dir = tempDir('diamond-replay-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function replay(file: string, port: number, ...args: string[]): Promise<{ code: number; report: ReplayReport; stderr: string }> {
  const r = await diamond(['replay', file, '--target', `127.0.0.1:${port}`, '--json', ...args]);
  let report: ReplayReport;
  try {
    report = JSON.parse(r.stdout) as ReplayReport;
  } catch {
    throw new Error(`replay printed no JSON (exit ${r.code}): ${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}

describe('diamond replay', () => {
  it('capture -> replay against the same node (restarted): every answer matches, exit 0', async () => {
    const { file } = await captureSession(path.join(dir, 'session.pcapng'));
    // Same identity and configuration as the node that made the capture.
    const { node, port } = await startNode(REGRESSION_NODE);
    try {
      const { code, report } = await replay(file, port);
      expect(report).toMatchObject({ total: 5, sent: 5, answered: 5, matched: 5, differed: 0, timedOut: 0, notSent: 0 });
      expect(report.results).toEqual([]); // --json lists only what did not match
      // The node's capture holds each client's CER, so the replay connects with what it advertised.
      expect(report.peers.map((p) => [p.identity, p.fromCer, p.node]).sort()).toEqual([
        ['mme1.epc.test', true, REGRESSION_NODE],
        ['scscf.ims.test', true, REGRESSION_NODE],
      ]);
      expect(code).toBe(0);
      // The node saw the replay's own sessions, not the captured ones.
      expect(node.peerStatus().map((p) => p.identity).sort()).toEqual(['mme1.epc.test', 'scscf.ims.test']);
    } finally {
      await node.stop();
    }
  });

  it('the committed regression capture (made by Diamond) still matches', async () => {
    const { node, port } = await startNode(REGRESSION_NODE);
    try {
      const text = await diamond(['replay', REGRESSION, '--target', `127.0.0.1:${port}`]);
      expect(text.stdout).toContain('sent 5, answered 5, matched 5, differed 0, timed out 0');
      expect(text.stdout).toMatch(/latency ms: p50 [\d.]+, p90 [\d.]+, p99 [\d.]+, max [\d.]+/);
      expect(text.code).toBe(0);
    } finally {
      await node.stop();
    }
  });

  it('--select, --peer and pacing options pick and pace what is sent', async () => {
    const { node, port } = await startNode(REGRESSION_NODE);
    try {
      const s6a = await replay(REGRESSION, port, '--select', 'S6a:AIR,:PUR', '--rate', '200');
      expect(s6a.report).toMatchObject({ total: 3, matched: 3 });
      expect(s6a.code).toBe(0);
      const cx = await replay(REGRESSION, port, '--peer', 'scscf.ims.test', '--pace', 'captured', '--speed', '10');
      expect(cx.report).toMatchObject({ total: 1, matched: 1 });
    } finally {
      await node.stop();
    }
  });

  it('a node that answers differently: each difference reported, exit 1, --report holds every request', async () => {
    const { node, port } = await startNode('hss2.epc.test');
    const reportFile = path.join(dir, 'report.json');
    try {
      const { code, report } = await replay(REGRESSION, port, '--report', reportFile);
      expect(code).toBe(1);
      expect(report).toMatchObject({ total: 5, answered: 5, matched: 0, differed: 5 });
      const first = report.results[0]!;
      expect(first.status).toBe('differed');
      expect(first.differences).toContainEqual({ kind: 'value', path: 'Origin-Host', expected: '"hss1.epc.test"', actual: '"hss2.epc.test"' });
      const full = JSON.parse(readFileSync(reportFile, 'utf8')) as ReplayReport;
      expect(full.results).toHaveLength(5);
    } finally {
      await node.stop();
    }
    // Origin-Host can be declared as legitimately different; then everything matches. (A fresh
    // node: one that saw these peers before keeps a reconnecting peer in watchdog REOPEN.)
    const again = await startNode('hss2.epc.test');
    try {
      const ignoring = await replay(REGRESSION, again.port, '--ignore', 'Origin-Host');
      expect(ignoring.report.matched).toBe(5);
      expect(ignoring.code).toBe(0);
    } finally {
      await again.node.stop();
    }
  });

  it('a captured answer made different on purpose: result and AVP differences, text output', async () => {
    const file = path.join(dir, 'doctored.pcapng');
    const b = new PcapngBuilder();
    const t = new Date('2026-03-01T00:00:00Z');
    const mme = { ip: '10.1.0.1', port: 41000 };
    const hss = { ip: '10.1.0.2', port: 3868 };
    const air = request('AIR', 'mme9.epc.test;5;1', '001010000000009', 'mme9.epc.test', { hbh: 7, e2e: 8 });
    const aia = encodeMessage(message(dict, 'AIA', [
      avp(dict, 'Session-Id', 'mme9.epc.test;5;1'), avp(dict, 'Auth-Session-State', 1),
      avp(dict, 'Origin-Host', 'hss1.epc.test'), avp(dict, 'Origin-Realm', 'epc.test'), avp(dict, 'Result-Code', 2001),
      avp(dict, 'Authentication-Info', [avp(dict, 'E-UTRAN-Vector', [avp(dict, 'RAND', Buffer.alloc(16, 1)), avp(dict, 'XRES', Buffer.alloc(8, 2)), avp(dict, 'AUTN', Buffer.alloc(16, 3)), avp(dict, 'KASME', Buffer.alloc(32, 4))])]),
    ], { hopByHopId: 7, endToEndId: 8 }, 16777251));
    b.add({ time: t, src: mme.ip, srcPort: mme.port, dst: hss.ip, dstPort: hss.port, data: air });
    b.add({ time: t, src: hss.ip, srcPort: hss.port, dst: mme.ip, dstPort: mme.port, data: aia });
    writeFileSync(file, b.toBuffer());
    const { node, port } = await startNode(REGRESSION_NODE);
    try {
      const r = await diamond(['replay', file, '--target', `127.0.0.1:${port}`]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('sent 1, answered 1, matched 0, differed 1, timed out 0');
      expect(r.stdout).toContain('#1 frame 4 AIR session mme9.epc.test;5;1:');
      expect(r.stdout).toContain('result: captured Result-Code 2001 (DIAMETER_SUCCESS), got Result-Code 3002 (DIAMETER_UNABLE_TO_DELIVER)');
      expect(r.stdout).toContain('missing Authentication-Info');
      expect(r.stdout).toContain('missing Authentication-Info/E-UTRAN-Vector/KASME');
      expect(r.stdout).toContain('extra Error-Message');
    } finally {
      await node.stop();
    }
  });

  it('a target that is not there, or refuses the peer: a clear error, exit 1', async () => {
    const { node, port } = await startNode(REGRESSION_NODE, { allowUnknownPeers: false });
    await node.stop();
    const gone = await diamond(['replay', REGRESSION, '--target', `127.0.0.1:${port}`]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error: 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    const strict = await startNode(REGRESSION_NODE, { allowUnknownPeers: false });
    try {
      const refused = await diamond(['replay', REGRESSION, '--target', `127.0.0.1:${strict.port}`]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/CEA Result-Code 3010.*we connected as (mme1\.epc\.test|scscf\.ims\.test)/);
    } finally {
      await strict.node.stop();
    }
    const badTarget = await diamond(['replay', REGRESSION, '--target', 'nowhere']);
    expect(badTarget.stderr).toContain('--target: expected HOST:PORT');
  });

  const shared = path.resolve(import.meta.dirname, '../../../shared/pcaps-public');
  it.runIf(existsSync(shared))('a public capture: connects as the client named in its CER (skipped without ../shared)', async () => {
    const { node, port } = await startNode(REGRESSION_NODE);
    try {
      const { code, report } = await replay(path.join(shared, 'open5gs-testattach.pcapng'), port, '--select', 'S6a');
      expect(report.peers).toHaveLength(1);
      expect(report.peers[0]).toMatchObject({ identity: 'mme.localdomain', fromCer: true });
      expect(report.sent).toBe(report.total);
      // The captured HSS answered 2001; this node has no HSS yet.
      expect(report.differed).toBe(report.total);
      expect(code).toBe(1);
    } finally {
      await node.stop();
    }
  });
});
