// Sh PUR/SNR/PNR over real sockets with a real SQLite file (TS 29.328 §6.1.2-§6.1.4): repository
// data sequence numbers (0 on creation, +1 per change, 65535 → 1, else 5105), the size limit
// (5008), deletion, subscriptions with Send-Data-Indication and Expiry-Time, and PNRs to the other
// subscribed ASs (never the writer) on PUR and on registration-state changes from Cx SARs.
import { afterEach, describe, expect, it } from 'vitest';
import { avp } from '../../../src/diameter/codec/builder.js';
import { findAvp } from '../../../src/diameter/codec/message.js';
import { acceptsSequenceNumber, nextSequenceNumber } from '../../../src/hss/sh/sequence-number.js';
import { openSqliteStore, type SqliteStore } from '../../../src/store/index.js';
import { waitFor } from '../../support/node-config.js';
import { resultCode } from '../../support/scripted-peer.js';
import { AS2, CX, dict, exp, outline, pur, repositoryXml, sar, send, shDataOf, snr, startShBed, userIdentity, type ShBed } from './sh-support.js';

const IMPI = 'erin@ims.test';
const IMPU = 'sip:erin@ims.test';
const SI = 'mmtel-settings';

function seed(s: SqliteStore): void {
  s.imsSubscribers.create({ impi: IMPI, msisdn: '4955501', authScheme: 'digest-md5', digestPassword: 'pw', impus: [{ impu: IMPU }, { impu: 'tel:+4955501' }] }, 'test');
}

let bed: ShBed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

const udrRepo = (impu: string, si: string) => [userIdentity(impu), avp(dict, 'Service-Indication', Buffer.from(si)), avp(dict, 'Data-Reference', 0)];
const seqOf = (m: Parameters<typeof resultCode>[0]): number | undefined => findAvp(findAvp(m.avps, 715, 10415)?.avps, 716, 10415)?.value as number | undefined;

describe('sequence numbers (TS 29.328 §7.6.1)', () => {
  it('accepts 0 only for new data, then exactly the next number, 65535 wrapping to 1', () => {
    const table: [number, number | undefined, boolean][] = [
      [0, undefined, true],
      [1, undefined, false],
      [1, 0, true],
      [0, 0, false],
      [2, 0, false],
      [7, 6, true],
      [6, 6, false],
      [1, 65535, true],
      [0, 65535, false],
      [65535, 65534, true],
    ];
    for (const [req, cur, ok] of table) expect([req, cur, acceptsSequenceNumber(req, cur)]).toEqual([req, cur, ok]);
    expect(nextSequenceNumber(65535)).toBe(1);
  });
});

describe('Sh PUR/PUA for RepositoryData', () => {
  it('creates with 0, updates with +1, refuses stale or skipped numbers with 5105, deletes, and keeps it in the SQLite file', async () => {
    bed = await startShBed(seed);
    const a0 = await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 0, '<cfu>sip:voicemail@ims.test</cfu>')));
    expect(resultCode(a0)).toBe(2001);
    expect(seqOf(a0)).toBe(0);
    expect(exp(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 0, '<x/>'))))).toBe(5105);
    expect(exp(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 2, '<x/>'))))).toBe(5105);
    const a1 = await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 1, '<cfu>sip:bob@ims.test</cfu>')));
    expect(resultCode(a1)).toBe(2001);
    expect(seqOf(a1)).toBe(1);

    // UDR reads it back (through the MSISDN as well as the IMPU).
    const read = await send(bed.as2, 306, udrRepo(IMPU, SI));
    expect(resultCode(read)).toBe(2001);
    expect(outline(shDataOf(read))).toEqual([
      ['Sh-Data', ''],
      ['RepositoryData', ''],
      ['ServiceIndication', SI],
      ['SequenceNumber', '1'],
      ['ServiceData', ''],
      ['cfu', 'sip:bob@ims.test'],
    ]);

    // A second connection to the same file sees the committed row.
    const other = openSqliteStore(bed.file);
    try {
      expect(other.sh.getData(IMPU, SI)?.sequenceNumber).toBe(1);
      expect(other.sh.getData(IMPU, SI)?.data.toString()).toBe('<cfu>sip:bob@ims.test</cfu>');
    } finally {
      other.close();
    }

    // Deletion: no ServiceData, next sequence number; deleting again: 5106; recreation starts at 0.
    expect(exp(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 1))))).toBe(5105);
    expect(resultCode(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 2))))).toBe(2001);
    expect(bed.store.sh.getData(IMPU, SI)).toBeUndefined();
    expect(outline(shDataOf(await send(bed.as2, 306, udrRepo(IMPU, SI))))).toEqual([['Sh-Data', '']]);
    expect(exp(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 3))))).toBe(5106);
    expect(exp(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 3, '<y/>'))))).toBe(5105);
    expect(resultCode(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 0, '<y/>'))))).toBe(2001);
  });

  it('wraps 65535 to 1', async () => {
    bed = await startShBed(seed);
    expect(bed.store.sh.putData(IMPU, SI, 65535, Buffer.from('<old/>'), () => true).ok).toBe(true);
    expect(exp(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 0, '<new/>'))))).toBe(5105);
    const a = await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 1, '<new/>')));
    expect(resultCode(a)).toBe(2001);
    expect(bed.store.sh.getData(IMPU, SI)?.sequenceNumber).toBe(1);
  });

  it('refuses ServiceData over the configured size with 5008 TOO_MUCH_DATA and writes nothing', async () => {
    bed = await startShBed(seed, { options: { maxRepositoryDataBytes: 100 } });
    const exactly = `<d>${'x'.repeat(93)}</d>`; // 100 bytes
    expect(Buffer.byteLength(exactly)).toBe(100);
    expect(exp(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 0, `<d>${'x'.repeat(94)}</d>`))))).toBe(5008);
    expect(bed.store.sh.getData(IMPU, SI)).toBeUndefined();
    expect(resultCode(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 0, exactly))))).toBe(2001);
  });

  it('answers 5001 unknown user, 5103 for other Data-References, 5004 with Failed-AVP for bad Sh-Data', async () => {
    bed = await startShBed(seed);
    expect(exp(await send(bed.as1, 307, pur('sip:nobody@ims.test', repositoryXml(SI, 0, '<x/>'))))).toBe(5001);
    const ims = [userIdentity(IMPU), avp(dict, 'Data-Reference', 11), avp(dict, 'Sh-User-Data', Buffer.from('<Sh-Data/>'))];
    expect(exp(await send(bed.as1, 307, ims))).toBe(5103);
    for (const bad of ['<Sh-Data><RepositoryData>', '<Other/>', repositoryXml(SI, 70000, '<x/>'), repositoryXml('', 0, '<x/>'), '<!DOCTYPE x><Sh-Data/>']) {
      const a = await send(bed.as1, 307, pur(IMPU, bad));
      expect([bad, resultCode(a)]).toEqual([bad, 5004]);
      expect(findAvp(a.avps, 279)).toBeDefined();
      expect(String(findAvp(a.avps, 281)?.value)).toMatch(/Sh-User-Data/);
    }
    expect(bed.store.sh.getData(IMPU, SI)).toBeUndefined();
  });
});

