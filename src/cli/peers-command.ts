// `diamond peers`: the peer table of a running node, from its admin API.
import type { Command } from 'commander';
import { DiamondError, ErrorCode } from '../errors.js';
import type { PeerStatus } from '../diameter/peer/peer.js';
import { resolveConfig } from './start-command.js';

export function formatPeers(peers: PeerStatus[]): string {
  const rows = [['IDENTITY', 'STATE', 'WATCHDOG', 'TRANSPORT', 'ADDRESS', 'REALM', 'APPLICATIONS', 'SINCE', 'PENDING']];
  for (const p of peers) {
    rows.push([p.identity, p.state, p.watchdog, p.transport, p.address ?? '-', p.realm ?? '-', p.applications.join(',') || '-', p.since, String(p.pending)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function registerPeers(program: Command): void {
  program
    .command('peers')
    .description("list the running node's peers: state, transport, address, realm, applications, since, pending")
    .option('-c, --config <file>', 'diamond.yaml of the node (for the API address and token)')
    .option('--api <url>', 'admin API base URL (default from the config)')
    .option('--token <token>', 'API bearer token (default from the config or DIAMOND_API_TOKEN)')
    .option('--json', 'print JSON')
    .action(async (opts: { config?: string; api?: string; token?: string; json?: boolean }) => {
      const config = resolveConfig(opts.config);
      const host = config.api.address.includes(':') ? `[${config.api.address}]` : config.api.address;
      const base = opts.api ?? `http://${host}:${config.api.port}`;
      const token = opts.token ?? process.env.DIAMOND_API_TOKEN ?? config.api.token;
      let res: Response;
      try {
        res = await fetch(`${base}/api/v1/peers`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      } catch (err) {
        throw new DiamondError(ErrorCode.CLI_INPUT, `cannot reach the node's API at ${base}: ${(err as Error).message}`);
      }
      if (!res.ok) throw new DiamondError(ErrorCode.CLI_INPUT, `${base}/api/v1/peers answered ${res.status}`);
      const body = (await res.json()) as { peers: PeerStatus[] };
      process.stdout.write(opts.json ? `${JSON.stringify(body, null, 2)}\n` : `${formatPeers(body.peers)}\n`);
    });
}
