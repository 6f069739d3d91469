// AIR/AIA over a real socket (TS 29.272 §5.2.3.1): every vector is recomputed here from the
// returned RAND with MILENAGE and the provisioned K/OPc (TS 35.208 set 1), SQNs strictly increase,
// resync with an AUTS built from the USIM side continues from SQN_MS, and errors are 5001/5004/4181.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Milenage, deriveKasme, encodePlmnId, splitSqn } from '../../../src/hss/auth/index.js';
import { air, child, children, HOME, IMSI, K, OPC, resultOf, startHss, top, type Hss } from './harness.js';
import type { Avp } from '../../../src/diameter/codec/message.js';

const mil = new Milenage(Buffer.from(K, 'hex'), Buffer.from(OPC, 'hex'));
const AMF = Buffer.from('8000', 'hex');

function bytes(a: Avp | undefined): Buffer {
  expect(Buffer.isBuffer(a?.value)).toBe(true);
  return a!.value as Buffer;
}

/** Checks one E-UTRAN-Vector against MILENAGE and returns the SQN hidden in its AUTN. */
function verifyEutran(v: Avp, plmn = HOME): number {
  const rand = bytes(child(v, 'RAND'));
  const autn = bytes(child(v, 'AUTN'));
  const ak = mil.generate(rand, Buffer.alloc(6), AMF).ak;
  const sqn = Buffer.from(autn.subarray(0, 6).map((b, i) => b ^ ak[i]!));
  // TS 33.401 §6.1.1: the AMF separation bit is set in E-UTRAN vectors.
  const amf = autn.subarray(6, 8);
  expect(amf[0]! & 0x80).toBe(0x80);
  const o = mil.generate(rand, sqn, amf);
  expect(autn.subarray(8, 16).toString('hex')).toBe(o.macA.toString('hex'));
  expect(bytes(child(v, 'XRES')).toString('hex')).toBe(o.res.toString('hex'));
  const kasme = deriveKasme(o.ck, o.ik, encodePlmnId(plmn.mcc, plmn.mnc), autn.subarray(0, 6));
  expect(bytes(child(v, 'KASME')).toString('hex')).toBe(kasme.toString('hex'));
  return sqn.readUIntBE(0, 6);
}

/** What the USIM sends when SQN is out of range: RAND ‖ (SQN_MS ⊕ AK*) ‖ MAC-S (TS 33.102 §6.3.3). */
function resyncInfo(rand: Buffer, sqnMs: number, macS?: Buffer): Buffer {
  const sqn = Buffer.alloc(6);
  sqn.writeUIntBE(sqnMs, 0, 6);
  const akStar = mil.f5star(rand);
  const conc = Buffer.from(sqn.map((b, i) => b ^ akStar[i]!));
  return Buffer.concat([rand, conc, macS ?? mil.f1star(rand, sqn, Buffer.alloc(2))]);
}

