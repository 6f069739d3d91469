// Serving-node writes are group-committed: one transaction per event-loop turn (shared with SQN
// reservations), promises settle after COMMIT, and the writer's own reads see queued writes at once.
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { K1, OPC1, tempStore, type TempStore } from './helpers.js';

const N = 300;
const imsiOf = (i: number): string => `00101${String(i).padStart(10, '0')}`;

let t: TempStore;
let other: Database.Database;
beforeEach(() => {
  t = tempStore();
  t.store.apns.create({ name: 'internet' }, 'test');
  t.store.importSubscribers(
    Array.from({ length: N }, (_, i) => ({ imsi: imsiOf(i), apns: ['internet'], k: K1, opc: OPC1 })),
    { actor: 'test', source: 'test' },
  );
  // A second connection, as another process would see the file.
  other = new Database(t.file, { readonly: true });
});
afterEach(() => {
  other.close();
  t.cleanup();
});

const onDisk = (imsi: string): { mme_host: string | null; purged: number } | undefined =>
  other.prepare('SELECT mme_host, purged FROM serving_node WHERE imsi = ?').get(imsi) as { mme_host: string | null; purged: number } | undefined;

describe('serving-node group commit', () => {
  it('resolves only after the row is committed; the store itself sees it at once', async () => {
    const imsi = imsiOf(1);
    const p = t.store.servingNodes.setMme(imsi, 'mme1.epc', 'epc');
    expect(t.store.servingNodes.get(imsi)).toMatchObject({ mmeHost: 'mme1.epc', mmeRealm: 'epc', purged: false });
    expect(onDisk(imsi)).toBeUndefined();
    let seenAtResolve: unknown;
    await p.then((ok) => {
      expect(ok).toBe(true);
      seenAtResolve = onDisk(imsi);
    });
    expect(seenAtResolve).toEqual({ mme_host: 'mme1.epc', purged: 0 });
  });

  it('commits one turn of writes and SQN reservations in one transaction (WAL frames, not one commit each)', async () => {
    const wal = `${t.file}-wal`;
    const page = t.store.db.pragma('page_size', { simple: true }) as number;
    const before = statSync(wal).size;
    const writes = Array.from({ length: N }, (_, i) => t.store.servingNodes.setMme(imsiOf(i), `mme${i % 7}.epc`, 'epc'));
    const sqn = t.store.auc.reserveSqns(imsiOf(0), 1, 5);
    expect(other.prepare('SELECT count(*) AS n FROM serving_node').get()).toEqual({ n: 0 });
    const results = await Promise.all(writes);
    expect(results.every((r) => r)).toBe(true);
    expect((await sqn).ok).toBe(true);
    expect(other.prepare('SELECT count(*) AS n FROM serving_node').get()).toEqual({ n: N });
    // One commit per write would append at least N frames of (page + 24) bytes.
    const frames = (statSync(wal).size - before) / (page + 24);
    expect(frames).toBeLessThan(N / 5);
  });

  it('applies queued writes in order to reads of the same turn; unknown or deleted subscribers get nothing', async () => {
    const a = imsiOf(2);
    const w1 = t.store.servingNodes.setMme(a, 'mme-a.epc', 'epc');
    const w2 = t.store.servingNodes.setPurged(a, true);
    expect(t.store.servingNodes.get(a)).toMatchObject({ mmeHost: 'mme-a.epc', purged: true });
    const w3 = t.store.servingNodes.setSgsn(a, 'sgsn.epc', 'epc');
    expect(t.store.servingNodes.get(a)).toMatchObject({ mmeHost: 'mme-a.epc', sgsnHost: 'sgsn.epc', purged: false });
    expect(await Promise.all([w1, w2, w3])).toEqual([true, true, true]);
    expect(onDisk(a)).toEqual({ mme_host: 'mme-a.epc', purged: 0 });

    const unknown = t.store.servingNodes.setMme('001019999999999', 'mme.epc', 'epc');
    expect(t.store.servingNodes.get('001019999999999')).toBeUndefined();
    expect(await unknown).toBe(false);

    const b = imsiOf(3);
    const w4 = t.store.servingNodes.setMme(b, 'mme-b.epc', 'epc');
    t.store.subscribers.delete(b, 'test');
    expect(t.store.servingNodes.get(b)).toBeUndefined();
    expect(await w4).toBe(false);
    expect(onDisk(b)).toBeUndefined();
  });

  it('close() commits what is still queued', () => {
    void t.store.servingNodes.setMme(imsiOf(4), 'mme4.epc', 'epc');
    t.store.close();
    expect(onDisk(imsiOf(4))).toEqual({ mme_host: 'mme4.epc', purged: 0 });
  });
});
