// Sh repository data over REST, with fetch on a real socket and a real SQLite file: PUT/GET/list/
// DELETE, the sequence number taken by the HSS (0, +1, 65535 → 1), 409 on a stale
// expectedSequenceNumber, the hss.shMaxRepositoryDataBytes limit (413), 404s and 400s naming the
// field, the audit log, and the 'sh-repository-changed' event the Sh application sends PNRs on.
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/server.js';
import { ErrorCode } from '../../src/errors.js';
import { DiameterNode } from '../../src/node/node.js';
import type { ShRepositoryChangedEvent } from '../../src/store/index.js';
import { tempStore, type TempStore } from '../store/helpers.js';
import { testConfig } from '../support/node-config.js';

const LIMIT = 100;
const IMPU = 'sip:grace@ims.test';
const SI = 'mmtel-settings';

let t: TempStore;
let app: FastifyInstance;
let url: string;
let events: ShRepositoryChangedEvent[];

beforeEach(async () => {
  t = tempStore();
  t.store.imsSubscribers.create({ impi: 'grace@ims.test', authScheme: 'digest-md5', digestPassword: 'pw', impus: [{ impu: IMPU }, { impu: 'tel:+4955502' }] }, 'test');
  events = [];
  t.store.on('sh-repository-changed', (e) => events.push(e));
  const base = testConfig('hss.test', 'test');
  const node = new DiameterNode({ config: { ...base, hss: { ...base.hss, shMaxRepositoryDataBytes: LIMIT } } });
  app = buildApi(node, { enabled: true, address: '127.0.0.1', port: 0, token: undefined }, pino({ level: 'silent' }), { store: t.store });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterEach(async () => {
  await app.close();
  t.cleanup();
});

const path = (impu: string, si?: string): string => `${url}/api/v1/ims-subscribers/by-impu/${encodeURIComponent(impu)}/repository-data${si === undefined ? '' : `/${encodeURIComponent(si)}`}`;

async function call(method: string, u: string, body?: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(u, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  return { status: r.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
const put = (si: string, body: object, impu = IMPU) => call('PUT', path(impu, si), body);

describe('PUT / GET / list / DELETE', () => {
  it('creates with 0, bumps by one per write, reads back, lists, deletes; audit rows and events follow', async () => {
    expect(await call('GET', path(IMPU))).toEqual({ status: 200, json: { items: [] } });
    expect(await put(SI, { data: '<cfu>sip:vm@ims.test</cfu>' })).toEqual({ status: 200, json: { serviceIndication: SI, sequenceNumber: 0, size: 26 } });
    expect((await put(SI, { data: '<cfu>sip:bob@ims.test</cfu>' })).json.sequenceNumber).toBe(1);
    expect((await put('other', { data: 'plain text', encoding: 'utf8' })).json.sequenceNumber).toBe(0);

    expect(await call('GET', path(IMPU, SI))).toEqual({ status: 200, json: { serviceIndication: SI, sequenceNumber: 1, data: '<cfu>sip:bob@ims.test</cfu>', encoding: 'utf8' } });
    expect((await call('GET', path(IMPU))).json).toEqual({
      items: [
        { serviceIndication: SI, sequenceNumber: 1, size: 27 },
        { serviceIndication: 'other', sequenceNumber: 0, size: 10 },
      ],
    });
    // What the Sh side reads is what was written (same store, same bytes).
    expect(t.store.sh.getData(IMPU, SI)?.data.toString()).toBe('<cfu>sip:bob@ims.test</cfu>');

    expect((await call('DELETE', path(IMPU, SI))).status).toBe(204);
    const gone = await call('GET', path(IMPU, SI));
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ code: ErrorCode.STORE_NOT_FOUND, field: 'serviceIndication' });
    const again = await call('DELETE', path(IMPU, SI));
    expect(again.status).toBe(404);
    expect(again.json.field).toBe('serviceIndication');
    // Recreated after a delete: 0 again (TS 29.328 §7.6.1, as a PUR would).
    expect((await put(SI, { data: '<x/>' })).json.sequenceNumber).toBe(0);

    // One event per committed change, the deletion with data null and the next number.
    expect(events.map((e) => [e.serviceIndication, e.sequenceNumber, e.data?.toString() ?? null, e.writer])).toEqual([
      [SI, 0, '<cfu>sip:vm@ims.test</cfu>', 'api:127.0.0.1'],
      [SI, 1, '<cfu>sip:bob@ims.test</cfu>', 'api:127.0.0.1'],
      ['other', 0, 'plain text', 'api:127.0.0.1'],
      [SI, 2, null, 'api:127.0.0.1'],
      [SI, 0, '<x/>', 'api:127.0.0.1'],
    ]);
    const audit = t.store.audit.list({ resource: 'sh-repository-data', resourceId: `${IMPU}/${SI}` }).items;
    // The audit log lists newest first.
    expect(audit.map((a) => [a.action, a.actor, a.details]).reverse()).toEqual([
      ['create', 'api:127.0.0.1', { sequenceNumber: 0, data: '<cfu>sip:vm@ims.test</cfu>', encoding: 'utf8' }],
      ['update', 'api:127.0.0.1', { sequenceNumber: 1, data: '<cfu>sip:bob@ims.test</cfu>', encoding: 'utf8' }],
      ['delete', 'api:127.0.0.1', { sequenceNumber: 2 }],
      ['create', 'api:127.0.0.1', { sequenceNumber: 0, data: '<x/>', encoding: 'utf8' }],
    ]);
  });

  it('wraps 65535 to 1', async () => {
    expect(t.store.sh.putData(IMPU, SI, 65534, Buffer.from('<a/>'), () => true).ok).toBe(true);
    expect((await put(SI, { data: '<b/>', expectedSequenceNumber: 65534 })).json.sequenceNumber).toBe(65535);
    expect((await put(SI, { data: '<c/>', expectedSequenceNumber: 65535 })).json.sequenceNumber).toBe(1);
    expect(t.store.sh.getData(IMPU, SI)?.sequenceNumber).toBe(1);
  });

  it('409 on a stale or premature expectedSequenceNumber, nothing written, no event', async () => {
    const stale = await put(SI, { data: '<a/>', expectedSequenceNumber: 0 });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ code: ErrorCode.STORE_CONFLICT, field: 'expectedSequenceNumber' });
    expect(t.store.sh.getData(IMPU, SI)).toBeUndefined();
    expect((await put(SI, { data: '<a/>' })).json.sequenceNumber).toBe(0);
    expect((await put(SI, { data: '<b/>', expectedSequenceNumber: 0 })).json.sequenceNumber).toBe(1);
    const r = await put(SI, { data: '<c/>', expectedSequenceNumber: 0 });
    expect(r.status).toBe(409);
    expect(r.json.field).toBe('expectedSequenceNumber');
    expect(String(r.json.message)).toContain('1');
    expect(t.store.sh.getData(IMPU, SI)?.data.toString()).toBe('<b/>');
    // DELETE takes the same check as a query parameter.
    const del = await call('DELETE', `${path(IMPU, SI)}?expectedSequenceNumber=0`);
    expect([del.status, del.json.field]).toEqual([409, 'expectedSequenceNumber']);
    const badQuery = await call('DELETE', `${path(IMPU, SI)}?expectedSequenceNumber=70000`);
    expect([badQuery.status, badQuery.json.field]).toEqual([400, 'expectedSequenceNumber']);
    expect(events).toHaveLength(2);
    expect((await call('DELETE', `${path(IMPU, SI)}?expectedSequenceNumber=1`)).status).toBe(204);
    expect(events.map((e) => e.sequenceNumber)).toEqual([0, 1, 2]);
  });

  it('refuses data over hss.shMaxRepositoryDataBytes with 413 (field data); exactly the limit is fine', async () => {
    const exactly = `<d>${'x'.repeat(LIMIT - 7)}</d>`;
    expect(Buffer.byteLength(exactly)).toBe(LIMIT);
    const over = await put(SI, { data: `<d>${'x'.repeat(LIMIT - 6)}</d>` });
    expect(over.status).toBe(413);
    expect(over.json).toMatchObject({ field: 'data', code: ErrorCode.API_VALIDATION });
    expect(t.store.sh.getData(IMPU, SI)).toBeUndefined();
    // Counted in bytes after base64 decoding, not in characters of the body.
    const b64over = await put(SI, { data: Buffer.from(`<d>${'é'.repeat(50)}</d>`).toString('base64'), encoding: 'base64' });
    expect(b64over.status).toBe(413);
    expect((await put(SI, { data: exactly })).status).toBe(200);
  });

  it('404 for an unknown public identity on every verb (field impu)', async () => {
    const nobody = 'sip:nobody@ims.test';
    for (const r of [await call('GET', path(nobody)), await call('GET', path(nobody, SI)), await put(SI, { data: '<a/>' }, nobody), await call('DELETE', path(nobody, SI))]) {
      expect(r.status).toBe(404);
      expect(r.json).toMatchObject({ code: ErrorCode.STORE_NOT_FOUND, field: 'impu' });
    }
    expect(events).toHaveLength(0);
  });

  it('400 naming the field: bad body, bad encoding, data that cannot go inside <ServiceData>', async () => {
    const cases: [object, string][] = [
      [{}, 'data'],
      [{ data: 5 }, 'data'],
      [{ data: '<a/>', extra: 1 }, 'extra'],
      [{ data: '<a/>', encoding: 'hex' }, 'encoding'],
      [{ data: '<a/>', expectedSequenceNumber: 70000 }, 'expectedSequenceNumber'],
      [{ data: '<a/>', expectedSequenceNumber: '1' }, 'expectedSequenceNumber'],
      [{ data: 'not base64!', encoding: 'base64' }, 'data'],
      [{ data: '<open>', encoding: 'utf8' }, 'data'],
      [{ data: 'a < b' }, 'data'],
      [{ data: Buffer.from([0xff, 0xfe, 0x3c]).toString('base64'), encoding: 'base64' }, 'data'],
    ];
    for (const [body, field] of cases) {
      const r = await put(SI, body);
      expect([body, r.status, r.json.field]).toEqual([body, 400, field]);
    }
    const badImpu = await call('GET', path('mailto:x@y'));
    expect([badImpu.status, badImpu.json.field]).toEqual([400, 'impu']);
    expect(events).toHaveLength(0);
    // Valid base64 of XML content is stored as its bytes.
    const ok = await put(SI, { data: Buffer.from('<v>ü</v>').toString('base64'), encoding: 'base64' });
    expect(ok.json).toEqual({ serviceIndication: SI, sequenceNumber: 0, size: 9 });
    expect((await call('GET', path(IMPU, SI))).json).toMatchObject({ data: '<v>ü</v>', encoding: 'utf8' });
  });

  it('answers stored bytes that are not UTF-8 as base64', async () => {
    const raw = Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]);
    expect(t.store.sh.putData(IMPU, SI, 0, raw, () => true).ok).toBe(true);
    expect((await call('GET', path(IMPU, SI))).json).toEqual({ serviceIndication: SI, sequenceNumber: 0, data: raw.toString('base64'), encoding: 'base64' });
  });
});
