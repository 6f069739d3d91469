// The I-CSCF/S-CSCF side of the public Cx captures (../shared/pcaps-public: open5gs IMS registrations
// and calls with Kamailio CSCFs and FHoSS as HSS; Orange diafuzzer's Cx seeds, Open IMS Core) replayed
// with the replay tool against a fresh Diamond Cx HSS seeded through its admin API (--provision).
// Checked: every request is answered; every answer Diamond put on the wire (its own pcapng capture)
// decodes cleanly and tshark dissects it without malformed packets or expert warnings/errors; the
// results are those the provisioning implies; against FHoSS's captured answers the structure is the
// same and each remaining difference is listed with its reason. diafuzzer-style mutations of the
// seeds get a well-formed answer or the RFC 6733 §7 error (with Failed-AVP where §7.5 requires it).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/diameter/codec/decode.js';
import { findAvp, findAvps, type Avp, type Message } from '../../src/diameter/codec/message.js';
import { readCapture } from '../../src/pcap/reader.js';
import type { ReplayReport, RequestResult } from '../../src/replay/run.js';
import { ReferenceUsim } from '../support/ue-reference-usim.js';
import { diamond } from '../pcap-cli/cli-run.js';
import { mutationCapture, mutations, seeds } from './public-cx-fuzz.js';
import { startCxHss, type CxHss } from './public-cx-node.js';
import { OPEN5GS, OPEN5GS_CX, OPEN_IMS, OPEN_IMS_CX, open5gsUser, openImsUser, provisionDoc, writeProvision, type ImsUser } from './public-cx-provision.js';
import { TSHARK, dissect, nodeExchanges, parseXml, replayCapture, textsOf, type Dissected, type Exchange, type XmlNode } from './public-cx-replay-kit.js';
import { dict, tempDir } from './traffic.js';

const PUBLIC = fileURLToPath(new URL('../../../shared/pcaps-public/', import.meta.url));
const REGISTRATIONS = ['open5gs-nonipsec_reg.pcapng', 'open5gs-ipsec_reg.pcapng'];
const CALLS = ['open5gs-volte.pcapng', 'open5gs-ipsec_to_ipsec_call.pcapng', 'open5gs-ipsec_to_nonipsec_call.pcapng', 'open5gs-nonipsec_to_ipsec_call.pcapng'];
const DIAFUZZER = 'diafuzzer-cx.pcap';
const present = [...REGISTRATIONS, ...CALLS, DIAFUZZER].every((f) => existsSync(path.join(PUBLIC, f))) && existsSync(TSHARK);
const SKIPPED = present ? '' : ' — SKIPPED: ../shared/pcaps-public (or tshark) is absent';

const CX = 16777216;
const T = 10415;
// Only when the tests run: a skipped file runs no hooks, so it must not make a directory either.
const dir = present ? tempDir('diamond-public-cx-test-') : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Frames of the Cx requests in a capture, as tshark listed them (pcaps-public/tshark-fields). */
function cxRequestFrames(file: string): number[] {
  const tsv = readFileSync(path.join(PUBLIC, 'tshark-fields', `${file}.tsv`), 'utf8');
  const out: number[] = [];
  for (const line of tsv.split('\n')) {
    const [frame, , request, app] = line.split('\t');
    if (request?.split(',').includes('1') && app?.split(',').includes(String(CX))) out.push(Number(frame));
  }
  return out;
}

const resultOf = (m: Message | undefined): string => {
  const rc = findAvp(m?.avps, 268)?.value;
  if (typeof rc === 'number') return `Result-Code ${rc}`;
  const er = findAvp(m?.avps, 297);
  return er ? `Experimental-Result ${String(findAvp(er.avps, 266)?.value)}/${String(findAvp(er.avps, 298)?.value)}` : 'none';
};
const tg = (avps: Avp[] | undefined, code: number): Avp | undefined => findAvp(avps, code, T);
const str = (a: Avp | undefined): string | undefined => (a === undefined ? undefined : Buffer.isBuffer(a.value) ? a.value.toString('utf8') : String(a.value));
const octets = (a: Avp | undefined): Buffer => (a && Buffer.isBuffer(a.value) ? a.value : Buffer.alloc(0));