describe('S6a AIR/AIA', () => {
  let hss: Hss;
  beforeEach(async () => {
    hss = await startHss({
      provision: (s) => {
        s.subscribers.createWithAuc({ imsi: '001010000000002', enabled: false }, { k: K, opc: OPC }, 'test');
        s.subscribers.createWithAuc({ imsi: '001010000000003', roamingAllowed: false }, { k: K, opc: OPC }, 'test');
        s.subscribers.create({ imsi: '001010000000004' }, 'test'); // no AuC entry
      },
    });
  });
  afterEach(() => hss.close());

  it('answers N E-UTRAN vectors that verify with MILENAGE, with distinct RANDs and increasing SQNs', async () => {
    const mme = await hss.mme('mme1.epc.test');
    const a = await air(mme, IMSI, { eutran: 3 });
    expect(resultOf(a)).toEqual({ result: 2001 });
    expect(top(a, 'Auth-Session-State')?.value).toBe(1);
    expect(top(a, 'Origin-Host')?.value).toBe('hss.epc.test');
    const vsai = top(a, 'Vendor-Specific-Application-Id');
    expect(child(vsai, 'Vendor-Id')?.value).toBe(10415);
    expect(child(vsai, 'Auth-Application-Id')?.value).toBe(16777251);
    const vectors = children(top(a, 'Authentication-Info'), 'E-UTRAN-Vector');
    expect(vectors).toHaveLength(3);
    expect(vectors.map((v) => child(v, 'Item-Number')?.value)).toEqual([1, 2, 3]);
    const sqns = vectors.map((v) => verifyEutran(v));
    expect(new Set(vectors.map((v) => bytes(child(v, 'RAND')).toString('hex'))).size).toBe(3);
    for (let i = 1; i < sqns.length; i++) expect(sqns[i]!).toBeGreaterThan(sqns[i - 1]!);
    // The next AIR continues above the last SQN issued, and the store says so durably.
    const b = await air(mme, IMSI, { eutran: 1 });
    const next = verifyEutran(children(top(b, 'Authentication-Info'), 'E-UTRAN-Vector')[0]!);
    expect(next).toBeGreaterThan(sqns[2]!);
    expect(hss.store.auc.get(IMSI)!.sqn).toBe(next);
  });

  it('binds KASME to the Visited-PLMN-Id of the request', async () => {
    const mme = await hss.mme('mme1.epc.test');
    const visited = { mcc: '001', mnc: '001' };
    hss.store.subscribers.update(IMSI, { roamingAllowed: true }, 'test');
    const a = await air(mme, IMSI, { eutran: 1, plmn: visited });
    expect(resultOf(a)).toEqual({ result: 2001 });
    verifyEutran(children(top(a, 'Authentication-Info'), 'E-UTRAN-Vector')[0]!, visited);
  });

  it('answers UTRAN quintets for Requested-UTRAN-GERAN-Authentication-Info', async () => {
    const mme = await hss.mme('sgsn1.epc.test');
    const a = await air(mme, IMSI, { utran: 2 });
    expect(resultOf(a)).toEqual({ result: 2001 });
    const qs = children(top(a, 'Authentication-Info'), 'UTRAN-Vector');
    expect(qs).toHaveLength(2);
    for (const q of qs) {
      const rand = bytes(child(q, 'RAND'));
      const autn = bytes(child(q, 'AUTN'));
      const ak = mil.generate(rand, Buffer.alloc(6), AMF).ak;
      const sqn = Buffer.from(autn.subarray(0, 6).map((b, i) => b ^ ak[i]!));
      const o = mil.generate(rand, sqn, AMF); // AMF as provisioned: no separation bit on UTRAN
      expect(autn.subarray(6).toString('hex')).toBe('8000' + o.macA.toString('hex'));
      expect(bytes(child(q, 'XRES')).equals(o.res)).toBe(true);
      expect(bytes(child(q, 'Confidentiality-Key')).equals(o.ck)).toBe(true);
      expect(bytes(child(q, 'Integrity-Key')).equals(o.ik)).toBe(true);
    }
  });

  it('resynchronises on a valid AUTS and continues from SQN_MS', async () => {
    const mme = await hss.mme('mme1.epc.test');
    await air(mme, IMSI, { eutran: 1 });
    // The USIM is far ahead: SEQ 5000, IND 7.
    const sqnMs = (5000 << 5) | 7;
    const rand = Buffer.from('23553cbe9637a89d218ae64dae47bf35', 'hex');
    const a = await air(mme, IMSI, { eutran: 2, resync: resyncInfo(rand, sqnMs) });
    expect(resultOf(a)).toEqual({ result: 2001 });
    const sqns = children(top(a, 'Authentication-Info'), 'E-UTRAN-Vector').map((v) => verifyEutran(v));
    expect(sqns.map((s) => splitSqn(s).seq)).toEqual([5001, 5002]);
    for (const s of sqns) expect(s).toBeGreaterThan(sqnMs);
  });

  it('refuses an AUTS with a bad MAC-S with 4181 and leaves SQN_HE alone', async () => {
    const mme = await hss.mme('mme1.epc.test');
    await air(mme, IMSI, { eutran: 1 });
    const before = hss.store.auc.get(IMSI)!.sqn;
    const rand = Buffer.from('23553cbe9637a89d218ae64dae47bf35', 'hex');
    const a = await air(mme, IMSI, { eutran: 1, resync: resyncInfo(rand, 5000 << 5, Buffer.alloc(8, 0x55)) });
    expect(resultOf(a)).toEqual({ experimental: 4181 });
    expect(child(top(a, 'Experimental-Result'), 'Vendor-Id')?.value).toBe(10415);
    expect(top(a, 'Authentication-Info')).toBeUndefined();
    expect(hss.store.auc.get(IMSI)!.sqn).toBe(before);
  });

  it('answers 5001 for an unknown or disabled IMSI, 5004 when roaming is barred, 4181 without AuC keys', async () => {
    const mme = await hss.mme('mme1.epc.test');
    expect(resultOf(await air(mme, '001019999999999'))).toEqual({ experimental: 5001 });
    expect(resultOf(await air(mme, '001010000000002'))).toEqual({ experimental: 5001 });
    expect(resultOf(await air(mme, '001010000000003', { eutran: 1, plmn: { mcc: '208', mnc: '93' } }))).toEqual({ experimental: 5004 });
    expect(resultOf(await air(mme, '001010000000003', { eutran: 1 }))).toEqual({ result: 2001 });
    expect(resultOf(await air(mme, '001010000000004'))).toEqual({ experimental: 4181 });
    // Every error answer still carries the mandatory head.
    const e = await air(mme, '001019999999999');
    expect(top(e, 'Auth-Session-State')?.value).toBe(1);
    expect(top(e, 'Vendor-Specific-Application-Id')).toBeDefined();
    expect(top(e, 'Origin-Realm')?.value).toBe('epc.test');
  });
});
