// `diamond subscriber add|show|list|delete|import`: provisioning from scripts, working on the
// configured store file directly (<dataDir>/diamond.sqlite, or --db FILE). Safe next to a running
// node (SQLite locking), but the node's change events (IDR/CLR triggers) only fire for changes made
// through its REST API. Keys are accepted, never printed.
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { DiamondError, ErrorCode } from '../errors.js';
import { ImportError, StoreError, openSqliteStore, storeFile, type ImportRecord, type SqliteStore, type Subscriber } from '../store/index.js';
import { resolveConfig } from './start-command.js';

interface StoreOpts {
  config?: string;
  db?: string;
}

function openStore(opts: StoreOpts): SqliteStore {
  const file = opts.db ?? storeFile(resolveConfig(opts.config).dataDir);
  return openSqliteStore(file);
}

function actor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** Store errors become one-line CLI errors naming the field. */
function run<T>(opts: StoreOpts, fn: (store: SqliteStore) => T): T {
  const store = openStore(opts);
  try {
    return fn(store);
  } catch (err) {
    if (err instanceof StoreError && !(err instanceof ImportError)) throw new DiamondError(ErrorCode.CLI_INPUT, err.message);
    throw err;
  } finally {
    store.close();
  }
}

export function formatSubscriber(s: Subscriber, auc: { algorithm: string; amf: string; sqn: number; operatorKey: string | null } | undefined): string {
  const rows: [string, string][] = [
    ['IMSI', s.imsi],
    ['MSISDN', s.msisdn ?? '-'],
    ['enabled', String(s.enabled)],
    ['APNs', s.apns.map((a) => (a.staticIp ? `${a.name} (${a.staticIp})` : a.name)).join(', ') || '-'],
    ['default APN', s.defaultApn ?? '-'],
    ['AMBR', `${s.ambr.uplink} up / ${s.ambr.downlink} down bit/s`],
    ['roaming', s.roamingAllowed ? 'allowed' : 'not allowed'],
    ['AuC', auc ? `${auc.algorithm}, ${auc.operatorKey ?? 'no'} operator key, AMF ${auc.amf}, SQN ${auc.sqn} (0x${auc.sqn.toString(16)})` : 'none'],
    ['updated', s.updatedAt],
  ];
  return rows.map(([k, v]) => `${k.padEnd(12)} ${v}`).join('\n');
}

// ---- import ----

const CSV_COLUMNS = new Set(['imsi', 'msisdn', 'k', 'opc', 'op', 'amf', 'sqn', 'algorithm', 'apns', 'enabled', 'defaultApn']);

function* csvRecords(file: string, text: string): Generator<ImportRecord> {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  header.forEach((h, i) => {
    if (!CSV_COLUMNS.has(h)) {
      const col = lines[0]!.split(',').slice(0, i).join(',').length + (i > 0 ? 2 : 1);
      throw new DiamondError(ErrorCode.CLI_INPUT, `${file}:1:${col}: unknown column "${h}" (expected ${[...CSV_COLUMNS].join(', ')})`);
    }
  });
  if (!header.includes('imsi')) throw new DiamondError(ErrorCode.CLI_INPUT, `${file}:1:1: the header must name an imsi column`);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) continue;
    const cells = line.split(',');
    if (cells.length !== header.length) throw new DiamondError(ErrorCode.CLI_INPUT, `${file}:${i + 1}:1: ${cells.length} fields, the header has ${header.length}`);
    const rec: Record<string, unknown> = {};
    header.forEach((h, j) => {
      const v = cells[j]!.trim().replace(/^"(.*)"$/, '$1');
      if (v === '') return;
      if (h === 'apns') rec.apns = v.split(/[;\s]+/).filter((x) => x !== '');
      else if (h === 'sqn') rec.sqn = /^[0-9]+$/.test(v) ? Number(v) : v.replace(/^0x/i, '');
      else if (h === 'enabled') rec.enabled = v === 'true' || v === '1';
      else rec[h] = v;
    });
    yield rec as unknown as ImportRecord;
  }
}

/** Row number of the import -> line in the file (CSV: comments and blank lines skipped). */
function csvLineOfRow(text: string, row: number): number {
  const lines = text.split(/\r?\n/);
  let seen = 0;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '' || l.startsWith('#')) continue;
    if (++seen === row) return i + 1;
  }
  return lines.length;
}

