// Repositories of the SQLite store on a real file: CRUD, conflicts, references, secrets never in
// views, audit rows with secrets masked, change events after commit.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { StoreError, type SubscriberChangedEvent } from '../../src/store/index.js';
import { K1, OP1, OPC1, tempStore, type TempStore } from './helpers.js';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
  t.store.apns.create({ name: 'internet' }, 'test');
  t.store.apns.create({ name: 'ims', qci: 5, pdnType: 'ipv4v6' }, 'test');
});
afterEach(() => t.cleanup());

function codeOf(fn: () => unknown): { code: string; field: string | undefined } {
  try {
    fn();
  } catch (err) {
    if (err instanceof StoreError) return { code: err.code, field: err.field };
    throw err;
  }
  throw new Error('expected a StoreError');
}

describe('subscribers', () => {
  it('creates subscriber + AuC in one call and reads it back without keys', () => {
    const s = t.store.subscribers.createWithAuc({ imsi: '001010000000001', msisdn: '3312345678', apns: ['internet', 'ims'] }, { k: K1, opc: OPC1, amf: '8000', sqn: 0x20 }, 'test');
    expect(s).toMatchObject({ imsi: '001010000000001', msisdn: '3312345678', defaultApn: 'internet', enabled: true });
    expect(s.apns.map((a) => a.name)).toEqual(['internet', 'ims']);
    expect(t.store.subscribers.getByMsisdn('3312345678')?.imsi).toBe('001010000000001');
    const auc = t.store.auc.get('001010000000001')!;
    expect(auc).toMatchObject({ algorithm: 'milenage', operatorKey: 'opc', amf: '8000', sqn: 0x20 });
    expect(JSON.stringify(auc)).not.toContain(K1);
    expect(JSON.stringify(auc)).not.toContain(OPC1);
    const cred = t.store.auc.credentials('001010000000001')!;
    expect(cred.k.toString('hex')).toBe(K1);
    expect(cred.opc!.toString('hex')).toBe(OPC1);
  });

  it('409 duplicates: IMSI and MSISDN', () => {
    t.store.subscribers.create({ imsi: '001010000000001', msisdn: '111' }, 'test');
    expect(codeOf(() => t.store.subscribers.create({ imsi: '001010000000001' }, 'test'))).toEqual({ code: ErrorCode.STORE_CONFLICT, field: 'imsi' });
    expect(codeOf(() => t.store.subscribers.create({ imsi: '001010000000002', msisdn: '111' }, 'test'))).toEqual({ code: ErrorCode.STORE_CONFLICT, field: 'msisdn' });
  });

  it('references must exist, and a failed create leaves nothing behind', () => {
    expect(codeOf(() => t.store.subscribers.createWithAuc({ imsi: '001010000000003', apns: ['internet', 'nope'] }, { k: K1, opc: OPC1 }, 'test'))).toEqual({
      code: ErrorCode.STORE_BAD_REFERENCE,
      field: 'apns[1]',
    });
    expect(t.store.subscribers.get('001010000000003')).toBeUndefined();
    expect(t.store.auc.get('001010000000003')).toBeUndefined();
    expect(codeOf(() => t.store.subscribers.create({ imsi: '001010000000003', roamingRules: [42] }, 'test')).field).toBe('roamingRules[0]');
    expect(codeOf(() => t.store.auc.create({ imsi: '001010000000009', k: K1, opc: OPC1 }, 'test'))).toEqual({ code: ErrorCode.STORE_BAD_REFERENCE, field: 'imsi' });
  });

  it('bad values name the field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ imsi: '1234' }, 'imsi'],
      [{ imsi: '0010100000000011' }, 'imsi'],
      [{ imsi: '00101a' }, 'imsi'],
      [{ imsi: '001010000000001', msisdn: '+33' }, 'msisdn'],
      [{ imsi: '001010000000001', apns: ['rac.example'] }, 'apns[0]'],
      [{ imsi: '001010000000001', apns: ['x.gprs'] }, 'apns[0]'],
      [{ imsi: '001010000000001', apns: ['internet'], defaultApn: 'ims' }, 'defaultApn'],
      [{ imsi: '001010000000001', networkAccessMode: 'both' }, 'networkAccessMode'],
      [{ imsi: '001010000000001', ratRestrictions: ['wifi'] }, 'ratRestrictions[0]'],
      [{ imsi: '001010000000001', chargingCharacteristics: '08' }, 'chargingCharacteristics'],
    ];
    for (const [input, field] of cases) {
      expect(codeOf(() => t.store.subscribers.create(input as never, 'test')), JSON.stringify(input)).toEqual({ code: ErrorCode.STORE_INVALID, field });
    }
    const aucCases: [Record<string, unknown>, string][] = [
      [{ k: K1.slice(2) }, 'k'],
      [{ k: K1 }, 'opc'],
      [{ k: K1, opc: OPC1, op: OP1 }, 'op'],
      [{ k: K1, opc: 'zz' + OPC1.slice(2) }, 'opc'],
      [{ k: K1, opc: OPC1, amf: '800' }, 'amf'],
      [{ k: K1, opc: OPC1, sqn: 2 ** 48 }, 'sqn'],
      [{ k: K1, opc: OPC1, sqn: '1000000000000' }, 'sqn'],
    ];
    for (const [auc, field] of aucCases) {
      expect(codeOf(() => t.store.subscribers.createWithAuc({ imsi: '001010000000001' }, auc as never, 'test')), JSON.stringify(auc)).toEqual({ code: ErrorCode.STORE_INVALID, field });
    }
    expect(t.store.subscribers.count()).toBe(0);
  });

  it('update, list pages and delete (AuC and serving node go with the subscriber)', async () => {
    for (let i = 1; i <= 5; i++) t.store.subscribers.createWithAuc({ imsi: `00101000000000${i}`, apns: ['internet'] }, { k: K1, op: OP1 }, 'test');
    const u = t.store.subscribers.update('001010000000002', { enabled: false, apns: ['ims'], ambr: { uplink: 5, downlink: 6 } }, 'test');
    expect(u).toMatchObject({ enabled: false, defaultApn: 'ims', ambr: { uplink: 5, downlink: 6 } });
    const p1 = t.store.subscribers.list({ limit: 2 });
    expect(p1.items.map((s) => s.imsi)).toEqual(['001010000000001', '001010000000002']);
    const p3 = t.store.subscribers.list({ limit: 2, after: t.store.subscribers.list({ limit: 2, after: p1.next! }).next! });
    expect(p3).toMatchObject({ next: null });
    expect(p3.items.map((s) => s.imsi)).toEqual(['001010000000005']);
    await t.store.servingNodes.setMme('001010000000003', 'mme1.epc', 'epc');
    t.store.subscribers.delete('001010000000003', 'test');
    expect(t.store.subscribers.get('001010000000003')).toBeUndefined();
    expect(t.store.auc.get('001010000000003')).toBeUndefined();
    expect(t.store.servingNodes.get('001010000000003')).toBeUndefined();
    expect(codeOf(() => t.store.subscribers.delete('001010000000003', 'test')).code).toBe(ErrorCode.STORE_NOT_FOUND);
  });

  it('an APN in use cannot be deleted (409)', () => {
    t.store.subscribers.create({ imsi: '001010000000001', apns: ['internet'] }, 'test');
    const apn = t.store.apns.getByName('internet')!;
    expect(codeOf(() => t.store.apns.delete(apn.id, 'test')).code).toBe(ErrorCode.STORE_CONFLICT);
  });
});