describe('Sh SNR/SNA and PNR', () => {
  it('notifies a subscribed AS (not the writer) with the new data; Send-Data-Indication returns current data; unsubscribe stops PNRs', async () => {
    bed = await startShBed(seed);
    expect(resultCode(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 0, '<v>1</v>'))))).toBe(2001);
    // AS1 (the writer) subscribes too: it must not be told about its own change.
    expect(resultCode(await send(bed.as1, 308, snr(IMPU, [0], { sis: [SI] })))).toBe(2001);
    const sna = await send(bed.as2, 308, snr(IMPU, [0], { sis: [SI], sendData: true }));
    expect(resultCode(sna)).toBe(2001);
    expect(findAvp(sna.avps, 709, 10415)).toBeUndefined(); // no expiry asked, none granted
    expect(outline(shDataOf(sna))).toContainEqual(['v', '1']);

    expect(resultCode(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 1, '<v>2</v>'))))).toBe(2001);
    await waitFor(() => bed!.as2.received.length === 1, 'PNR at AS2');
    await Promise.all(bed.sh.inFlight);
    const pnr = bed.as2.received[0]!;
    expect(pnr.commandCode).toBe(309);
    expect(findAvp(pnr.avps, 293)?.value).toBe(AS2);
    expect(findAvp(findAvp(pnr.avps, 700, 10415)?.avps, 601, 10415)?.value).toBe(IMPU);
    expect(outline(shDataOf(pnr))).toEqual([
      ['Sh-Data', ''],
      ['RepositoryData', ''],
      ['ServiceIndication', SI],
      ['SequenceNumber', '1'],
      ['ServiceData', ''],
      ['v', '2'],
    ]);
    expect(bed.as1.received).toHaveLength(0);

    // AS2 writes: AS1 is told, AS2 is not.
    expect(resultCode(await send(bed.as2, 307, pur(IMPU, repositoryXml(SI, 2, '<v>3</v>'))))).toBe(2001);
    await waitFor(() => bed!.as1.received.length === 1, 'PNR at AS1');
    expect(bed.as2.received).toHaveLength(1);

    // Deletion is notified without ServiceData.
    expect(resultCode(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 3))))).toBe(2001);
    await waitFor(() => bed!.as2.received.length === 2, 'deletion PNR at AS2');
    expect(outline(shDataOf(bed.as2.received[1]!)).map((t) => t[0])).toEqual(['Sh-Data', 'RepositoryData', 'ServiceIndication', 'SequenceNumber']);

    // Another Service-Indication is not what AS2 subscribed to.
    expect(resultCode(await send(bed.as1, 307, pur(IMPU, repositoryXml('other', 0, '<o/>'))))).toBe(2001);
    // Unsubscribe: no more PNRs.
    expect(resultCode(await send(bed.as2, 308, snr(IMPU, [0], { sis: [SI], unsubscribe: true })))).toBe(2001);
    expect(resultCode(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 0, '<v>4</v>'))))).toBe(2001);
    expect(bed.sh.inFlight.size).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(bed.as2.received).toHaveLength(2);
  });

  it('honours Expiry-Time: granted as asked or capped, echoed in the SNA, no PNR after it passes', async () => {
    let clock = new Date('2026-06-01T10:00:00Z');
    bed = await startShBed(seed, { now: () => clock, options: { maxSubscriptionSeconds: 3600 } });
    const asked = new Date('2026-06-01T10:00:30Z');
    const sna = await send(bed.as2, 308, snr(IMPU, [0], { sis: [SI], expiry: asked }));
    expect(resultCode(sna)).toBe(2001);
    expect((findAvp(sna.avps, 709, 10415)?.value as Date).toISOString()).toBe(asked.toISOString());
    // Too long: capped at maxSubscriptionSeconds (AS1's own subscription, on another reference).
    const capped = await send(bed.as1, 308, snr(IMPU, [11], { expiry: new Date('2026-06-02T10:00:00Z') }));
    expect((findAvp(capped.avps, 709, 10415)?.value as Date).toISOString()).toBe('2026-06-01T11:00:00.000Z');
    expect(resultCode(await send(bed.as2, 308, snr(IMPU, [11], { expiry: new Date('2026-06-01T09:00:00Z') })))).toBe(5004);

    clock = new Date('2026-06-01T10:00:29Z');
    expect(resultCode(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 0, '<v>1</v>'))))).toBe(2001);
    await waitFor(() => bed!.as2.received.length === 1, 'PNR before expiry');
    clock = new Date('2026-06-01T10:00:31Z');
    expect(resultCode(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 1, '<v>2</v>'))))).toBe(2001);
    expect(bed.sh.inFlight.size).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(bed.as2.received).toHaveLength(1);
  });

  it('notifies IMSUserState and S-CSCFName subscribers when a Cx SAR registers and de-registers the user', async () => {
    bed = await startShBed(seed);
    const sna = await send(bed.as2, 308, snr(IMPU, [11], { sendData: true }));
    expect(outline(shDataOf(sna))).toEqual([
      ['Sh-Data', ''],
      ['Sh-IMS-Data', ''],
      ['IMSUserState', '0'],
    ]);
    expect(resultCode(await send(bed.as1, 308, snr(IMPU, [12])))).toBe(2001);
    expect(resultCode(await send(bed.cscf, 301, sar(IMPI, [IMPU], 1), CX))).toBe(2001); // REGISTRATION
    await waitFor(() => bed!.as2.received.length === 1 && bed!.as1.received.length === 1, 'PNRs after registration');
    expect(outline(shDataOf(bed.as2.received[0]!))).toEqual([
      ['Sh-Data', ''],
      ['Sh-IMS-Data', ''],
      ['IMSUserState', '1'],
    ]);
    expect(outline(shDataOf(bed.as1.received[0]!))).toContainEqual(['S-CSCFName', 'sip:scscf.ims.test:6060']);
    // RE_REGISTRATION changes nothing an AS sees: no PNR.
    expect(resultCode(await send(bed.cscf, 301, sar(IMPI, [IMPU], 2), CX))).toBe(2001);
    expect(bed.sh.inFlight.size).toBe(0);
    expect(resultCode(await send(bed.cscf, 301, sar(IMPI, [IMPU], 5), CX))).toBe(2001); // USER_DEREGISTRATION
    await waitFor(() => bed!.as2.received.length === 2, 'PNR after de-registration');
    expect(outline(shDataOf(bed.as2.received[1]!))).toContainEqual(['IMSUserState', '0']);
  });

  it('notifies MSISDN subscribers when the operator changes the MSISDN through the store (API path)', async () => {
    bed = await startShBed(seed);
    expect(resultCode(await send(bed.as2, 308, snr(IMPU, [17])))).toBe(2001);
    bed.store.imsSubscribers.update(IMPI, { digestRealm: 'ims.test' }, 'test'); // not watched: no PNR
    expect(bed.sh.inFlight.size).toBe(0);
    bed.store.imsSubscribers.update(IMPI, { msisdn: '4955502' }, 'test');
    await waitFor(() => bed!.as2.received.length === 1, 'PNR after MSISDN change');
    expect(outline(shDataOf(bed.as2.received[0]!))).toEqual([
      ['Sh-Data', ''],
      ['PublicIdentifiers', ''],
      ['MSISDN', '4955502'],
    ]);
  });

  it('answers SNR errors: 5001 unknown user, 5100 unknown reference, 5104 for data that never changes, 5005 without Service-Indication', async () => {
    bed = await startShBed(seed);
    expect(exp(await send(bed.as1, 308, snr('sip:nobody@ims.test', [11])))).toBe(5001);
    expect(exp(await send(bed.as1, 308, snr(IMPU, [14])))).toBe(5100);
    expect(exp(await send(bed.as1, 308, snr(IMPU, [16])))).toBe(5104);
    expect(resultCode(await send(bed.as1, 308, snr(IMPU, [0])))).toBe(5005);
    expect(bed.store.sh.subscribers(IMPU, 0, SI, new Date())).toHaveLength(0);
  });
});
