// End to end over real sockets and a real SQLite file: repository data written through the REST
// API reaches application servers subscribed with SNR as a PNR (TS 29.328 §6.1.4) carrying the new
// ServiceData and sequence number, and a UDR then reads the same; a PUR by one AS still notifies
// the others and not itself; a REST DELETE is notified as RepositoryData without ServiceData with
// the next sequence number (what a PUR deletion gives, TS 29.328 §6.1.2, §7.6.1).
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { avp } from '../../../src/diameter/codec/builder.js';
import { findAvp, type Message } from '../../../src/diameter/codec/message.js';
import { buildApi } from '../../../src/api/server.js';
import type { SqliteStore } from '../../../src/store/index.js';
import { waitFor } from '../../support/node-config.js';
import { resultCode } from '../../support/scripted-peer.js';
import { AS1, AS2, dict, outline, pur, repositoryXml, send, shDataOf, snr, startShBed, userIdentity, type ShBed } from './sh-support.js';

const IMPU = 'sip:heidi@ims.test';
const SI = 'mmtel-settings';

function seed(s: SqliteStore): void {
  s.imsSubscribers.create({ impi: 'heidi@ims.test', authScheme: 'digest-md5', digestPassword: 'pw', impus: [{ impu: IMPU }] }, 'test');
}

let bed: ShBed | undefined;
let api: FastifyInstance | undefined;
afterEach(async () => {
  await api?.close();
  await bed?.close();
  api = undefined;
  bed = undefined;
});

