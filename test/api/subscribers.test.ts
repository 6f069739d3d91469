// The provisioning contract through fastify inject(): POST /api/v1/subscribers creates subscriber +
// AuC in one call, GET never returns keys, bad bodies get 400 naming the field, 404, 409, audit.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { K1, OP1, OPC1 } from '../store/helpers.js';
import { testApi, type TestApi } from './helpers.js';

let t: TestApi;
beforeEach(async () => {
  t = await testApi();
  for (const name of ['internet', 'ims']) expect((await t.app.inject({ method: 'POST', url: '/api/v1/apns', payload: { name } })).statusCode).toBe(201);
});
afterEach(async () => t.close());

const body = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  imsi: '001010000000001',
  msisdn: '33612345678',
  k: K1,
  opc: OPC1,
  amf: '8000',
  sqn: 0,
  apns: ['internet', 'ims'],
  ...over,
});

describe('POST/GET /api/v1/subscribers', () => {
  it('creates subscriber and AuC in one call; GET by IMSI and MSISDN answer without k/opc/op', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/subscribers', payload: body() });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ imsi: '001010000000001', msisdn: '33612345678', defaultApn: 'internet', apns: [{ name: 'internet' }, { name: 'ims' }] });
    for (const url of ['/api/v1/subscribers/001010000000001', '/api/v1/subscribers/by-msisdn/33612345678', '/api/v1/auc/001010000000001', '/api/v1/subscribers', '/api/v1/auc', '/api/v1/audit']) {
      const r = await t.app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(200);
      expect(r.body.toLowerCase(), url).not.toContain(K1);
      expect(r.body.toLowerCase(), url).not.toContain(OPC1);
      // The audit log names the fields that were given, masked ("k":"***"); answers have no such field.
      if (!url.endsWith('audit')) expect(r.body, url).not.toMatch(/"(k|opc|op)":/);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auc/001010000000001' })).json()).toMatchObject({ algorithm: 'milenage', operatorKey: 'opc', amf: '8000', sqn: 0 });
    // The keys really were stored: the AuC hands them to the HSS.
    expect(t.store.auc.credentials('001010000000001')!.k.toString('hex')).toBe(K1);
  });

  it('accepts op instead of opc, and SQN as a hex string', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/subscribers', payload: body({ opc: undefined, op: OP1, sqn: 'ff0000000000' }) });
    expect(res.statusCode).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auc/001010000000001' })).json()).toMatchObject({ operatorKey: 'op', sqn: 0xff0000000000 });
  });

  it('bad bodies: 400 naming the field with the rule in words, and nothing is written', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [body({ imsi: '1234' }), 'imsi', /imsi: must be 5-15 digits/],
      [body({ imsi: '1234567890123456' }), 'imsi', /5-15 digits/],
      [body({ imsi: 1234567 }), 'imsi', /5-15 digits/],
      [body({ msisdn: '+336' }), 'msisdn', /msisdn: must be digits only/],
      [body({ k: K1.slice(1) }), 'k', /k: must be 32 hex digits/],
      [body({ opc: 'x'.repeat(32) }), 'opc', /opc: must be 32 hex digits/],
      [body({ op: OP1 }), 'op', /op: give opc or op, not both/],
      [body({ opc: undefined }), 'opc', /one of opc or op is required/],
      [body({ amf: '80000' }), 'amf', /amf: must be 4 hex digits/],
      [body({ sqn: 2 ** 48 }), 'sqn', /at most 48 bits/],
      [body({ sqn: '1000000000000' }), 'sqn', /at most 48 bits/],
      [body({ sqn: -1 }), 'sqn', /at most 48 bits/],
      [body({ apns: ['sgsn.example'] }), 'apns[0]', /TS 23\.003/],
      [body({ apns: ['bad_label'] }), 'apns[0]', /TS 23\.003/],
      [body({ apns: ['internet', 'nope'] }), 'apns[1]', /APN nope does not exist/],
      [body({ k: undefined }), 'k', /k: is required/],
      [body({ imsi: undefined }), 'imsi', /imsi: is required/],
      [body({ colour: 'blue' }), 'colour', /colour: is not a known field/],
      [body({ ambr: { uplink: 1 } }), 'ambr.downlink', /is required/],
      [body({ roamingRules: [7] }), 'roamingRules[0]', /roaming rule 7 does not exist/],
    ];
    for (const [payload, field, message] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/subscribers', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      const err = res.json<{ field: string; message: string; code: string }>();
      expect(err.field, JSON.stringify(payload)).toBe(field);
      expect(err.message).toMatch(message);
      expect(err.message.toLowerCase()).not.toContain(K1.slice(1));
    }
    const notJson = await t.app.inject({ method: 'POST', url: '/api/v1/subscribers', headers: { 'content-type': 'application/json' }, payload: '{"imsi":' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toMatchObject({ field: 'body', code: ErrorCode.API_VALIDATION });
    expect(t.store.subscribers.count()).toBe(0);
    expect(t.store.audit.list({ resource: 'subscriber' }).items).toEqual([]);
  });

  it('409 on a duplicate IMSI or MSISDN; 404 for unknown; bad path parameter is 400', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/subscribers', payload: body() })).statusCode).toBe(201);
    const dup = await t.app.inject({ method: 'POST', url: '/api/v1/subscribers', payload: body() });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ field: 'imsi', code: ErrorCode.STORE_CONFLICT });
    const dupMsisdn = await t.app.inject({ method: 'POST', url: '/api/v1/subscribers', payload: body({ imsi: '001010000000002' }) });
    expect(dupMsisdn.json()).toMatchObject({ statusCode: 409, field: 'msisdn' });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/subscribers/001010000000009' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/subscribers/001010000000009' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'PATCH', url: '/api/v1/subscribers/001010000000009', payload: { enabled: false } })).statusCode).toBe(404);
    const badPath = await t.app.inject({ method: 'GET', url: '/api/v1/subscribers/12ab' });
    expect(badPath.statusCode).toBe(400);
    expect(badPath.json()).toMatchObject({ field: 'imsi' });
  });

  it('PATCH, paginated list, DELETE; every change in the audit log with the client and masked keys', async () => {
    for (let i = 1; i <= 3; i++) await t.app.inject({ method: 'POST', url: '/api/v1/subscribers', payload: body({ imsi: `00101000000000${i}`, msisdn: `3361234567${i}` }) });
    const p = await t.app.inject({ method: 'PATCH', url: '/api/v1/subscribers/001010000000002', payload: { enabled: false, apns: ['ims'], periodicTau: 3600 } });
    expect(p.json()).toMatchObject({ enabled: false, apns: [{ name: 'ims' }], defaultApn: 'ims', periodicTau: 3600 });
    expect((await t.app.inject({ method: 'PATCH', url: '/api/v1/subscribers/001010000000002', payload: { imsi: '001010000000005' } })).json()).toMatchObject({ statusCode: 400, field: 'imsi' });
    const rekey = await t.app.inject({ method: 'PATCH', url: '/api/v1/auc/001010000000002', payload: { op: OP1, sqn: 64 } });
    expect(rekey.json()).toMatchObject({ operatorKey: 'op', sqn: 64 });
    const page1 = (await t.app.inject({ method: 'GET', url: '/api/v1/subscribers?limit=2' })).json<{ items: { imsi: string }[]; next: string }>();
    expect(page1.items.map((s) => s.imsi)).toEqual(['001010000000001', '001010000000002']);
    const page2 = (await t.app.inject({ method: 'GET', url: `/api/v1/subscribers?limit=2&after=${page1.next}` })).json<{ items: { imsi: string }[]; next: string | null }>();
    expect(page2).toMatchObject({ items: [{ imsi: '001010000000003' }], next: null });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/subscribers?limit=0' })).json()).toMatchObject({ statusCode: 400, field: 'limit' });
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/subscribers/001010000000003' })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auc/001010000000003' })).statusCode).toBe(404);
    const audit = (await t.app.inject({ method: 'GET', url: '/api/v1/audit?limit=10' })).json<{ items: { action: string; resource: string; actor: string; details: Record<string, unknown> }[] }>();
    expect(audit.items.map((a) => `${a.action} ${a.resource}`)).toEqual(['delete subscriber', 'update auc', 'update subscriber', 'create subscriber', 'create subscriber', 'create subscriber', 'create apn', 'create apn']);
    expect(audit.items.every((a) => a.actor === 'api:127.0.0.1')).toBe(true);
    expect(audit.items[1]!.details).toMatchObject({ op: '***', sqn: 64 });
    expect(audit.items[3]!.details).toMatchObject({ auc: { k: '***', opc: '***' } });
  });

  it('a PATCH emits subscriber-changed for the S6a application', async () => {
    await t.app.inject({ method: 'POST', url: '/api/v1/subscribers', payload: body() });
    const events: unknown[] = [];
    t.store.on('subscriber-changed', (e) => events.push(e));
    await t.app.inject({ method: 'PATCH', url: '/api/v1/subscribers/001010000000001', payload: { ambr: { uplink: 1000, downlink: 2000 } } });
    expect(events).toEqual([{ imsi: '001010000000001', kind: 'updated', fields: ['ambr'], servingNode: null }]);
  });
});
