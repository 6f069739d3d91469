// The admin/provisioning HTTP API (fastify): /health, the peer table, and — with a store — the
// HSS provisioning resources under /api/v1 (routes/), with /openapi.json and Swagger UI at /docs
// generated from the same schemas that validate requests (schemas.ts).
// Requires a bearer token (api.token or DIAMOND_API_TOKEN) unless it listens on loopback only with
// no token configured (the embedded development default), which it says at start-up.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { ApiConfig } from '../config/model.js';
import { isLoopback } from '../config/names.js';
import type { DiameterNode } from '../node/node.js';
import type { Store } from '../store/index.js';
import { ErrorCode } from '../errors.js';
import { sendError } from './api-errors.js';
import { captureRoutes } from './capture-routes.js';
import { imsRoutes } from './routes/ims.js';
import { networkRoutes } from './routes/network.js';
import { shRoutes } from './routes/sh.js';
import { subscriberRoutes } from './routes/subscribers.js';

export interface ApiOptions {
  /** The subscriber store; without it only /health and /api/v1/peers are served. */
  readonly store?: Store;
  /** More routes from the running node (routing reload/explain, S6a reset), registered with the rest. */
  readonly routes?: (api: FastifyInstance) => void;
}

/** Largest request body: an iFC template of 1 MB, with room for JSON escaping. */
export const API_BODY_LIMIT = 2 * 1024 * 1024;

/** Log paths that could hold secrets if anything ever logged a request body. */
const REDACT = ['req.body', 'body', '*.k', '*.opc', '*.op', '*.digestPassword', '*.digestHa1', 'req.headers.authorization', 'headers.authorization'];

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** The token in force: api.token, else DIAMOND_API_TOKEN, else none. */
export function apiToken(cfg: ApiConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return cfg.token ?? (env.DIAMOND_API_TOKEN ? env.DIAMOND_API_TOKEN : undefined);
}

type NodeView = Pick<DiameterNode, 'config' | 'peerStatus'>;

export function buildApi(node: NodeView, cfg: ApiConfig, log: Logger, opts: ApiOptions = {}): FastifyInstance {
  // Per-request lines are info; the API logs warnings and errors only.
  const apiLog = log.child({ component: 'api' }, { level: 'warn', redact: { paths: REDACT, censor: '***' } });
  const app = Fastify({
    loggerInstance: apiLog as FastifyBaseLogger,
    bodyLimit: API_BODY_LIMIT,
    // No type coercion and no silent removal: a wrong type or unknown field is a 400 naming it.
    // `verbose` gives the error its schema, whose description is the rule quoted in the answer.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, verbose: true, allErrors: false } },
  });
  const token = apiToken(cfg);
  if (token !== undefined) {
    app.addHook('onRequest', async (req, reply) => {
      // The API description is public; everything else needs the token.
      if (req.url === '/openapi.json' || req.url === '/docs' || req.url.startsWith('/docs/')) return;
      if (!tokenMatches(req.headers.authorization, token)) {
        await reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({ statusCode: 401, error: 'unauthorized', code: ErrorCode.API_UNAUTHORIZED, field: 'authorization', message: 'a valid bearer token is required' });
      }
    });
  } else if (!isLoopback(cfg.address)) {
    throw new Error(`api.token is required when the API listens on ${cfg.address} (not loopback)`);
  }
  app.setErrorHandler(sendError);
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Diamond provisioning API', version: '1', description: 'Subscribers, AuC, APNs, IMS subscribers, iFC templates, roaming rules. Keys and passwords are write-only.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  void app.register(swaggerUi, { routePrefix: '/docs' });
  // Routes in a plugin registered after swagger, so swagger's onRoute hook sees every one of them.
  void app.register(async (api) => {
    api.get('/health', async () => ({ status: 'ok', identity: node.config.identity, realm: node.config.realm }));
    api.get('/api/v1/peers', async () => ({ peers: node.peerStatus() }));
    captureRoutes(api, () => (node as Partial<Pick<DiameterNode, 'capture'>>).capture);
    api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    if (opts.store) {
      subscriberRoutes(api, opts.store);
      imsRoutes(api, opts.store);
      shRoutes(api, opts.store, { maxRepositoryDataBytes: node.config.hss.shMaxRepositoryDataBytes });
      networkRoutes(api, opts.store);
    }
    opts.routes?.(api);
  });
  return app;
}

/** Starts the API; resolves with its bound address. */
export async function startApi(node: NodeView, cfg: ApiConfig, log: Logger, opts: ApiOptions = {}): Promise<{ app: FastifyInstance; url: string }> {
  const app = buildApi(node, cfg, log, opts);
  await app.listen({ host: cfg.address, port: cfg.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
  const host = cfg.address.includes(':') ? `[${cfg.address}]` : cfg.address;
  if (apiToken(cfg) === undefined) log.warn(`admin API on http://${host}:${port} has no token (loopback only, development default)`);
  return { app, url: `http://${host}:${port}` };
}
