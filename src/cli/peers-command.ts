// `diamond peers`: the peer table of a running node, from its admin API.
import type { Command } from 'commander';
import type { PeerStatus } from '../diameter/peer/peer.js';
import { callApi } from './api-client.js';

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
      const body = (await callApi(opts, '/api/v1/peers')) as { peers: PeerStatus[] };
      process.stdout.write(opts.json ? `${JSON.stringify(body, null, 2)}\n` : `${formatPeers(body.peers)}\n`);
    });
}
