// IMS provisioning through inject() on a real SQLite file: a PATCH of `impus` keeps the Sh data and
// registration state of the public identities that stay (only removed ones lose theirs); the
// registration state shows per IMPU; `subscriptionId` groups IMPIs into one IMS subscription; iFC
// templates are checked against TS 29.228 Annex E on upload, a bad one is a 400 naming the field,
// line and column and what was expected.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { testApi, type TestApi } from './helpers.js';

let t: TestApi;
beforeEach(async () => (t = await testApi()));
afterEach(async () => t.close());

const IMPI = 'frank@ims.test';
const SIP = 'sip:frank@ims.test';
const TEL = 'tel:+3361000';
const S = 'sip:scscf.ims.test:6060';
const IFC =
  '<InitialFilterCriteria>\n  <Priority>1</Priority>\n  <TriggerPoint><ConditionTypeCNF>0</ConditionTypeCNF>' +
  '<SPT><Group>0</Group><SessionCase>0</SessionCase></SPT></TriggerPoint>\n' +
  '  <ApplicationServer><ServerName>sip:mmtel.ims.test</ServerName><DefaultHandling>0</DefaultHandling></ApplicationServer>\n</InitialFilterCriteria>';

const post = (url: string, payload: object) => t.app.inject({ method: 'POST', url, payload });
const patch = (url: string, payload: object) => t.app.inject({ method: 'PATCH', url, payload });

async function createFrank(extra: object = {}): Promise<void> {
  const r = await post('/api/v1/ims-subscribers', { impi: IMPI, authScheme: 'digest-md5', digestPassword: 'pw', impus: [{ impu: SIP }, { impu: TEL }], ...extra });
  expect(r.statusCode, r.body).toBe(201);
}

describe('PATCH impus', () => {
  it('keeps the Sh repository data and registration of an IMPU that stays; a removed IMPU loses its data', async () => {
    await createFrank();
    for (const impu of [SIP, TEL]) expect(t.store.sh.putData(impu, 'mmtel', 0, Buffer.from(`<for>${impu}</for>`), (cur) => cur === undefined).ok).toBe(true);
    t.store.imsSubscribers.setServer(IMPI, S, 'registered');

    const r = await patch(`/api/v1/ims-subscribers/${IMPI}`, { impus: [{ impu: SIP }, { impu: 'sip:frank.2@ims.test', irs: 1 }] });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json<{ impus: unknown[] }>().impus).toEqual([
      { impu: SIP, barred: false, irs: 0, scscfName: S, registrationState: 'registered' },
      { impu: 'sip:frank.2@ims.test', barred: false, irs: 1, scscfName: null, registrationState: 'not-registered' },
    ]);
    expect(t.store.sh.getData(SIP, 'mmtel')?.data.toString()).toBe(`<for>${SIP}</for>`);
    expect(t.store.sh.getData(TEL, 'mmtel')).toBeUndefined();
    // A PUR for the kept identity continues its sequence; the removed one is unknown now.
    expect(t.store.sh.putData(SIP, 'mmtel', 1, Buffer.from('<v2/>'), (cur) => cur === 0).ok).toBe(true);
    expect(t.store.sh.putData(TEL, 'mmtel', 0, Buffer.from('<x/>'), () => true)).toMatchObject({ ok: false, reason: 'unknown-identity' });
    const got = await t.app.inject({ method: 'GET', url: `/api/v1/ims-subscribers/by-impu/${encodeURIComponent(SIP)}` });
    expect(got.json()).toMatchObject({ impi: IMPI, registrationState: 'registered', scscfName: S });
  });
});

describe('subscriptionId', () => {
  it('is set on POST and PATCH, cleared with null, checked for its format', async () => {
    await createFrank({ subscriptionId: 'home-42' });
    expect((await post('/api/v1/ims-subscribers', { impi: 'gina@ims.test', authScheme: 'digest-md5', digestPassword: 'pw', subscriptionId: 'home-42', impus: [{ impu: 'sip:gina@ims.test' }] })).json()).toMatchObject({
      subscriptionId: 'home-42',
    });
    expect(t.store.imsSubscribers.associatedImpis(IMPI)).toEqual(['gina@ims.test']);
    const bad = await patch(`/api/v1/ims-subscribers/${IMPI}`, { subscriptionId: 'home 42' });
    expect(bad.json()).toMatchObject({ statusCode: 400, code: ErrorCode.API_VALIDATION, field: 'subscriptionId', message: 'subscriptionId: must be 1-128 letters, digits or . _ : @ + -' });
    expect(t.store.imsSubscribers.get(IMPI)!.subscriptionId).toBe('home-42');
    expect((await patch(`/api/v1/ims-subscribers/${IMPI}`, { subscriptionId: null })).json()).toMatchObject({ subscriptionId: null });
    expect(t.store.imsSubscribers.associatedImpis('gina@ims.test')).toEqual([]);
  });
});

describe('iFC template upload (TS 29.228 Annex E)', () => {
  it('a bad template is a 400 with field xml, line, column and the expectation; nothing is stored', async () => {
    const bad = IFC.replace('<SessionCase>0</SessionCase>', '<SessionCase>6</SessionCase>');
    const r = await post('/api/v1/ifc-templates', { name: 'mmtel', xml: bad });
    expect(r.statusCode).toBe(400);
    const body = r.json<{ code: string; field: string; line: number; column: number; message: string }>();
    const line3 = bad.split('\n')[2]!;
    expect(body).toMatchObject({ code: ErrorCode.STORE_INVALID, field: 'xml', line: 3, column: line3.indexOf('<SessionCase>') + 1 });
    expect(body.message).toBe(
      `xml: line 3, column ${body.column}: InitialFilterCriteria[1] › TriggerPoint › SPT[1] › SessionCase: <SessionCase> must be 0 ORIGINATING_REGISTERED, 1 TERMINATING_REGISTERED, ` +
        '2 TERMINATING_UNREGISTERED, 3 ORIGINATING_UNREGISTERED or 4 ORIGINATING_CDIV (tDirectionOfRequest), found "6"',
    );
    const malformed = await post('/api/v1/ifc-templates', { name: 'mmtel', xml: IFC.replace('</TriggerPoint>', '') });
    expect(malformed.json()).toMatchObject({ statusCode: 400, field: 'xml', line: 5, column: 1 });
    expect(malformed.json<{ message: string }>().message).toMatch(/^xml: line 5, column 1: not well-formed XML: Expected closing tag 'TriggerPoint'/);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/ifc-templates' })).json()).toEqual({ items: [], next: null });

    const ok = await post('/api/v1/ifc-templates', { name: 'mmtel', xml: IFC });
    expect(ok.statusCode, ok.body).toBe(201);
    const id = ok.json<{ id: number }>().id;
    const order = await patch(`/api/v1/ifc-templates/${id}`, { xml: IFC.replace('<Priority>1</Priority>', '').replace('</ApplicationServer>', '</ApplicationServer><Priority>1</Priority>') });
    expect(order.json()).toMatchObject({ statusCode: 400, field: 'xml', line: 3, column: 3 });
    expect(order.json<{ message: string }>().message).toContain('expected <Priority>, found <TriggerPoint>');
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/ifc-templates/${id}` })).json()).toMatchObject({ xml: IFC });
    // The error shape (line, column) is part of the published contract.
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: { properties: object } }> }> }>> }>();
    expect(Object.keys(doc.paths['/api/v1/ifc-templates']!.post!.responses['400']!.content['application/json']!.schema.properties)).toEqual(
      expect.arrayContaining(['field', 'message', 'line', 'column']),
    );
  });
});
