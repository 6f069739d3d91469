// Admin API for routing: reload the rule files (like SIGHUP), and explain where a described
// request would go now, against the open peers (`diamond rules explain --api URL`).
import type { FastifyInstance } from 'fastify';
import type { DiameterNode } from '../node/node.js';
import type { RouteRequest } from '../routing/scoring.js';

const STRING_FIELDS = ['originHost', 'originRealm', 'destinationHost', 'destinationRealm', 'userName', 'sessionId'] as const;

/** A described request from a JSON body; a string naming the first bad field otherwise. */
export function describedRequest(body: unknown): RouteRequest | string {
  if (typeof body !== 'object' || body === null) return 'body: expected a JSON object';
  const b = body as Record<string, unknown>;
  const u32 = (k: string): number | string => {
    const v = b[k];
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? v : `body.${k}: expected an unsigned 32-bit integer`;
  };
  const applicationId = u32('applicationId');
  if (typeof applicationId === 'string') return applicationId;
  const commandCode = b.commandCode === undefined ? 0 : u32('commandCode');
  if (typeof commandCode === 'string') return commandCode;
  const req: RouteRequest = { applicationId, commandCode, originHost: undefined, originRealm: undefined, destinationHost: undefined, destinationRealm: undefined, userName: undefined, sessionId: undefined };
  for (const k of STRING_FIELDS) {
    const v = b[k];
    if (v === undefined) continue;
    if (typeof v !== 'string') return `body.${k}: expected a string`;
    req[k] = v;
  }
  return req;
}

export function registerRoutingRoutes(app: FastifyInstance, node: DiameterNode): void {
  app.post('/api/v1/routing/reload', async (_req, reply) => {
    const r = node.reloadRules();
    return r.ok ? r : reply.code(422).send({ error: 'rules_rejected', message: `${r.error} (the old rules stay in force)` });
  });
  app.post('/api/v1/routing/explain', async (req, reply) => {
    const d = describedRequest(req.body);
    if (typeof d === 'string') return reply.code(400).send({ error: 'bad_request', message: d });
    return node.router.explain(d);
  });
}
