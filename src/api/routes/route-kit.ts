// Shared pieces of the provisioning routes: who is acting (for the audit log), page queries,
// response schema sets, and a CRUD builder for the id-keyed resources.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Page, PageRequest } from '../../store/index.js';
import { notFound } from '../api-errors.js';
import { errorBody, idParam, page, pageQuery } from '../schemas.js';

type Schema = Record<string, unknown>;

/** The audit log's "who": the API and the client address (one shared token has no user name). */
export const actorOf = (req: FastifyRequest): string => `api:${req.ip}`;

export function pageOf(req: FastifyRequest): PageRequest {
  const q = req.query as { limit?: string; after?: string };
  return { limit: q.limit !== undefined ? Number(q.limit) : undefined, after: q.after };
}

export const errors = { 400: errorBody, 401: errorBody, 404: errorBody, 409: errorBody };

export interface CrudRepo<T, I, P> {
  get(id: number): T | undefined;
  list(page?: PageRequest): Page<T>;
  create(input: I, actor: string): T;
  update(id: number, patch: P, actor: string): T;
  delete(id: number, actor: string): void;
}

/** POST, GET list, GET/PATCH/DELETE by numeric id under `path`. */
export function crudById<T, I, P>(app: FastifyInstance, path: string, tag: string, what: string, repo: CrudRepo<T, I, P>, s: { create: Schema; patch: Schema; item: Schema }): void {
  const schema = (extra: Schema): Schema => ({ tags: [tag], ...extra });
  app.post(path, { schema: schema({ summary: `create ${what}`, body: s.create, response: { 201: s.item, ...errors } }) }, async (req, reply) => {
    const created = repo.create(req.body as I, actorOf(req));
    return reply.code(201).send(created);
  });
  app.get(path, { schema: schema({ summary: `list ${what}s`, querystring: pageQuery, response: { 200: page(s.item), ...errors } }) }, async (req) => repo.list(pageOf(req)));
  app.get(`${path}/:id`, { schema: schema({ summary: `read ${what}`, params: idParam, response: { 200: s.item, ...errors } }) }, async (req) => {
    const id = Number((req.params as { id: string }).id);
    const item = repo.get(id);
    if (!item) throw notFound(what, String(id));
    return item;
  });
  app.patch(`${path}/:id`, { schema: schema({ summary: `update ${what}`, params: idParam, body: s.patch, response: { 200: s.item, ...errors } }) }, async (req) =>
    repo.update(Number((req.params as { id: string }).id), req.body as P, actorOf(req)),
  );
  app.delete(`${path}/:id`, { schema: schema({ summary: `delete ${what}`, params: idParam, response: { 204: { type: 'null' }, ...errors } }) }, async (req, reply) => {
    repo.delete(Number((req.params as { id: string }).id), actorOf(req));
    return reply.code(204).send();
  });
}
