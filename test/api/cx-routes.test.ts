// Operator-started Cx procedures over REST (POST /api/v1/ims-subscribers/:impi/deregister and
// /push-profile), end to end: fetch on the API's real socket, the node's RTR/PPR to two scripted
// S-CSCFs over real Diameter sockets, the per-IMPU state in the real SQLite file read back with
// GET /api/v1/ims-subscribers/:impi, and the 400/404/409 answers naming their field.
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cxRoutes } from '../../src/api/cx-routes.js';
import { startApi } from '../../src/api/server.js';
import { ErrorCode } from '../../src/errors.js';
import type { SqliteStore } from '../../src/store/index.js';
import { S1, S2, URI1, URI2, associatedIdentities, publicIdentities, reasonCode, requestsFor, resetPushBed, startPushBed, userDataXml, type PushBed } from '../hss/cx/cx-push-support.js';
import { resultCode } from '../support/scripted-peer.js';
import { findAvp } from '../../src/diameter/codec/message.js';

const A = 'alice@ims.test';
const A_SIP = 'sip:alice@ims.test';
const A_TEL = 'tel:+33100000001';
const A_WORK = 'sip:alice-work@ims.test';
const B = 'bob@ims.test';
const B_SIP = 'sip:bob@ims.test';
const REGISTRATION = 1;
const T = 10415;

function seed(s: SqliteStore): void {
  const md5 = { authScheme: 'digest-md5' as const, digestRealm: 'ims.test', digestPassword: 'pw' };
  s.imsSubscribers.create({ impi: A, ...md5, subscriptionId: 'family', impus: [{ impu: A_SIP }, { impu: A_TEL }, { impu: A_WORK, irs: 1 }] }, 'test');
  s.imsSubscribers.create({ impi: B, ...md5, subscriptionId: 'family', impus: [{ impu: B_SIP }] }, 'test');
}

let bed: PushBed;
let api: FastifyInstance;
let url: string;
beforeAll(async () => {
  bed = await startPushBed(seed);
  const started = await startApi(bed.node, { enabled: true, address: '127.0.0.1', port: 0, token: undefined }, pino({ level: 'silent' }), {
    store: bed.store,
    routes: (app) => cxRoutes(app, bed.cx, bed.store),
  });
  api = started.app;
  url = started.url;
});
afterAll(async () => {
  await api.close();
  await bed.close();
});
beforeEach(() => resetPushBed(bed));

async function register(): Promise<void> {
  expect(resultCode(await bed.sar(S1, URI1, A, [A_SIP], REGISTRATION))).toBe(2001);
  expect(resultCode(await bed.sar(S2, URI2, A, [A_WORK], REGISTRATION))).toBe(2001);
  expect(resultCode(await bed.sar(S1, URI1, B, [B_SIP], REGISTRATION))).toBe(2001);
}

const post = (impi: string, what: string, body?: unknown): Promise<Response> =>
  fetch(`${url}/api/v1/ims-subscribers/${encodeURIComponent(impi)}/${what}`, {
    method: 'POST',
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });

interface ImpuView {
  impu: string;
  scscfName: string | null;
  registrationState: string;
}
async function getSub(impi: string): Promise<{ registrationState: string; impus: ImpuView[] }> {
  const r = await fetch(`${url}/api/v1/ims-subscribers/${encodeURIComponent(impi)}`);
  expect(r.status).toBe(200);
  return (await r.json()) as { registrationState: string; impus: ImpuView[] };
}

