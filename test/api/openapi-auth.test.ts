// OpenAPI document and Swagger UI from the validation schemas; bearer token (config or
// DIAMOND_API_TOKEN); one test over a real socket; nothing secret in the log.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { apiToken } from '../../src/api/server.js';
import { subscriberCreate } from '../../src/api/schemas.js';
import { K1, OPC1 } from '../store/helpers.js';
import { testApi, type TestApi } from './helpers.js';

let t: TestApi | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('OpenAPI and Swagger UI', () => {
  it('/openapi.json carries the same schemas that validate requests; /docs serves Swagger UI', async () => {
    t = await testApi();
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, { pattern?: string; description?: string }> } }> } }>> }>();
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/api/v1/subscribers', '/api/v1/subscribers/{imsi}', '/api/v1/auc/{imsi}', '/api/v1/apns', '/api/v1/ims-subscribers/by-impu/{impu}', '/api/v1/ifc-templates/{id}', '/api/v1/roaming-rules']) {
      expect(doc.paths[p], p).toBeDefined();
    }
    const post = doc.paths['/api/v1/subscribers']!.post!.requestBody!.content['application/json']!.schema;
    const want = (subscriberCreate.properties as Record<string, { pattern: string; description: string }>).imsi;
    expect(post.properties.imsi).toMatchObject({ pattern: want!.pattern, description: 'must be 5-15 digits' });
    expect(post.properties.k!.pattern).toBe('^[0-9A-Fa-f]{32}$');
    const ui = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
  });
});

describe('bearer token', () => {
  it('from the config: 401 without it, 200 with it; the API description stays public', async () => {
    t = await testApi({ token: 'sesame-123' });
    const no = await t.app.inject({ method: 'GET', url: '/api/v1/subscribers' });
    expect(no.statusCode).toBe(401);
    expect(no.headers['www-authenticate']).toBe('Bearer');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/subscribers', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/apns', payload: { name: 'internet' } })).statusCode).toBe(401);
    expect(t.store.apns.list().items).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/subscribers', headers: { authorization: 'Bearer sesame-123' } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(200);
  });

  it('from DIAMOND_API_TOKEN when the config has none', () => {
    const cfg = { enabled: true, address: '127.0.0.1', port: 0, token: undefined };
    expect(apiToken(cfg, { DIAMOND_API_TOKEN: 'env-token' })).toBe('env-token');
    expect(apiToken({ ...cfg, token: 'file' }, { DIAMOND_API_TOKEN: 'env-token' })).toBe('file');
    expect(apiToken(cfg, { DIAMOND_API_TOKEN: '' })).toBeUndefined();
  });
});

describe('over a real socket', () => {
  it('POST then GET with fetch on 127.0.0.1, token required; keys never in answers or logs', async () => {
    let logged = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logged += chunk.toString();
        cb();
      },
    });
    t = await testApi({ token: 'tok-xyz' }, sink);
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const auth = { authorization: 'Bearer tok-xyz', 'content-type': 'application/json' };
    expect((await fetch(`${url}/api/v1/apns`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'internet' }) })).status).toBe(201);
    const post = await fetch(`${url}/api/v1/subscribers`, { method: 'POST', headers: auth, body: JSON.stringify({ imsi: '001010000000001', msisdn: '1234', k: K1, opc: OPC1, amf: '8000', sqn: 0, apns: ['internet'] }) });
    expect(post.status).toBe(201);
    const bad = await fetch(`${url}/api/v1/subscribers`, { method: 'POST', headers: auth, body: JSON.stringify({ imsi: '001010000000002', k: K1, opc: OPC1.slice(1) }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { field: string }).field).toBe('opc');
    const noToken = await fetch(`${url}/api/v1/subscribers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ imsi: '001010000000003', k: K1, opc: OPC1 }) });
    expect(noToken.status).toBe(401);
    const get = await fetch(`${url}/api/v1/subscribers/001010000000001`, { headers: auth });
    const text = await get.text();
    expect(get.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ imsi: '001010000000001', msisdn: '1234', apns: [{ name: 'internet' }] });
    expect(text).not.toContain(K1);
    expect(text).not.toContain(OPC1);
    expect(logged).not.toContain(K1);
    expect(logged).not.toContain(OPC1.slice(1));
    expect(logged).not.toContain('tok-xyz');
  });
});
