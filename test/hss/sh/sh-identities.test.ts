// Sh data across operator edits and per-IMPU registration, over real sockets with a real SQLite
// file: an edit of the IMPU list keeps the repository data and subscriptions of identities that stay
// (an IMSPublicIdentity subscriber is notified of the new list), a removed identity is unknown to
// Sh afterwards; IMSUserState is notified only for the IMPUs whose own state a SAR changed.
import { afterEach, describe, expect, it } from 'vitest';
import { avp } from '../../../src/diameter/codec/builder.js';
import type { SqliteStore } from '../../../src/store/index.js';
import { waitFor } from '../../support/node-config.js';
import { resultCode } from '../../support/scripted-peer.js';
import { CX, dict, exp, outline, pur, repositoryXml, sar, send, shDataOf, snr, startShBed, userIdentity, type ShBed } from './sh-support.js';

const IMPI = 'ivan@ims.test';
const IMPU = 'sip:ivan@ims.test';
const TEL = 'tel:+4955577';
const WORK = 'sip:ivan.work@ims.test';
const NEW = 'sip:ivan.new@ims.test';
const SI = 'mmtel-settings';

function seed(s: SqliteStore): void {
  s.imsSubscribers.create({ impi: IMPI, authScheme: 'digest-md5', digestPassword: 'pw', impus: [{ impu: IMPU }, { impu: TEL }, { impu: WORK, irs: 1 }] }, 'test');
}

let bed: ShBed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

const udrRepo = (impu: string) => [userIdentity(impu), avp(dict, 'Service-Indication', Buffer.from(SI)), avp(dict, 'Data-Reference', 0)];

describe('Sh across an edit of the IMPU list', () => {
  it('kept identity: data, sequence and subscriptions survive and the new list is notified; removed identity: gone', async () => {
    bed = await startShBed(seed);
    expect(resultCode(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 0, '<cfu>sip:vm@ims.test</cfu>'))))).toBe(2001);
    expect(resultCode(await send(bed.as1, 307, pur(TEL, repositoryXml(SI, 0, '<x/>'))))).toBe(2001);
    expect(resultCode(await send(bed.as2, 308, snr(IMPU, [10])))).toBe(2001);
    expect(resultCode(await send(bed.as2, 308, snr(TEL, [10])))).toBe(2001);

    bed.store.imsSubscribers.update(IMPI, { impus: [{ impu: IMPU }, { impu: NEW }, { impu: WORK, irs: 1 }] }, 'test');
    await waitFor(() => bed!.as2.received.length === 1, 'PNR with the new public identities');
    const pnr = bed.as2.received[0]!;
    expect(outline(shDataOf(pnr))).toEqual([
      ['Sh-Data', ''],
      ['PublicIdentifiers', ''],
      ['IMSPublicIdentity', IMPU],
      ['IMSPublicIdentity', NEW],
      ['IMSPublicIdentity', WORK],
    ]);
    await new Promise((r) => setTimeout(r, 100));
    expect(bed.as2.received).toHaveLength(1); // nothing for the removed TEL

    const read = await send(bed.as2, 306, udrRepo(IMPU));
    expect(outline(shDataOf(read))).toContainEqual(['SequenceNumber', '0']);
    expect(outline(shDataOf(read))).toContainEqual(['cfu', 'sip:vm@ims.test']);
    expect(resultCode(await send(bed.as1, 307, pur(IMPU, repositoryXml(SI, 1, '<cfu>sip:bob@ims.test</cfu>'))))).toBe(2001);
    expect(exp(await send(bed.as1, 307, pur(TEL, repositoryXml(SI, 1, '<x/>'))))).toBe(5001);
    expect(exp(await send(bed.as2, 306, udrRepo(TEL)))).toBe(5001);
  });
});

describe('IMSUserState per public identity', () => {
  it('a SAR for one implicit registration set notifies the subscribers of its IMPUs only', async () => {
    bed = await startShBed(seed);
    for (const u of [IMPU, WORK]) expect(resultCode(await send(bed.as2, 308, snr(u, [11])))).toBe(2001);
    expect(resultCode(await send(bed.cscf, 301, sar(IMPI, [IMPU], 1), CX))).toBe(2001);
    await waitFor(() => bed!.as2.received.length >= 1, 'PNR after registration');
    await new Promise((r) => setTimeout(r, 100));
    const identities = bed.as2.received.map((m) => String(m.avps.find((a) => a.code === 700)?.avps?.find((a) => a.code === 601)?.value));
    expect(identities).toEqual([IMPU]);
    expect(outline(shDataOf(bed.as2.received[0]!))).toContainEqual(['IMSUserState', '1']);
    // WORK's own registration notifies WORK's subscriber.
    expect(resultCode(await send(bed.cscf, 301, sar(IMPI, [WORK], 1), CX))).toBe(2001);
    await waitFor(() => bed!.as2.received.length === 2, 'PNR for WORK');
    expect(String(bed.as2.received[1]!.avps.find((a) => a.code === 700)?.avps?.find((a) => a.code === 601)?.value)).toBe(WORK);
  });
});
