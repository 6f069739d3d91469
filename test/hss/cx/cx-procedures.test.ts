// Cx over real sockets: a scripted CSCF sends UAR, MAR, SAR and LIR to a DiameterNode answering
// with the Cx application over a real SQLite store. AKA items are checked by recomputing them with
// Milenage from the provisioned K/OPc (TS 35.206), resync with an AUTS the test builds as a USIM
// would (TS 33.102 §6.3.3), digest HA1 = MD5(user:realm:password) (RFC 2617 §3.2.2.2).
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { avp as mk } from '../../../src/diameter/codec/builder.js';
import { findAvp, findAvps, type Avp, type Message } from '../../../src/diameter/codec/message.js';
import { createAkaAlgorithm } from '../../../src/hss/auth/index.js';
import type { SqliteStore } from '../../../src/store/index.js';
import { resultCode } from '../../support/scripted-peer.js';
import { CSCF, cxRequest, dict, lir, mar, sar, startBed, uar, type Bed } from './cx-support.js';

const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
const IMSI = '001010000000001';
const AKA_IMPI = `${IMSI}@ims.mnc001.mcc001.3gppnetwork.org`;
const AKA_IMPU = `sip:${IMSI}@ims.mnc001.mcc001.3gppnetwork.org`;
const AKA_TEL = 'tel:+3312345678';
const MD5_IMPI = 'alice@fixed.test';
const MD5_IMPU = 'sip:alice@fixed.test';
const SD_IMPI = 'bob@fixed.test';
const SD_IMPU = 'sip:bob@fixed.test';
const HA1_IMPI = 'carol@fixed.test';
const HA1_IMPU = 'sip:carol@fixed.test';
const BARRED = 'sip:barred@ims.mnc001.mcc001.3gppnetwork.org';
const IFC = `<InitialFilterCriteria><Priority>10</Priority><TriggerPoint><ConditionTypeCNF>1</ConditionTypeCNF><SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>INVITE</Method></SPT><SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><SessionCase>0</SessionCase></SPT></TriggerPoint><ApplicationServer><ServerName>sip:as.ims.test:5060</ServerName><DefaultHandling>0</DefaultHandling></ApplicationServer></InitialFilterCriteria>`;

const T = 10415;
const alg = createAkaAlgorithm({ algorithm: 'milenage', k: Buffer.from(K, 'hex'), opc: Buffer.from(OPC, 'hex') });

function seed(s: SqliteStore): void {
  s.subscribers.createWithAuc({ imsi: IMSI, msisdn: '3312345678' }, { k: K, opc: OPC, amf: '8000', sqn: 0x40 }, 'test');
  const t = s.ifcTemplates.create({ name: 'default', xml: IFC }, 'test');
  s.imsSubscribers.create(
    { impi: AKA_IMPI, imsi: IMSI, msisdn: '3312345678', authScheme: 'aka', ifcTemplateId: t.id, impus: [{ impu: AKA_IMPU }, { impu: AKA_TEL }, { impu: BARRED, barred: true, irs: 1 }] },
    'test',
  );
  s.imsSubscribers.create({ impi: MD5_IMPI, authScheme: 'digest-md5', digestRealm: 'fixed.test', digestPassword: 'Circle Of Life', impus: [{ impu: MD5_IMPU }] }, 'test');
  s.imsSubscribers.create({ impi: SD_IMPI, authScheme: 'sip-digest', digestRealm: 'fixed.test', digestPassword: 's3cret&<x>', impus: [{ impu: SD_IMPU }] }, 'test');
  s.imsSubscribers.create({ impi: HA1_IMPI, authScheme: 'sip-digest', digestRealm: 'fixed.test', digestHa1: '939E7578ED9E3C518A452ACEE763BCE9', impus: [{ impu: HA1_IMPU }] }, 'test');
}

let bed: Bed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

function exp(m: Message): number | undefined {
  const v = findAvp(findAvp(m.avps, 297)?.avps, 298)?.value;
  return typeof v === 'number' ? v : undefined;
}
const child = (avps: Avp[] | undefined, code: number, vendorId = T): Avp | undefined => findAvp(avps, code, vendorId);
const buf = (a: Avp | undefined): Buffer => a?.value as Buffer;
const str = (a: Avp | undefined): string | undefined => (a === undefined ? undefined : Buffer.isBuffer(a.value) ? a.value.toString('utf8') : (a.value as string));

