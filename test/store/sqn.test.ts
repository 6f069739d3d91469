// SQN_HE in the store (TS 33.102 Annex C): the one-statement reservation agrees with sqn.ts,
// concurrent reservations never share an SQN, SQNs survive SIGKILL of a real process, and resync
// moves SQN_HE only for an AUTS whose MAC-S verifies.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateEpsVectors, resyncFromAuts } from '../../src/hss/auc.js';
import { Milenage, SQN_MAX, initialUsimState, nextSqnAfterResync, reserve, usimCheckSqn, verifyAuts } from '../../src/hss/auth/index.js';
import { openSqliteStore } from '../../src/store/index.js';
import { K1, OPC1, tempStore, type TempStore } from './helpers.js';

const IMSI = '001010123456789';
const SN_ID = Buffer.from('00f110', 'hex');
let t: TempStore;
beforeEach(() => {
  t = tempStore();
  t.store.subscribers.createWithAuc({ imsi: IMSI }, { k: K1, opc: OPC1 }, 'test');
});
afterEach(() => t.cleanup());

/** AUTS as a USIM makes it for SQN_MS: (SQN_MS ⊕ AK*) ‖ MAC-S with AMF* = 0000 (TS 33.102 §6.3.3). */
function makeAuts(alg: Milenage, rand: Buffer, sqnMs: number): Buffer {
  const sqn = Buffer.alloc(6);
  sqn.writeUIntBE(sqnMs, 0, 6);
  const akStar = alg.f5star(rand);
  const conc = Buffer.from(sqn.map((b, i) => b ^ akStar[i]!));
  return Buffer.concat([conc, alg.f1star(rand, sqn, Buffer.alloc(2))]);
}

describe('SQN reservation', () => {
  it('equals reserve() of src/hss/auth/sqn.ts for any start, batch size and IND length', () => {
    // Arithmetic, not durability: synchronous=NORMAL keeps the 200 commits quick.
    t.store.close();
    const store = openSqliteStore(t.file, { synchronous: 'normal' });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 40 }), fc.nat(), (indBits, n, seed) => {
        const start = seed % 2 ** 40;
        store.auc.update(IMSI, { sqn: start }, 'test');
        const want = reserve(start, n, { indBits });
        const got = store.auc.reserveSqnsNow(IMSI, n, indBits);
        expect(got.ok && got.sqns).toEqual(want.sqns);
        expect(store.auc.get(IMSI)!.sqn).toBe(want.stored);
      }),
      { numRuns: 100 },
    );
    t.store = store;
  });

  it('refuses to wrap SEQ (sqn-exhausted) and leaves SQN_HE as it was', () => {
    const top = SQN_MAX - 31 + 3; // SEQ at its maximum with 5-bit IND
    t.store.auc.update(IMSI, { sqn: top }, 'test');
    expect(t.store.auc.reserveSqnsNow(IMSI, 1, 5)).toEqual({ ok: false, reason: 'sqn-exhausted' });
    expect(t.store.auc.get(IMSI)!.sqn).toBe(top);
    expect(t.store.auc.reserveSqnsNow('001019999999999', 1, 5)).toEqual({ ok: false, reason: 'unknown-subscriber' });
  });

  it('concurrent vector requests share commits but never an SQN, and a USIM accepts them all', async () => {
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => generateEpsVectors(t.store, IMSI, 1 + (i % 3), SN_ID)));
    const sqns = results.flatMap((r) => (r.ok ? r.items.map((v) => v.sqn) : []));
    expect(sqns.length).toBe(results.reduce((a, _, i) => a + 1 + (i % 3), 0));
    expect(new Set(sqns).size).toBe(sqns.length);
    expect(t.store.auc.get(IMSI)!.sqn).toBe(Math.max(...sqns));
    // A USIM seeing them in order accepts every one (SEQ strictly increasing, Δ respected).
    let usim = initialUsimState();
    for (const s of [...sqns].sort((a, b) => a - b)) {
      const r = usimCheckSqn(usim, s);
      expect(r.accepted).toBe(true);
      if (r.accepted) usim = r.state;
    }
  });

  it('while another process holds the write lock, a reservation fails after the busy timeout and takes no SQN', async () => {
    t.store.close();
    const node = openSqliteStore(t.file, { busyTimeoutMs: 100 });
    const cli = openSqliteStore(t.file);
    const before = node.auc.get(IMSI)!.sqn;
    cli.db.prepare('BEGIN IMMEDIATE').run();
    await expect(generateEpsVectors(node, IMSI, 1, SN_ID)).rejects.toThrow(/locked|busy/i);
    cli.db.prepare('COMMIT').run();
    cli.close();
    const r = await generateEpsVectors(node, IMSI, 1, SN_ID);
    expect(r.ok && r.items[0]!.sqn).toBe(reserve(before, 1).sqns[0]);
    t.store = node;
  });

  it('vectors from the store verify as a USIM would (AUTN MAC-A, SQN)', async () => {
    const r = await generateEpsVectors(t.store, IMSI, 2, SN_ID);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const alg = new Milenage(Buffer.from(K1, 'hex'), Buffer.from(OPC1, 'hex'));
    for (const v of r.items) {
      const o = alg.generate(v.rand, Buffer.alloc(6), Buffer.alloc(2));
      const sqn = Buffer.from(v.autn.subarray(0, 6).map((b, i) => b ^ o.ak[i]!));
      expect(sqn.readUIntBE(0, 6)).toBe(v.sqn);
      expect(alg.generate(v.rand, sqn, v.autn.subarray(6, 8)).macA.equals(v.autn.subarray(8, 16))).toBe(true);
    }
  });
});

