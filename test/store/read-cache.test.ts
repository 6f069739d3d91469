// The request-path read caches (subscriber, APN profiles, AuC keys, IMS registration state) never serve a row older than the
// last committed write: writes through this store are seen at once, writes by another connection
// (the CLI, a second node) from the next event-loop turn on; the SQN is never cached.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { K1, OPC1, tempStore, type TempStore } from './helpers.js';

const IMSI = '001010000000001';
const K2 = '000102030405060708090a0b0c0d0e0f';

let t: TempStore;
let other: SqliteStore;
beforeEach(() => {
  t = tempStore();
  t.store.apns.create({ name: 'internet' }, 'test');
  t.store.apns.create({ name: 'ims', qci: 5 }, 'test');
  t.store.subscribers.createWithAuc({ imsi: IMSI, msisdn: '33600000001', apns: ['internet'] }, { k: K1, opc: OPC1 }, 'test');
  // A second connection on the same file, as another process would write it.
  other = openSqliteStore(t.file);
});
afterEach(() => {
  other.close();
  t.cleanup();
});

describe('read caches', () => {
  it('serve the same object until a write through this store, then the new row', () => {
    const a = t.store.subscribers.get(IMSI)!;
    expect(t.store.subscribers.get(IMSI)).toBe(a);
    const updated = t.store.subscribers.update(IMSI, { msisdn: '33600000002', apns: ['internet', 'ims'] }, 'test');
    // The write reads its own row back inside the transaction: not the cached one.
    expect(updated.msisdn).toBe('33600000002');
    expect(t.store.subscribers.get(IMSI)!.msisdn).toBe('33600000002');
    expect(t.store.apns.forSubscriber(IMSI).map((p) => p.name)).toEqual(['internet', 'ims']);
    t.store.apns.update(t.store.apns.forSubscriber(IMSI)[1]!.id, { qci: 6 }, 'test');
    expect(t.store.apns.forSubscriber(IMSI)[1]!.qci).toBe(6);
  });

  it("see another connection's commit from the next event-loop turn", async () => {
    expect(t.store.subscribers.get(IMSI)!.enabled).toBe(true);
    const keys = t.store.auc.credentials(IMSI)!;
    other.subscribers.update(IMSI, { enabled: false }, 'cli');
    other.auc.update(IMSI, { k: K2 }, 'cli');
    await nextTurn();
    expect(t.store.subscribers.get(IMSI)!.enabled).toBe(false);
    const now = t.store.auc.credentials(IMSI)!;
    expect(now).not.toBe(keys);
    expect(now.k.toString('hex')).toBe(K2);
  });

  it('never cache the SQN: reservations by two connections interleave without reuse', async () => {
    const seen = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const store = i % 2 ? other : t.store;
      const r = await store.auc.reserveSqns(IMSI, 2, 5);
      if (!r.ok) throw new Error(r.reason);
      for (const s of r.sqns) {
        expect(seen.has(s)).toBe(false);
        seen.add(s);
      }
      // The keys come with every reservation, from the cache after the first.
      expect(r.credentials.k.toString('hex')).toBe(K1);
    }
    expect(seen.size).toBe(40);
  });

  it('report a deleted subscriber as unknown at once', async () => {
    expect(t.store.subscribers.get(IMSI)).toBeDefined();
    t.store.subscribers.delete(IMSI, 'test');
    expect(t.store.subscribers.get(IMSI)).toBeUndefined();
    expect(t.store.auc.credentials(IMSI)).toBeUndefined();
    const r = await t.store.auc.reserveSqns(IMSI, 1, 5);
    expect(r).toEqual({ ok: false, reason: 'unknown-subscriber' });
  });

  describe('IMS registration state (per IMPU)', () => {
    const IMPI = 'alice@ims.test';
    const A = 'sip:alice@ims.test';
    const B = 'tel:+33600000001';
    const state = (st: SqliteStore): [string, string | null][] => st.imsSubscribers.get(IMPI)!.impus.map((p) => [p.registrationState, p.scscfName]);
    beforeEach(() => {
      t.store.imsSubscribers.create({ impi: IMPI, authScheme: 'digest-md5', digestPassword: 'pw', impus: [{ impu: A }, { impu: B }] }, 'test');
    });

    it('a group-committed SAR write is seen before, at and after its commit, whatever the SQN commits in between', async () => {
      expect(state(t.store)).toEqual([['not-registered', null], ['not-registered', null]]);
      const done = t.store.imsSubscribers.assign(IMPI, [{ impu: A, scscfName: 'sip:s1.ims.test', state: 'registered' }]);
      // Queued, not committed: laid over the cached rows.
      expect(state(t.store)).toEqual([['registered', 'sip:s1.ims.test'], ['not-registered', null]]);
      // SQN commits of other requests settle batches without state writes.
      await t.store.auc.reserveSqns(IMSI, 1, 5);
      expect(await done).toBe(true);
      // Committed: the overlay is gone and the cached rows were read again.
      expect(state(t.store)).toEqual([['registered', 'sip:s1.ims.test'], ['not-registered', null]]);
      await nextTurn();
      expect(state(t.store)).toEqual([['registered', 'sip:s1.ims.test'], ['not-registered', null]]);
      expect(state(other)).toEqual([['registered', 'sip:s1.ims.test'], ['not-registered', null]]);
    });

    it("another node's SAR and RTR are seen from the next event-loop turn, its SQN commits leave the cache", async () => {
      expect(state(t.store)).toEqual([['not-registered', null], ['not-registered', null]]);
      await other.imsSubscribers.assign(IMPI, [
        { impu: A, scscfName: 'sip:s2.ims.test', state: 'registered' },
        { impu: B, scscfName: 'sip:s2.ims.test', state: 'registered' },
      ]);
      await nextTurn();
      expect(state(t.store)).toEqual([['registered', 'sip:s2.ims.test'], ['registered', 'sip:s2.ims.test']]);
      other.imsSubscribers.setServer(IMPI, null, 'not-registered', [B]);
      await nextTurn();
      expect(state(t.store)).toEqual([['registered', 'sip:s2.ims.test'], ['not-registered', null]]);
      // The same answer object while nothing changes the state, SQN reservations included.
      const first = t.store.imsSubscribers.get(IMPI)!;
      await other.auc.reserveSqns(IMSI, 1, 5);
      await nextTurn();
      expect(t.store.imsSubscribers.get(IMPI)!.impus).toEqual(first.impus);
    });

    it('an API write through this store is seen at once', () => {
      expect(state(t.store)[1]).toEqual(['not-registered', null]);
      t.store.imsSubscribers.setServer(IMPI, 'sip:s3.ims.test', 'unregistered', [B]);
      expect(state(t.store)[1]).toEqual(['unregistered', 'sip:s3.ims.test']);
    });
  });
});