function progressBar(total: number): (done: number) => void {
  const tty = process.stderr.isTTY;
  const start = Date.now();
  let lastPct = -1;
  return (done) => {
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    const rate = Math.round(done / Math.max((Date.now() - start) / 1000, 0.001));
    if (tty) {
      const width = 30;
      const fill = Math.round((pct / 100) * width);
      process.stderr.write(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${pct}% ${done}/${total} (${rate}/s)${done >= total ? '\n' : ''}`);
    } else if (pct >= lastPct + 10 || done >= total) {
      process.stderr.write(`${pct}% ${done}/${total} (${rate}/s)\n`);
      lastPct = pct;
    }
  };
}

export function importFile(store: SqliteStore, file: string, who: string): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DiamondError(ErrorCode.CLI_INPUT, `cannot read ${file}: ${(err as Error).message}`);
  }
  const isJson = /\.json$/i.test(file) || /^\s*\[/.test(text);
  let records: Iterable<ImportRecord>;
  let total: number;
  if (isJson) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new DiamondError(ErrorCode.CLI_INPUT, `${file}: not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new DiamondError(ErrorCode.CLI_INPUT, `${file}: expected a JSON array of subscribers (the POST /api/v1/subscribers body)`);
    records = parsed as ImportRecord[];
    total = parsed.length;
  } else {
    total = text.split(/\r?\n/).slice(1).filter((l) => l.trim() !== '' && !l.startsWith('#')).length;
    records = csvRecords(file, text);
  }
  try {
    return store.importSubscribers(records, { actor: who, source: file, onProgress: progressBar(total), progressEvery: Math.max(1000, Math.floor(total / 100)) });
  } catch (err) {
    if (err instanceof ImportError) {
      const where = isJson ? `${file}: subscriber ${err.row} (index ${err.row - 1})` : `${file}:${csvLineOfRow(text, err.row)}`;
      throw new DiamondError(ErrorCode.CLI_INPUT, `${where}: ${err.detail}; nothing was imported`);
    }
    throw err;
  }
}

export function registerSubscriber(program: Command): void {
  const cmd = program.command('subscriber').description('provision subscribers in the store file (<dataDir>/diamond.sqlite)');
  const storeOptions = (c: Command): Command => c.option('-c, --config <file>', 'diamond.yaml (for dataDir)').option('--db <file>', 'store file (default <dataDir>/diamond.sqlite)');

  storeOptions(cmd.command('add'))
    .description('add a subscriber with its AuC keys')
    .requiredOption('--imsi <imsi>', 'IMSI, 5-15 digits')
    .requiredOption('--k <hex>', 'Ki, 32 hex digits')
    .option('--opc <hex>', 'OPc, 32 hex digits')
    .option('--op <hex>', 'OP, 32 hex digits (OPc is derived at use)')
    .option('--amf <hex>', 'AMF, 4 hex digits', '8000')
    .option('--sqn <n>', 'initial SQN (decimal, or hex with 0x)')
    .option('--msisdn <digits>', 'MSISDN')
    .option('--algorithm <name>', 'milenage or test-xor')
    .option('--apn <name...>', 'APN names (existing APN profiles)')
    .action((o: StoreOpts & { imsi: string; k: string; opc?: string; op?: string; amf: string; sqn?: string; msisdn?: string; algorithm?: 'milenage' | 'test-xor'; apn?: string[] }) => {
      const sqn = o.sqn === undefined ? undefined : /^0x/i.test(o.sqn) ? o.sqn.slice(2) : /^[0-9]+$/.test(o.sqn) ? Number(o.sqn) : o.sqn;
      const s = run(o, (store) => {
        const keys = { k: o.k, amf: o.amf, ...(o.opc !== undefined && { opc: o.opc }), ...(o.op !== undefined && { op: o.op }), ...(sqn !== undefined && { sqn }), ...(o.algorithm && { algorithm: o.algorithm }) };
        return store.subscribers.createWithAuc({ imsi: o.imsi, msisdn: o.msisdn ?? null, apns: o.apn ?? [] }, keys, actor());
      });
      process.stdout.write(`added ${s.imsi}\n`);
    });

  storeOptions(cmd.command('show'))
    .description('show a subscriber (never its keys)')
    .argument('<imsi>')
    .option('--json', 'print JSON')
    .action((imsi: string, o: StoreOpts & { json?: boolean }) => {
      run(o, (store) => {
        const s = store.subscribers.get(imsi);
        if (!s) throw new DiamondError(ErrorCode.CLI_INPUT, `subscriber ${imsi} does not exist`);
        const auc = store.auc.get(imsi);
        process.stdout.write(o.json ? `${JSON.stringify({ ...s, auc: auc ?? null }, null, 2)}\n` : `${formatSubscriber(s, auc)}\n`);
      });
    });

  storeOptions(cmd.command('list'))
    .description('list subscribers by IMSI')
    .option('--limit <n>', 'at most n (1..1000)', '100')
    .option('--after <imsi>', 'start after this IMSI')
    .option('--json', 'print JSON')
    .action((o: StoreOpts & { limit: string; after?: string; json?: boolean }) => {
      run(o, (store) => {
        const page = store.subscribers.list({ limit: Number(o.limit), after: o.after });
        if (o.json) {
          process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
          return;
        }
        const rows = [['IMSI', 'MSISDN', 'ENABLED', 'APNS'], ...page.items.map((s) => [s.imsi, s.msisdn ?? '-', String(s.enabled), s.apns.map((a) => a.name).join(',') || '-'])];
        const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        process.stdout.write(`${rows.map((r) => r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd()).join('\n')}\n`);
        if (page.next) process.stdout.write(`(more: --after ${page.next})\n`);
      });
    });

  storeOptions(cmd.command('delete'))
    .description('delete a subscriber and its AuC entry')
    .argument('<imsi>')
    .action((imsi: string, o: StoreOpts) => {
      run(o, (store) => store.subscribers.delete(imsi, actor()));
      process.stdout.write(`deleted ${imsi}\n`);
    });

  storeOptions(cmd.command('import'))
    .description('bulk-import subscribers from CSV (header: imsi,msisdn,k,opc,amf,sqn,apns) or a JSON array; all or nothing')
    .argument('<file>')
    .action((file: string, o: StoreOpts) => {
      const n = run(o, (store) => importFile(store, file, actor()));
      process.stdout.write(`imported ${n} subscribers from ${file}\n`);
    });
}
