// Diamond as a relay (DRA) between real freeDiameter peers: test_app client → Diamond → two
// test_app servers in realm-b.test. Diamond runs as its own process (`diamond start`, through tsx)
// with rt_default rule files under routing.rules. What is asserted comes from the freeDiameter side
// only: the client's "Benchmark results" (sent, 2001 answers, error answers, unanswered) and each
// server's "ECHO Test-Request received" lines (one per request it answered) or, where a test needs
// the request's AVPs, the server's dbg_msg_dumps "DISPATCHING" lines (routing dumps, full mode).
//
// Scores (shared/specs/rt-default.md): both servers are in the Destination-Realm and advertise the
// test application, so each starts at INI + REALM = 13; rules add to that. Equal top scores are
// shared evenly, or by Diamond's weight= extension (docs/routing.md). Needs test_app
// (scripts/build-freediameter-test-app.sh).
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DiamondProcess } from '../support/diamond-process.js';
import { FreeDiameter, type BenchmarkResult, type TestPki, createPki, freePort, re, testAppMissing } from '../support/freediameter.js';

const CLIENT = 'client.realm-a.test';
const REALM_A = 'realm-a.test';
const DRA = 'dra.realm-dra.test';
const REALM_DRA = 'realm-dra.test';
const S1 = 'server1.realm-b.test';
const S2 = 'server2.realm-b.test';
const REALM_B = 'realm-b.test';

const missing = testAppMissing();
if (missing) console.warn(`skipping the Diamond-relay interop tests: ${missing}`);

let pki: TestPki;
const daemons: FreeDiameter[] = [];
const relays: DiamondProcess[] = [];

beforeAll(() => {
  if (!missing) pki = createPki([CLIENT, S1, S2]);
});

beforeEach((ctx) => {
  ctx.skip(missing !== undefined, missing);
});

afterEach(async (ctx) => {
  const fds = daemons.splice(0);
  const ds = relays.splice(0);
  if (ctx.task.result?.state === 'fail') {
    for (const d of ds) console.error(`Diamond log (${d.logPath}):\n${d.tail(80)}\nconfig:\n${d.yaml()}`);
    for (const fd of fds) console.error(`freeDiameter log ${fd.opts.identity} (${fd.logPath}):\n${fd.tail(60)}`);
  }
  await Promise.all([...ds.map((d) => d.dispose()), ...fds.map((fd) => fd.dispose())]);
});

interface Topology {
  client: FreeDiameter;
  dra: DiamondProcess;
  s1: FreeDiameter;
  s2: FreeDiameter;
}

/**
 * Diamond first (it knows every peer's port and keeps trying them every second), then the servers
 * and the client, each listing Diamond; resolves once all three connections are OPEN.
 */
