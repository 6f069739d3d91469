// The admin/provisioning HTTP API (fastify). Today: health and the peer table; provisioning
// resources arrive with the HSS. Requires a bearer token unless it listens on loopback only
// with no token configured (the embedded development default), which it says at start-up.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { ApiConfig } from '../config/model.js';
import { isLoopback } from '../config/names.js';
import type { DiameterNode } from '../node/node.js';

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export function buildApi(node: DiameterNode, cfg: ApiConfig, log: Logger): FastifyInstance {
  // Per-request lines are info; the API logs warnings and errors only.
  const app = Fastify({ loggerInstance: log.child({ component: 'api' }, { level: 'warn' }) as FastifyBaseLogger });
  if (cfg.token !== undefined) {
    const token = cfg.token;
    app.addHook('onRequest', async (req, reply) => {
      if (!tokenMatches(req.headers.authorization, token)) {
        await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'a valid bearer token is required' });
      }
    });
  } else if (!isLoopback(cfg.address)) {
    throw new Error(`api.token is required when the API listens on ${cfg.address} (not loopback)`);
  }
  app.get('/health', async () => ({ status: 'ok', identity: node.config.identity, realm: node.config.realm }));
  app.get('/api/v1/peers', async () => ({ peers: node.peerStatus() }));
  return app;
}

/** Starts the API; resolves with its bound address. */
export async function startApi(node: DiameterNode, cfg: ApiConfig, log: Logger): Promise<{ app: FastifyInstance; url: string }> {
  const app = buildApi(node, cfg, log);
  await app.listen({ host: cfg.address, port: cfg.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
  const host = cfg.address.includes(':') ? `[${cfg.address}]` : cfg.address;
  if (cfg.token === undefined) log.warn(`admin API on http://${host}:${port} has no token (loopback only, development default)`);
  return { app, url: `http://${host}:${port}` };
}