describe('POST /api/v1/ims-subscribers/:impi/deregister', () => {
  it('sends RTR to each S-CSCF holding IMPUs; on 2001 GET shows them NOT_REGISTERED', async () => {
    await register();
    expect((await getSub(A)).registrationState).toBe('registered');
    const r = await post(A, 'deregister', { reasonInfo: 'contract ended' });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      impi: A,
      scscfs: [
        { scscf: URI1, host: S1, impus: [A_SIP, A_TEL], associatedImpis: [B], resultCode: 2001, ok: true },
        { scscf: URI2, host: S2, impus: [A_WORK], associatedImpis: [], resultCode: 2001, ok: true },
      ],
    });
    const rtr1 = requestsFor(bed.peers[S1]!, 304, A);
    expect(rtr1).toHaveLength(1);
    expect(publicIdentities(rtr1[0]!)).toEqual([A_SIP, A_TEL]);
    expect(associatedIdentities(rtr1[0]!)).toEqual([B]);
    expect(reasonCode(rtr1[0]!)).toBe(0);
    const info = findAvp(findAvp(rtr1[0]!.avps, 615, T)?.avps, 617, T)?.value;
    expect(Buffer.isBuffer(info) ? info.toString('utf8') : info).toBe('contract ended');
    expect(publicIdentities(requestsFor(bed.peers[S2]!, 304, A)[0]!)).toEqual([A_WORK]);

    const a = await getSub(A);
    expect(a.registrationState).toBe('not-registered');
    expect(a.impus.map((p) => [p.impu, p.scscfName, p.registrationState])).toEqual([
      [A_SIP, null, 'not-registered'],
      [A_TEL, null, 'not-registered'],
      [A_WORK, null, 'not-registered'],
    ]);
    expect((await getSub(B)).impus[0]).toMatchObject({ scscfName: null, registrationState: 'not-registered' });
  });

  it('named IMPUs with another reason: only their S-CSCF; a refusal keeps them and says so', async () => {
    await register();
    bed.answers[S2] = 5012;
    const r = await post(A, 'deregister', { reasonCode: 2, impus: [A_WORK] });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ impi: A, scscfs: [{ scscf: URI2, host: S2, impus: [A_WORK], associatedImpis: [], resultCode: 5012, ok: false }] });
    expect(requestsFor(bed.peers[S1]!, 304, A)).toHaveLength(0);
    expect(reasonCode(requestsFor(bed.peers[S2]!, 304, A)[0]!)).toBe(2);
    expect((await getSub(A)).impus.find((p) => p.impu === A_WORK)).toMatchObject({ scscfName: URI2, registrationState: 'registered' });
    bed.answers[S2] = 2001;
    expect((await post(A, 'deregister', {})).status).toBe(200);
    expect((await getSub(A)).registrationState).toBe('not-registered');
  });

  it('answers 404 for an unknown IMPI, 409 when nothing is assigned, 400 naming the field of a bad body', async () => {
    const check = async (r: Response, status: number, code: string, field: string): Promise<void> => {
      expect(r.status).toBe(status);
      expect(await r.json()).toMatchObject({ statusCode: status, code, field });
    };
    await check(await post('nobody@ims.test', 'deregister', {}), 404, ErrorCode.STORE_NOT_FOUND, 'impi');
    await check(await post('nobody@ims.test', 'deregister'), 404, ErrorCode.STORE_NOT_FOUND, 'impi');
    await check(await post(A, 'deregister', {}), 409, ErrorCode.STORE_CONFLICT, 'impi');
    await check(await post(A, 'deregister', { impus: [B_SIP] }), 400, ErrorCode.API_VALIDATION, 'impus');
    await check(await post(A, 'deregister', { impus: [] }), 400, ErrorCode.API_VALIDATION, 'impus');
    await check(await post(A, 'deregister', { reasonCode: 7 }), 400, ErrorCode.API_VALIDATION, 'reasonCode');
    await check(await post(A, 'deregister', { reasonCode: '0' }), 400, ErrorCode.API_VALIDATION, 'reasonCode');
    await check(await post(A, 'deregister', { reasonInfo: 5 }), 400, ErrorCode.API_VALIDATION, 'reasonInfo');
    await check(await post(A, 'deregister', { impu: [A_SIP] }), 400, ErrorCode.API_VALIDATION, 'impu');
    await check(await post(A, 'push-profile'), 409, ErrorCode.STORE_CONFLICT, 'impi');
    await check(await post('nobody@ims.test', 'push-profile'), 404, ErrorCode.STORE_NOT_FOUND, 'impi');
    expect(bed.peers[S1]!.received.concat(bed.peers[S2]!.received)).toHaveLength(0);
  });
});

describe('POST /api/v1/ims-subscribers/:impi/push-profile', () => {
  it('sends PPR to each S-CSCF with the profile of its IMPUs and reports each answer', async () => {
    await register();
    bed.answers[S1] = 5001;
    const r = await post(A, 'push-profile');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      impi: A,
      scscfs: [
        { scscf: URI1, host: S1, impus: [A_SIP, A_TEL], associatedImpis: [], resultCode: 5001, ok: false },
        { scscf: URI2, host: S2, impus: [A_WORK], associatedImpis: [], resultCode: 2001, ok: true },
      ],
    });
    expect(userDataXml(requestsFor(bed.peers[S1]!, 305, A)[0]!)).toContain(`<Identity>${A_TEL}</Identity>`);
    expect(userDataXml(requestsFor(bed.peers[S2]!, 305, A)[0]!)).not.toContain(A_TEL);
    // A PPR changes no assignment.
    expect((await getSub(A)).registrationState).toBe('registered');
    await post(A, 'deregister', {});
  });
});