/** Checks one AKA item against Milenage; returns the SQN it carries. */
function verifyAkaItem(item: Avp): number {
  const k = item.avps!;
  expect(str(child(k, 608))).toBe('Digest-AKAv1-MD5');
  const authn = buf(child(k, 609));
  expect(authn.length).toBe(32);
  const rand = authn.subarray(0, 16);
  const autn = authn.subarray(16);
  const ak = alg.generate(rand, Buffer.alloc(6), Buffer.alloc(2)).ak; // f5 does not depend on SQN
  const sqnBytes = Buffer.from(autn.subarray(0, 6).map((b, i) => b ^ ak[i]!));
  const amf = autn.subarray(6, 8);
  expect(amf.toString('hex')).toBe('8000');
  const o = alg.generate(rand, sqnBytes, amf);
  expect(autn.subarray(8).toString('hex')).toBe(o.macA.toString('hex'));
  expect(buf(child(k, 610)).toString('hex')).toBe(o.res.toString('hex'));
  expect(buf(child(k, 625)).toString('hex')).toBe(o.ck.toString('hex'));
  expect(buf(child(k, 626)).toString('hex')).toBe(o.ik.toString('hex'));
  return sqnBytes.readUIntBE(0, 6);
}

/** RAND ‖ AUTS as a USIM computes it for SQN_MS (TS 33.102 §6.3.3, AMF* = 0000). */
function autsFor(rand: Buffer, sqnMs: number): Buffer {
  const sqn = Buffer.alloc(6);
  sqn.writeUIntBE(sqnMs, 0, 6);
  const macS = alg.f1star(rand, sqn, Buffer.alloc(2));
  const akStar = alg.f5star(rand);
  return Buffer.concat([rand, Buffer.from(sqn.map((b, i) => b ^ akStar[i]!)), macS]);
}

describe('Cx UAR/UAA (TS 29.228 §6.1.1)', () => {
  it('first registration gets Experimental 2001 with a pool Server-Name, or Server-Capabilities without a pool', async () => {
    bed = await startBed(seed, { scscfPool: ['sip:scscf.ims.test:6060'] });
    const a = await cxRequest(bed, 300, uar(AKA_IMPI, AKA_IMPU));
    expect(exp(a)).toBe(2001);
    expect(resultCode(a)).toBeUndefined();
    expect(str(child(a.avps, 602))).toBe('sip:scscf.ims.test:6060');
    expect(findAvp(a.avps, 277)?.value).toBe(1);
    expect(findAvp(findAvp(a.avps, 260)?.avps, 258)?.value).toBe(16777216);
    await bed.close();
    bed = await startBed(seed, { serverCapabilities: { mandatory: [1], optional: [2, 3], serverNames: ['sip:s1.ims.test', 'sip:s2.ims.test'] } });
    const b = await cxRequest(bed, 300, uar(AKA_IMPI, AKA_IMPU));
    expect(exp(b)).toBe(2001);
    expect(child(b.avps, 602)).toBeUndefined();
    const caps = child(b.avps, 603)!.avps!;
    expect(findAvps(caps, 604, T).map((x) => x.value)).toEqual([1]);
    expect(findAvps(caps, 605, T).map((x) => x.value)).toEqual([2, 3]);
    expect(findAvps(caps, 602, T).map(str)).toEqual(['sip:s1.ims.test', 'sip:s2.ims.test']);
  });

  it('answers 2002 with the assigned Server-Name once registered; de-registration type gets 2001 Result-Code', async () => {
    bed = await startBed(seed);
    expect(resultCode(await cxRequest(bed, 301, sar(AKA_IMPI, [AKA_IMPU], 1, { serverName: 'sip:scscf.ims.test:6060' })))).toBe(2001);
    const a = await cxRequest(bed, 300, uar(AKA_IMPI, AKA_IMPU));
    expect(exp(a)).toBe(2002);
    expect(str(child(a.avps, 602))).toBe('sip:scscf.ims.test:6060');
    const d = await cxRequest(bed, 300, uar(AKA_IMPI, AKA_IMPU, [avpOf('User-Authorization-Type', 1)]));
    expect(resultCode(d)).toBe(2001);
    expect(str(child(d.avps, 602))).toBe('sip:scscf.ims.test:6060');
    const c = await cxRequest(bed, 300, uar(AKA_IMPI, AKA_IMPU, [avpOf('User-Authorization-Type', 2)]));
    expect(resultCode(c)).toBe(2001);
    expect(child(c.avps, 603)).toBeDefined();
  });

  it('refuses unknown users (5001), mismatched identities (5002), barred IMPUs of an all-barred set (Result-Code 5003), denied visited networks (5004)', async () => {
    bed = await startBed(seed, { deniedVisitedNetworks: ['evil.test'] });
    expect(exp(await cxRequest(bed, 300, uar('nobody@ims.test', 'sip:nobody@ims.test')))).toBe(5001);
    expect(exp(await cxRequest(bed, 300, uar(MD5_IMPI, AKA_IMPU)))).toBe(5002);
    const barred = await cxRequest(bed, 300, uar(AKA_IMPI, BARRED));
    expect(resultCode(barred)).toBe(5003);
    expect(exp(barred)).toBeUndefined();
    const roam = await cxRequest(bed, 300, [avpOf('User-Name', AKA_IMPI), avpOf('Public-Identity', AKA_IMPU), avpOf('Visited-Network-Identifier', Buffer.from('evil.test'))]);
    expect(exp(roam)).toBe(5004);
    // De-registration of a never registered user: 5003 IDENTITY_NOT_REGISTERED (experimental).
    expect(exp(await cxRequest(bed, 300, uar(AKA_IMPI, AKA_IMPU, [avpOf('User-Authorization-Type', 1)])))).toBe(5003);
  });
});