describe('resync from AUTS', () => {
  const alg = new Milenage(Buffer.from(K1, 'hex'), Buffer.from(OPC1, 'hex'));
  const rand = Buffer.from('23553cbe9637a89d218ae64dae47bf35', 'hex');

  it('a valid AUTS sets SQN_HE := SQN_MS, so the next vector is SEQ_MS + 1', async () => {
    t.store.auc.update(IMSI, { sqn: 5000 * 32 }, 'test');
    const sqnMs = 9000 * 32 + 7;
    const auts = makeAuts(alg, rand, sqnMs);
    expect(verifyAuts(alg, rand, auts)).toEqual({ ok: true, sqnMs });
    expect(resyncFromAuts(t.store, IMSI, Buffer.concat([rand, auts]), 's6a')).toEqual({ ok: true, sqnMs, kept: false });
    expect(t.store.auc.get(IMSI)!.sqn).toBe(sqnMs);
    const r = await generateEpsVectors(t.store, IMSI, 1, SN_ID);
    expect(r.ok && r.items[0]!.sqn).toBe(nextSqnAfterResync(sqnMs));
    expect(t.store.audit.list({ resource: 'auc' }).items[0]).toMatchObject({ action: 'resync', actor: 's6a', details: { sqnMs } });
  });

  it('keeps SQN_HE when the USIM would accept its next value (0 < SEQ - SEQ_MS <= delta, TS 33.102 §6.3.5)', async () => {
    // SEQ_HE 5000 is ahead of the USIM's SEQ_MS 4990 by less than delta: the next vector (SEQ 5001) is fresh.
    t.store.auc.update(IMSI, { sqn: 5000 * 32 + 3 }, 'test');
    const sqnMs = 4990 * 32 + 2;
    expect(resyncFromAuts(t.store, IMSI, Buffer.concat([rand, makeAuts(alg, rand, sqnMs)]), 's6a')).toEqual({ ok: true, sqnMs, kept: true });
    expect(t.store.auc.get(IMSI)!.sqn).toBe(5000 * 32 + 3);
    const r = await generateEpsVectors(t.store, IMSI, 1, SN_ID);
    expect(r.ok && r.items[0]!.sqn).toBe(5001 * 32 + 4);
    // With a window of 5, a jump of 11 is too far: the USIM would refuse it, so SQN_HE := SQN_MS.
    t.store.auc.update(IMSI, { sqn: 5000 * 32 + 3 }, 'test');
    expect(resyncFromAuts(t.store, IMSI, Buffer.concat([rand, makeAuts(alg, rand, sqnMs)]), 's6a', { delta: 5 })).toEqual({ ok: true, sqnMs, kept: false });
    expect(t.store.auc.get(IMSI)!.sqn).toBe(sqnMs);
  });

  it('a bad MAC-S (or wrong length, or unknown IMSI) changes nothing', () => {
    t.store.auc.update(IMSI, { sqn: 5000 * 32 }, 'test');
    const good = Buffer.concat([rand, makeAuts(alg, rand, 9000 * 32)]);
    for (const bit of [16 * 8, 22 * 8 + 3, 29 * 8 + 7]) {
      const bad = Buffer.from(good);
      bad[bit >> 3] = bad[bit >> 3]! ^ (0x80 >> (bit & 7));
      expect(resyncFromAuts(t.store, IMSI, bad, 's6a')).toEqual({ ok: false, reason: 'mac-s-mismatch' });
    }
    // Keys of another subscriber make a MAC-S that does not verify either.
    const other = new Milenage(Buffer.from(K1.replace('4', '5'), 'hex'), Buffer.from(OPC1, 'hex'));
    expect(resyncFromAuts(t.store, IMSI, Buffer.concat([rand, makeAuts(other, rand, 9000 * 32)]), 's6a')).toEqual({ ok: false, reason: 'mac-s-mismatch' });
    expect(resyncFromAuts(t.store, IMSI, good.subarray(0, 29), 's6a')).toEqual({ ok: false, reason: 'bad-length' });
    expect(resyncFromAuts(t.store, '001019999999999', good, 's6a')).toEqual({ ok: false, reason: 'unknown-subscriber' });
    expect(t.store.auc.get(IMSI)!.sqn).toBe(5000 * 32);
    expect(t.store.audit.list({ resource: 'auc' }).items.some((e) => e.action === 'resync')).toBe(false);
  });
});