/** The answers in a public capture with this command code (as the capture's HSS sent them). */
function capturedAnswers(file: string, commandCode: number): Message[] {
  return readCapture(readFileSync(path.join(PUBLIC, file)))
    .pdus.map((p) => decodeMessage(Buffer.from(p.data), dict).message)
    .filter((m): m is Message => m !== undefined && (m.flags & 0x80) === 0 && m.applicationId === CX && m.commandCode === commandCode);
}

/** One line per difference, for comparing with the expected list. */
const diffs = (r: RequestResult): string[] => r.differences.map((d) => (d.kind === 'result' ? `result ${d.expected ?? ''} -> ${d.actual ?? ''}` : `${d.kind} ${d.path}`));

/** Every answer on the wire: decoded without issue, Session-Id echoed, origin and a result present. */
function expectWellFormed(e: Exchange, what: string): void {
  expect(e.answer, `${what}: answered`).toBeDefined();
  // Failed-AVP carries the offending AVP as received (RFC 6733 §7.5): a bad value there is the point.
  const issues = e.answerIssues.filter((i) => !i.parents.some((p) => p.code === 279 && p.vendorId === 0));
  expect(issues.map((i) => i.message), `${what}: decodes cleanly`).toEqual([]);
  const a = e.answer!;
  expect([a.commandCode, a.applicationId, a.flags & 0x80], what).toEqual([e.request.commandCode, e.request.applicationId, 0]);
  const sid = findAvp(e.request.avps, 263)?.value;
  if (sid !== undefined) expect(findAvp(a.avps, 263)?.value, `${what}: Session-Id`).toBe(sid);
  for (const code of [264, 296]) expect(findAvp(a.avps, code), `${what}: AVP ${code}`).toBeDefined();
  expect(resultOf(a), `${what}: result`).not.toBe('none');
}

/** tshark's dissection of the answers in the node's capture (base protocol left out). */
const answersDissected = (hss: CxHss): Dissected[] => dissect(hss.capture, hss.port).filter((m) => !m.request && m.cmd !== 257 && m.cmd !== 280 && m.cmd !== 282);