async function topology(opts: { rules: string; seconds: number; concurrency: number; serverDumpMask?: string; tw?: number }): Promise<Topology> {
  const [clientPort, clientSec, s1Port, s1Sec, s2Port, s2Sec, draPort] = await Promise.all(Array.from({ length: 7 }, () => freePort()));
  const dra = await DiamondProcess.start({
    identity: DRA,
    realm: REALM_DRA,
    listen: [{ transport: 'tcp', address: '127.0.0.1', port: draPort! }],
    peers: [
      { identity: CLIENT, realm: REALM_A, address: '127.0.0.1', port: clientPort! },
      { identity: S1, realm: REALM_B, address: '127.0.0.1', port: s1Port! },
      { identity: S2, realm: REALM_B, address: '127.0.0.1', port: s2Port! },
    ],
    rules: [opts.rules],
    ...(opts.tw !== undefined ? { tw: opts.tw } : {}),
  });
  relays.push(dra);
  const toDra = [{ identity: DRA, port: draPort!, tls: 'none' as const }];
  const server = async (identity: string, port: number, secPort: number): Promise<FreeDiameter> => {
    const fd = await FreeDiameter.start({
      identity,
      realm: REALM_B,
      pki,
      port,
      secPort,
      peers: toDra,
      testApp: { mode: 'server', countable: true },
      dumpMask: opts.serverDumpMask ?? '0x2111',
    });
    daemons.push(fd);
    return fd;
  };
  const s1 = await server(S1, s1Port!, s1Sec!);
  const s2 = await server(S2, s2Port!, s2Sec!);
  const client = await FreeDiameter.start({
    identity: CLIENT,
    realm: REALM_A,
    pki,
    port: clientPort,
    secPort: clientSec,
    peers: toDra,
    testApp: { mode: 'client', destRealm: REALM_B, seconds: opts.seconds, concurrency: opts.concurrency },
    // The client's only peer is in another realm: without a rule it scores -2 and gets nothing.
    rtDefault: `* : "${DRA}" += DEFAULT ;\n`,
    dumpMask: '0x2111',
  });
  daemons.push(client);
  await Promise.all([client.waitOpen(DRA), s1.waitOpen(DRA), s2.waitOpen(DRA)]);
  // freeDiameter logs OPEN when it sends or receives the CEA; give Diamond's side the same moment.
  await new Promise((r) => setTimeout(r, 200));
  return { client, dra, s1, s2 };
}

/** Every request sent got a 2001 answer: none lost, none turned into an error. */
function expectAllAnswered(r: BenchmarkResult): void {
  expect(r, 'test_app logged "Test Complete"').toMatchObject({ complete: true });
  expect(r.sent).toBeGreaterThan(0);
  expect({ errors: r.errors, unanswered: r.unanswered }).toEqual({ errors: 0, unanswered: 0 });
  expect(r.answers).toBe(r.sent);
}

