// /api/v1/ims-subscribers (by IMPI, IMPU, MSISDN), /api/v1/ifc-templates and /api/v1/scscf-pools. Digest passwords
// and HA1 are write-only: answers say which one is stored, never its value.
import type { FastifyInstance } from 'fastify';
import type { ImsSubscriberInput, ImsSubscriberPatch, Store } from '../../store/index.js';
import { notFound } from '../api-errors.js';
import { ifcCreate, ifcPatch, ifcTemplate, impiParam, impuParam, imsCreate, imsPatch, imsSubscriber, msisdnParam, page, pageQuery, scscfPool, scscfPoolCreate, scscfPoolPatch } from '../schemas.js';
import { actorOf, crudById, errors, pageOf } from './route-kit.js';

export function imsRoutes(app: FastifyInstance, store: Store): void {
  const tags = ['ims-subscribers'];
  const base = '/api/v1/ims-subscribers';
  app.post(base, { schema: { tags, summary: 'create an IMS subscriber (IMPI with its IMPUs)', body: imsCreate, response: { 201: imsSubscriber, ...errors } } }, async (req, reply) =>
    reply.code(201).send(store.imsSubscribers.create(req.body as ImsSubscriberInput, actorOf(req))),
  );
  app.get(base, { schema: { tags, summary: 'list IMS subscribers (by IMPI)', querystring: pageQuery, response: { 200: page(imsSubscriber), ...errors } } }, async (req) => store.imsSubscribers.list(pageOf(req)));
  app.get(`${base}/:impi`, { schema: { tags, summary: 'read an IMS subscriber by IMPI', params: impiParam, response: { 200: imsSubscriber, ...errors } } }, async (req) => {
    const { impi } = req.params as { impi: string };
    const s = store.imsSubscribers.get(impi);
    if (!s) throw notFound('IMS subscriber', impi);
    return s;
  });
  app.get(`${base}/by-impu/:impu`, { schema: { tags, summary: 'read the IMS subscriber of a public identity', params: impuParam, response: { 200: imsSubscriber, ...errors } } }, async (req) => {
    const { impu } = req.params as { impu: string };
    const s = store.imsSubscribers.getByImpu(impu);
    if (!s) throw notFound('public identity', impu);
    return s;
  });
  app.get(`${base}/by-msisdn/:msisdn`, { schema: { tags, summary: 'read an IMS subscriber by MSISDN', params: msisdnParam, response: { 200: imsSubscriber, ...errors } } }, async (req) => {
    const { msisdn } = req.params as { msisdn: string };
    const s = store.imsSubscribers.getByMsisdn(msisdn);
    if (!s) throw notFound('IMS subscriber with MSISDN', msisdn);
    return s;
  });
  app.patch(`${base}/:impi`, { schema: { tags, summary: 'update an IMS subscriber', params: impiParam, body: imsPatch, response: { 200: imsSubscriber, ...errors } } }, async (req) =>
    store.imsSubscribers.update((req.params as { impi: string }).impi, req.body as ImsSubscriberPatch, actorOf(req)),
  );
  app.delete(`${base}/:impi`, { schema: { tags, summary: 'delete an IMS subscriber', params: impiParam, response: { 204: { type: 'null' }, ...errors } } }, async (req, reply) => {
    store.imsSubscribers.delete((req.params as { impi: string }).impi, actorOf(req));
    return reply.code(204).send();
  });
  crudById(app, '/api/v1/ifc-templates', 'ifc-templates', 'iFC template', store.ifcTemplates, { create: ifcCreate, patch: ifcPatch, item: ifcTemplate });
  crudById(app, '/api/v1/scscf-pools', 'scscf-pools', 'S-CSCF pool', store.scscfPools, { create: scscfPoolCreate, patch: scscfPoolPatch, item: scscfPool });
}
