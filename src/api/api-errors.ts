// Error answers of the API: 400 names the field and quotes its rule, 404 for what does not exist,
// 409 for duplicates and things still in use. Values are never echoed (they may be keys).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../errors.js';
import { StoreError } from '../store/index.js';

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: { description?: string };
}

/** "/apns/1/name" -> "apns[1].name". */
export function fieldPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').filter((p) => p !== '');
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) out += /^[0-9]+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

export function describeValidation(errors: AjvError[], context: string | undefined): { field: string; message: string } {
  // With anyOf (SQN: integer or hex string) the branch errors come first; all carry the same rule.
  const e = errors[0]!;
  if (e.keyword === 'required') {
    const field = fieldPath(e.instancePath, String(e.params.missingProperty));
    return { field, message: `${field}: is required` };
  }
  if (e.keyword === 'additionalProperties') {
    const field = fieldPath(e.instancePath, String(e.params.additionalProperty));
    return { field, message: `${field}: is not a known field` };
  }
  const field = fieldPath(e.instancePath) || (context ?? 'body');
  if (e.instancePath === '' && e.keyword === 'type') return { field, message: `${field}: must be a JSON ${String(e.params.type)}` };
  return { field, message: `${field}: ${e.parentSchema?.description ?? e.message ?? 'is not valid'}` };
}

const STATUS: Partial<Record<string, [number, string]>> = {
  [ErrorCode.STORE_INVALID]: [400, 'Bad Request'],
  [ErrorCode.STORE_BAD_REFERENCE]: [400, 'Bad Request'],
  [ErrorCode.STORE_NOT_FOUND]: [404, 'Not Found'],
  [ErrorCode.STORE_CONFLICT]: [409, 'Conflict'],
};

export async function sendError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (err.validation) {
    const { field, message } = describeValidation(err.validation as unknown as AjvError[], err.validationContext);
    await reply.code(400).send({ statusCode: 400, error: 'Bad Request', code: ErrorCode.API_VALIDATION, field, message });
    return;
  }
  if (err instanceof StoreError) {
    const [status, error] = STATUS[err.code] ?? [500, 'Internal Server Error'];
    const at = err.location ? { line: err.location.line, column: err.location.column } : {};
    await reply.code(status).send({ statusCode: status, error, code: err.code, field: err.field ?? '', message: err.message, ...at });
    return;
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    // Fastify's own 4xx: malformed JSON, wrong content type, body too large.
    await reply.code(err.statusCode).send({ statusCode: err.statusCode, error: 'Bad Request', code: ErrorCode.API_VALIDATION, field: 'body', message: `body: ${err.message}` });
    return;
  }
  // Only the error itself is logged: never the request body, which may hold keys.
  req.log.error({ err: { message: err.message, code: err.code, stack: err.stack }, url: req.url, method: req.method }, 'provisioning request failed');
  await reply.code(500).send({ statusCode: 500, error: 'Internal Server Error', code: 'DIAMOND_ERR_INTERNAL', field: '', message: 'internal error (see the node log)' });
}

export const notFound = (what: string, key: string): StoreError => new StoreError(ErrorCode.STORE_NOT_FOUND, `${what} ${key} does not exist`);
