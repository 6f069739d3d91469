// How CLI commands reach a running node: its admin API, at the configured address (or --api)
// with the bearer token from --token, DIAMOND_API_TOKEN or the config.
import { DiamondError, ErrorCode } from '../errors.js';
import { resolveConfig } from './start-command.js';

export interface ApiTarget {
  config?: string;
  api?: string;
  token?: string;
}

/** Calls the API; returns the parsed JSON body of a 2xx answer, else throws with what it said. */
export async function callApi(target: ApiTarget, path: string, body?: unknown): Promise<unknown> {
  const config = resolveConfig(target.config);
  const host = config.api.address.includes(':') ? `[${config.api.address}]` : config.api.address;
  const base = target.api ?? `http://${host}:${config.api.port}`;
  const token = target.token ?? process.env.DIAMOND_API_TOKEN ?? config.api.token;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new DiamondError(ErrorCode.CLI_INPUT, `cannot reach the node's API at ${base}: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not JSON: keep the text
    }
    throw new DiamondError(ErrorCode.CLI_INPUT, `${base}${path} answered ${res.status}: ${message}`);
  }
  return JSON.parse(text) as unknown;
}
