// What the Cx application puts on the wire, checked by independent tools: the MAA and SAA bytes the
// node actually sent (recorded by a TCP pass-through) are written to a pcapng and dissected by
// tshark (no malformed packets, no expert warnings, the Cx AVPs by name); the SAA User-Data is
// parsed by Python's XML parser in a child process and its structure compared with TS 29.228 Annex E.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage } from '../../../src/diameter/codec/decode.js';
import { findAvp } from '../../../src/diameter/codec/message.js';
import { writePcapng } from '../../../src/pcap/writer.js';
import type { SqliteStore } from '../../../src/store/index.js';
import { cxRequest, dict, mar, sar, startBed, type Bed } from './cx-support.js';

const TSHARK = '/usr/bin/tshark';
const IMSI = '001010000000002';
const IMPI = `${IMSI}@ims.test`;
const IMPU = 'sip:o&<x>@ims.test';
const TEL = 'tel:+3399';
const IFC =
  '<InitialFilterCriteria><Priority>5</Priority><TriggerPoint><ConditionTypeCNF>0</ConditionTypeCNF>' +
  '<SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>REGISTER</Method></SPT>' +
  '<SPT><ConditionNegated>0</ConditionNegated><Group>1</Group><SIPHeader><Header>Event</Header><Content>reg</Content></SIPHeader></SPT>' +
  '<SPT><ConditionNegated>1</ConditionNegated><Group>2</Group><RequestURI>sip:voicemail@ims.test</RequestURI></SPT>' +
  '</TriggerPoint><ApplicationServer><ServerName>sip:as.ims.test</ServerName><DefaultHandling>1</DefaultHandling>' +
  '<ServiceInfo>user={{impu}}</ServiceInfo></ApplicationServer></InitialFilterCriteria>';

function seed(s: SqliteStore): void {
  s.subscribers.createWithAuc({ imsi: IMSI }, { k: '000102030405060708090a0b0c0d0e0f', opc: 'c6a13b37878f5b826f4f8162a1c8d879' }, 'test');
  const t = s.ifcTemplates.create({ name: 'reg', xml: IFC }, 'test');
  s.imsSubscribers.create({ impi: IMPI, imsi: IMSI, authScheme: 'aka', ifcTemplateId: t.id, impus: [{ impu: IMPU }, { impu: TEL, irs: 0 }] }, 'test');
}

const PY_OUTLINE = `
import sys, json, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
def outline(e):
    kids = list(e)
    return {"tag": e.tag, "text": (e.text or "").strip() if not kids else None, "children": [outline(k) for k in kids]}
print(json.dumps(outline(root)))
`;

interface Node {
  tag: string;
  text: string | null;
  children: Node[];
}
const tags = (n: Node): string[] => n.children.map((c) => c.tag);
const at = (n: Node, ...p: string[]): Node => p.reduce((cur, t) => cur.children.find((c) => c.tag === t)!, n);

let bed: Bed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

describe('Cx answers as other tools read them', () => {
  it('SAA User-Data parses as XML with the TS 29.228 Annex E structure, escaped identities and the template iFC', async () => {
    bed = await startBed(seed);
    const a = await cxRequest(bed, 301, sar(IMPI, [IMPU], 1));
    const xml = (findAvp(a.avps, 606, 10415)!.value as Buffer).toString('utf8');
    const tree = JSON.parse(execFileSync('python3', ['-c', PY_OUTLINE], { input: xml, encoding: 'utf8' })) as Node;
    expect(tree.tag).toBe('IMSSubscription');
    expect(tags(tree)).toEqual(['PrivateID', 'ServiceProfile']);
    expect(at(tree, 'PrivateID').text).toBe(IMPI);
    const sp = at(tree, 'ServiceProfile');
    expect(tags(sp)).toEqual(['PublicIdentity', 'PublicIdentity', 'InitialFilterCriteria']);
    expect(sp.children.slice(0, 2).map((p) => at(p, 'Identity').text)).toEqual([IMPU, TEL]);
    expect(tags(sp.children[0]!)).toEqual(['BarringIndication', 'Identity', 'Extension']);
    expect(at(sp.children[0]!, 'Extension', 'IdentityType').text).toBe('0');
    const ifc = at(sp, 'InitialFilterCriteria');
    expect(tags(ifc)).toEqual(['Priority', 'TriggerPoint', 'ApplicationServer']);
    expect(at(ifc, 'TriggerPoint').children.filter((c) => c.tag === 'SPT').map((s) => tags(s)[2])).toEqual(['Method', 'SIPHeader', 'RequestURI']);
    expect(at(ifc, 'ApplicationServer', 'DefaultHandling').text).toBe('1');
    expect(at(ifc, 'ApplicationServer', 'ServiceInfo').text).toBe(`user=${IMPU}`);
  });

  it.skipIf(!existsSync(TSHARK))('tshark dissects the MAA and SAA the node sent without malformed or expert warnings', async () => {
    bed = await startBed(seed);
    await cxRequest(bed, 303, mar(IMPI, IMPU, { scheme: 'Digest-AKAv1-MD5', n: 2 }));
    await cxRequest(bed, 301, sar(IMPI, [IMPU], 1));
    const frames = bed.sent.filter((f) => (f[4]! & 0x80) === 0 && [301, 303].includes(f.readUIntBE(5, 3)));
    expect(frames.map((f) => decodeMessage(f, dict).message?.commandCode)).toEqual([303, 301]);
    const dir = mkdtempSync(path.join(tmpdir(), 'diamond-cx-tshark-'));
    try {
      const file = path.join(dir, 'cx.pcapng');
      writeFileSync(file, writePcapng(frames.map((data, i) => ({ time: new Date(1_700_000_000_000 + i * 1000), src: '127.0.0.2', dst: '127.0.0.1', srcPort: 3868, dstPort: 40000, data }))));
      const pdml = execFileSync(TSHARK, ['-r', file, '-T', 'pdml', '-Y', 'diameter'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
      const packets = pdml.split('<packet>').slice(1);
      expect(packets).toHaveLength(2);
      for (const p of packets) {
        expect(p).not.toContain('_ws.malformed');
        const experts = [...p.matchAll(/showname="Expert Info \((\w+)\/(\w+)\): ([^"]*)"/g)].filter((x) => x[1] !== 'Chat');
        expect(experts.map((x) => x[0])).toEqual([]);
      }
      const names = (p: string): string[] => [...p.matchAll(/name="diameter.avp" showname="AVP: ([^"(]+)\(/g)].map((x) => x[1]!.trim());
      const maa = names(packets[0]!);
      expect(maa.filter((n) => n === '3GPP-SIP-Auth-Data-Item')).toHaveLength(2);
      for (const n of ['3GPP-SIP-Authenticate', '3GPP-SIP-Authorization', 'Confidentiality-Key', 'Integrity-Key', '3GPP-SIP-Number-Auth-Items', 'Public-Identity', 'Result-Code']) expect(maa).toContain(n);
      expect(names(packets[1]!)).toContain('Cx-User-Data');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
