// /api/v1/ims-subscribers/by-impu/:impu/repository-data — Sh repository data (TS 29.328 §7.6.1:
// ServiceIndication, SequenceNumber, ServiceData) read and written by the operator. A write takes
// the next sequence number itself (0 for new data, then +1, 65535 → 1), or refuses with 409 when
// the client's expectedSequenceNumber is not the stored one. The store announces every change and
// the Sh application sends the PNRs, as for a PUR. ServiceData is stored as given and goes verbatim
// inside <ServiceData> in UDA/PNR (TS 29.328 Annex D), so it must be UTF-8 XML content.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ErrorCode } from '../../errors.js';
import { nextSequenceNumber } from '../../hss/sh/sequence-number.js';
import { readXml } from '../../hss/sh/xml-reader.js';
import { DEFAULT_MAX_REPOSITORY_DATA_BYTES } from '../../hss/sh/sh-kit.js';
import { FIELD, StoreError, type ShRepositoryData, type Store } from '../../store/index.js';
import { errorBody } from '../schemas.js';
import { actorOf, errors } from './route-kit.js';

export interface ShRouteOptions {
  /** The Sh PUR limit (hss.shMaxRepositoryDataBytes): larger ServiceData is refused with 413. */
  readonly maxRepositoryDataBytes?: number;
}

type Schema = Record<string, unknown>;
type Encoding = 'utf8' | 'base64';

const impu: Schema = { type: 'string', pattern: FIELD.impu.pattern, description: FIELD.impu.description };
const serviceIndication: Schema = { type: 'string', minLength: 1, maxLength: 1024, description: 'Service-Indication: must be a non-empty string of at most 1024 characters' };
const sequenceNumber: Schema = { type: 'integer', minimum: 0, maximum: 65535, description: 'must be an integer 0..65535 (TS 29.328 §7.6.1)' };
const encoding: Schema = { type: 'string', enum: ['utf8', 'base64'], description: 'must be utf8 or base64' };
const obj = (properties: Record<string, Schema>, required: string[]): Schema => ({ type: 'object', additionalProperties: false, properties, required });

const listParams = obj({ impu }, ['impu']);
const deleteQuery = obj({ expectedSequenceNumber: { type: 'string', pattern: '^[0-9]{1,5}$', description: 'expectedSequenceNumber: must be an integer 0..65535, the sequence number last read' } }, []);
const itemParams = obj({ impu, serviceIndication }, ['impu', 'serviceIndication']);
const entry = obj({ serviceIndication, sequenceNumber, size: { type: 'integer', description: 'ServiceData length, bytes' } }, ['serviceIndication', 'sequenceNumber', 'size']);
const item = obj({ serviceIndication, sequenceNumber, data: { type: 'string' }, encoding }, ['serviceIndication', 'sequenceNumber', 'data', 'encoding']);
const putBody = obj(
  {
    data: { type: 'string', description: 'ServiceData: must be a string (XML content; base64 of it with encoding base64)' },
    encoding,
    expectedSequenceNumber: { ...sequenceNumber, description: 'expectedSequenceNumber: must be an integer 0..65535, the sequence number last read' },
  },
  ['data'],
);

const utf8 = new TextDecoder('utf-8', { fatal: true });
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const OPEN = '<ServiceData>';

/** Stored bytes as JSON text: UTF-8 as is, anything else as base64. */
function asText(d: ShRepositoryData): { serviceIndication: string; sequenceNumber: number; data: string; encoding: Encoding } {
  try {
    return { serviceIndication: d.serviceIndication, sequenceNumber: d.sequenceNumber, data: utf8.decode(d.data), encoding: 'utf8' };
  } catch {
    return { serviceIndication: d.serviceIndication, sequenceNumber: d.sequenceNumber, data: d.data.toString('base64'), encoding: 'base64' };
  }
}

const badData = (message: string): StoreError => new StoreError(ErrorCode.STORE_INVALID, `data: ${message}`, 'data');

/** The ServiceData bytes of a PUT body, or why they cannot go into Sh-Data. */
function decodeData(data: string, enc: Encoding): Buffer {
  if (enc === 'utf8') return Buffer.from(data, 'utf8');
  if (!BASE64.test(data)) throw badData('is not base64 (encoding base64)');
  return Buffer.from(data, 'base64');
}

