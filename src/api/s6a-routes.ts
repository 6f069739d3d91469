// Admin API for S6a procedures the operator starts: Reset (RSR, TS 29.272 §5.2.4.1) to the MMEs and
// SGSNs serving some or all subscribers, e.g. after restoring the store from a backup.
import type { FastifyInstance } from 'fastify';
import type { S6aApplication } from '../hss/s6a/index.js';

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

export function s6aRoutes(api: FastifyInstance, s6a: S6aApplication): void {
  api.post<{ Body: { userIds?: string[] } }>(
    '/api/v1/s6a/reset',
    { schema: { tags: ['s6a'], summary: 'Send RSR to every MME/SGSN serving the named subscribers; answers with the outcome per node', body: resetBody } },
    async (req) => {
      const records = await s6a.reset(req.body?.userIds ?? []);
      return { nodes: records.map((r) => ({ host: r.host, ok: r.ok, resultCode: r.resultCode ?? null, attempts: r.attempts })) };
    },
  );
}
