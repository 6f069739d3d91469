// Sh UDR/UDA over real sockets (TS 29.328 §6.1.1): an AS asks for IMS data by Data-Reference and
// gets only that, as Sh-Data XML (parsed by Python's XML parser in a child process); unknown users,
// unsupported references and repository data without a Service-Indication get their answers.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { avp } from '../../../src/diameter/codec/builder.js';
import { findAvp, type Avp, type Message } from '../../../src/diameter/codec/message.js';
import { createShApplication } from '../../../src/hss/sh/index.js';
import type { SqliteStore } from '../../../src/store/index.js';
import { resultCode } from '../../support/scripted-peer.js';
import { SH, cxRequest, dict, sar, startBed, type Bed } from '../cx/cx-support.js';

const IMPI = 'dave@ims.test';
const IMPU = 'sip:dave@ims.test';
const IFC = '<InitialFilterCriteria><Priority>1</Priority><ApplicationServer><ServerName>sip:as.ims.test</ServerName><DefaultHandling>0</DefaultHandling></ApplicationServer></InitialFilterCriteria>';

function seed(s: SqliteStore): void {
  const t = s.ifcTemplates.create({ name: 't', xml: IFC }, 'test');
  s.imsSubscribers.create({ impi: IMPI, msisdn: '4912345', authScheme: 'digest-md5', digestPassword: 'pw', ifcTemplateId: t.id, impus: [{ impu: IMPU }, { impu: 'tel:+4912345' }] }, 'test');
}

let bed: Bed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

const udr = (identity: Avp, refs: number[]): Avp[] => [avp(dict, 'User-Identity', [identity]), ...refs.map((r) => avp(dict, 'Data-Reference', r))];
const exp = (m: Message): number | undefined => findAvp(findAvp(m.avps, 297)?.avps, 298)?.value as number | undefined;
const PY = `
import sys, json, xml.etree.ElementTree as ET
r = ET.fromstring(sys.stdin.buffer.read())
print(json.dumps([[e.tag, (e.text or '').strip()] for e in r.iter()]))
`;
function outline(m: Message): [string, string][] {
  const xml = (findAvp(m.avps, 702, 10415)!.value as Buffer).toString('utf8');
  return JSON.parse(execFileSync('python3', ['-c', PY], { input: xml, encoding: 'utf8' })) as [string, string][];
}

describe('Sh UDR/UDA', () => {
  it('returns only the requested data: public identities and MSISDN, then S-CSCF name, iFCs and user state after registration', async () => {
    bed = await startBed(seed, {}, undefined, (store) => [createShApplication({ store })]);
    const a = await cxRequest(bed, 306, udr(avp(dict, 'Public-Identity', IMPU), [10, 17]), SH);
    expect(resultCode(a)).toBe(2001);
    expect(outline(a)).toEqual([
      ['Sh-Data', ''],
      ['PublicIdentifiers', ''],
      ['IMSPublicIdentity', IMPU],
      ['IMSPublicIdentity', 'tel:+4912345'],
      ['MSISDN', '4912345'],
    ]);
    await cxRequest(bed, 301, sar(IMPI, [IMPU], 1));
    const b = await cxRequest(bed, 306, udr(avp(dict, 'MSISDN', '4912345'), [11, 12, 13]), SH);
    expect(resultCode(b)).toBe(2001);
    const tags = outline(b);
    expect(tags.map((t) => t[0]).slice(0, 5)).toEqual(['Sh-Data', 'Sh-IMS-Data', 'S-CSCFName', 'IFCs', 'InitialFilterCriteria']);
    expect(tags).toContainEqual(['S-CSCFName', 'sip:scscf.ims.test:6060']);
    expect(tags).toContainEqual(['IMSUserState', '1']);
    expect(tags).toContainEqual(['ServerName', 'sip:as.ims.test']);
    expect(tags.some((t) => t[0] === 'PublicIdentifiers')).toBe(false);
  });

  it('answers 5001 for an unknown user, 5100 for data it does not keep, 5005 for repository data without Service-Indication', async () => {
    bed = await startBed(seed, {}, undefined, (store) => [createShApplication({ store })]);
    expect(exp(await cxRequest(bed, 306, udr(avp(dict, 'Public-Identity', 'sip:nobody@ims.test'), [10]), SH))).toBe(5001);
    expect(exp(await cxRequest(bed, 306, udr(avp(dict, 'Public-Identity', IMPU), [10, 14]), SH))).toBe(5100);
    expect(resultCode(await cxRequest(bed, 306, udr(avp(dict, 'Public-Identity', IMPU), [0]), SH))).toBe(5005);
    // A Service-Indication with no data: success, and no RepositoryData in the Sh-Data.
    const none = await cxRequest(bed, 306, [...udr(avp(dict, 'Public-Identity', IMPU), [0]), avp(dict, 'Service-Indication', Buffer.from('svc'))], SH);
    expect(resultCode(none)).toBe(2001);
    expect(outline(none)).toEqual([['Sh-Data', '']]);
  });
});
