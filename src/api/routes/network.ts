// /api/v1/apns (APN profiles), /api/v1/roaming-rules, and the read-only /api/v1/audit.
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.js';
import { apn, apnCreate, apnPatch, auditEntry, page, pageQuery, roamingCreate, roamingPatch, roamingRule } from '../schemas.js';
import { crudById, errors, pageOf } from './route-kit.js';

const auditQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { ...(pageQuery.properties as object), resource: { type: 'string', maxLength: 50 }, resourceId: { type: 'string', maxLength: 300 } },
};

export function networkRoutes(app: FastifyInstance, store: Store): void {
  crudById(app, '/api/v1/apns', 'apns', 'APN', store.apns, { create: apnCreate, patch: apnPatch, item: apn });
  crudById(app, '/api/v1/roaming-rules', 'roaming-rules', 'roaming rule', store.roamingRules, { create: roamingCreate, patch: roamingPatch, item: roamingRule });
  app.get('/api/v1/audit', { schema: { tags: ['audit'], summary: 'changes, newest first (secrets masked)', querystring: auditQuery, response: { 200: page(auditEntry), ...errors } } }, async (req) => {
    const q = req.query as { resource?: string; resourceId?: string };
    return store.audit.list({ ...pageOf(req), resource: q.resource, resourceId: q.resourceId });
  });
}
