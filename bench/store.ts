// Store benchmarks (issue: HSS core). Run: npm run bench:store [-- DIR [COUNT]]
//   1. durable SQN increments/s with synchronous=FULL + WAL: one commit per increment, then group
//      commit (many requests in flight, one commit per event-loop turn), as the HSS runs it;
//   2. `diamond subscriber import` of a CSV of COUNT subscribers (default 1,000,000) with AuC keys and
//      one APN, in one transaction;
//   3. in a fresh process on that file: lookup by IMSI (subscriber with APNs, and AuC keys) p50/p99,
//      and the process RSS.
// DIR defaults to a new directory under the OS temp dir (on this machine the same disk as /work).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importFile } from '../src/cli/subscriber-command.js';
import { openSqliteStore, type ImportRecord } from '../src/store/index.js';

const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
const imsiOf = (i: number): string => `00101${String(i).padStart(10, '0')}`;
const now = (): number => Number(process.hrtime.bigint()) / 1e6;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function sqnBench(dir: string): Promise<void> {
  const store = openSqliteStore(join(dir, 'sqn.sqlite'));
  store.apns.create({ name: 'internet' }, 'bench');
  const subs = 10_000;
  store.importSubscribers(
    (function* () {
      for (let i = 0; i < subs; i++) yield { imsi: imsiOf(i), k: K, opc: OPC, apns: ['internet'] } as ImportRecord;
    })(),
    { actor: 'bench', source: 'bench' },
  );
  console.log(`synchronous=${String(store.db.pragma('synchronous', { simple: true }))} (2 = FULL), journal_mode=${String(store.db.pragma('journal_mode', { simple: true }))}`);

  // One commit (one fsync) per increment.
  let n = 0;
  let t0 = now();
  while (now() - t0 < 3000) {
    const r = store.auc.reserveSqnsNow(imsiOf(n % subs), 1, 5);
    if (!r.ok) throw new Error(r.reason);
    n++;
  }
  const single = (n / (now() - t0)) * 1000;
  console.log(`SQN increments, one commit each: ${Math.round(single)}/s`);

  // Group commit: `inflight` AIR-like requests outstanding at all times.
  for (const inflight of [16, 64, 256, 1024]) {
    let done = 0;
    let next = 0;
    const deadline = now() + 4000;
    t0 = now();
    await new Promise<void>((resolve) => {
      let active = 0;
      const launch = (): void => {
        while (active < inflight && now() < deadline) {
          active++;
          void store.auc.reserveSqns(imsiOf(next++ % subs), 1, 5).then((r) => {
            if (!r.ok) throw new Error(r.reason);
            done++;
            active--;
            if (now() < deadline) launch();
            else if (active === 0) resolve();
          });
        }
      };
      launch();
    });
    console.log(`SQN increments, group commit, ${inflight} in flight: ${Math.round((done / (now() - t0)) * 1000)}/s`);
  }
  store.close();
}

/** The operator's path: `diamond subscriber import FILE.csv` (CSV parse, checks, one transaction). */
function importBench(dir: string, file: string, count: number): void {
  const csv = join(dir, 'subscribers.csv');
  const lines = ['imsi,msisdn,k,opc,amf,sqn,apns'];
  for (let i = 0; i < count; i++) lines.push(`${imsiOf(i)},${33600000000 + i},${K},${OPC},8000,0,internet`);
  writeFileSync(csv, `${lines.join('\n')}\n`);
  lines.length = 0;
  const store = openSqliteStore(file);
  store.apns.create({ name: 'internet' }, 'bench');
  const t0 = now();
  const n = importFile(store, csv, 'bench');
  const ms = now() - t0;
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  console.log(
    `bulk import (diamond subscriber import of a ${(statSync(csv).size / 2 ** 20).toFixed(0)} MiB CSV): ${n} subscribers (+ AuC + APN link) in ${(ms / 1000).toFixed(1)} s ` +
      `(${Math.round((n / ms) * 1000)}/s); store file ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB`,
  );
}

function lookupBench(file: string, count: number): void {
  const store = openSqliteStore(file);
  const rss0 = process.memoryUsage().rss;
  const N = 200_000;
  const sub = new Float64Array(N);
  const auc = new Float64Array(N);
  let x = 12345;
  for (let i = 0; i < N + 20_000; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const imsi = imsiOf(x % count);
    const t = process.hrtime.bigint();
    const s = store.subscribers.get(imsi);
    const t1 = process.hrtime.bigint();
    const c = store.auc.credentials(imsi);
    const t2 = process.hrtime.bigint();
    if (!s || !c) throw new Error(`missing ${imsi}`);
    if (i >= 20_000) {
      sub[i - 20_000] = Number(t1 - t) / 1000;
      auc[i - 20_000] = Number(t2 - t1) / 1000;
    }
  }
  sub.sort();
  auc.sort();
  const mem = process.memoryUsage();
  console.log(`lookup by IMSI at ${count} subscribers, ${N} random lookups after 20,000 warm-up:`);
  console.log(`  subscriber (row + APNs + roaming rules): p50 ${percentile(sub, 0.5).toFixed(1)} µs, p99 ${percentile(sub, 0.99).toFixed(1)} µs, max ${sub[N - 1]!.toFixed(0)} µs`);
  console.log(`  AuC keys:                               p50 ${percentile(auc, 0.5).toFixed(1)} µs, p99 ${percentile(auc, 0.99).toFixed(1)} µs, max ${auc[N - 1]!.toFixed(0)} µs`);
  console.log(`  RSS: ${(rss0 / 2 ** 20).toFixed(0)} MiB after open, ${(mem.rss / 2 ** 20).toFixed(0)} MiB after the lookups (heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB)`);
  store.close();
}

const args = process.argv.slice(2);
if (args[0] === '--lookup') {
  lookupBench(args[1]!, Number(args[2]));
} else {
  const dir = args[0] ?? mkdtempSync(join(tmpdir(), 'diamond-bench-store-'));
  const count = Number(args[1] ?? 1_000_000);
  console.log(`store benchmark in ${dir}, ${count} subscribers; node ${process.version}`);
  await sqnBench(dir);
  const file = join(dir, 'diamond.sqlite');
  importBench(dir, file, count);
  // Lookups in a fresh process: its RSS is what a node serving this database holds.
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--lookup', file, String(count)], { encoding: 'utf8' });
  process.stdout.write(r.stdout + r.stderr);
  if (args[0] === undefined) rmSync(dir, { recursive: true, force: true });
}