describe.skipIf(!present)(`open5gs IMS captures (Kamailio I-/S-CSCF, FHoSS): the CSCF side replayed against Diamond${SKIPPED}`, () => {
  let hss: CxHss;
  const users = [open5gsUser(5), open5gsUser(3), open5gsUser(1)];
  const doc = provisionDoc(users);
  const reports = new Map<string, ReplayReport>();
  let exchanges: Exchange[];
  let registered: unknown[];
  let tshark: Dissected[];
  /** User-Data of Diamond's SAAs, then of FHoSS's captured ones, parsed by Python in one go. */
  let ours: XmlNode[];
  let fhoss: XmlNode[];

  beforeAll(async () => {
    hss = await startCxHss(OPEN5GS.hss, OPEN5GS.realm, OPEN5GS_CX);
    const provisionFile = writeProvision(dir, 'open5gs', doc);
    // The replay's default window (64): each capture's requests go out at once, so the MAR and the
    // SAR of one registration are in flight together (the MAR waits for its SQN commit).
    for (const f of REGISTRATIONS) reports.set(f, await replayCapture(path.join(PUBLIC, f), hss, { select: ['Cx'], provisionFile }));
    // volte's callee (tel:0198765432100) was registered before that capture began, and no capture
    // holds its registration: the state its HSS had is set directly.
    hss.store.imsSubscribers.setServer(users[2]!.impi, OPEN5GS.scscf, 'registered');
    for (const f of CALLS) reports.set(f, await replayCapture(path.join(PUBLIC, f), hss, { select: ['Cx'] }));
    registered = users.slice(0, 2).map((u) => hss.store.imsSubscribers.get(u.impi));
    await hss.stop();
    exchanges = nodeExchanges(hss.capture, hss.port, CX);
    tshark = answersDissected(hss);
    const saas = exchanges.filter((e) => e.request.commandCode === 301).map((e) => octets(tg(e.answer?.avps, 606)));
    const captured = REGISTRATIONS.flatMap((f) => capturedAnswers(f, 301)).map((a) => octets(tg(a.avps, 606)));
    const docs = parseXml([...saas, ...captured]);
    [ours, fhoss] = [docs.slice(0, saas.length), docs.slice(saas.length)];
  }, 20_000);
  afterAll(async () => {
    await hss?.stop();
    hss?.remove();
  });

  it('the provisioning holds every identity the requests name, and the implicit registration sets FHoSS returned', () => {
    for (const e of exchanges) {
      const impi = str(findAvp(e.request.avps, 1));
      const impu = str(tg(e.request.avps, 601))!;
      const owner = users.find((u) => u.impus.includes(impu));
      expect(owner, impu).toBeDefined();
      if (impi !== undefined) expect(owner!.impi).toBe(impi);
    }
    expect(fhoss).toHaveLength(2);
    for (const x of fhoss) {
      const u = users.find((v) => v.impi === textsOf(x, 'PrivateID')[0])!;
      expect(textsOf(x, 'Identity')).toEqual(u.impus);
    }
  });

  it('every Cx request of the captures is sent and answered, in capture order', () => {
    for (const [f, r] of reports) {
      expect(r.results.map((x) => x.frame), f).toEqual(cxRequestFrames(f));
      expect({ answered: r.answered, timedOut: r.timedOut, notSent: r.notSent }, f).toEqual({ answered: r.total, timedOut: 0, notSent: 0 });
    }
    const total = [...reports.values()].reduce((n, r) => n + r.total, 0);
    expect(total).toBe(10);
    expect(exchanges).toHaveLength(total);
  });

  it('every answer is well-formed: Diamond decodes it cleanly, tshark finds nothing malformed and no expert warning or error', () => {
    exchanges.forEach((e, i) => expectWellFormed(e, `answer ${i + 1}`));
    expect(tshark.map((m) => m.cmd)).toEqual(exchanges.map((e) => e.request.commandCode));
    for (const m of tshark) expect({ cmd: m.cmd, malformed: m.malformed, experts: m.experts }).toEqual({ cmd: m.cmd, malformed: false, experts: [] });
  });

  it('results are what the provisioning implies: UAA FIRST_REGISTRATION, MAA with a vector of the provisioned keys, SAA with the subscription XML, LIA with the S-CSCF', () => {
    const by = (cmd: number): Exchange[] => exchanges.filter((e) => e.request.commandCode === cmd);
    const userOf = (e: Exchange): ImsUser => users.find((u) => u.impi === str(findAvp(e.request.avps, 1)) || u.impus.includes(str(tg(e.request.avps, 601)) ?? ''))!;
    expect(by(300)).toHaveLength(2);
    for (const e of by(300)) {
      expect(resultOf(e.answer)).toBe(`Experimental-Result ${T}/2001`);
      const caps = tg(e.answer!.avps, 603);
      expect(findAvps(caps?.avps, 605, T).map((a) => a.value)).toEqual([1]);
      expect(str(tg(caps?.avps, 602))).toBe(OPEN5GS.scscf);
    }
    expect(by(303)).toHaveLength(2);
    for (const e of by(303)) {
      expect(resultOf(e.answer)).toBe('Result-Code 2001');
      const [item, ...more] = findAvps(e.answer!.avps, 612, T);
      expect(more).toEqual([]);
      expect(str(tg(item!.avps, 608))).toBe('Digest-AKAv1-MD5'); // the MAR asked "unknown" or AKA: the subscriber's scheme
      const randAutn = octets(tg(item!.avps, 609));
      expect(randAutn).toHaveLength(32);
      const sub = (doc.subscribers as { imsi: string; k: string; opc: string }[]).find((s) => s.imsi === userOf(e).imsi)!;
      const usim = new ReferenceUsim(Buffer.from(sub.k, 'hex'), Buffer.from(sub.opc, 'hex'));
      const out = usim.authenticate(randAutn.subarray(0, 16), randAutn.subarray(16));
      expect(out.kind).toBe('ok');
      if (out.kind === 'ok') expect([out.res, out.ck, out.ik].map((b) => b.toString('hex'))).toEqual([610, 625, 626].map((c) => octets(tg(item!.avps, c)).toString('hex')));
    }
    expect(by(301)).toHaveLength(2);
    for (const [i, e] of by(301).entries()) {
      expect(resultOf(e.answer)).toBe('Result-Code 2001');
      const u = userOf(e);
      const xml = ours[i]!;
      expect(xml.tag).toBe('IMSSubscription');
      expect(textsOf(xml, 'PrivateID')).toEqual([u.impi]);
      expect(textsOf(xml, 'Identity')).toContain(str(tg(e.request.avps, 601)));
      expect([...textsOf(xml, 'Identity')].sort()).toEqual([...u.impus].sort());
      expect(str(tg(tg(e.answer!.avps, 618)?.avps, 621))).toBe('pri_ccf_address');
    }
    expect(by(302)).toHaveLength(4);
    for (const e of by(302)) {
      expect(resultOf(e.answer)).toBe('Result-Code 2001');
      expect(str(tg(e.answer!.avps, 602))).toBe(OPEN5GS.scscf);
    }
    // The replay left the two registered users registered with the S-CSCF of the SAR.
    for (const r of registered) expect(r).toMatchObject({ registrationState: 'registered', scscfName: OPEN5GS.scscf });
  });

  it("the MAR and the SAR of each registration were in flight together, and the MAR's Server-Name did not undo the SAR's registration", () => {
    // In the node's capture: the SAR reached the node before the MAA of the same user left it.
    const { pdus } = readCapture(readFileSync(hss.capture), { ports: [hss.port] });
    const seen: string[] = [];
    for (const p of pdus) {
      const m = decodeMessage(Buffer.from(p.data), dict).message;
      if (!m || m.applicationId !== CX || (m.commandCode !== 301 && m.commandCode !== 303)) continue;
      const toNode = p.dstPort === hss.port;
      const request = (m.flags & 0x80) !== 0;
      if (toNode === request) seen.push(`${m.commandCode === 301 ? 'SA' : 'MA'}${request ? 'R' : 'A'} ${str(findAvp(m.avps, 1)) ?? ''}`);
    }
    for (const u of users.slice(0, 2)) {
      const sar = seen.indexOf(`SAR ${u.impi}`);
      const maa = seen.indexOf(`MAA ${u.impi}`);
      expect(sar, `${u.impi}: ${seen.join(', ')}`).toBeGreaterThanOrEqual(0);
      expect(sar, `${u.impi}: the SAR arrived before the MAA left (${seen.join(', ')})`).toBeLessThan(maa);
    }
    // Every IMPU of each set ended REGISTERED at the SAR's S-CSCF (the barred temporary one too).
    for (const r of registered as { impus: { registrationState: string; scscfName: string | null }[] }[]) {
      expect(r.impus.map((p) => [p.registrationState, p.scscfName])).toEqual(r.impus.map(() => ['registered', OPEN5GS.scscf]));
    }
  });

  it("the UAR for the barred IMSI-based IMPU (its set has unbarred MSISDN IMPUs, as FHoSS had it) gets 2001 FIRST_REGISTRATION like FHoSS's, and the SAA bars it as FHoSS's did", () => {
    const uars = exchanges.filter((e) => e.request.commandCode === 300);
    expect(uars).toHaveLength(2);
    for (const e of uars) {
      const impu = str(tg(e.request.avps, 601))!;
      const u = users.find((v) => v.impus.includes(impu))!;
      expect(u.barred, impu).toContain(impu);
      expect(resultOf(e.answer), impu).toBe(`Experimental-Result ${T}/2001`);
    }
    // TS 29.228 Annex E BarringIndication per Identity: ours and FHoSS's agree.
    const barring = (x: XmlNode): [string, string][] => {
      const out: [string, string][] = [];
      const walk = (n: XmlNode): void => {
        if (n.tag === 'PublicIdentity') out.push([textsOf(n, 'Identity')[0]!, textsOf(n, 'BarringIndication')[0] ?? '0']);
        else n.children.forEach(walk);
      };
      walk(x);
      return out.sort();
    };
    expect(ours.map(barring)).toEqual(fhoss.map(barring));
    expect(ours.map(barring).flat().filter(([, b]) => b === '1')).toHaveLength(2);
  });

  it("against FHoSS's captured answers: same AVPs and values, except the differences listed here with their reasons", () => {
    // Values that differ by design are ignored by the replay's defaults (RAND‖AUTN, XRES, CK, IK).
    const expected: Record<string, Record<number, string[]>> = {
      // Cx-User-Data: FHoSS's profile holds its iFCs; ours has no iFC template provisioned (the
      // identities and their barring agree, checked above with the rest of the XML).
      'open5gs-nonipsec_reg.pcapng': { 502: ['value Cx-User-Data'] },
      'open5gs-ipsec_reg.pcapng': {
        // FHoSS already had an S-CSCF for this user when the capture began (2002 + Server-Name);
        // on a fresh HSS it is a first registration (2001 + Server-Capabilities).
        293: [`result Experimental-Result ${T}/2002 -> Experimental-Result ${T}/2001`, 'missing Server-Name', 'extra Server-Capabilities', 'extra Server-Capabilities/Optional-Capability', 'extra Server-Capabilities/Server-Name'],
        488: ['value Cx-User-Data'],
      },
    };
    for (const [f, r] of reports) {
      const got = Object.fromEntries(r.results.filter((x) => x.status !== 'matched').map((x) => [x.frame, diffs(x)]));
      expect(got, f).toEqual(expected[f] ?? {});
    }
  });
});

