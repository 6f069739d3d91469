// `diamond replay --transport sctp` in the UML guest: the MME side of the Open5GS attach capture
// (../shared/pcaps-public/open5gs-testattach.pcapng: AIRs, a resync AIR, ULRs, an unknown IMSI)
// replayed over kernel SCTP against a Diamond HSS listening on SCTP, provisioned as the TCP replay
// of the same capture (test/hss/s6a/open5gs-replay.test.ts). Every request must be answered with
// the captured Result-Code, and each answer must compare with the capture exactly as the same
// replay over TCP does against a twin HSS in the same guest.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/pcap/reader.js';
import { DEFAULT_IGNORED_AVPS, DEFAULT_IGNORED_TYPES } from '../../src/replay/compare.js';
import { buildPlan } from '../../src/replay/plan.js';
import { type ReplayReport, runReplay } from '../../src/replay/run.js';
import { MessageSelector } from '../../src/replay/select.js';
import { startHss, type Hss } from '../hss/s6a/harness.js';
import { diamond } from '../pcap-cli/cli-run.js';
import { dict, tempDir } from '../replay/traffic.js';
import { requireSctp } from './support.js';

const CAPTURE = path.resolve(import.meta.dirname, '../../../shared/pcaps-public/open5gs-testattach.pcapng');
const present = existsSync(CAPTURE);
if (!present) console.warn(`replay.sctp.ts: skipped, ${CAPTURE} not found (the public captures live in ../shared)`);

const MME = 'mme.localdomain';
// The subscriber of the capture (keys in ../shared/vectors.md), as open5gs-replay.test.ts seeds it.
const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'e8ed289deba952e4283b54e88e6183ca';
const IMSI = '901707364000060';

function hss(transport: 'tcp' | 'sctp'): Promise<Hss> {
  return startHss({
    config: { identity: 'hss.localdomain', realm: 'localdomain', listen: [{ transport, addresses: ['127.0.0.1'], port: 0 }] },
    provision: (s) => s.subscribers.createWithAuc({ imsi: IMSI, msisdn: '8210000000060', apns: ['internet'] }, { k: K, opc: OPC, amf: '8000' }, 'test'),
  });
}

/** What a replay concluded about one request, without timings and session ids. */
function outcome(r: ReplayReport): unknown[] {
  return r.results.map((x) => ({ index: x.index, command: x.command, status: x.status, expected: x.expectedResult, actual: x.actualResult, differences: x.differences }));
}

describe.skipIf(!present)('diamond replay --transport sctp: the Open5GS attach capture against an HSS on SCTP (needs ../shared/pcaps-public)', () => {
  const dir = tempDir('diamond-sctp-replay-');
  let tcp: ReplayReport;
  beforeAll(async () => {
    requireSctp();
    // The reference: the same replay over TCP against a twin HSS, in-process.
    const twin = await hss('tcp');
    try {
      const plan = buildPlan(readCapture(readFileSync(CAPTURE)).pdus, dict, { selector: MessageSelector.parse(dict, []), peers: [MME] });
      tcp = await runReplay(plan, dict, {
        host: '127.0.0.1', port: twin.port, pacing: { mode: 'fast' }, window: 64, timeoutMs: 10_000,
        ignore: new Set(DEFAULT_IGNORED_AVPS), ignoreTypes: new Set(DEFAULT_IGNORED_TYPES),
      });
    } finally {
      await twin.close();
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every AIR and ULR is answered over SCTP with the captured result, and compares as over TCP', async () => {
    const node = await hss('sctp');
    try {
      expect(node.node.listeners[0]!.kind).toBe('sctp');
      const reportFile = path.join(dir, 'report.json');
      const r = await diamond(['replay', CAPTURE, '--target', `127.0.0.1:${node.port}`, '--transport', 'sctp', '--peer', MME, '--report', reportFile, '--no-progress']);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(`against 127.0.0.1:${node.port} over SCTP (hss.localdomain) as ${MME}`);
      const sctp = JSON.parse(readFileSync(reportFile, 'utf8')) as ReplayReport;
      expect(sctp.transport).toBe('sctp');
      // The MME's S6a traffic: AIRs (one with Re-Synchronization-Info, one for an unknown IMSI) and ULRs.
      expect(sctp.total).toBe(tcp.total);
      expect(sctp.results.filter((x) => x.command === 'AIR').length).toBeGreaterThanOrEqual(5);
      expect(sctp.results.filter((x) => x.command === 'ULR').length).toBeGreaterThanOrEqual(3);
      expect(sctp).toMatchObject({ sent: sctp.total, answered: sctp.total, timedOut: 0, notSent: 0 });
      for (const x of sctp.results) expect(x.actualResult, `#${x.index + 1} ${x.command} frame ${x.frame}`).toBe(x.expectedResult);
      expect(sctp.results.filter((x) => x.actualResult?.includes('5001'))).toHaveLength(1);
      // Same verdicts, request by request, as over TCP (the values Diamond provisions differently
      // from Open5GS, e.g. the ULA's AMBR, differ the same way on both transports).
      expect(tcp).toMatchObject({ answered: tcp.total, timedOut: 0 });
      expect(outcome(sctp)).toEqual(outcome(tcp));
      expect(r.code).toBe(tcp.differed === 0 ? 0 : 1);
      // The node served the replay as an SCTP peer.
      expect(node.node.peers.peer(MME)?.status().transport).toBe('sctp');
    } finally {
      await node.close();
    }
  });
});
