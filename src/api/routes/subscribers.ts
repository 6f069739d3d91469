// /api/v1/subscribers and /api/v1/auc. POST /subscribers takes the subscriber and its AuC keys in
// one body and writes both in one transaction; no answer ever carries K, OP or OPc.
import type { FastifyInstance } from 'fastify';
import type { AucInput, AucPatch, Store, SubscriberInput, SubscriberPatch } from '../../store/index.js';
import { notFound } from '../api-errors.js';
import { auc, aucCreate, aucPatch, imsiParam, msisdnParam, page, pageQuery, subscriber, subscriberCreate, subscriberPatch } from '../schemas.js';
import { actorOf, errors, pageOf } from './route-kit.js';

type SubscriberBody = SubscriberInput & Omit<AucInput, 'imsi'>;

export function subscriberRoutes(app: FastifyInstance, store: Store): void {
  const tags = ['subscribers'];
  app.post('/api/v1/subscribers', { schema: { tags, summary: 'create a subscriber with its AuC entry', body: subscriberCreate, response: { 201: subscriber, ...errors } } }, async (req, reply) => {
    const { k, opc, op, amf, sqn, algorithm, ...sub } = req.body as SubscriberBody;
    const keys: Omit<AucInput, 'imsi'> = { k };
    if (opc !== undefined) keys.opc = opc;
    if (op !== undefined) keys.op = op;
    if (amf !== undefined) keys.amf = amf;
    if (sqn !== undefined) keys.sqn = sqn;
    if (algorithm !== undefined) keys.algorithm = algorithm;
    return reply.code(201).send(store.subscribers.createWithAuc(sub, keys, actorOf(req)));
  });
  app.get('/api/v1/subscribers', { schema: { tags, summary: 'list subscribers (by IMSI)', querystring: pageQuery, response: { 200: page(subscriber), ...errors } } }, async (req) => store.subscribers.list(pageOf(req)));
  app.get('/api/v1/subscribers/:imsi', { schema: { tags, summary: 'read a subscriber by IMSI', params: imsiParam, response: { 200: subscriber, ...errors } } }, async (req) => {
    const { imsi } = req.params as { imsi: string };
    const s = store.subscribers.get(imsi);
    if (!s) throw notFound('subscriber', imsi);
    return s;
  });
  app.get('/api/v1/subscribers/by-msisdn/:msisdn', { schema: { tags, summary: 'read a subscriber by MSISDN', params: msisdnParam, response: { 200: subscriber, ...errors } } }, async (req) => {
    const { msisdn } = req.params as { msisdn: string };
    const s = store.subscribers.getByMsisdn(msisdn);
    if (!s) throw notFound('subscriber with MSISDN', msisdn);
    return s;
  });
  app.patch('/api/v1/subscribers/:imsi', { schema: { tags, summary: 'update a subscriber', params: imsiParam, body: subscriberPatch, response: { 200: subscriber, ...errors } } }, async (req) =>
    store.subscribers.update((req.params as { imsi: string }).imsi, req.body as SubscriberPatch, actorOf(req)),
  );
  app.delete('/api/v1/subscribers/:imsi', { schema: { tags, summary: 'delete a subscriber (and its AuC entry)', params: imsiParam, response: { 204: { type: 'null' }, ...errors } } }, async (req, reply) => {
    store.subscribers.delete((req.params as { imsi: string }).imsi, actorOf(req));
    return reply.code(204).send();
  });

  const aucTags = ['auc'];
  app.post('/api/v1/auc', { schema: { tags: aucTags, summary: 'create the AuC entry of an existing subscriber', body: aucCreate, response: { 201: auc, ...errors } } }, async (req, reply) =>
    reply.code(201).send(store.auc.create(req.body as AucInput, actorOf(req))),
  );
  app.get('/api/v1/auc', { schema: { tags: aucTags, summary: 'list AuC entries (without keys)', querystring: pageQuery, response: { 200: page(auc), ...errors } } }, async (req) => store.auc.list(pageOf(req)));
  app.get('/api/v1/auc/:imsi', { schema: { tags: aucTags, summary: 'read an AuC entry (algorithm, AMF, SQN; never keys)', params: imsiParam, response: { 200: auc, ...errors } } }, async (req) => {
    const { imsi } = req.params as { imsi: string };
    const a = store.auc.get(imsi);
    if (!a) throw notFound('AuC entry', imsi);
    return a;
  });
  app.patch('/api/v1/auc/:imsi', { schema: { tags: aucTags, summary: 'change keys, AMF or SQN', params: imsiParam, body: aucPatch, response: { 200: auc, ...errors } } }, async (req) =>
    store.auc.update((req.params as { imsi: string }).imsi, req.body as AucPatch, actorOf(req)),
  );
  app.delete('/api/v1/auc/:imsi', { schema: { tags: aucTags, summary: 'delete an AuC entry', params: imsiParam, response: { 204: { type: 'null' }, ...errors } } }, async (req, reply) => {
    store.auc.delete((req.params as { imsi: string }).imsi, actorOf(req));
    return reply.code(204).send();
  });
}