describe('freeDiameter test_app client → Diamond → freeDiameter test_app servers', () => {
  it.each([
    { name: 'a * rule for server2', rules: `* : "${S2}" += DEFAULT ;`, picked: 2 },
    { name: 'a dr= rule for server1', rules: `dr="${REALM_B}" : "${S1}" += 10 ;\n# server2 stays at 13`, picked: 1 },
  ])('requests reach the server the rules pick ($name) and every answer comes back', async ({ rules, picked }) => {
    const t = await topology({ rules, seconds: 2, concurrency: 20 });
    const r = await t.client.benchmark();
    expectAllAnswered(r);
    expect(r.sent).toBeGreaterThan(200);
    const [chosen, other] = picked === 1 ? [t.s1, t.s2] : [t.s2, t.s1];
    expect(chosen.echoed()).toBe(r.answers);
    expect(other.echoed()).toBe(0);
  }, 90_000);

  it('the relayed request carries Diamond’s Route-Record for the client, and the answer reaches the client', async () => {
    const t = await topology({ rules: `* : "${S1}" += DEFAULT ;`, seconds: 1, concurrency: 2, serverDumpMask: '0x2411' });
    const r = await t.client.benchmark();
    expectAllAnswered(r);
    const dispatched = t.s1.lines(/DISPATCHING: Test-Request/);
    expect(dispatched.length).toBe(r.sent);
    // Diamond appends the client (its transport peer); server1's own stack then appends Diamond.
    const rr = /Route-Record\(282\)\[-M\]="([^"]*)"/g;
    for (const line of dispatched.slice(0, 50)) {
      expect([...line.matchAll(rr)].map((m) => m[1])).toEqual([CLIENT, DRA]);
      expect(line).toMatch(new RegExp(`Origin-Host\\(264\\)\\[-M\\]="${re(CLIENT)}"`));
    }
  }, 90_000);

  it.each([
    { name: 'equal scores, no rules (ties shared evenly)', rules: '# no rules: both servers score INI + REALM = 13', share1: 0.5 },
    { name: 'weight=50 / weight=50', rules: `* : "${S1}" += 5 weight=50 ;\n* : "${S2}" += 5 weight=50 ;`, share1: 0.5 },
    { name: 'weight=75 / weight=25', rules: `* : "${S1}" += 5 weight=75 ;\n* : "${S2}" += 5 weight=25 ;`, share1: 0.75 },
  ])('20,000 requests split between two servers ($name) within ±3%', async ({ rules, share1 }) => {
    const t = await topology({ rules, seconds: 3, concurrency: 100 });
    let answers = 0;
    for (let run = 0; answers < 20_000; run++) {
      if (run >= 10) throw new Error(`only ${answers} answers after ${run} runs`);
      const r = await t.client.benchmark();
      expectAllAnswered(r);
      answers += r.answers;
    }
    const n1 = t.s1.echoed();
    const n2 = t.s2.echoed();
    expect(n1 + n2).toBe(answers);
    expect(Math.abs(n1 / answers - share1), `server1 got ${n1} of ${answers}, expected ${share1 * 100}%`).toBeLessThanOrEqual(0.03);
  }, 180_000);

  it('killing the preferred server fails over to the other with no request unanswered; restarting it brings traffic back', async () => {
    // Tw 1 s: a reconnected peer is used again after 3 DWAs in REOPEN (RFC 3539 §3.4.1).
    const t = await topology({ rules: `* : "${S1}" += DEFAULT ;`, seconds: 2, concurrency: 20, serverDumpMask: '0x2411', tw: 1 });
    const run = t.client.benchmark();
    await t.s1.waitForLog(/ECHO Test-Request received/, 'server1 answering', { count: 1, timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 500));
    t.s1.killNow();
    const r = await run;
    expectAllAnswered(r);
    const n1 = t.s1.echoed();
    const n2 = t.s2.echoed();
    expect(n1).toBeGreaterThan(0);
    expect(n2).toBeGreaterThan(0);
    // Requests server1 echoed but never got out before it died are answered by server2 as well.
    expect(n1 + n2).toBeGreaterThanOrEqual(r.answers);
    expect(n1 + n2 - r.answers, 'duplicates beyond what was in flight').toBeLessThanOrEqual(20);
    // The requests that were pending on server1 came to server2 with the T flag (RFC 6733 §5.5.4).
    expect(t.s2.lines(/DISPATCHING: Test-Request\(16777215\/16777214\)\[RP-T\]/).length).toBeGreaterThan(0);

    const mark = t.s1.mark();
    await t.s1.restart();
    await t.s1.waitOpen(DRA, { mark });
    // Until Diamond's watchdog has seen the reopened connection through REOPEN, server2 answers.
    for (let run = 0; t.s1.echoed(mark) === 0; run++) {
      if (run >= 8) throw new Error('server1 got no traffic back within 8 runs after its restart');
      expectAllAnswered(await t.client.benchmark());
    }
    const mark1 = t.s1.mark();
    const mark2 = t.s2.mark();
    const again = await t.client.benchmark();
    expectAllAnswered(again);
    expect(t.s1.echoed(mark1)).toBe(again.answers);
    expect(t.s2.echoed(mark2)).toBe(0);
  }, 120_000);

  it('stopping the preferred server (SIGTERM, DPR) fails over with no request unanswered', async () => {
    const t = await topology({ rules: `* : "${S1}" += DEFAULT ;`, seconds: 4, concurrency: 20 });
    const run = t.client.benchmark();
    await t.s1.waitForLog(/ECHO Test-Request received/, 'server1 answering', { count: 1, timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 1000));
    const stopped = t.s1.stop(20_000);
    const r = await run;
    await stopped;
    expectAllAnswered(r);
    expect(t.s1.echoed()).toBeGreaterThan(0);
    expect(t.s2.echoed()).toBeGreaterThan(0);
    expect(t.s1.echoed() + t.s2.echoed()).toBeGreaterThanOrEqual(r.answers);
  }, 120_000);
});