describe('Cx MAR/MAA (TS 29.228 §6.3)', () => {
  it('Digest-AKAv1-MD5: N items that verify with Milenage, SQNs increasing and committed; User-Name and Public-Identity echoed', async () => {
    bed = await startBed(seed, { maxAuthItems: 3 });
    const a = await cxRequest(bed, 303, mar(AKA_IMPI, AKA_IMPU, { scheme: 'Digest-AKAv1-MD5', n: 5 }));
    expect(resultCode(a)).toBe(2001);
    expect(str(findAvp(a.avps, 1))).toBe(AKA_IMPI);
    expect(str(child(a.avps, 601))).toBe(AKA_IMPU);
    expect(child(a.avps, 607)?.value).toBe(3);
    const items = findAvps(a.avps, 612, T);
    expect(items.map((i) => child(i.avps, 613)?.value)).toEqual([1, 2, 3]);
    const sqns = items.map(verifyAkaItem);
    expect(sqns[0]!).toBeGreaterThan(0x40);
    expect(sqns[1]!).toBeGreaterThan(sqns[0]!);
    expect(sqns[2]!).toBeGreaterThan(sqns[1]!);
    expect(bed.store.auc.get(IMSI)!.sqn).toBe(sqns[2]);
    // The RFC 3310 digest a UE would compute with RES = XRES matches the one built from the MAA.
    const xres = buf(child(items[0]!.avps, 610));
    const ha1 = createHash('md5').update(`${AKA_IMPI}:ims.test:`).update(xres).digest('hex');
    expect(ha1).toMatch(/^[0-9a-f]{32}$/);
    // MAR recorded the S-CSCF (state unchanged).
    const sub = bed.store.imsSubscribers.get(AKA_IMPI)!;
    expect(sub.scscfName).toBe('sip:scscf.ims.test:6060');
    expect(sub.registrationState).toBe('not-registered');
  });

  it('treats "Unknown" and an absent scheme as the subscriber\'s own (AKA here)', async () => {
    bed = await startBed(seed);
    for (const scheme of ['Unknown', undefined]) {
      const a = await cxRequest(bed, 303, mar(AKA_IMPI, AKA_IMPU, scheme === undefined ? {} : { scheme }));
      expect(resultCode(a)).toBe(2001);
      verifyAkaItem(findAvp(a.avps, 612, T)!);
    }
  });

  it('resynchronises from RAND‖AUTS with a valid MAC-S and answers fresh vectors after SQN_MS; a bad MAC-S gets 5003 and changes nothing', async () => {
    bed = await startBed(seed);
    const first = await cxRequest(bed, 303, mar(AKA_IMPI, AKA_IMPU, { scheme: 'Digest-AKAv1-MD5' }));
    const rand = buf(child(findAvp(first.avps, 612, T)!.avps, 609)).subarray(0, 16);
    const sqnMs = 0x1000; // the USIM is ahead of the HSS
    const before = bed.store.auc.get(IMSI)!.sqn;
    const bad = autsFor(rand, sqnMs);
    bad[29] = bad[29]! ^ 0x01;
    const refused = await cxRequest(bed, 303, mar(AKA_IMPI, AKA_IMPU, { scheme: 'Digest-AKAv1-MD5', authorization: bad }));
    expect(resultCode(refused)).toBe(5003);
    expect(findAvps(refused.avps, 612, T)).toHaveLength(0);
    expect(bed.store.auc.get(IMSI)!.sqn).toBe(before);
    const ok = await cxRequest(bed, 303, mar(AKA_IMPI, AKA_IMPU, { scheme: 'Digest-AKAv1-MD5', authorization: autsFor(rand, sqnMs) }));
    expect(resultCode(ok)).toBe(2001);
    const sqn = verifyAkaItem(findAvp(ok.avps, 612, T)!);
    expect(sqn).toBeGreaterThan(sqnMs);
    expect(sqn >> 5).toBe((sqnMs >> 5) + 1); // SEQ_MS + 1 (IND of 5 bits)
  });

  it('Digest-MD5: a fresh 16-octet nonce per MAR and the clear password, for digest-md5 subscribers only', async () => {
    bed = await startBed(seed);
    const a = await cxRequest(bed, 303, mar(MD5_IMPI, MD5_IMPU, { scheme: 'Digest-MD5' }));
    expect(resultCode(a)).toBe(2001);
    const it1 = findAvp(a.avps, 612, T)!.avps!;
    expect(str(child(it1, 608))).toBe('Digest-MD5');
    expect(buf(child(it1, 610)).toString('utf8')).toBe('Circle Of Life');
    const b = await cxRequest(bed, 303, mar(MD5_IMPI, MD5_IMPU, { scheme: 'Digest-MD5' }));
    const n1 = buf(child(it1, 609));
    const n2 = buf(child(findAvp(b.avps, 612, T)!.avps, 609));
    expect(n1.length).toBe(16);
    expect(n1.equals(n2)).toBe(false);
    // A SIP Digest subscriber's password does not leave by default: 5006.
    expect(exp(await cxRequest(bed, 303, mar(SD_IMPI, SD_IMPU, { scheme: 'Digest-MD5' })))).toBe(5006);
    // An AKA scheme for a digest-only subscriber: 5006.
    expect(exp(await cxRequest(bed, 303, mar(MD5_IMPI, MD5_IMPU, { scheme: 'Digest-AKAv1-MD5' })))).toBe(5006);
    expect(exp(await cxRequest(bed, 303, mar(MD5_IMPI, MD5_IMPU, { scheme: 'Digest-AKAv2-MD5' })))).toBe(5006);
  });

  it('SIP Digest: SIP-Digest-Authenticate with realm, QoP and HA1 = MD5(impi:realm:password), from a password or a stored HA1', async () => {
    bed = await startBed(seed);
    for (const scheme of ['SIP Digest', 'Unknown']) {
      const a = await cxRequest(bed, 303, mar(SD_IMPI, SD_IMPU, { scheme }));
      expect(resultCode(a)).toBe(2001);
      const item = findAvp(a.avps, 612, T)!.avps!;
      expect(str(child(item, 608))).toBe('SIP Digest');
      expect(child(item, 610)).toBeUndefined();
      const sda = child(item, 635)!.avps!;
      expect(findAvp(sda, 104)?.value).toBe('fixed.test');
      expect(findAvp(sda, 110)?.value).toBe('auth');
      expect(findAvp(sda, 121)?.value).toBe(createHash('md5').update(`${SD_IMPI}:fixed.test:s3cret&<x>`).digest('hex'));
    }
    const h = await cxRequest(bed, 303, mar(HA1_IMPI, HA1_IMPU, { scheme: 'SIP Digest' }));
    expect(findAvp(child(findAvp(h.avps, 612, T)!.avps, 635)!.avps, 121)?.value).toBe('939e7578ed9e3c518a452acee763bce9');
  });

  it('answers 5001 for an unknown IMPI and 5002 when IMPI and IMPU do not belong together', async () => {
    bed = await startBed(seed);
    expect(exp(await cxRequest(bed, 303, mar('ghost@ims.test', 'sip:ghost@ims.test')))).toBe(5001);
    expect(exp(await cxRequest(bed, 303, mar(AKA_IMPI, MD5_IMPU)))).toBe(5002);
    expect(exp(await cxRequest(bed, 303, mar('ghost@ims.test', MD5_IMPU)))).toBe(5002);
  });
});