async function rest(method: string, body?: object): Promise<{ status: number; json: Record<string, unknown> }> {
  if (!api) throw new Error('no API');
  const addr = api.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const url = `http://127.0.0.1:${port}/api/v1/ims-subscribers/by-impu/${encodeURIComponent(IMPU)}/repository-data/${SI}`;
  const r = await fetch(url, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  return { status: r.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const udr = [userIdentity(IMPU), avp(dict, 'Service-Indication', Buffer.from(SI)), avp(dict, 'Data-Reference', 0)];
const repo = (seq: number, data: [string, string][]): [string, string][] => [['Sh-Data', ''], ['RepositoryData', ''], ['ServiceIndication', SI], ['SequenceNumber', String(seq)], ...data];
const isPnrFor = (m: Message, host: string): boolean => m.commandCode === 309 && findAvp(m.avps, 293)?.value === host;

describe('REST writes notify Sh subscribers', () => {
  it('PUT → PNR with the new data and sequence number to every subscribed AS; UDR agrees; PUR skips its writer; DELETE notifies without ServiceData', async () => {
    bed = await startShBed(seed);
    api = buildApi(bed.node, { enabled: true, address: '127.0.0.1', port: 0, token: undefined }, pino({ level: 'silent' }), { store: bed.store });
    await api.listen({ host: '127.0.0.1', port: 0 });
    const b = bed;
    for (const as of [b.as1, b.as2]) expect(resultCode(await send(as, 308, snr(IMPU, [0], { sis: [SI] })))).toBe(2001);

    // 1. An operator write: both ASs are told (the API is not an AS, nobody is skipped).
    const created = await rest('PUT', { data: '<cfu>sip:vm@ims.test</cfu>' });
    expect(created).toEqual({ status: 200, json: { serviceIndication: SI, sequenceNumber: 0, size: 26 } });
    await waitFor(() => b.as1.received.length === 1 && b.as2.received.length === 1, 'PNR at AS1 and AS2');
    for (const [as, host] of [[b.as1, AS1], [b.as2, AS2]] as const) {
      const pnr = as.received[0]!;
      expect(isPnrFor(pnr, host)).toBe(true);
      expect(findAvp(findAvp(pnr.avps, 700, 10415)?.avps, 601, 10415)?.value).toBe(IMPU);
      expect(outline(shDataOf(pnr))).toEqual(repo(0, [['ServiceData', ''], ['cfu', 'sip:vm@ims.test']]));
    }
    // UDR reads what the PNR said.
    const read = await send(b.as1, 306, udr);
    expect(resultCode(read)).toBe(2001);
    expect(outline(shDataOf(read))).toEqual(repo(0, [['ServiceData', ''], ['cfu', 'sip:vm@ims.test']]));

    // 2. A second operator write with optimistic concurrency: sequence 1, both told again.
    expect((await rest('PUT', { data: '<cfu>sip:bob@ims.test</cfu>', expectedSequenceNumber: 0 })).json.sequenceNumber).toBe(1);
    await waitFor(() => b.as1.received.length === 2 && b.as2.received.length === 2, 'second PNRs');
    expect(outline(shDataOf(b.as2.received[1]!))).toEqual(repo(1, [['ServiceData', ''], ['cfu', 'sip:bob@ims.test']]));
    // A stale write is refused and notifies nobody.
    expect((await rest('PUT', { data: '<cfu/>', expectedSequenceNumber: 0 })).status).toBe(409);

    // 3. AS1 writes by PUR (next number 2): AS2 is told, AS1 is not; REST reads the PUR's data.
    expect(resultCode(await send(b.as1, 307, pur(IMPU, repositoryXml(SI, 2, '<cfu>sip:carol@ims.test</cfu>'))))).toBe(2001);
    await waitFor(() => b.as2.received.length === 3, 'PNR of the PUR at AS2');
    expect(outline(shDataOf(b.as2.received[2]!))).toEqual(repo(2, [['ServiceData', ''], ['cfu', 'sip:carol@ims.test']]));
    expect(await rest('GET')).toEqual({ status: 200, json: { serviceIndication: SI, sequenceNumber: 2, data: '<cfu>sip:carol@ims.test</cfu>', encoding: 'utf8' } });

    // 4. Operator delete: both told, RepositoryData with the next number and no ServiceData.
    expect((await rest('DELETE')).status).toBe(204);
    await waitFor(() => b.as1.received.length === 3 && b.as2.received.length === 4, 'deletion PNRs');
    expect(outline(shDataOf(b.as1.received[2]!))).toEqual(repo(3, []));
    expect(outline(shDataOf(b.as2.received[3]!))).toEqual(repo(3, []));
    expect(outline(shDataOf(await send(b.as2, 306, udr)))).toEqual([['Sh-Data', '']]);

    // Settle: every PNR was answered, and AS1 never got one for its own PUR.
    await Promise.all(b.sh.inFlight);
    await new Promise((r) => setTimeout(r, 100));
    const seqs = (ms: Message[]): string[] => ms.map((m) => /<SequenceNumber>(\d+)<\/SequenceNumber>/.exec(shDataOf(m))?.[1] ?? '?');
    expect(seqs(b.as1.received)).toEqual(['0', '1', '3']);
    expect(seqs(b.as2.received)).toEqual(['0', '1', '2', '3']);
  });

  it('a PNR answered 5107 NO_SUBSCRIPTION_TO_DATA drops that subscription (REST path too)', async () => {
    bed = await startShBed(seed, {}, (req) => (req.commandCode === 309 ? { resultCode: 0, avps: [avp(dict, 'Experimental-Result', [avp(dict, 'Vendor-Id', 10415), avp(dict, 'Experimental-Result-Code', 5107)])] } : 2001));
    api = buildApi(bed.node, { enabled: true, address: '127.0.0.1', port: 0, token: undefined }, pino({ level: 'silent' }), { store: bed.store });
    await api.listen({ host: '127.0.0.1', port: 0 });
    const b = bed;
    expect(resultCode(await send(b.as2, 308, snr(IMPU, [0], { sis: [SI] })))).toBe(2001);
    expect(b.store.sh.subscribers(IMPU, 0, SI, new Date())).toHaveLength(1);
    expect((await rest('PUT', { data: '<a/>' })).status).toBe(200);
    await waitFor(() => b.as2.received.length === 1, 'PNR at AS2');
    await Promise.all(b.sh.inFlight);
    expect(b.store.sh.subscribers(IMPU, 0, SI, new Date())).toHaveLength(0);
  });
});
