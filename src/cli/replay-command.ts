// `diamond replay FILE --target HOST:PORT [--transport sctp]`: plays the client side of a capture
// against a live node and checks every answer against the captured one. Exit code 0 only when
// everything matched.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadDictionary } from '../diameter/dictionary/load.js';
import type { Dictionary } from '../diameter/dictionary/dictionary.js';
import { DiamondError, ErrorCode } from '../errors.js';
import { readCapture } from '../pcap/reader.js';
import { DEFAULT_IGNORED_AVPS, DEFAULT_IGNORED_TYPES } from '../replay/compare.js';
import { buildPlan } from '../replay/plan.js';
import { type Pacing, type Progress, type ReplayReport, type ReplayTransport, replaySucceeded, runReplay } from '../replay/run.js';
import { parseProvisionFile, provision } from '../replay/provision.js';
import { MessageSelector } from '../replay/select.js';
import { isCapture } from './decode-capture.js';

interface ReplayCliOptions {
  target: string;
  transport: string;
  peer?: string[];
  select?: string[];
  originHost?: string;
  originRealm?: string;
  destinationHost?: string;
  destinationRealm?: string;
  pace: string;
  speed: string;
  rate?: string;
  window: string;
  timeout: string;
  ignore?: string[];
  defaultIgnore: boolean;
  port?: string[];
  json?: boolean;
  report?: string;
  progress: boolean;
  dictionary?: string[];
  provision?: string;
  api?: string;
  token?: string;
}

function bad(message: string): never {
  throw new DiamondError(ErrorCode.CLI_INPUT, message);
}

export function parseTarget(text: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) bad(`--target: expected HOST:PORT (or [IPv6]:PORT), got "${text}"`);
  return { host: m[1]!, port: Number(m[2]) };
}

function transportOf(text: string): ReplayTransport {
  if (text === 'tcp' || text === 'sctp') return text;
  return bad(`--transport: expected tcp or sctp, got "${text}"`);
}

function positive(option: string, text: string, integer: boolean): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) bad(`${option}: expected a positive ${integer ? 'integer' : 'number'}, got "${text}"`);
  return n;
}

function pacingOf(o: ReplayCliOptions): Pacing {
  if (o.rate !== undefined) return { mode: 'rate', perSecond: positive('--rate', o.rate, false) };
  if (o.pace === 'fast') return { mode: 'fast' };
  if (o.pace === 'captured') return { mode: 'captured', speed: positive('--speed', o.speed, false) };
  return bad(`--pace: expected fast or captured, got "${o.pace}"`);
}

