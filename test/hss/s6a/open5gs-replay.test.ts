// The MME side of a real Open5GS attach capture (../shared/pcaps-public/open5gs-testattach.pcapng,
// keys in ../shared/vectors.md) replayed against Diamond: every AIR and ULR gets a well-formed
// answer with the same outcome the Open5GS HSS gave, the capture's resync AIR is accepted (its
// AUTS verifies) and the next vector's SQN follows from SQN_MS.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage } from '../../../src/diameter/codec/decode.js';
import { findAvp, type Message } from '../../../src/diameter/codec/message.js';
import { Milenage, splitSqn } from '../../../src/hss/auth/index.js';
import { openFrameSource } from '../../../src/pcap/capture-file.js';
import { DiameterExtractor } from '../../../src/pcap/diameter-extract.js';
import { child, children, dict, resultOf, startHss, top, type Hss } from './harness.js';

const CAPTURE = new URL('../../../../shared/pcaps-public/open5gs-testattach.pcapng', import.meta.url).pathname;
const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'e8ed289deba952e4283b54e88e6183ca';
const IMSI = '901707364000060';
const mil = new Milenage(Buffer.from(K, 'hex'), Buffer.from(OPC, 'hex'));

interface Exchange {
  request: Message;
  answer: Message | undefined;
}

/** S6a AIR/ULR requests in capture order, each with the answer the Open5GS HSS gave. */
function exchanges(): Exchange[] {
  const src = openFrameSource(readFileSync(CAPTURE));
  const ex = new DiameterExtractor();
  const out: Exchange[] = [];
  const byE2e = new Map<number, Exchange>();
  const take = (): void => {
    for (const pdu of ex.take()) {
      const { message: m } = decodeMessage(Buffer.from(pdu.data), dict);
      if (!m || m.applicationId !== 16777251 || (m.commandCode !== 318 && m.commandCode !== 316)) continue;
      if (m.flags & 0x80) {
        const e = { request: m, answer: undefined };
        out.push(e);
        byE2e.set(m.endToEndId, e);
      } else {
        const e = byE2e.get(m.endToEndId);
        if (e) e.answer = m;
      }
    }
  };
  for (let f = src.next(); f; f = src.next()) {
    ex.frame(f);
    take();
  }
  ex.finish();
  take();
  return out;
}

function sqnOf(vector: ReturnType<typeof findAvp>): number {
  const rand = child(vector, 'RAND')!.value as Buffer;
  const autn = child(vector, 'AUTN')!.value as Buffer;
  const ak = mil.generate(rand, Buffer.alloc(6), Buffer.alloc(2)).ak;
  return Buffer.from(autn.subarray(0, 6).map((b, i) => b ^ ak[i]!)).readUIntBE(0, 6);
}

describe.skipIf(!existsSync(CAPTURE))('Open5GS attach capture replayed against Diamond', () => {
  let hss: Hss;
  beforeAll(async () => {
    hss = await startHss({
      config: { identity: 'hss.localdomain', realm: 'localdomain' },
      provision: (s) => s.subscribers.createWithAuc({ imsi: IMSI, msisdn: '8210000000060', apns: ['internet'] }, { k: K, opc: OPC, amf: '8000' }, 'test'),
    });
  });
  afterAll(() => hss?.close());

  it('answers every AIR and ULR as the Open5GS HSS did, and follows the resync', async () => {
    const list = exchanges();
    expect(list.filter((e) => e.request.commandCode === 318).length).toBeGreaterThanOrEqual(5);
    expect(list.filter((e) => e.request.commandCode === 316).length).toBeGreaterThanOrEqual(3);
    const mme = await hss.mme('mme.localdomain');
    let checkedResync = false;
    let e2e = 50_000;
    for (const e of list) {
      const answer = await mme.sendMessage({ ...e.request, endToEndId: ++e2e });
      expect(answer.commandCode).toBe(e.request.commandCode);
      expect(top(answer, 'Session-Id')?.value).toBe(top(e.request, 'Session-Id')?.value);
      expect(resultOf(answer), `frame answer to ${String(top(e.request, 'Session-Id')?.value)}`).toEqual(resultOf(e.answer!));
      if (resultOf(answer).result !== 2001) continue;
      if (e.request.commandCode === 316) {
        for (const name of ['ULA-Flags', 'Subscription-Data']) expect(top(answer, name), name).toBeDefined();
        continue;
      }
      const vector = children(top(answer, 'Authentication-Info'), 'E-UTRAN-Vector')[0];
      expect(vector).toBeDefined();
      const resync = child(top(e.request, 'Requested-EUTRAN-Authentication-Info'), 'Re-Synchronization-Info')?.value as Buffer | undefined;
      if (resync) {
        // SQN_MS from the USIM's AUTS, computed here: AUTS[0..6) ⊕ f5*(RAND).
        const akStar = mil.f5star(resync.subarray(0, 16));
        const sqnMs = Buffer.from(resync.subarray(16, 22).map((b, i) => b ^ akStar[i]!)).readUIntBE(0, 6);
        expect(splitSqn(sqnOf(vector)).seq).toBe(splitSqn(sqnMs).seq + 1);
        checkedResync = true;
      }
    }
    expect(checkedResync).toBe(true);
  });
});
