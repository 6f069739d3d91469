// freeDiameter's test_app against itself, no Diamond in the path: proves the harness that the relay
// interop tests and bench/relay-vs-freediameter.ts build on. The client (test_app benchmark mode,
// started by SIGUSR1) counts its sent requests, 2001 answers and error answers in its "Benchmark
// results" block; a countable server prints one "ECHO Test-Request received" line per request.
// Needs scripts/build-freediameter-test-app.sh to have run (CI runs it); skips otherwise.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FreeDiameter, type TestPki, createPki, freePort, parseBenchmark, testAppMissing } from '../support/freediameter.js';

const CLIENT = 'client.realm-a.test';
const REALM_A = 'realm-a.test';
const S1 = 'server1.realm-b.test';
const S2 = 'server2.realm-b.test';
const REALM_B = 'realm-b.test';

const missing = testAppMissing();
if (missing) console.warn(`skipping the freeDiameter test_app tests: ${missing}`);

let pki: TestPki;
const daemons: FreeDiameter[] = [];

beforeAll(() => {
  if (!missing) pki = createPki([CLIENT, S1, S2]);
});

afterEach(async (ctx) => {
  const fds = daemons.splice(0);
  if (ctx.task.result?.state === 'fail') {
    for (const fd of fds) console.error(`freeDiameter log ${fd.opts.identity} (${fd.logPath}):\n${fd.tail(60)}`);
  }
  await Promise.all(fds.map((fd) => fd.dispose()));
});

async function start(opts: Parameters<typeof FreeDiameter.start>[0]): Promise<FreeDiameter> {
  const fd = await FreeDiameter.start(opts);
  daemons.push(fd);
  return fd;
}

/** Servers first (each listing the client), then the client listing them; all connections OPEN. */
async function topology(
  servers: string[],
  client: { destRealm: string; seconds?: number; concurrency?: number; rtDefault?: string },
): Promise<{ client: FreeDiameter; servers: FreeDiameter[] }> {
  const clientPort = await freePort();
  const clientSecPort = await freePort();
  const started: FreeDiameter[] = [];
  for (const id of servers) {
    started.push(
      await start({
        identity: id,
        realm: REALM_B,
        pki,
        peers: [{ identity: CLIENT, port: clientPort, tls: 'none' }],
        testApp: { mode: 'server', countable: true },
        dumpMask: '0x2111',
      }),
    );
  }
  const c = await start({
    identity: CLIENT,
    realm: REALM_A,
    pki,
    port: clientPort,
    secPort: clientSecPort,
    peers: started.map((s) => ({ identity: s.opts.identity, port: s.port, tls: 'none' as const })),
    testApp: { mode: 'client', destRealm: client.destRealm, seconds: client.seconds ?? 2, concurrency: client.concurrency ?? 20 },
    ...(client.rtDefault !== undefined ? { rtDefault: client.rtDefault } : {}),
    dumpMask: '0x2111',
  });
  for (const s of started) await c.waitOpen(s.opts.identity);
  return { client: c, servers: started };
}

describe('freeDiameter test_app client → test_app server', () => {
  beforeEach((ctx) => {
    ctx.skip(missing !== undefined, missing);
  });

  it('every request sent is answered with 2001, and the server echoed exactly as many', async () => {
    const { client, servers } = await topology([S1], { destRealm: REALM_B, seconds: 2, concurrency: 20 });
    const mark = servers[0]!.mark();
    const r = await client.benchmark();
    expect(r.complete).toBe(true);
    expect(r.sent).toBeGreaterThan(100);
    expect(r.errors).toBe(0);
    expect(r.unanswered).toBe(0);
    expect(r.answers).toBe(r.sent);
    expect(r.seconds).toBeGreaterThanOrEqual(2);
    expect(r.seconds).toBeLessThan(3);
    expect(r.fastest).toBeLessThanOrEqual(r.average);
    expect(r.average).toBeLessThanOrEqual(r.slowest);
    expect(servers[0]!.echoed(mark)).toBe(r.answers);
  });

  it('a second run on the same daemons reports only its own requests', async () => {
    const { client, servers } = await topology([S1], { destRealm: REALM_B, seconds: 1, concurrency: 5 });
    const first = await client.benchmark();
    const mark = servers[0]!.mark();
    const second = await client.benchmark();
    expect(first.complete && second.complete).toBe(true);
    expect(second.sent).toBeGreaterThan(0);
    expect(second.answers).toBe(second.sent);
    expect(servers[0]!.echoed(mark)).toBe(second.answers);
    expect(servers[0]!.echoed()).toBe(first.answers + second.answers);
  });

  it('requests for a realm nobody serves come back as errors, not as answers', async () => {
    // The client's own stack answers 3002 (no eligible peer): test_app counts those as errors.
    const { client, servers } = await topology([S1], { destRealm: 'realm-nobody.test', seconds: 1, concurrency: 5 });
    const r = await client.benchmark();
    expect(r.complete).toBe(true);
    expect(r.sent).toBeGreaterThan(0);
    expect(r.answers).toBe(0);
    expect(r.errors).toBe(r.sent);
    expect(servers[0]!.echoed()).toBe(0);
  });

  it('rt_default rules on the client pick the server', async () => {
    // Both servers are in the destination realm (REALM = 15 each); the rule lifts server2 above.
    const { client, servers } = await topology([S1, S2], {
      destRealm: REALM_B,
      seconds: 1,
      concurrency: 10,
      rtDefault: `# prefer server2\n* : "${S2}" += DEFAULT ;\n`,
    });
    const r = await client.benchmark();
    expect(r.complete).toBe(true);
    expect(r.answers).toBe(r.sent);
    expect(r.sent).toBeGreaterThan(0);
    expect(servers[0]!.echoed()).toBe(0);
    expect(servers[1]!.echoed()).toBe(r.sent);
  });
});

describe('parseBenchmark', () => {
  it('reads the last block, the sending time of the first, and whether the run completed', () => {
    const block = (n: number, secs: string, sent: number, errs: number, answers: number): string =>
      [
        `NOTICE ------- app_test Benchmark results, end sending +${n}s ---------`,
        `NOTICE  Executing for: ${secs} sec`,
        `NOTICE    ${sent} messages sent`,
        `NOTICE    ${errs} error(s) received`,
        `NOTICE    ${answers} answer(s) received`,
        'NOTICE    Overall:',
        'NOTICE      fastest: 0.000101 sec.',
        'NOTICE      slowest: 0.250000 sec.',
        'NOTICE      Average: 0.001500 sec.',
        `NOTICE    Throughput: ${answers} messages / sec`,
        'NOTICE -------------------------------------',
      ].join('\n');
    const unfinished = [block(0, '2.000100', 50, 1, 40), block(1, '3.000200', 50, 1, 45)].join('\n');
    const r = parseBenchmark(unfinished);
    expect(r).toMatchObject({ seconds: 2.0001, sent: 50, errors: 1, answers: 45, unanswered: 4, complete: false, fastest: 0.000101, slowest: 0.25 });
    expect(r?.answersPerSecond).toBeCloseTo(45 / 2.0001, 6);
    const done = `${unfinished}\n${block(2, '4.0', 50, 1, 49)}\nNOTICE --------------- Test Complete --------------\n`;
    expect(parseBenchmark(done)).toMatchObject({ answers: 49, unanswered: 0, complete: true });
    expect(parseBenchmark('no results here')).toBeUndefined();
  });
});