/** diafuzzer mutations RFC 6733 says Diamond answers wrongly today, with the fix (the rest must pass). */
const KNOWN_WRONG: Record<string, string> = {};

/** The mutations, built when the capture is here (so each gets its own test). */
const SEEDS = present ? seeds(readCapture(readFileSync(path.join(PUBLIC, DIAFUZZER))).pdus) : undefined;
const MUTATIONS = SEEDS ? mutations(SEEDS.uar, SEEDS.lir, 'icscf.open-ims.test;1222345678') : [];

describe.skipIf(!present)(`diafuzzer's Cx seeds (Open IMS Core, FHoSS) and mutations of them against Diamond${SKIPPED}`, () => {
  let hss: CxHss;
  let cli: { code: number; stderr: string; report: ReplayReport };
  let fuzz: ReplayReport;
  let exchanges: Exchange[];
  let tshark: Dissected[];

  beforeAll(async () => {
    hss = await startCxHss(OPEN_IMS.hss, OPEN_IMS.realm, OPEN_IMS_CX);
    const provisionFile = writeProvision(dir, 'open-ims', provisionDoc([openImsUser('alice'), openImsUser('bob')]));
    const reportFile = path.join(dir, 'diafuzzer-report.json');
    // The `diamond replay` command itself, as an operator runs it.
    const r = await diamond(['replay', path.join(PUBLIC, DIAFUZZER), '--target', `127.0.0.1:${hss.port}`, '--provision', provisionFile, '--api', hss.api, '--report', reportFile, '--no-progress']);
    cli = { code: r.code, stderr: r.stderr, report: JSON.parse(readFileSync(reportFile, 'utf8')) as ReplayReport };
    const fuzzFile = path.join(dir, 'diafuzzer-cx-mutations.pcapng');
    writeFileSync(fuzzFile, mutationCapture(MUTATIONS, SEEDS!.client));
    fuzz = await replayCapture(fuzzFile, hss, { window: 1 });
    await hss.stop();
    exchanges = nodeExchanges(hss.capture, hss.port, CX);
    tshark = answersDissected(hss);
  }, 20_000);
  afterAll(async () => {
    await hss?.stop();
    hss?.remove();
  });

  it('the seeds: every request answered; FIRST_REGISTRATION with the capabilities FHoSS sent; LIR not registered', () => {
    const r = cli.report;
    expect(cli.stderr).toContain('4 created, 0 already present'); // 2 AuC records, 2 IMS subscribers
    expect(r.results.map((x) => x.frame)).toEqual(cxRequestFrames(DIAFUZZER));
    expect({ answered: r.answered, timedOut: r.timedOut, notSent: r.notSent }).toEqual({ answered: r.total, timedOut: 0, notSent: 0 });
    const first = `UAR Experimental-Result ${T}/2001`;
    const lir = `LIR Experimental-Result ${T}/5003`;
    expect(r.results.map((x) => `${x.command} ${x.actualResult ?? ''}`)).toEqual([first, first, lir, first, first, lir, lir]);
    // The first UAR of each user matches FHoSS's answer AVP for AVP. The others differ because the
    // S-CSCF's MAR/SAR for alice and bob ran on a connection the capture does not hold (FHoSS then
    // answered 2002 SUBSEQUENT_REGISTRATION and LIA 2001 with their S-CSCF); replayed alone, the
    // users never register. The exit code says so.
    expect(r.results.filter((x) => x.status === 'matched').map((x) => x.frame)).toEqual([1, 7]);
    expect(Object.fromEntries(r.results.filter((x) => x.status !== 'matched').map((x) => [x.frame, diffs(x)[0]]))).toEqual({
      3: `result Experimental-Result ${T}/2002 -> Experimental-Result ${T}/2001`,
      5: `result Result-Code 2001 (DIAMETER_SUCCESS) -> Experimental-Result ${T}/5003`,
      9: `result Experimental-Result ${T}/2002 -> Experimental-Result ${T}/2001`,
      11: `result Result-Code 2001 (DIAMETER_SUCCESS) -> Experimental-Result ${T}/5003`,
      13: `result Result-Code 2001 (DIAMETER_SUCCESS) -> Experimental-Result ${T}/5003`,
    });
    expect(cli.code).toBe(1);
  });

  it('every mutation is answered, and the node still serves the originals afterwards', () => {
    expect({ answered: fuzz.answered, timedOut: fuzz.timedOut, notSent: fuzz.notSent }).toEqual({ answered: MUTATIONS.length, timedOut: 0, notSent: 0 });
    expect(exchanges.slice(-2).map((e) => resultOf(e.answer))).toEqual([`Experimental-Result ${T}/2001`, `Experimental-Result ${T}/5003`]);
  });

  MUTATIONS.forEach((m, i) => {
    const title = `${m.name}: ${m.expect ? `Result-Code ${m.expect.resultCode}${m.expect.failedAvp ? ` with Failed-AVP ${m.expect.failedAvp.code}` : ''}` : 'a well-formed answer'}`;
    if (KNOWN_WRONG[m.name]) return it.todo(`${title} — ${KNOWN_WRONG[m.name]}`);
    it(title, () => {
      const a = exchanges[exchanges.length - MUTATIONS.length + i]!.answer!;
      const rc = findAvp(a.avps, 268)?.value as number | undefined;
      const failed = findAvp(a.avps, 279)?.avps ?? [];
      if (m.expect) {
        expect(rc).toBe(m.expect.resultCode);
        if (m.expect.failedAvp) expect(failed.map((f) => [f.code, f.vendorId])).toEqual([[m.expect.failedAvp.code, m.expect.failedAvp.vendorId]]);
      }
      // Whatever the answer: RFC 6733 §7.1.3/§7.2 (E bit on protocol errors), §7.5 (Failed-AVP).
      expect(Boolean(a.flags & 0x20)).toBe(rc !== undefined && rc >= 3000 && rc < 4000);
      if (rc !== undefined && [5001, 5004, 5005, 5008, 5009, 5014].includes(rc)) expect(failed.length).toBeGreaterThan(0);
    });
  });

  it('every answer (seeds and mutations) is well-formed; tshark finds nothing malformed, and warns only about what Failed-AVP must echo', () => {
    expect(exchanges).toHaveLength(cli.report.total + MUTATIONS.length);
    exchanges.forEach((e, i) => expectWellFormed(e, `answer ${i + 1}`));
    expect(tshark.map((m) => m.cmd)).toEqual(exchanges.map((e) => e.request.commandCode));
    tshark.forEach((m, i) => {
      expect(m.malformed, `answer ${i + 1}`).toBe(false);
      const a = exchanges[i]!.answer!;
      // An error answer repeats what was wrong (RFC 6733 §7.5: the missing AVP with empty data, the
      // unknown AVP as received; §7.1.3: the unknown command's code): tshark's "Undecoded" warnings
      // about those are expected there, and only there.
      const echoes = findAvp(a.avps, 279) !== undefined || findAvp(a.avps, 268)?.value === 3001;
      const allowed = /Expert Info \(Warning\/Undecoded\): (Data is empty|Unknown AVP 65000 |Unknown command)/;
      expect(m.experts.filter((x) => !(echoes && allowed.test(x))), `answer ${i + 1} (${resultOf(a)})`).toEqual([]);
    });
  });
});
