// `diamond rules check FILE...` and `diamond rules explain`: the routing rules as an operator
// meets them. check prints FILE:LINE:COL: message and exits 1 on the first error; explain shows
// where a described request would go, offline from the config files or live from a node's API.
import type { Command } from 'commander';
import { applicationByName } from '../config/applications.js';
import { DiamondError, ErrorCode, FileError } from '../errors.js';
import { RELAY_APPLICATION_ID } from '../diameter/peer/capabilities.js';
import { explainRoute, formatExplanation, type RouteExplanation } from '../routing/explain.js';
import { loadRuleFiles } from '../routing/rules-loader.js';
import type { Candidate, RouteRequest } from '../routing/scoring.js';
import { callApi } from './api-client.js';
import { processIo, type CommandIo } from './config-command.js';
import { resolveConfig } from './start-command.js';

export function runRulesCheck(files: string[], io: CommandIo): number {
  let status = 0;
  for (const f of files) {
    try {
      const rs = loadRuleFiles([f]);
      const prefixes = rs.prefixTables.reduce((n, t) => n + t.size, 0);
      io.stdout(`${f}: ok, ${rs.rules.length} rule(s)${rs.prefixTables.length ? `, ${prefixes} prefix entr${prefixes === 1 ? 'y' : 'ies'} in ${rs.prefixTables.length} table(s)` : ''}\n`);
    } catch (err) {
      if (!(err instanceof FileError)) throw err;
      io.stderr(`${err.message}\n`);
      status = 1;
    }
  }
  return status;
}

interface ExplainOptions {
  config?: string;
  rules?: string[];
  app: string;
  cmd?: string;
  oh?: string;
  or?: string;
  dh?: string;
  dr?: string;
  un?: string;
  si?: string;
  api?: string;
  live?: boolean;
  token?: string;
  json?: boolean;
}

function number(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new DiamondError(ErrorCode.CLI_INPUT, `${what}: expected a number, found '${v}'`);
  return n;
}

export function describedRequest(o: ExplainOptions): RouteRequest {
  const app = applicationByName(o.app)?.id ?? number(o.app, '--app (a number or a name such as s6a, cx, sh, gx)');
  return {
    applicationId: app,
    commandCode: o.cmd === undefined ? 0 : number(o.cmd, '--cmd'),
    originHost: o.oh,
    originRealm: o.or,
    destinationHost: o.dh,
    destinationRealm: o.dr,
    userName: o.un,
    sessionId: o.si,
  };
}

/** Offline: every configured peer counts as open and able to take the request (Relay). */
export function explainOffline(o: ExplainOptions): RouteExplanation {
  const config = resolveConfig(o.config);
  const files = o.rules?.length ? o.rules : config.routing.rules;
  const candidates: Candidate[] = config.peers.map((p) => ({
    identity: p.identity,
    realm: p.realm ?? p.identity.slice(p.identity.indexOf('.') + 1),
    applications: new Set([RELAY_APPLICATION_ID]),
  }));
  return explainRoute(describedRequest(o), candidates, loadRuleFiles(files));
}

export function registerRules(program: Command): void {
  const rules = program.command('rules').description('routing rules (freeDiameter rt_default syntax plus extensions)');
  rules
    .command('check')
    .description('check rule files; prints FILE:LINE:COL: message for the first error in each and exits 1')
    .argument('<files...>', 'rule files')
    .action((files: string[]) => {
      process.exitCode = runRulesCheck(files, processIo);
    });
  rules
    .command('explain')
    .description('where would a request go, and why: every candidate, its score, the rules that gave it')
    .requiredOption('--app <app>', 'application: id or name (s6a, cx, sh, gx, ...)')
    .option('--cmd <code>', 'command code')
    .option('--oh <host>', 'Origin-Host')
    .option('--or <realm>', 'Origin-Realm')
    .option('--dh <host>', 'Destination-Host')
    .option('--dr <realm>', 'Destination-Realm')
    .option('--un <user>', 'User-Name (IMSI)')
    .option('--si <id>', 'Session-Id')
    .option('-c, --config <file>', 'diamond.yaml (peers and rule files)')
    .option('--rules <files...>', 'rule files instead of the configured ones (offline only)')
    .option('--live', "ask the running node (its open peers and loaded rules) through the admin API")
    .option('--api <url>', 'admin API base URL for --live (default from the config)')
    .option('--token <token>', 'API bearer token (default from the config or DIAMOND_API_TOKEN)')
    .option('--json', 'print JSON')
    .action(async (o: ExplainOptions) => {
      const e = o.live || o.api ? ((await callApi(o, '/api/v1/routing/explain', describedRequest(o))) as RouteExplanation) : explainOffline(o);
      process.stdout.write(o.json ? `${JSON.stringify(e, null, 2)}\n` : formatExplanation(e));
    });
}
