// IMS authentication end to end, as a UE and an S-CSCF see it. A CSCF sends MARs over a real socket
// to a Diamond node answering Cx from a SQLite store; the UE side runs the test's own Milenage and
// USIM (ue-reference-*.ts, checked here against TS 35.208), never Diamond's src/hss/auth:
// - Digest-AKAv1-MD5 (RFC 3310): the UE takes RAND ‖ AUTN from the nonce, verifies MAC-A, recovers
//   SQN, computes RES/CK/IK, and its RFC 2617 response (password = raw RES) equals the response the
//   S-CSCF computes from the MAA's XRES (SIP-Authorization);
// - resync (TS 33.102 §6.3.3/§6.3.5, TS 29.228 §6.3): AUTS for a chosen SQN_MS brings a vector at
//   SEQ_MS + 1; a corrupted or short AUTS gets Result-Code 5003 and SQN_HE does not move;
// - Digest-MD5 and SIP Digest (RFC 2617 §3.5 example: Mufasa / "Circle Of Life" / testrealm@host.com).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAvp, findAvps, type Avp, type Message } from '../../../src/diameter/codec/message.js';
import type { SqliteStore } from '../../../src/store/index.js';
import { resultCode } from '../../support/scripted-peer.js';
import { cxRequest, mar, startBed, type Bed } from './cx-support.js';
import { akaNonce, md5Hex, parseAkaNonce, responseFromHa1, responseFromPassword, type Credentials } from '../../support/ue-reference-digest.js';
import { ReferenceMilenage } from '../../support/ue-reference-milenage.js';
import { ReferenceUsim } from '../../support/ue-reference-usim.js';

const T = 10415;
const MAR = 303;

/** TS 35.208 test sets 1-6 (as in ../shared/vectors.md): inputs and f1, f1*, f2..f5, f5*. */
const SETS = [
  ['465b5ce8b199b49faa5f0a2ee238a6bc', '23553cbe9637a89d218ae64dae47bf35', 'ff9bb4d0b607', 'b9b9', 'cdc202d5123e20f62b6d676ac72cb318', 'cd63cb71954a9f4e48a5994e37a02baf', '4a9ffac354dfafb3', '01cfaf9ec4e871e9', 'a54211d5e3ba50bf', 'b40ba9a3c58b2a05bbf0d987b21bf8cb', 'f769bcd751044604127672711c6d3441', 'aa689c648370', '451e8beca43b'],
  ['0396eb317b6d1c36f19c1c84cd6ffd16', 'c00d603103dcee52c4478119494202e8', 'fd8eef40df7d', 'af17', 'ff53bade17df5d4e793073ce9d7579fa', '53c15671c60a4b731c55b4a441c0bde2', '5df5b31807e258b0', 'a8c016e51ef4a343', 'd3a628ed988620f0', '58c433ff7a7082acd424220f2b67c556', '21a8c1f929702adb3e738488b9f5c5da', 'c47783995f72', '30f1197061c1'],
  ['fec86ba6eb707ed08905757b1bb44b8f', '9f7c8d021accf4db213ccff0c7f71a6a', '9d0277595ffc', '725c', 'dbc59adcb6f9a0ef735477b7fadf8374', '1006020f0a478bf6b699f15c062e42b3', '9cabc3e99baf7281', '95814ba2b3044324', '8011c48c0c214ed2', '5dbdbb2954e8f3cde665b046179a5098', '59a92d3b476a0443487055cf88b2307b', '33484dc2136b', 'deacdd848cc6'],
  ['9e5944aea94b81165c82fbf9f32db751', 'ce83dbc54ac0274a157c17f80d017bd6', '0b604a81eca8', '9e09', '223014c5806694c007ca1eeef57f004f', 'a64a507ae1a2a98bb88eb4210135dc87', '74a58220cba84c49', 'ac2cc74a96871837', 'f365cd683cd92e96', 'e203edb3971574f5a94b0d61b816345d', '0c4524adeac041c4dd830d20854fc46b', 'f0b9c08ad02e', '6085a86c6f63'],
  ['4ab1deb05ca6ceb051fc98e77d026a84', '74b0cd6031a1c8339b2b6ce2b8c4a186', 'e880a1b580b6', '9f07', '2d16c5cd1fdf6b22383584e3bef2a8d8', 'dcf07cbd51855290b92a07a9891e523e', '49e785dd12626ef2', '9e85790336bb3fa2', '5860fc1bce351e7e', '7657766b373d1c2138f307e3de9242f9', '1c42e960d89b8fa99f2744e0708ccb53', '31e11a609118', 'fe2555e54aa9'],
  ['6c38a116ac280c454f59332ee35c8c4f', 'ee6466bc96202c5a557abbeff8babf63', '414b98222181', '4464', '1ba00a1a7c6700ac8c3ff3e96ad08725', '3803ef5363b947c6aaa225e58fae3934', '078adfb488241a57', '80246b8d0186bcf1', '16c8233f05a0ac28', '3f8c7587fe8e4b233af676aede30ba3b', 'a7466cc1e6b2a1337d49d3b66e95d7b4', '45b0f69ab06c', '1f53cd2b1113'],
].map(([k, rand, sqn, amf, op, opc, f1, f1s, f2, f3, f4, f5, f5s]) => ({ k: k!, rand: rand!, sqn: sqn!, amf: amf!, op: op!, opc: opc!, f1: f1!, f1s: f1s!, f2: f2!, f3: f3!, f4: f4!, f5: f5!, f5s: f5s! }));

