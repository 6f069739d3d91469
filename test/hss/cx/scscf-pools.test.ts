// S-CSCF pools and per-subscriber S-CSCF preference (TS 29.228 §6.1.1.1, §6.1.4.1, §6.7): pools
// provisioned over the REST API (a real HTTP socket on 127.0.0.1), UAR/LIR over a real Diameter
// connection answered from the same SQLite file. An assigned S-CSCF wins, then the subscriber's
// preferred one, then its pool (a stable member, or Server-Capabilities), then the configuration.
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApi } from '../../../src/api/server.js';
import { avp } from '../../../src/diameter/codec/builder.js';
import { findAvp, findAvps, type Avp, type Message } from '../../../src/diameter/codec/message.js';
import { cxRequest, dict, lir, sar, startBed, uar, type Bed } from './cx-support.js';

const T = 10415;
const CONFIGURED = 'sip:configured.ims.test:6060';
const IMPI = (n: number): string => `user${n}@ims.test`;
const IMPU = (n: number): string => `sip:user${n}@ims.test`;
const POOL = ['sip:scscf-a.ims.test:6060', 'sip:scscf-b.ims.test:6060', 'sip:scscf-c.ims.test'];

let bed: Bed;
let base: string;
let close: () => Promise<void>;

beforeEach(async () => {
  bed = await startBed(
    (s) => {
      for (let n = 1; n <= 12; n++) s.imsSubscribers.create({ impi: IMPI(n), authScheme: 'digest-md5', digestPassword: 'pw', impus: [{ impu: IMPU(n) }] }, 'test');
    },
    { scscfPool: [CONFIGURED] },
  );
  const cfg = { enabled: true, address: '127.0.0.1', port: 0, token: undefined };
  const api = buildApi(bed.node, cfg, pino({ level: 'silent' }), { store: bed.store });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const port = (api.server.address() as { port: number }).port;
  base = `http://127.0.0.1:${port}/api/v1`;
  close = async () => {
    await api.close();
    await bed.close();
  };
});
afterEach(async () => close());

async function call(method: string, path: string, body?: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${base}${path}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const avpUat = (v: number): Avp => avp(dict, 'User-Authorization-Type', v);
const originating = avp(dict, 'Originating-Request', 0);
const serverName = (m: Message): string | undefined => findAvp(m.avps, 602, T)?.value as string | undefined;
const capabilities = (m: Message): { mandatory: number[]; optional: number[]; names: string[] } | undefined => {
  const c = findAvp(m.avps, 603, T)?.avps;
  if (!c) return undefined;
  return {
    mandatory: findAvps(c, 604, T).map((a) => a.value as number),
    optional: findAvps(c, 605, T).map((a) => a.value as number),
    names: findAvps(c, 602, T).map((a) => a.value as string),
  };
};

describe('S-CSCF pools over REST', () => {
  it('create, read, update, list; bad fields named; delete refused while a subscriber uses the pool', async () => {
    const c = await call('POST', '/scscf-pools', { name: 'north', serverNames: POOL, mandatoryCapabilities: [1], optionalCapabilities: [2, 3] });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ name: 'north', serverNames: POOL, mandatoryCapabilities: [1], optionalCapabilities: [2, 3], answer: 'server-name' });
    const id = c.body.id as number;
    expect((await call('GET', `/scscf-pools/${id}`)).body.name).toBe('north');
    expect((await call('PATCH', `/scscf-pools/${id}`, { answer: 'capabilities' })).body.answer).toBe('capabilities');
    expect(((await call('GET', '/scscf-pools')).body.items as unknown[]).length).toBe(1);

    const bad = [
      [{ name: 'x', serverNames: ['scscf.ims.test'] }, 'serverNames'],
      [{ name: 'x', serverNames: [] }, 'serverNames'],
      [{ name: 'x', serverNames: POOL, answer: 'random' }, 'answer'],
      [{ name: 'x', serverNames: POOL, mandatoryCapabilities: [-1] }, 'mandatoryCapabilities'],
      [{ serverNames: POOL }, 'name'],
    ] as const;
    for (const [body, field] of bad) {
      const r = await call('POST', '/scscf-pools', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(String(r.body.field ?? r.body.message)).toContain(field);
    }
    expect((await call('POST', '/scscf-pools', { name: 'north', serverNames: POOL })).status).toBe(409);

    const unknownPool = await call('PATCH', `/ims-subscribers/${IMPI(1)}`, { scscfPoolId: id + 100 });
    expect(unknownPool.status).toBeGreaterThanOrEqual(400);
    expect(unknownPool.body.field).toBe('scscfPoolId');
    const badUri = await call('PATCH', `/ims-subscribers/${IMPI(1)}`, { preferredScscf: 'scscf.ims.test' });
    expect(badUri.status).toBe(400);
    expect(String(badUri.body.field ?? badUri.body.message)).toContain('preferredScscf');

    const linked = await call('PATCH', `/ims-subscribers/${IMPI(1)}`, { scscfPoolId: id });
    expect(linked.status).toBe(200);
    expect(linked.body.scscfPoolId).toBe(id);
    const refused = await call('DELETE', `/scscf-pools/${id}`);
    expect(refused.status).toBe(409);
    expect(String(refused.body.message)).toContain('1 IMS subscriber');
    await call('PATCH', `/ims-subscribers/${IMPI(1)}`, { scscfPoolId: null });
    expect((await call('DELETE', `/scscf-pools/${id}`)).status).toBe(204);
    expect((await call('GET', `/scscf-pools/${id}`)).status).toBe(404);
  });
});