function checkXmlContent(bytes: Buffer): void {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw badData('must be UTF-8 (it is sent as XML inside <ServiceData>, TS 29.328 Annex D)');
  }
  const doc = readXml(`${OPEN}${text}</ServiceData>`);
  if (!doc.ok) throw badData(`must be well-formed XML content for <ServiceData>: ${doc.error} at offset ${Math.max(0, doc.offset - OPEN.length)}`);
}

async function tooLarge(reply: FastifyReply, size: number, limit: number): Promise<void> {
  const message = `data: ${size} bytes is over the limit of ${limit} (hss.shMaxRepositoryDataBytes)`;
  await reply.code(413).send({ statusCode: 413, error: 'Payload Too Large', code: ErrorCode.API_VALIDATION, field: 'data', message });
}

export function shRoutes(app: FastifyInstance, store: Store, o: ShRouteOptions = {}): void {
  const tags = ['ims-subscribers'];
  const base = '/api/v1/ims-subscribers/by-impu/:impu/repository-data';
  const limit = o.maxRepositoryDataBytes ?? DEFAULT_MAX_REPOSITORY_DATA_BYTES;
  const requireImpu = (id: string): void => {
    if (!store.imsSubscribers.getByImpu(id)) throw new StoreError(ErrorCode.STORE_NOT_FOUND, `public identity ${id} does not exist`, 'impu');
  };
  const absent = (id: string, si: string): StoreError => new StoreError(ErrorCode.STORE_NOT_FOUND, `no repository data ${si} for ${id}`, 'serviceIndication');

  app.get(base, { schema: { tags, summary: 'list the Sh repository data of a public identity', params: listParams, response: { 200: { type: 'object', properties: { items: { type: 'array', items: entry } } }, ...errors } } }, async (req) => {
    const p = req.params as { impu: string };
    requireImpu(p.impu);
    return { items: store.sh.listData(p.impu) };
  });

  app.get(`${base}/:serviceIndication`, { schema: { tags, summary: 'read Sh repository data (ServiceData as text, base64 when not UTF-8)', params: itemParams, response: { 200: item, ...errors } } }, async (req) => {
    const p = req.params as { impu: string; serviceIndication: string };
    requireImpu(p.impu);
    const d = store.sh.getData(p.impu, p.serviceIndication);
    if (!d) throw absent(p.impu, p.serviceIndication);
    return asText(d);
  });

  app.put(
    `${base}/:serviceIndication`,
    {
      schema: {
        tags,
        summary: 'create or replace Sh repository data; the HSS takes the next sequence number and notifies subscribed ASs (PNR)',
        params: itemParams,
        body: putBody,
        response: { 200: entry, 413: errorBody, ...errors },
      },
    },
    async (req, reply) => {
      const p = req.params as { impu: string; serviceIndication: string };
      const b = req.body as { data: string; encoding?: Encoding; expectedSequenceNumber?: number };
      const bytes = decodeData(b.data, b.encoding ?? 'utf8');
      if (bytes.length > limit) return tooLarge(reply, bytes.length, limit);
      checkXmlContent(bytes);
      const set = { data: bytes, next: nextSequenceNumber, ...(b.expectedSequenceNumber !== undefined ? { expectedSequenceNumber: b.expectedSequenceNumber } : {}) };
      const done = store.sh.setData(p.impu, p.serviceIndication, set, actorOf(req));
      return { serviceIndication: done.serviceIndication, sequenceNumber: done.sequenceNumber, size: bytes.length };
    },
  );

  app.delete(
    `${base}/:serviceIndication`,
    { schema: { tags, summary: 'delete Sh repository data (subscribed ASs get a PNR without ServiceData)', params: itemParams, querystring: deleteQuery, response: { 204: { type: 'null' }, ...errors } } },
    async (req, reply) => {
      const p = req.params as { impu: string; serviceIndication: string };
      const q = req.query as { expectedSequenceNumber?: string };
      const expected = q.expectedSequenceNumber !== undefined ? Number(q.expectedSequenceNumber) : undefined;
      if (expected !== undefined && expected > 65535) throw new StoreError(ErrorCode.STORE_INVALID, 'expectedSequenceNumber: must be an integer 0..65535, the sequence number last read', 'expectedSequenceNumber');
      store.sh.setData(p.impu, p.serviceIndication, { data: null, next: nextSequenceNumber, ...(expected !== undefined ? { expectedSequenceNumber: expected } : {}) }, actorOf(req));
      return reply.code(204).send();
    },
  );
}