describe('audit log', () => {
  it('records who, when and what for every change, with secrets masked', () => {
    t.store.subscribers.createWithAuc({ imsi: '001010000000001' }, { k: K1, opc: OPC1 }, 'api:127.0.0.1');
    t.store.auc.update('001010000000001', { k: K1.replace('4', '5'), amf: '9000' }, 'cli:ops');
    t.store.subscribers.delete('001010000000001', 'cli:ops');
    const rows = t.store.audit.list({ resource: 'subscriber' }).items;
    expect(rows.map((r) => [r.action, r.actor])).toEqual([
      ['delete', 'cli:ops'],
      ['create', 'api:127.0.0.1'],
    ]);
    const all = JSON.stringify(t.store.audit.list().items);
    expect(all).not.toContain(K1);
    expect(all).not.toContain(OPC1);
    expect(all).not.toContain(K1.replace('4', '5'));
    const create = rows[1]!;
    expect(create.details).toMatchObject({ imsi: '001010000000001', auc: { k: '***', opc: '***' } });
    expect(Date.parse(create.at)).toBeGreaterThan(Date.now() - 60_000);
    // The raw table too: nothing secret was written anywhere in the audit log.
    const raw = t.store.db.prepare('SELECT group_concat(details) AS d FROM audit_log').get() as { d: string };
    expect(raw.d).not.toMatch(new RegExp(`${K1}|${OPC1}`, 'i'));
  });
});