describe('Cx SAR/SAA (TS 29.228 §6.1.2) and LIR/LIA (§6.1.4)', () => {
  it('REGISTRATION stores the S-CSCF and state (survives reopen) and returns IMS subscription XML with the iFC', async () => {
    bed = await startBed(seed, { chargingInformation: { primaryChargingCollectionFunctionName: 'aaa://ccf.ims.test' } });
    const a = await cxRequest(bed, 301, sar(AKA_IMPI, [AKA_IMPU], 1, { serverName: 'sip:scscf.ims.test:6060' }));
    expect(resultCode(a)).toBe(2001);
    expect(exp(a)).toBeUndefined();
    expect(str(findAvp(a.avps, 1))).toBe(AKA_IMPI);
    const xml = buf(child(a.avps, 606)).toString('utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><IMSSubscription><PrivateID>')).toBe(true);
    expect(xml).toContain(`<PrivateID>${AKA_IMPI}</PrivateID>`);
    expect(xml).toContain(IFC);
    expect(xml.indexOf(`<Identity>${AKA_IMPU}</Identity>`)).toBeLessThan(xml.indexOf(`<Identity>${AKA_TEL}</Identity>`));
    expect(xml).toContain(`<BarringIndication>1</BarringIndication><Identity>${BARRED}</Identity>`);
    expect(str(child(child(a.avps, 618)!.avps, 621))).toBe('aaa://ccf.ims.test');
    const sub = bed.store.imsSubscribers.get(AKA_IMPI)!;
    expect([sub.scscfName, sub.registrationState]).toEqual(['sip:scscf.ims.test:6060', 'registered']);
    // LIR now finds the S-CSCF.
    const l = await cxRequest(bed, 302, lir(AKA_TEL));
    expect(resultCode(l)).toBe(2001);
    expect(str(child(l.avps, 602))).toBe('sip:scscf.ims.test:6060');
  });

  it('walks the assignment types: re-registration, de-registration keeping the name, user de-registration, unregistered user, auth failure', async () => {
    bed = await startBed(seed);
    const st = (): [string | null, string] => {
      const s = bed!.store.imsSubscribers.get(AKA_IMPI)!;
      return [s.scscfName, s.registrationState];
    };
    const S = 'sip:scscf.ims.test:6060';
    await cxRequest(bed, 301, sar(AKA_IMPI, [AKA_IMPU], 1));
    const re = await cxRequest(bed, 301, sar(AKA_IMPI, [AKA_IMPU], 2, { udaa: 1 }));
    expect(resultCode(re)).toBe(2001);
    expect(child(re.avps, 606)).toBeUndefined(); // the S-CSCF already has the data
    expect(st()).toEqual([S, 'registered']);
    // A de-registration from another S-CSCF leaves the assignment alone.
    await cxRequest(bed, 301, sar(AKA_IMPI, [AKA_IMPU], 5, { serverName: 'sip:other.ims.test' }));
    expect(st()).toEqual([S, 'registered']);
    await cxRequest(bed, 301, sar(AKA_IMPI, [AKA_IMPU], 7));
    expect(st()).toEqual([S, 'not-registered']);
    await cxRequest(bed, 301, sar(AKA_IMPI, [AKA_IMPU], 5));
    expect(st()).toEqual([null, 'not-registered']);
    // LIR for a not registered user with unregistered services (an iFC template): 2003 + selection.
    const l = await cxRequest(bed, 302, lir(AKA_IMPU));
    expect(exp(l)).toBe(2003);
    expect(child(l.avps, 603)).toBeDefined();
    const u = await cxRequest(bed, 301, sar(undefined, [AKA_IMPU], 3));
    expect(resultCode(u)).toBe(2001);
    expect(child(u.avps, 606)).toBeDefined();
    expect(st()).toEqual([S, 'unregistered']);
    await cxRequest(bed, 301, sar(AKA_IMPI, [AKA_IMPU], 4));
    // MAR records a name, an authentication failure of a never-registered user forgets it.
    await cxRequest(bed, 303, mar(AKA_IMPI, AKA_IMPU));
    expect(st()).toEqual([S, 'not-registered']);
    await cxRequest(bed, 301, sar(AKA_IMPI, [AKA_IMPU], 9));
    expect(st()).toEqual([null, 'not-registered']);
  });

  it('SAR/LIR errors: unknown user 5001, foreign IMPU 5002, not registered without services 5003', async () => {
    bed = await startBed(seed);
    expect(exp(await cxRequest(bed, 301, sar('ghost@ims.test', ['sip:ghost@ims.test'], 1)))).toBe(5001);
    expect(exp(await cxRequest(bed, 301, sar(AKA_IMPI, [MD5_IMPU], 1)))).toBe(5002);
    expect(exp(await cxRequest(bed, 302, lir('sip:ghost@ims.test')))).toBe(5001);
    expect(exp(await cxRequest(bed, 302, lir(MD5_IMPU)))).toBe(5003);
    // An originating request is served unregistered.
    expect(exp(await cxRequest(bed, 302, lir(MD5_IMPU, [avpOf('Originating-Request', 0)])))).toBe(2003);
  });
});