describe('UAR and LIR for a user with no S-CSCF assigned', () => {
  it('without preference or pool: the configured pool', async () => {
    expect(serverName(await cxRequest(bed, 300, uar(IMPI(1), IMPU(1))))).toBe(CONFIGURED);
  });

  it("the subscriber's preferred S-CSCF, in UAA and LIA; an assigned one (SAR) wins over it", async () => {
    expect((await call('PATCH', `/ims-subscribers/${IMPI(2)}`, { preferredScscf: 'sip:home.ims.test:6060' })).status).toBe(200);
    expect(serverName(await cxRequest(bed, 300, uar(IMPI(2), IMPU(2))))).toBe('sip:home.ims.test:6060');
    const lia = await cxRequest(bed, 302, lir(IMPU(2), [originating]));
    expect(serverName(lia)).toBe('sip:home.ims.test:6060');
    await cxRequest(bed, 301, sar(IMPI(2), [IMPU(2)], 1, { serverName: 'sip:other.ims.test:6060' }));
    expect(serverName(await cxRequest(bed, 300, uar(IMPI(2), IMPU(2))))).toBe('sip:other.ims.test:6060');
  });

  it('a server-name pool: a member, the same for a user every time, spread over users', async () => {
    const id = (await call('POST', '/scscf-pools', { name: 'south', serverNames: POOL })).body.id as number;
    const picks = new Map<number, string>();
    for (let n = 1; n <= 12; n++) {
      await call('PATCH', `/ims-subscribers/${IMPI(n)}`, { scscfPoolId: id });
      const first = serverName(await cxRequest(bed, 300, uar(IMPI(n), IMPU(n))))!;
      expect(POOL).toContain(first);
      expect(serverName(await cxRequest(bed, 300, uar(IMPI(n), IMPU(n))))).toBe(first);
      picks.set(n, first);
    }
    expect(new Set(picks.values()).size).toBeGreaterThan(1);
  });

  it('a capabilities pool: Server-Capabilities with its values; a change over REST shows in the next UAA', async () => {
    const id = (await call('POST', '/scscf-pools', { name: 'caps', serverNames: POOL.slice(0, 2), mandatoryCapabilities: [10], optionalCapabilities: [20, 21], answer: 'capabilities' })).body
      .id as number;
    await call('PATCH', `/ims-subscribers/${IMPI(3)}`, { scscfPoolId: id });
    const a = await cxRequest(bed, 300, uar(IMPI(3), IMPU(3)));
    expect(serverName(a)).toBeUndefined();
    expect(capabilities(a)).toEqual({ mandatory: [10], optional: [20, 21], names: POOL.slice(0, 2) });
    // REGISTRATION_AND_CAPABILITIES asks for capabilities whatever the pool's answer is.
    await call('PATCH', `/scscf-pools/${id}`, { answer: 'server-name', serverNames: ['sip:only.ims.test'] });
    expect(serverName(await cxRequest(bed, 300, uar(IMPI(3), IMPU(3))))).toBe('sip:only.ims.test');
    const caps = await cxRequest(bed, 300, uar(IMPI(3), IMPU(3), [avpUat(2)]));
    expect(capabilities(caps)).toEqual({ mandatory: [10], optional: [20, 21], names: ['sip:only.ims.test'] });
  });
});
