// Admin API for S6a: where a subscriber is served (MME/SGSN, IMEI, last NOR), and the procedure the
// operator starts, Reset (RSR, TS 29.272 §5.2.4.1) to the MMEs and SGSNs serving some or all
// subscribers, e.g. after restoring the store from a backup.
import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '../errors.js';
import type { S6aApplication } from '../hss/s6a/index.js';
import type { Store } from '../store/index.js';

const resetBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    userIds: {
      type: 'array',
      maxItems: 1000,
      description: 'User-Id values: leading digits of the IMSIs concerned (MCC, MNC, leading MSIN digits); none or empty: every subscriber',
      items: { type: 'string', pattern: '^[0-9]{5,15}$', description: '5 to 15 leading digits of an IMSI' },
    },
  },
} as const;

export function s6aRoutes(api: FastifyInstance, s6a: S6aApplication, store: Store): void {
  api.get<{ Params: { imsi: string } }>(
    '/api/v1/s6a/subscribers/:imsi',
    {
      schema: {
        tags: ['s6a'],
        summary: 'the serving MME/SGSN, terminal (IMEI) and last NOR of a subscriber',
        params: { type: 'object', properties: { imsi: { type: 'string', pattern: '^[0-9]{5,15}$', description: 'IMSI, 5-15 digits' } }, required: ['imsi'] },
      },
    },
    async (req, reply) => {
      const { imsi } = req.params;
      if (!store.subscribers.get(imsi)) {
        return reply.code(404).send({ statusCode: 404, error: 'not_found', code: ErrorCode.STORE_NOT_FOUND, field: 'imsi', message: `subscriber ${imsi} does not exist` });
      }
      return { imsi, servingNode: store.servingNodes.get(imsi) ?? null, lastNotification: store.servingNodes.lastNotification(imsi) ?? null };
    },
  );

  api.post<{ Body: { userIds?: string[] } }>(
    '/api/v1/s6a/reset',
    { schema: { tags: ['s6a'], summary: 'Send RSR to every MME/SGSN serving the named subscribers; answers with the outcome per node', body: resetBody } },
    async (req) => {
      const records = await s6a.reset(req.body?.userIds ?? []);
      return { nodes: records.map((r) => ({ host: r.host, ok: r.ok, resultCode: r.resultCode ?? null, attempts: r.attempts })) };
    },
  );
}