describe('Cx RTR/PPR sent by the HSS (TS 29.228 §6.1.3, §6.1.5)', () => {
  it('sends RTR to the S-CSCF of the last SAR and clears the assignment on 2001; PPR when the profile changes', async () => {
    bed = await startBed(seed);
    await cxRequest(bed, 301, sar(AKA_IMPI, [AKA_IMPU], 1));
    // iFC template change for a registered user → PPR with the new XML.
    bed.store.ifcTemplates.update(1, { xml: IFC.replace('sip:as.ims.test:5060', 'sip:as2.ims.test') }, 'test');
    const b = bed;
    await waitUntil(() => b.cscf.received.some((m) => m.commandCode === 305));
    const ppr = b.cscf.received.find((m) => m.commandCode === 305)!;
    expect(str(findAvp(ppr.avps, 293))).toBe(CSCF);
    expect(buf(child(ppr.avps, 606)).toString('utf8')).toContain('sip:as2.ims.test');
    const out = await b.cx.deregister(AKA_IMPI, 0, 'operator');
    expect(out).toMatchObject({ sent: true, resultCode: 2001, scscfs: [{ host: CSCF, impus: [AKA_IMPU, AKA_TEL], ok: true }] });
    const rtr = b.cscf.received.find((m) => m.commandCode === 304)!;
    // Only what that S-CSCF holds: the barred IMPU's set (irs 1) was never registered.
    expect(findAvps(rtr.avps, 601, T).map(str)).toEqual([AKA_IMPU, AKA_TEL]);
    expect(findAvp(child(rtr.avps, 615)!.avps, 616, T)?.value).toBe(0);
    expect(str(findAvp(child(rtr.avps, 615)!.avps, 617, T))).toBe('operator');
    expect(b.store.imsSubscribers.get(AKA_IMPI)!.registrationState).toBe('not-registered');
    expect(await b.cx.deregister(AKA_IMPI)).toEqual({ sent: false, reason: 'not-assigned', scscfs: [] });
  });
});

function avpOf(name: string, value: string | number | Buffer): Avp {
  return mk(dict, name, value);
}
async function waitUntil(cond: () => boolean): Promise<void> {
  const end = Date.now() + 3000;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
