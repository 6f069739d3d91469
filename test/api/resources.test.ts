// The other provisioning resources through inject(): APNs, roaming rules, iFC templates, IMS
// subscribers (by IMPI, IMPU, MSISDN; digest secrets write-only); references that must exist.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { K1, OPC1 } from '../store/helpers.js';
import { testApi, type TestApi } from './helpers.js';

let t: TestApi;
beforeEach(async () => (t = await testApi()));
afterEach(async () => t.close());

const IFC = '<InitialFilterCriteria><Priority>0</Priority><ApplicationServer><ServerName>sip:as.example</ServerName></ApplicationServer></InitialFilterCriteria>';

describe('APNs and roaming rules', () => {
  it('CRUD with defaults, 409 on a duplicate name, 400 naming nested fields', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/apns', payload: { name: 'internet', qci: 8, arp: { priority: 2, preemptionCapability: true, preemptionVulnerability: false } } });
    expect(created.statusCode).toBe(201);
    const apn = created.json<{ id: number }>();
    expect(apn).toMatchObject({ name: 'internet', pdnType: 'ipv4', qci: 8, arp: { priority: 2 }, ambr: { uplink: 1_000_000_000 } });
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/apns', payload: { name: 'INTERNET' } })).json()).toMatchObject({ statusCode: 409, field: 'name' });
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/apns', payload: { name: 'x', arp: { priority: 16, preemptionCapability: true, preemptionVulnerability: true } } })).json()).toMatchObject({
      statusCode: 400,
      field: 'arp.priority',
    });
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/apns', payload: { name: 'lac.example' } })).json()).toMatchObject({ statusCode: 400, field: 'name' });
    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/apns/${apn.id}`, payload: { pdnType: 'ipv4v6' } })).json()).toMatchObject({ pdnType: 'ipv4v6', qci: 8 });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/apns/${apn.id}` })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/apns/99' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/apns/abc' })).json()).toMatchObject({ statusCode: 400, field: 'id' });
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/apns/${apn.id}` })).statusCode).toBe(204);
  });

  it('roaming rules: PLMN format, unique PLMN, in use by a subscriber cannot be deleted', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/roaming-rules', payload: { name: 'x', mcc: '20', mnc: '01' } })).json()).toMatchObject({ statusCode: 400, field: 'mcc', message: 'mcc: must be 3 digits' });
    const r = (await t.app.inject({ method: 'POST', url: '/api/v1/roaming-rules', payload: { name: 'partner', mcc: '208', mnc: '01', allowed: false } })).json<{ id: number }>();
    expect(r).toMatchObject({ mcc: '208', mnc: '01', allowed: false });
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/roaming-rules', payload: { name: 'again', mcc: '208', mnc: '01' } })).statusCode).toBe(409);
    const sub = await t.app.inject({ method: 'POST', url: '/api/v1/subscribers', payload: { imsi: '001010000000001', k: K1, opc: OPC1, roamingRules: [r.id] } });
    expect(sub.json()).toMatchObject({ roamingRules: [r.id] });
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/roaming-rules/${r.id}` })).json()).toMatchObject({ statusCode: 409, code: ErrorCode.STORE_CONFLICT });
  });
});

describe('IMS subscribers and iFC templates', () => {
  it('IMPI with IMPUs; reads by IMPI, IMPU and MSISDN; password and HA1 never returned', async () => {
    const tpl = (await t.app.inject({ method: 'POST', url: '/api/v1/ifc-templates', payload: { name: 'default', xml: IFC } })).json<{ id: number }>();
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/ifc-templates', payload: { name: 'bad', xml: '<x/>' } })).json()).toMatchObject({ statusCode: 400, field: 'xml' });
    const payload = {
      impi: 'alice@ims.mnc001.mcc001.3gppnetwork.org',
      msisdn: '33612345678',
      authScheme: 'sip-digest',
      digestRealm: 'ims.example',
      digestPassword: 's3cr3t-pw',
      ifcTemplateId: tpl.id,
      impus: [{ impu: 'sip:alice@ims.example' }, { impu: 'tel:+33612345678', barred: false, irs: 0 }],
    };
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/ims-subscribers', payload });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ digestSecret: 'password', registrationState: 'not-registered', impus: [{ impu: 'sip:alice@ims.example' }, { impu: 'tel:+33612345678' }] });
    for (const url of [
      '/api/v1/ims-subscribers/alice@ims.mnc001.mcc001.3gppnetwork.org',
      `/api/v1/ims-subscribers/by-impu/${encodeURIComponent('tel:+33612345678')}`,
      '/api/v1/ims-subscribers/by-impu/sip:alice@ims.example',
      '/api/v1/ims-subscribers/by-msisdn/33612345678',
      '/api/v1/ims-subscribers',
      '/api/v1/audit',
    ]) {
      const r = await t.app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(200);
      expect(r.body, url).not.toContain('s3cr3t-pw');
    }
    const ha1 = 'a'.repeat(32);
    const patched = await t.app.inject({ method: 'PATCH', url: '/api/v1/ims-subscribers/alice@ims.mnc001.mcc001.3gppnetwork.org', payload: { digestHa1: ha1 } });
    expect(patched.json()).toMatchObject({ digestSecret: 'ha1' });
    expect(patched.body).not.toContain(ha1);
    expect(t.store.imsSubscribers.digestCredentials('alice@ims.mnc001.mcc001.3gppnetwork.org')).toMatchObject({ password: null, ha1 });
    // References and formats.
    const bad: [Record<string, unknown>, string][] = [
      [{ ...payload, impi: 'bob@x', impus: [{ impu: 'mailto:bob' }] }, 'impus[0].impu'],
      [{ ...payload, impi: 'bob', impus: [{ impu: 'sip:bob@x' }] }, 'impi'],
      [{ ...payload, impi: 'bob@x', impus: [{ impu: 'sip:bob@x' }], ifcTemplateId: 77 }, 'ifcTemplateId'],
      [{ ...payload, impi: 'bob@x', impus: [{ impu: 'sip:bob@x' }], authScheme: 'aka', imsi: '001010000000001' }, 'imsi'],
      [{ ...payload, impi: 'bob@x', impus: [] }, 'impus'],
      [{ ...payload, impi: 'bob@x', impus: [{ impu: 'sip:alice@ims.example' }] }, 'impus[0].impu'],
    ];
    for (const [p, field] of bad) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/ims-subscribers', payload: p });
      expect([400, 409], JSON.stringify(p)).toContain(r.statusCode);
      expect(r.json<{ field: string }>().field, JSON.stringify(p)).toBe(field);
    }
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/ifc-templates/${tpl.id}` })).statusCode).toBe(409);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/v1/ims-subscribers/alice@ims.mnc001.mcc001.3gppnetwork.org' })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/ims-subscribers/by-impu/sip:alice@ims.example' })).statusCode).toBe(404);
    const audit = await t.app.inject({ method: 'GET', url: '/api/v1/audit?resource=ims-subscriber' });
    expect(audit.json<{ items: { action: string; details: Record<string, unknown> }[] }>().items.map((a) => a.action)).toEqual(['delete', 'update', 'create']);
    expect(audit.body).not.toContain(ha1);
  });
});
