// `diamond replay --provision FILE`: seeds the records a capture uses through the target node's admin
// API (docs/provisioning.md) before the replay, so an HSS answers with data instead of 5001.
// FILE is JSON: an array of POST /api/v1/subscribers bodies, or an object with `apns`,
// `subscribers` and `imsSubscribers` arrays, posted in that order (references point backwards).
// A 409 (already there) is success: the same file seeds a node twice.
import { DiamondError, ErrorCode } from '../errors.js';

/** The record kinds of a provisioning file, in posting order, with their API path and key field. */
const KINDS = [
  { key: 'apns', path: '/api/v1/apns', id: 'name' },
  { key: 'subscribers', path: '/api/v1/subscribers', id: 'imsi' },
  { key: 'imsSubscribers', path: '/api/v1/ims-subscribers', id: 'impi' },
] as const;

type Kind = (typeof KINDS)[number]['key'];

export type ProvisionFile = Record<Kind, Record<string, unknown>[]>;

export interface ProvisionResult {
  created: number;
  existing: number;
}

function bad(message: string): never {
  throw new DiamondError(ErrorCode.CLI_INPUT, message);
}

/** JSON.parse positions as line:col, so a syntax error points into the file. */
function lineCol(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return '';
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  return `:${line}:${Number(m[1]) - before.lastIndexOf('\n')}`;
}

/** Checks the file's shape; the API checks the fields. `file` names the file in errors. */
export function parseProvisionFile(text: string, file: string): ProvisionFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return bad(`${file}${lineCol(text, (err as Error).message)}: not valid JSON: ${(err as Error).message}`);
  }
  const out: ProvisionFile = { apns: [], subscribers: [], imsSubscribers: [] };
  if (typeof parsed !== 'object' || parsed === null) bad(`${file}: expected a JSON array of subscribers or an object with apns, subscribers, imsSubscribers`);
  const top: Record<string, unknown> = Array.isArray(parsed) ? { subscribers: parsed } : (parsed as Record<string, unknown>);
  for (const key of Object.keys(top)) {
    if (!KINDS.some((k) => k.key === key)) bad(`${file}: unknown key "${key}" (expected apns, subscribers, imsSubscribers)`);
  }
  for (const kind of KINDS) {
    const list = top[kind.key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) bad(`${file}: ${kind.key}: expected an array`);
    list.forEach((r: unknown, i) => {
      if (typeof r !== 'object' || r === null || Array.isArray(r)) bad(`${file}: ${kind.key}[${i}]: expected an object`);
      const id = (r as Record<string, unknown>)[kind.id];
      if (typeof id !== 'string' || id === '') bad(`${file}: ${kind.key}[${i}]: missing "${kind.id}" (a string)`);
      out[kind.key].push(r as Record<string, unknown>);
    });
  }
  if (KINDS.every((k) => out[k.key].length === 0)) bad(`${file}: no records to provision`);
  return out;
}

interface ApiErrorBody {
  code?: string;
  field?: string;
  message?: string;
}

/** Posts every record; resolves with the counts, throws on the first answer that is not 2xx or 409. */
export async function provision(records: ProvisionFile, file: string, api: { url: string; token?: string | undefined }): Promise<ProvisionResult> {
  const base = api.url.replace(/\/+$/, '');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (api.token) headers.authorization = `Bearer ${api.token}`;
  const result: ProvisionResult = { created: 0, existing: 0 };
  for (const kind of KINDS) {
    for (const [i, record] of records[kind.key].entries()) {
      const what = `${file}: ${kind.key}[${i}] (${kind.id} ${String(record[kind.id])})`;
      let res: Response;
      try {
        res = await fetch(`${base}${kind.path}`, { method: 'POST', headers, body: JSON.stringify(record) });
      } catch (err) {
        const cause = (err as { cause?: Error }).cause?.message ?? (err as Error).message;
        return bad(`--provision: cannot reach the admin API at ${base}: ${cause} (set --api URL)`);
      }
      const text = await res.text();
      if (res.ok) result.created++;
      else if (res.status === 409) result.existing++;
      else {
        let body: ApiErrorBody;
        try {
          body = JSON.parse(text) as ApiErrorBody;
        } catch {
          body = { message: text.slice(0, 200) };
        }
        if (res.status === 401) bad(`--provision: the admin API at ${base} answered 401: ${body.message ?? 'unauthorized'} (give --token or DIAMOND_API_TOKEN)`);
        if (res.status === 404 && body.code === undefined) bad(`--provision: ${base}${kind.path} not found: is ${base} the admin API of a node with a subscriber store?`);
        const said = body.message ?? text;
        // The API's messages usually start with the field; say it once.
        const field = body.field && !said.startsWith(`${body.field}:`) ? `${body.field}: ` : '';
        bad(`${what}: ${field}${said} (POST ${kind.path} answered ${res.status}${body.code ? ` ${body.code}` : ''})`);
      }
    }
  }
  return result;
}