/** vectors.md "Re-synchronisation": K, OPc, RAND, AUTS, SQN_MS (MAC-S valid). */
const RESYNC = [
  { k: '90dca4eda45b53cf0f12d7c9c3bc6a89', opc: 'cb9cccc4b9258e6dca4760379fb82581', rand: '9fddc72092c6ad036b6e464789315b78', auts: '4f2039392ddd4bb4316ed4a14688', sqnMs: 0x000000000001 },
  { k: '000102030405060708090a0b0c0d0e0f', opc: '000102030405060708090a0b0c0d0e0f', rand: '00000000000000000000000000000000', auts: '8711a0ec9e1637df17f80b384ee4', sqnMs: 0x00000000001f },
];

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const imsiOf = (set: number): string => `00101000000030${set}`;
const impiOf = (imsi: string): string => `${imsi}@ims.test`;
const impuOf = (imsi: string): string => `sip:${imsi}@ims.test`;
/** The resync subscribers: test set 1 and set 2 keys on IMSIs of their own. */
const RESYNC_IMSI = '001010000000399';
const KEPT_IMSI = '001010000000398';

// RFC 2617 §3.5's user, as an IMS subscriber. An IMPI is a NAI (TS 23.003 §13.3; the store refuses
// "Mufasa" alone), so the IMPI is Mufasa@host.com; the HA1-only user carries the RFC's own HA1.
const MUFASA = { impi: 'Mufasa@host.com', impu: 'sip:Mufasa@host.com', realm: 'testrealm@host.com', password: 'Circle Of Life' };
const MUFASA_HA1 = { impi: 'mufasa-ha1@host.com', impu: 'sip:mufasa-ha1@host.com' };
const RFC2617 = {
  ha1: '939e7578ed9e3c518a452acee763bce9',
  challenge: { realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', qop: 'auth' as const },
  credentials: { username: 'Mufasa', method: 'GET', uri: '/dir/index.html', nc: '00000001', cnonce: '0a4f113b' },
  response: '6629fae49393a05397450978507c4ef1',
};

/** The REGISTER the UE answers the challenge for (fixed cnonce/nc, RFC 3310 §3.4 with qop=auth). */
const register = (username: string): Credentials => ({ username, method: 'REGISTER', uri: 'sip:ims.test', nc: '00000001', cnonce: '0a4f113b' });

function seed(s: SqliteStore): void {
  SETS.forEach((v, i) => {
    const imsi = imsiOf(i + 1);
    s.subscribers.createWithAuc({ imsi }, { k: v.k, opc: v.opc, amf: v.amf }, 'test');
    s.imsSubscribers.create({ impi: impiOf(imsi), imsi, authScheme: 'aka', impus: [{ impu: impuOf(imsi) }] }, 'test');
  });
  s.subscribers.createWithAuc({ imsi: RESYNC_IMSI }, { k: SETS[0]!.k, opc: SETS[0]!.opc, amf: '8000', sqn: 0x40 }, 'test');
  s.imsSubscribers.create({ impi: impiOf(RESYNC_IMSI), imsi: RESYNC_IMSI, authScheme: 'aka', impus: [{ impu: impuOf(RESYNC_IMSI) }] }, 'test');
  s.subscribers.createWithAuc({ imsi: KEPT_IMSI }, { k: SETS[1]!.k, opc: SETS[1]!.opc, amf: '8000' }, 'test');
  s.imsSubscribers.create({ impi: impiOf(KEPT_IMSI), imsi: KEPT_IMSI, authScheme: 'aka', impus: [{ impu: impuOf(KEPT_IMSI) }] }, 'test');
  s.imsSubscribers.create({ impi: MUFASA.impi, authScheme: 'digest-md5', digestRealm: MUFASA.realm, digestPassword: MUFASA.password, impus: [{ impu: MUFASA.impu }] }, 'test');
  s.imsSubscribers.create({ impi: MUFASA_HA1.impi, authScheme: 'sip-digest', digestRealm: MUFASA.realm, digestHa1: RFC2617.ha1, impus: [{ impu: MUFASA_HA1.impu }] }, 'test');
}

const tg = (avps: Avp[] | undefined, code: number): Avp | undefined => findAvp(avps, code, T);
const octets = (a: Avp | undefined): Buffer => {
  if (!a || !Buffer.isBuffer(a.value)) throw new Error(`AVP ${a?.code ?? '?'} missing or not octets`);
  return a.value;
};
const text = (a: Avp | undefined): string | undefined => (a === undefined ? undefined : Buffer.isBuffer(a.value) ? a.value.toString('utf8') : String(a.value));
const items = (m: Message): Avp[] => findAvps(m.avps, 612, T);

/** What the S-CSCF takes from one Digest-AKAv1-MD5 item: the nonce and XRES. */
function scscfView(item: Avp): { nonce: string; xres: Buffer; ck: Buffer; ik: Buffer } {
  expect(text(tg(item.avps, 608))).toBe('Digest-AKAv1-MD5');
  const randAutn = octets(tg(item.avps, 609));
  expect(randAutn).toHaveLength(32);
  return { nonce: akaNonce(randAutn), xres: octets(tg(item.avps, 610)), ck: octets(tg(item.avps, 625)), ik: octets(tg(item.avps, 626)) };
}

/** The UE answers the challenge in `item`; returns the SQN it accepted. Fails the test on any mismatch. */
function ueAnswers(usim: ReferenceUsim, item: Avp, impi: string): number {
  const sc = scscfView(item);
  const { rand, autn } = parseAkaNonce(sc.nonce);
  const out = usim.authenticate(rand, autn);
  if (out.kind !== 'ok') throw new Error(`UE rejected the challenge: ${out.kind}`);
  const ch = { realm: 'ims.test', nonce: sc.nonce, qop: 'auth' as const };
  const ue = responseFromPassword(out.res, ch, register(impi));
  const scscf = responseFromPassword(sc.xres, ch, register(impi));
  expect(ue).toBe(scscf);
  expect(out.ck.toString('hex')).toBe(sc.ck.toString('hex'));
  expect(out.ik.toString('hex')).toBe(sc.ik.toString('hex'));
  return out.sqn;
}

let bed: Bed;
beforeAll(async () => {
  bed = await startBed(seed);
});
afterAll(async () => {
  await bed?.close();
});

describe('the UE side reference (TS 35.206 Milenage, TS 33.102 AUTS) against the conformance data', () => {
  it('reproduces f1, f1*, f2..f5, f5* and OPc of TS 35.208 test sets 1-6', () => {
    for (const v of SETS) {
      expect(ReferenceMilenage.opcFromOp(hex(v.k), hex(v.op)).toString('hex')).toBe(v.opc);
      const m = new ReferenceMilenage(hex(v.k), hex(v.opc));
      const f1 = m.f1(hex(v.rand), hex(v.sqn), hex(v.amf));
      const f = m.f2345(hex(v.rand));
      expect([f1.macA, f1.macS, f.res, f.ck, f.ik, f.ak, f.akStar].map((b) => b.toString('hex'))).toEqual([v.f1, v.f1s, v.f2, v.f3, v.f4, v.f5, v.f5s]);
    }
  });

  it('builds the AUTS of the resync vectors, and its USIM refuses a bad MAC-A and a stale SQN', () => {
    for (const r of RESYNC) expect(new ReferenceUsim(hex(r.k), hex(r.opc)).auts(hex(r.rand), r.sqnMs).toString('hex')).toBe(r.auts);
    const v = SETS[0]!;
    const ak = hex(v.f5);
    const autn = Buffer.concat([Buffer.from(hex(v.sqn).map((b, i) => b ^ ak[i]!)), hex(v.amf), hex(v.f1)]);
    // Set 1's SQN is far beyond Δ (2^28 SEQs) from a new card's 0: only a card near it takes it.
    expect(new ReferenceUsim(hex(v.k), hex(v.opc)).authenticate(hex(v.rand), autn).kind).toBe('sync-failure');
    const usim = new ReferenceUsim(hex(v.k), hex(v.opc), { sqnMs: parseInt(v.sqn, 16) - 4 * 32 });
    const ok = usim.authenticate(hex(v.rand), autn);
    expect(ok.kind === 'ok' && ok.res.toString('hex')).toBe(v.f2);
    expect(usim.authenticate(hex(v.rand), autn).kind).toBe('sync-failure'); // the same SQN again
    const bad = Buffer.from(autn);
    bad[15]! ^= 1;
    expect(usim.authenticate(hex(v.rand), bad).kind).toBe('mac-failure');
  });

  it('computes the RFC 2617 §3.5 example response', () => {
    expect(md5Hex('Mufasa', 'testrealm@host.com', 'Circle Of Life')).toBe(RFC2617.ha1);
    expect(responseFromPassword('Circle Of Life', RFC2617.challenge, RFC2617.credentials)).toBe(RFC2617.response);
  });
});

describe('Digest-AKAv1-MD5 (RFC 3310) between a UE and the S-CSCF, vectors from Diamond', () => {
  it.each(SETS.map((_, i) => i + 1))('TS 35.208 set %i keys: the UE verifies AUTN, and its response from RES equals the S-CSCF response from XRES', async (set) => {
    const v = SETS[set - 1]!;
    const imsi = imsiOf(set);
    const usim = new ReferenceUsim(hex(v.k), hex(v.opc));
    const a = await cxRequest(bed, MAR, mar(impiOf(imsi), impuOf(imsi), { scheme: 'Digest-AKAv1-MD5' }));
    expect(resultCode(a)).toBe(2001);
    expect(items(a)).toHaveLength(1);
    const sqn = ueAnswers(usim, items(a)[0]!, impiOf(imsi));
    expect(usim.seqOf(sqn)).toBe(1); // SQN_HE was 0: the first SEQ is 1
    // The AMF the HSS put in AUTN is the subscriber's (covered by MAC-A, which the UE checked).
    const { rand, autn } = parseAkaNonce(scscfView(items(a)[0]!).nonce);
    expect(autn.subarray(6, 8).toString('hex')).toBe(v.amf);
    // A UE with other keys rejects the same challenge (the check can fail).
    const other = SETS[set % SETS.length]!;
    expect(new ReferenceUsim(hex(other.k), hex(other.opc)).authenticate(rand, autn).kind).toBe('mac-failure');
  });

  it('several items: each verifies, in order, with consecutive SEQs', async () => {
    const v = SETS[3]!;
    const imsi = imsiOf(4);
    const usim = new ReferenceUsim(hex(v.k), hex(v.opc));
    const a = await cxRequest(bed, MAR, mar(impiOf(imsi), impuOf(imsi), { scheme: 'Digest-AKAv1-MD5', n: 3 }));
    expect(resultCode(a)).toBe(2001);
    expect(findAvp(a.avps, 607, T)?.value).toBe(3);
    const list = items(a);
    expect(list.map((i) => tg(i.avps, 613)?.value)).toEqual([1, 2, 3]);
    const seqs = list.map((i) => usim.seqOf(ueAnswers(usim, i, impiOf(imsi))));
    expect(seqs).toEqual([seqs[0]!, seqs[0]! + 1, seqs[0]! + 2]);
  });
});

describe('resynchronisation through the MAR (TS 33.102 §6.3.5, TS 29.228 §6.3)', () => {
  const v = SETS[0]!;
  const impi = impiOf(RESYNC_IMSI);
  const impu = impuOf(RESYNC_IMSI);
  // The card has seen SEQ 0x12345 (IND 7); the HSS is far behind it (SQN_HE 0x40).
  const SQN_MS = 0x12345 * 32 + 7;
  const usim = new ReferenceUsim(hex(v.k), hex(v.opc), { sqnMs: SQN_MS });
  let lastRand: Buffer;

  it('a stale vector makes the UE send AUTS; the MAR with RAND ‖ AUTS brings a vector at SEQ_MS + 1 that the UE accepts', async () => {
    const first = await cxRequest(bed, MAR, mar(impi, impu, { scheme: 'Digest-AKAv1-MD5' }));
    expect(resultCode(first)).toBe(2001);
    const { rand, autn } = parseAkaNonce(scscfView(items(first)[0]!).nonce);
    const out = usim.authenticate(rand, autn);
    if (out.kind !== 'sync-failure') throw new Error(`expected a sync failure, got ${out.kind}`);
    expect(usim.seqOf(out.sqn)).toBe(3); // SQN_HE 0x40 = SEQ 2: the HSS's own next SEQ
    const resync = await cxRequest(bed, MAR, mar(impi, impu, { scheme: 'Digest-AKAv1-MD5', authorization: Buffer.concat([rand, out.auts]) }));
    expect(resultCode(resync)).toBe(2001);
    const sqn = ueAnswers(usim, items(resync)[0]!, impi);
    expect(usim.seqOf(sqn)).toBe(usim.seqOf(SQN_MS) + 1);
    lastRand = parseAkaNonce(scscfView(items(resync)[0]!).nonce).rand;
  });

  it('a corrupted MAC-S or a short AUTS gets Result-Code 5003 AUTHORIZATION_REJECTED, and the next vector shows SQN_HE did not move', async () => {
    // A valid-looking AUTS for a far SQN_MS, with one bit of MAC-S flipped: taken, it would show as SEQ 0x99999 + 1.
    const corrupted = usim.auts(lastRand, 0x99999 * 32);
    corrupted[13]! ^= 0x01;
    for (const authorization of [Buffer.concat([lastRand, corrupted]), Buffer.concat([lastRand, usim.auts(lastRand, 0x99999 * 32)]).subarray(0, 29)]) {
      const a = await cxRequest(bed, MAR, mar(impi, impu, { scheme: 'Digest-AKAv1-MD5', authorization }));
      expect(resultCode(a)).toBe(5003);
      expect(findAvp(a.avps, 297)).toBeUndefined();
      expect(items(a)).toEqual([]);
    }
    const next = await cxRequest(bed, MAR, mar(impi, impu, { scheme: 'Digest-AKAv1-MD5' }));
    expect(resultCode(next)).toBe(2001);
    expect(usim.seqOf(ueAnswers(usim, items(next)[0]!, impi))).toBe(usim.seqOf(SQN_MS) + 2);
  });

  it('an AUTS from a card only a little behind SQN_HE keeps SQN_HE (TS 33.102 §6.3.5: its next SQN is already acceptable)', async () => {
    // Three vectors issued (SEQ 1-3), the UE uses the first, then is challenged with it again: its
    // AUTS reports SEQ_MS 1. SQN_HE + 1 (SEQ 4) is within Δ of it, so the HSS keeps SQN_HE rather
    // than rewinding to SEQ_MS + 1 (docs/ims.md only describes the rewind).
    const w = SETS[1]!;
    const [kImpi, kImpu] = [impiOf(KEPT_IMSI), impuOf(KEPT_IMSI)];
    const card = new ReferenceUsim(hex(w.k), hex(w.opc));
    const batch = await cxRequest(bed, MAR, mar(kImpi, kImpu, { scheme: 'Digest-AKAv1-MD5', n: 3 }));
    const used = items(batch)[0]!;
    const sqnMs = ueAnswers(card, used, kImpi);
    const { rand, autn } = parseAkaNonce(scscfView(used).nonce);
    const again = card.authenticate(rand, autn);
    if (again.kind !== 'sync-failure') throw new Error(`expected a sync failure, got ${again.kind}`);
    const resync = await cxRequest(bed, MAR, mar(kImpi, kImpu, { scheme: 'Digest-AKAv1-MD5', authorization: Buffer.concat([rand, again.auts]) }));
    expect(resultCode(resync)).toBe(2001);
    expect(card.seqOf(ueAnswers(card, items(resync)[0]!, kImpi))).toBe(card.seqOf(sqnMs) + 3);
  });
});

describe('fixed-line digest with the RFC 2617 §3.5 user', () => {
  it('Digest-MD5: the MAA password gives the RFC example response; the REGISTER response from the MAA nonce matches the UE', async () => {
    const a = await cxRequest(bed, MAR, mar(MUFASA.impi, MUFASA.impu, { scheme: 'Digest-MD5' }));
    expect(resultCode(a)).toBe(2001);
    const [item] = items(a);
    expect(text(tg(item!.avps, 608))).toBe('Digest-MD5');
    const password = octets(tg(item!.avps, 610)).toString('utf8');
    expect(responseFromPassword(password, RFC2617.challenge, RFC2617.credentials)).toBe(RFC2617.response);
    // Kamailio's nonce is the 16 octets of SIP-Authenticate in hex; the UE knows its own password.
    const nonce = octets(tg(item!.avps, 609));
    expect(nonce).toHaveLength(16);
    const ch = { realm: MUFASA.realm, nonce: nonce.toString('hex'), qop: 'auth' as const };
    expect(responseFromPassword(password, ch, register(MUFASA.impi))).toBe(responseFromPassword(MUFASA.password, ch, register(MUFASA.impi)));
    const again = await cxRequest(bed, MAR, mar(MUFASA.impi, MUFASA.impu, { scheme: 'Digest-MD5' }));
    expect(octets(tg(items(again)[0]!.avps, 609)).equals(nonce)).toBe(false); // a fresh nonce per MAR
  });

  it('SIP Digest: Digest-HA1 is MD5(IMPI:realm:password), no password on the wire; the RFC HA1 gives the RFC response', async () => {
    const sent = bed.sent.length;
    const a = await cxRequest(bed, MAR, mar(MUFASA.impi, MUFASA.impu, { scheme: 'SIP Digest' }));
    expect(resultCode(a)).toBe(2001);
    const sda = findAvp(items(a)[0]!.avps, 635, T);
    const field = (code: number): string | undefined => text(findAvp(sda?.avps, code));
    expect([field(104), field(111), field(110)]).toEqual([MUFASA.realm, 'MD5', 'auth']);
    expect(field(121)).toBe(md5Hex(MUFASA.impi, MUFASA.realm, MUFASA.password));
    const ch = { realm: MUFASA.realm, nonce: 'a1b2c3d4e5f60718', qop: 'auth' as const };
    expect(responseFromHa1(field(121)!, ch, register(MUFASA.impi))).toBe(responseFromPassword(MUFASA.password, ch, register(MUFASA.impi)));
    expect(Buffer.concat(bed.sent.slice(sent)).includes(MUFASA.password)).toBe(false);

    const b = await cxRequest(bed, MAR, mar(MUFASA_HA1.impi, MUFASA_HA1.impu, { scheme: 'SIP Digest' }));
    const ha1 = text(findAvp(findAvp(items(b)[0]!.avps, 635, T)?.avps, 121))!;
    expect(ha1).toBe(md5Hex('Mufasa', 'testrealm@host.com', 'Circle Of Life'));
    expect(responseFromHa1(ha1, RFC2617.challenge, RFC2617.credentials)).toBe(RFC2617.response);
  });
});
