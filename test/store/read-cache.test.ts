// The request-path read caches (subscriber, APN profiles, AuC keys) never serve a row older than the
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
});