describe('SQN across a crash (SIGKILL of a real process between vectors)', () => {
  const ROOT = join(import.meta.dirname, '../..');
  const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

  async function runAndKill(file: string, batch: number, concurrency: number, minVectors: number): Promise<number[]> {
    const child = spawn(process.execPath, ['--import', loader, join(ROOT, 'test/store/fixtures/sqn-child.ts'), file, IMSI, String(batch), String(concurrency)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if ((out.match(/^SQN /gm)?.length ?? 0) >= minVectors) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${err}`)));
    });
    child.kill('SIGKILL');
    await exited;
    return [...out.matchAll(/^SQN (\d+)$/gm)].map((m) => Number(m[1]));
  }

  it('no SQN handed out before the kill is ever handed out again', async () => {
    t.store.close();
    const issued: number[] = [];
    // Two lives: single vectors one at a time, then batches of 5 with 4 concurrent requests.
    for (const [batch, concurrency, min] of [
      [1, 1, 150],
      [5, 4, 300],
    ] as const) {
      issued.push(...(await runAndKill(t.file, batch, concurrency, min)));
      const reopened = openSqliteStore(t.file);
      const stored = reopened.auc.get(IMSI)!.sqn;
      // Every SQN that left the process is ≤ the committed SQN_HE ...
      expect(Math.max(...issued)).toBeLessThanOrEqual(stored);
      // ... so the next vector after the restart is new.
      const next = reopened.auc.reserveSqnsNow(IMSI, 1, 5);
      expect(next.ok).toBe(true);
      if (next.ok) {
        expect(issued).not.toContain(next.sqns[0]);
        issued.push(next.sqns[0]!);
      }
      reopened.close();
    }
    expect(new Set(issued).size).toBe(issued.length);
    expect(issued.length).toBeGreaterThan(450);
  }, 60_000);
});
