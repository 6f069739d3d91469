// What the Sh application puts on the wire, read by tshark: the PUA, SNA and PNR bytes the node
// actually sent (recorded by a TCP pass-through) dissect cleanly, with the Sh AVPs by name.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createShApplication } from '../../../src/hss/sh/index.js';
import { writePcapng } from '../../../src/pcap/writer.js';
import type { SqliteStore } from '../../../src/store/index.js';
import { waitFor } from '../../support/node-config.js';
import { resultCode } from '../../support/scripted-peer.js';
import { SH, cxRequest, sar, startBed, type Bed } from '../cx/cx-support.js';
import { pur, repositoryXml, snr } from './sh-support.js';

const TSHARK = '/usr/bin/tshark';
const IMPI = 'frank@ims.test';
const IMPU = 'sip:frank@ims.test';

function seed(s: SqliteStore): void {
  s.imsSubscribers.create({ impi: IMPI, authScheme: 'digest-md5', digestPassword: 'pw', impus: [{ impu: IMPU }] }, 'test');
}

let bed: Bed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

describe('Sh messages as tshark reads them', () => {
  it.skipIf(!existsSync(TSHARK))('PUA, SNA and the PNR the node sent dissect without malformed or expert warnings', async () => {
    bed = await startBed(seed, {}, undefined, (store) => [createShApplication({ store })]);
    // The "CSCF" peer of the Cx bed doubles as the AS: it subscribes to IMSUserState, its SAR changes it.
    expect(resultCode(await cxRequest(bed, 307, pur(IMPU, repositoryXml('svc', 0, '<a>1</a>')), SH))).toBe(2001);
    expect(resultCode(await cxRequest(bed, 308, snr(IMPU, [11], { sendData: true, expiry: new Date(Date.now() + 3_600_000) }), SH))).toBe(2001);
    await cxRequest(bed, 301, sar(IMPI, [IMPU], 1));
    await waitFor(() => bed!.cscf.received.some((m) => m.commandCode === 309), 'PNR');
    const frames = bed.sent.filter((f) => f[4] !== undefined && [307, 308, 309].includes(f.readUIntBE(5, 3)));
    expect(frames.map((f) => [f.readUIntBE(5, 3), (f[4]! & 0x80) !== 0])).toEqual([
      [307, false],
      [308, false],
      [309, true],
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), 'diamond-sh-tshark-'));
    try {
      const file = path.join(dir, 'sh.pcapng');
      writeFileSync(file, writePcapng(frames.map((data, i) => ({ time: new Date(1_700_000_000_000 + i * 1000), src: '127.0.0.2', dst: '127.0.0.1', srcPort: 3868, dstPort: 40000, data }))));
      const pdml = execFileSync(TSHARK, ['-r', file, '-T', 'pdml', '-Y', 'diameter'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
      const packets = pdml.split('<packet>').slice(1);
      expect(packets).toHaveLength(3);
      for (const p of packets) {
        expect(p).not.toContain('_ws.malformed');
        const experts = [...p.matchAll(/showname="Expert Info \((\w+)\/(\w+)\): ([^"]*)"/g)].filter((x) => x[1] !== 'Chat');
        expect(experts.map((x) => x[0])).toEqual([]);
      }
      const names = (p: string): string[] => [...p.matchAll(/name="diameter.avp" showname="AVP: ([^"(]+)\(/g)].map((x) => x[1]!.trim());
      expect(names(packets[0]!)).toEqual(expect.arrayContaining(['Result-Code', 'Repository-Data-ID', 'Service-Indication', 'Sequence-Number']));
      expect(names(packets[1]!)).toEqual(expect.arrayContaining(['Result-Code', 'Expiry-Time']));
      expect(names(packets[2]!)).toEqual(expect.arrayContaining(['Destination-Host', 'User-Identity', 'Public-Identity']));
      expect(names(packets[1]!).concat(names(packets[2]!)).filter((n) => /User-Data/.test(n))).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
