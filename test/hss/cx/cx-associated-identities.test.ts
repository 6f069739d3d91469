// Associated-Identities in SAA (TS 29.229 §6.3.33, TS 29.228 §6.1.2): IMPIs provisioned with the
// same subscriptionId share one IMS subscription; the SAA to a SAR for one of them lists the others
// as User-Name AVPs, and a user alone in its subscription gets none. User-Data stays the requesting
// IMPI's (its PrivateID, its IMPUs). The SAA bytes the node sent are dissected by tshark.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage } from '../../../src/diameter/codec/decode.js';
import { findAvp, findAvps, type Message } from '../../../src/diameter/codec/message.js';
import { writePcapng } from '../../../src/pcap/writer.js';
import type { SqliteStore } from '../../../src/store/index.js';
import { resultCode } from '../../support/scripted-peer.js';
import { cxRequest, dict, sar, startBed, type Bed } from './cx-support.js';

const TSHARK = '/usr/bin/tshark';
const HOME = 'family-7';
const [A, B, C, D] = ['anna@ims.test', 'ben@ims.test', 'cleo@ims.test', 'dora@ims.test'];
const impu = (impi: string): string => `sip:${impi}`;

function seed(s: SqliteStore): void {
  for (const impi of [B, A, C]) s.imsSubscribers.create({ impi, authScheme: 'digest-md5', digestPassword: 'pw', subscriptionId: HOME, impus: [{ impu: impu(impi) }, { impu: `tel:+49${impi.length}${impi.charCodeAt(0)}` }] }, 'test');
  s.imsSubscribers.create({ impi: D, authScheme: 'digest-md5', digestPassword: 'pw', impus: [{ impu: impu(D) }] }, 'test');
}

const T = 10415;
/** User-Names inside Associated-Identities, or undefined when the AVP is absent. */
function associated(m: Message): string[] | undefined {
  const g = findAvp(m.avps, 632, T);
  return g ? findAvps(g.avps, 1).map((a) => String(a.value)) : undefined;
}
const order = (m: Message): string[] => m.avps.map((a) => dict.avp(a.code, a.vendorId)?.name ?? `${a.code}`);

const PY = `
import sys, json, xml.etree.ElementTree as ET
r = ET.fromstring(sys.stdin.buffer.read())
print(json.dumps({"private": r.findtext("PrivateID"), "public": [e.text for e in r.iter("Identity")]}))
`;

let bed: Bed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

describe('SAA Associated-Identities (TS 29.229 §6.3.33)', () => {
  it('lists the other IMPIs of the IMS subscription after User-Data; none for a user alone; User-Data stays the requester\'s', async () => {
    bed = await startBed(seed);
    const a = await cxRequest(bed, 301, sar(A, [impu(A)], 1));
    expect(resultCode(a)).toBe(2001);
    expect(associated(a)).toEqual([B, C]);
    const names = order(a);
    expect(names.indexOf('Associated-Identities')).toBeGreaterThan(names.indexOf('Cx-User-Data'));
    const ud = JSON.parse(execFileSync('python3', ['-c', PY], { input: (findAvp(a.avps, 606, T)!.value as Buffer).toString('utf8'), encoding: 'utf8' })) as { private: string; public: string[] };
    expect(ud.private).toBe(A);
    expect(ud.public[0]).toBe(impu(A));
    expect(ud.public.some((u) => u.includes('ben') || u.includes('cleo'))).toBe(false);

    expect(associated(await cxRequest(bed, 301, sar(C, [impu(C)], 1)))).toEqual([A, B]);
    // De-registration answers carry it too (it describes the subscription, not the data sent).
    const dereg = await cxRequest(bed, 301, sar(A, [impu(A)], 5));
    expect(findAvp(dereg.avps, 606, T)).toBeUndefined();
    expect(associated(dereg)).toEqual([B, C]);
    expect(associated(await cxRequest(bed, 301, sar(D, [impu(D)], 1)))).toBeUndefined();
    // Leaving the subscription leaves a pair, then a user alone.
    bed.store.imsSubscribers.update(B, { subscriptionId: null }, 'test');
    expect(associated(await cxRequest(bed, 301, sar(A, [impu(A)], 1)))).toEqual([C]);
    bed.store.imsSubscribers.update(C, { subscriptionId: 'elsewhere' }, 'test');
    expect(associated(await cxRequest(bed, 301, sar(A, [impu(A)], 1)))).toBeUndefined();
    // Error answers carry none.
    expect(associated(await cxRequest(bed, 301, sar(A, [impu(D)], 1)))).toBeUndefined();
  });

  it.skipIf(!existsSync(TSHARK))('tshark dissects the SAA with Associated-Identities {User-Name, User-Name} without malformed or expert warnings', async () => {
    bed = await startBed(seed);
    await cxRequest(bed, 301, sar(A, [impu(A)], 1));
    const frames = bed.sent.filter((f) => (f[4]! & 0x80) === 0 && f.readUIntBE(5, 3) === 301);
    expect(frames.map((f) => associated(decodeMessage(f, dict).message!))).toEqual([[B, C]]);
    const dir = mkdtempSync(path.join(tmpdir(), 'diamond-cx-assoc-'));
    try {
      const file = path.join(dir, 'saa.pcapng');
      writeFileSync(file, writePcapng(frames.map((data, i) => ({ time: new Date(1_700_000_000_000 + i * 1000), src: '127.0.0.2', dst: '127.0.0.1', srcPort: 3868, dstPort: 40000, data }))));
      const pdml = execFileSync(TSHARK, ['-r', file, '-T', 'pdml', '-Y', 'diameter'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
      const packets = pdml.split('<packet>').slice(1);
      expect(packets).toHaveLength(1);
      const p = packets[0]!;
      expect(p).not.toContain('_ws.malformed');
      const experts = [...p.matchAll(/showname="Expert Info \((\w+)\/(\w+)\): ([^"]*)"/g)].filter((x) => x[1] !== 'Chat');
      expect(experts.map((x) => x[0])).toEqual([]);
      // The grouped AVP by name, and the two User-Names inside it (it is the last AVP of this SAA;
      // the SAA's own User-Name comes before it).
      const at = p.indexOf('showname="AVP: Associated-Identities(632)');
      expect(at).toBeGreaterThan(p.indexOf('showname="AVP: Cx-User-Data'));
      expect([...p.slice(at).matchAll(/name="diameter.User-Name"[^>]*show="([^"]*)"/g)].map((x) => x[1])).toEqual([B, C]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
