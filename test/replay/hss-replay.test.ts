// The committed HSS capture (pcaps/diamond-hss-attach-ims.pcapng: S6a attach + IMS registration,
// answered 2001 by Diamond's HSS) replayed with `diamond replay --provision` as a child process
// against a fresh in-process HSS: the subscribers are seeded through the node's admin API and every
// answer matches. Without provisioning the same replay differs (user unknown); a provisioning file
// the API refuses, a missing token and an unreachable API are clear errors naming what is wrong.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseProvisionFile } from '../../src/replay/provision.js';
import type { ReplayReport } from '../../src/replay/run.js';
import { diamond } from '../pcap-cli/cli-run.js';
import { HSS_CAPTURE, HSS_PROVISION, IMPI, IMSI } from './hss-capture.js';
import { HSS_NODE, startHssNode } from './hss-node.js';
import { tempDir } from './traffic.js';

const dir = tempDir('diamond-hss-replay-test-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A port nothing listens on: bound, then closed. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function reportOf(stdout: string, stderr: string): ReplayReport {
  try {
    return JSON.parse(stdout) as ReplayReport;
  } catch {
    throw new Error(`replay printed no JSON: ${stderr}`);
  }
}

describe('diamond replay --provision against an HSS', () => {
  it('the committed HSS capture: seeded through the API, all six answers match, exit 0', async () => {
    const hss = await startHssNode();
    try {
      const r = await diamond(['replay', HSS_CAPTURE, '--target', `127.0.0.1:${hss.port}`, '--provision', HSS_PROVISION, '--api', hss.api, '--json']);
      expect(r.stderr).toContain(`provisioned ${HSS_PROVISION} through ${hss.api}: 4 created, 0 already present`);
      const report = reportOf(r.stdout, r.stderr);
      expect(report).toMatchObject({ total: 6, sent: 6, answered: 6, matched: 6, differed: 0, timedOut: 0, notSent: 0, unchecked: 0 });
      expect(report.results).toEqual([]);
      expect(report.peers.map((p) => [p.identity, p.fromCer, p.node]).sort()).toEqual([
        ['mme1.epc.test', true, HSS_NODE],
        ['scscf.ims.test', true, HSS_NODE],
      ]);
      expect(r.code).toBe(0);
      // The replay really went through the HSS: the records exist, the attach left its traces.
      expect(hss.store.subscribers.get(IMSI)?.msisdn).toBe('33600000101');
      expect(hss.store.imsSubscribers.get(IMPI)?.scscfName).toBe('sip:scscf.ims.test:6060');
    } finally {
      await hss.stop();
    }
  });

  it('provisioning twice is fine (409 = already present); without it the HSS answers user unknown', async () => {
    const hss = await startHssNode();
    try {
      const bare = await diamond(['replay', HSS_CAPTURE, '--target', `127.0.0.1:${hss.port}`, '--select', 'S6a', '--json']);
      const unprovisioned = reportOf(bare.stdout, bare.stderr);
      expect(bare.code).toBe(1);
      expect(unprovisioned).toMatchObject({ total: 3, answered: 3, matched: 0, differed: 3 });
      expect(JSON.stringify(unprovisioned.results[0]!.differences)).toContain('5001');

      const first = await diamond(['replay', HSS_CAPTURE, '--target', `127.0.0.1:${hss.port}`, '--select', 'S6a:AIR', '--provision', HSS_PROVISION, '--api', hss.api]);
      expect(first.stderr).toContain('4 created, 0 already present');
      expect(first.stdout).toContain('sent 1, answered 1, matched 1, differed 0');
      const again = await diamond(['replay', HSS_CAPTURE, '--target', `127.0.0.1:${hss.port}`, '--select', 'S6a:AIR', '--provision', HSS_PROVISION, '--api', hss.api]);
      expect(again.stderr).toContain('0 created, 4 already present');
      expect(again.code).toBe(0);
    } finally {
      await hss.stop();
    }
  });

  it('a record the API refuses: the error names the record and the field, nothing is replayed', async () => {
    const hss = await startHssNode();
    try {
      const doc = JSON.parse(readFileSync(HSS_PROVISION, 'utf8')) as { subscribers: Record<string, unknown>[] };
      doc.subscribers.push({ ...doc.subscribers[0], imsi: '001010000000102', msisdn: '33600000102', opc: 'not-hex' });
      const file = path.join(dir, 'bad-opc.json');
      writeFileSync(file, JSON.stringify(doc));
      const r = await diamond(['replay', HSS_CAPTURE, '--target', `127.0.0.1:${hss.port}`, '--provision', file, '--api', hss.api]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: .*bad-opc\.json: subscribers\[1\] \(imsi 001010000000102\): opc: .*\(POST \/api\/v1\/subscribers answered 400 DIAMOND_ERR_API_VALIDATION\)/);
      expect(r.stderr).not.toContain('not-hex'); // the API never echoes a key
      expect(r.stdout).toBe('');
      // An APN that does not exist: a reference error on the subscriber.
      const ref = path.join(dir, 'bad-apn.json');
      writeFileSync(ref, JSON.stringify([{ imsi: '001010000000103', k: '465b5ce8b199b49faa5f0a2ee238a6bc', opc: 'cd63cb71954a9f4e48a5994e37a02baf', apns: ['nowhere'] }]));
      const r2 = await diamond(['replay', HSS_CAPTURE, '--target', `127.0.0.1:${hss.port}`, '--provision', ref, '--api', hss.api]);
      expect(r2.code).toBe(1);
      expect(r2.stderr).toMatch(/subscribers\[0\] \(imsi 001010000000103\): .*answered 400 DIAMOND_ERR_STORE_BAD_REFERENCE/);
    } finally {
      await hss.stop();
    }
  });

  it('a token-protected API, a wrong API address, a malformed file: clear errors, exit 1', async () => {
    const hss = await startHssNode({ token: 'replay-test-token' });
    try {
      const target = `127.0.0.1:${hss.port}`;
      const noToken = await diamond(['replay', HSS_CAPTURE, '--target', target, '--provision', HSS_PROVISION, '--api', hss.api]);
      expect(noToken.code).toBe(1);
      expect(noToken.stderr).toContain(`answered 401`);
      expect(noToken.stderr).toContain('--token or DIAMOND_API_TOKEN');
      const ok = await diamond(['replay', HSS_CAPTURE, '--target', target, '--provision', HSS_PROVISION, '--api', hss.api, '--token', 'replay-test-token', '--select', 'Cx:UAR']);
      expect(ok.stdout).toContain('matched 1, differed 0');
      expect(ok.code).toBe(0);
    } finally {
      await hss.stop();
    }
    const closed = await freePort();
    const gone = await diamond(['replay', HSS_CAPTURE, '--target', `127.0.0.1:${closed}`, '--provision', HSS_PROVISION, '--api', `http://127.0.0.1:${closed}`]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`cannot reach the admin API at http://127.0.0.1:${closed}: connect ECONNREFUSED`);
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "subscribers": [\n    {"imsi": "1",}\n  ]\n}\n');
    const syntax = await diamond(['replay', HSS_CAPTURE, '--target', '127.0.0.1:9', '--provision', broken]);
    expect(syntax.stderr).toMatch(/broken\.json:3:\d+: not valid JSON/);
    const noApi = await diamond(['replay', HSS_CAPTURE, '--target', '127.0.0.1:9', '--api', 'http://127.0.0.1:9']);
    expect(noApi.stderr).toContain('--api and --token go with --provision');
  });

  it('provisioning file shapes: array of subscribers or object of lists; bad shapes named', () => {
    expect(parseProvisionFile('[{"imsi":"001010000000001","k":"00"}]', 'f.json').subscribers).toHaveLength(1);
    expect(parseProvisionFile(readFileSync(HSS_PROVISION, 'utf8'), 'p.json')).toMatchObject({ apns: [{ name: 'internet' }, { name: 'ims' }], subscribers: [{ imsi: IMSI }], imsSubscribers: [{ impi: IMPI }] });
    expect(() => parseProvisionFile('{"subscriber":[]}', 'f.json')).toThrow('f.json: unknown key "subscriber"');
    expect(() => parseProvisionFile('{"subscribers":[{"msisdn":"1"}]}', 'f.json')).toThrow('f.json: subscribers[0]: missing "imsi"');
    expect(() => parseProvisionFile('{"imsSubscribers":[7]}', 'f.json')).toThrow('f.json: imsSubscribers[0]: expected an object');
    expect(() => parseProvisionFile('[]', 'f.json')).toThrow('f.json: no records to provision');
    expect(() => parseProvisionFile('"x"', 'f.json')).toThrow('expected a JSON array');
  });

  it('the committed capture is what the docs say: six requests, 2001s, secrets zeroed (tshark)', async () => {
    const tshark = (args: string[]): Promise<{ stdout: string }> => promisify(execFile)('tshark', ['-r', HSS_CAPTURE, ...args]);
    // The node listened on an ephemeral port: tell tshark it carries Diameter.
    const syn = await tshark(['-Y', 'tcp.flags.syn == 1 && tcp.flags.ack == 0', '-T', 'fields', '-e', 'tcp.dstport']);
    const port = syn.stdout.trim().split('\n')[0]!;
    const { stdout } = await tshark(['-d', `tcp.port==${port},diameter`, '-Y', 'diameter', '-T', 'fields', '-e', 'diameter.cmd.code', '-e', 'diameter.flags.request', '-e', 'diameter.Result-Code', '-e', 'diameter.KASME']);
    const rows = stdout.trim().split('\n').map((l) => l.split('\t'));
    const requests = rows.filter((r) => r[1] === '1' || r[1] === 'True').map((r) => r[0]);
    // CER (257) first on each connection, DPR (282) at the end.
    expect(requests.filter((c) => c !== '257' && c !== '282')).toEqual(['318', '316', '321', '300', '303', '301']);
    const answers = rows.filter((r) => r[1] === '0' || r[1] === 'False');
    // Every answer 2001 except the UAA, whose success is Experimental-Result 2001 FIRST_REGISTRATION.
    expect(answers.map((r) => `${r[0]}:${r[2]}`).filter((x) => !x.startsWith('257:') && !x.startsWith('282:'))).toEqual(['318:2001', '316:2001', '321:2001', '300:', '303:2001', '301:2001']);
    const kasme = rows.map((r) => r[3]).filter((k) => k);
    expect(kasme).toHaveLength(1);
    expect(kasme[0]!.replace(/[:]/g, '')).toMatch(/^0{64}$/);
  });
});