describe('events', () => {
  it('subscriber-changed after commit, with the serving MME; none when the change fails', async () => {
    const seen: SubscriberChangedEvent[] = [];
    t.store.on('subscriber-changed', (e) => {
      // Emitted after commit: the change is visible to the listener.
      expect(t.store.subscribers.get(e.imsi)?.enabled ?? 'gone').not.toBe(true);
      seen.push(e);
    });
    t.store.subscribers.create({ imsi: '001010000000001', apns: ['internet'] }, 'test');
    await t.store.servingNodes.setMme('001010000000001', 'mme1.epc.example', 'epc.example');
    t.store.subscribers.update('001010000000001', { enabled: false }, 'test');
    expect(() => t.store.subscribers.update('001010000000001', { apns: ['missing'] }, 'test')).toThrow(StoreError);
    t.store.subscribers.delete('001010000000001', 'test');
    expect(seen.map((e) => [e.kind, e.fields, e.servingNode?.mmeHost])).toEqual([
      ['updated', ['enabled'], 'mme1.epc.example'],
      ['deleted', [], 'mme1.epc.example'],
    ]);
  });

  it('an APN profile change reaches the registered subscribers using it', async () => {
    const seen: SubscriberChangedEvent[] = [];
    t.store.on('subscriber-changed', (e) => seen.push(e));
    t.store.subscribers.create({ imsi: '001010000000001', apns: ['internet'] }, 'test');
    t.store.subscribers.create({ imsi: '001010000000002', apns: ['internet'] }, 'test');
    await t.store.servingNodes.setMme('001010000000002', 'mme1', 'epc');
    t.store.apns.update(t.store.apns.getByName('internet')!.id, { qci: 6 }, 'test');
    expect(seen.map((e) => [e.imsi, e.fields])).toEqual([['001010000000002', ['apns.qci']]]);
  });
});

describe('IMS subscribers and iFC templates', () => {
  it('IMPI with IMPUs, lookups by IMPU and MSISDN, digest secrets write-only', () => {
    const xml = '<InitialFilterCriteria><Priority>0</Priority><ApplicationServer><ServerName>sip:as.ims.example</ServerName></ApplicationServer></InitialFilterCriteria>';
    const tpl = t.store.ifcTemplates.create({ name: 'default', xml }, 'test');
    const s = t.store.imsSubscribers.create(
      {
        impi: 'alice@ims.example',
        authScheme: 'sip-digest',
        digestRealm: 'ims.example',
        digestPassword: 'hunter2',
        msisdn: '4477',
        ifcTemplateId: tpl.id,
        impus: [{ impu: 'sip:alice@ims.example' }, { impu: 'tel:+4477', irs: 0, barred: true }],
      },
      'test',
    );
    expect(s.digestSecret).toBe('password');
    expect(JSON.stringify(s)).not.toContain('hunter2');
    expect(t.store.imsSubscribers.getByImpu('tel:+4477')?.impi).toBe('alice@ims.example');
    expect(t.store.imsSubscribers.getByMsisdn('4477')?.impus[1]).toEqual({ impu: 'tel:+4477', barred: true, irs: 0, scscfName: null, registrationState: 'not-registered' });
    expect(t.store.imsSubscribers.digestCredentials('alice@ims.example')?.password).toBe('hunter2');
    expect(codeOf(() => t.store.ifcTemplates.delete(tpl.id, 'test')).code).toBe(ErrorCode.STORE_CONFLICT);
    expect(codeOf(() => t.store.imsSubscribers.create({ impi: 'bob@ims.example', impus: [{ impu: 'sip:alice@ims.example' }], authScheme: 'sip-digest', digestHa1: 'a'.repeat(32) }, 'test'))).toEqual({
      code: ErrorCode.STORE_CONFLICT,
      field: 'impus[0].impu',
    });
    expect(codeOf(() => t.store.imsSubscribers.create({ impi: 'bob@ims.example', impus: [{ impu: 'sip:bob@ims.example' }] }, 'test')).field).toBe('imsi');
    expect(JSON.stringify(t.store.audit.list().items)).not.toContain('hunter2');
  });
});