function ignoreList(dict: Dictionary, o: ReplayCliOptions): Set<string> {
  const extra = (o.ignore ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  for (const name of extra) if (!dict.avpByName(name)) bad(`--ignore: no AVP named "${name}" in the dictionary`);
  return new Set([...(o.defaultIgnore ? DEFAULT_IGNORED_AVPS : []), ...extra]);
}

function progressBar(p: Progress): string {
  const width = 30;
  const done = p.total === 0 ? width : Math.round((p.answered / p.total) * width);
  return `\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${p.answered}/${p.total} answered, ${p.sent} sent, ${p.differed} differed, ${p.timedOut} timed out`;
}

/** The text summary: totals, latency, then every request that did not match. */
export function formatReport(r: ReplayReport, file: string): string {
  const lines: string[] = [];
  for (const p of r.peers) {
    lines.push(`replayed ${file} against ${r.target}${r.transport === 'sctp' ? ' over SCTP' : ''} (${p.node || 'node'}) as ${p.identity} (realm ${p.realm}; ${p.fromCer ? 'capabilities from the captured CER' : 'no CER captured: capabilities from the requests'})`);
  }
  lines.push(`sent ${r.sent}, answered ${r.answered}, matched ${r.matched}, differed ${r.differed}, timed out ${r.timedOut}` +
    `${r.unchecked ? `, unchecked ${r.unchecked} (no captured answer)` : ''}${r.notSent ? `, not sent ${r.notSent}` : ''}`);
  if (r.latencyMs) {
    const l = r.latencyMs;
    lines.push(`latency ms: p50 ${l.p50}, p90 ${l.p90}, p99 ${l.p99}, max ${l.max}; ${r.answered} answers in ${(r.durationMs / 1000).toFixed(3)} s (${r.requestsPerSecond}/s)`);
  }
  const bad = r.results.filter((x) => x.status === 'differed' || x.status === 'timeout' || x.status === 'not-sent');
  if (bad.length > 0) lines.push('differences:');
  for (const x of bad) {
    const head = `  #${x.index + 1} frame ${x.frame} ${x.command}${x.sessionId ? ` session ${x.sessionId}` : ''}`;
    if (x.status !== 'differed') {
      lines.push(`${head}: ${x.status}${x.reason ? ` (${x.reason})` : ''}`);
      continue;
    }
    lines.push(`${head}:`);
    for (const d of x.differences) {
      if (d.kind === 'missing') lines.push(`    missing ${d.path}${d.expected ? ` (captured: ${d.expected})` : ''}`);
      else if (d.kind === 'extra') lines.push(`    extra ${d.path}${d.actual ? ` = ${d.actual}` : ''}`);
      else lines.push(`    ${d.kind === 'value' ? d.path : d.kind}: captured ${d.expected ?? ''}, got ${d.actual ?? ''}`);
    }
  }
  return lines.join('\n');
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('play the client side of a capture against a node and compare every answer with the captured one')
    .argument('<file>', 'a pcap or pcapng capture')
    .requiredOption('--target <host:port>', 'the node to replay against')
    .option('--transport <tcp|sctp>', 'connect over TCP or kernel SCTP (PPID 46, base protocol on stream 0)', 'tcp')
    .option('--peer <identity...>', 'replay only these captured clients (Origin-Host)')
    .option('--select <items...>', 'only these requests: APP, APP:CMD or :CMD, comma separated (S6a:AIR,S6a:ULR,Cx)')
    .option('--origin-host <identity>', 'connect and send as this identity instead of the captured one')
    .option('--origin-realm <realm>', 'connect and send with this realm instead of the captured one')
    .option('--destination-host <identity>', 'rewrite Destination-Host in every request')
    .option('--destination-realm <realm>', 'rewrite Destination-Realm in every request')
    .option('--pace <mode>', 'fast (as fast as the window allows) or captured (the capture\'s own timing)', 'fast')
    .option('--speed <factor>', 'with --pace captured: play this many times faster', '1')
    .option('--rate <n>', 'send n requests per second')
    .option('--window <n>', 'requests in flight at most', '64')
    .option('--timeout <seconds>', 'answer wait per request', '5')
    .option('--ignore <avps...>', 'more AVPs whose values are not compared (comma separated)')
    .option('--no-default-ignore', 'compare the values of the default list too (Origin-State-Id, RAND, ...)')
    .option('--port <port...>', 'more ports that carry Diameter in the capture (3868 and 5868 always do)')
    .option('--json', 'print the report as JSON (summary and every request that did not match)')
    .option('--report <file>', 'write the full report, every request, as JSON')
    .option('--no-progress', 'no progress bar on stderr')
    .option('--dictionary <file...>', 'extra dictionary files to load')
    .option('--provision <file>', 'before replaying, create the subscribers in FILE (JSON) through the target\'s admin API')
    .option('--api <url>', 'with --provision: the admin API (default http://TARGET-HOST:8080)')
    .option('--token <token>', 'with --provision: bearer token (default DIAMOND_API_TOKEN)')
    .action(async (file: string, o: ReplayCliOptions) => {
      const { host, port } = parseTarget(o.target);
      const transport = transportOf(o.transport);
      const dict = loadDictionary(o.dictionary ?? []);
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (err) {
        return bad(`cannot read ${file}: ${(err as Error).message}`);
      }
      if (!isCapture(bytes)) bad(`${file}: not a pcap or pcapng file`);
      const ports = o.port?.flatMap((p) => p.split(',')).map((p) => positive('--port', p, true));
      const capture = readCapture(bytes, ports ? { ports: [3868, 5868, ...ports] } : {});
      if (capture.error) process.stderr.write(`warning: ${file}: ${capture.error.message}; replaying the ${capture.pdus.length} messages read before it\n`);
      const plan = buildPlan(capture.pdus, dict, { selector: MessageSelector.parse(dict, o.select ?? []), peers: o.peer ?? [] });
      if (plan.requests.length === 0) bad(`${file}: no client requests to replay${o.select || o.peer ? ' (after --select/--peer)' : ''}`);
      if (o.provision) {
        let text: string;
        try {
          text = readFileSync(o.provision, 'utf8');
        } catch (err) {
          return bad(`--provision: cannot read ${o.provision}: ${(err as Error).message}`);
        }
        const records = parseProvisionFile(text, o.provision);
        const url = o.api ?? `http://${host.includes(':') ? `[${host}]` : host}:8080`;
        const done = await provision(records, o.provision, { url, token: o.token ?? process.env.DIAMOND_API_TOKEN });
        process.stderr.write(`provisioned ${o.provision} through ${url}: ${done.created} created, ${done.existing} already present\n`);
      } else if (o.api !== undefined || o.token !== undefined) {
        bad('--api and --token go with --provision');
      }
      const tty = o.progress && process.stderr.isTTY;
      const report = await runReplay(plan, dict, {
        host,
        port,
        transport,
        pacing: pacingOf(o),
        window: positive('--window', o.window, true),
        timeoutMs: positive('--timeout', o.timeout, false) * 1000,
        ignore: ignoreList(dict, o),
        ignoreTypes: new Set(o.defaultIgnore ? DEFAULT_IGNORED_TYPES : []),
        originHost: o.originHost,
        originRealm: o.originRealm,
        destinationHost: o.destinationHost,
        destinationRealm: o.destinationRealm,
        onProgress: tty ? (p) => process.stderr.write(progressBar(p)) : undefined,
      });
      if (tty) process.stderr.write('\n');
      if (o.report) writeFileSync(o.report, `${JSON.stringify(report, null, 2)}\n`);
      if (o.json) {
        const summary = { ...report, results: report.results.filter((x) => x.status !== 'matched' && x.status !== 'unchecked') };
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      } else {
        process.stdout.write(`${formatReport(report, file)}\n`);
      }
      if (!replaySucceeded(report)) process.exitCode = 1;
    });
}
