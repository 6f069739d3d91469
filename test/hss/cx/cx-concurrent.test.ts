// Cx requests of one user in flight together, as an S-CSCF with a window sends them (TS 29.228
// §6.1.2, §6.3): the MAR's Server-Name recording never undoes the SAR registration answered while
// the MAR waited for its SQN commit; a UAR/LIR sent right after a SAR sees the SAR's state before
// its commit returned; each SAA leaves only once its state is in the SQLite file (checked from a
// second connection on the file, as a restarted node would read it).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findAvp, type Message } from '../../../src/diameter/codec/message.js';
import type { SqliteStore } from '../../../src/store/index.js';
import { resultCode } from '../../support/scripted-peer.js';
import { cxRequest, lir, mar, sar, startBed, uar, type Bed } from './cx-support.js';

const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
const S1 = 'sip:scscf1.ims.test:6060';
const S2 = 'sip:scscf2.ims.test:6060';
const USERS = 8;
const imsiOf = (i: number): string => `0010100000001${String(i).padStart(2, '0')}`;
const impiOf = (i: number): string => `${imsiOf(i)}@ims.test`;
const impuOf = (i: number): string => `sip:${imsiOf(i)}@ims.test`;
const telOf = (i: number): string => `tel:+33100000${String(i).padStart(2, '0')}`;

/** Server-Assignment-Type, TS 29.229 §6.3.15. */
const Sat = { REGISTRATION: 1, USER_DEREGISTRATION: 5 } as const;
const exp = (m: Message): number | undefined => findAvp(findAvp(m.avps, 297)?.avps, 298)?.value as number | undefined;
const serverName = (m: Message): string | undefined => findAvp(m.avps, 602, 10415)?.value as string | undefined;
const outcome = (m: Message): [number | undefined, string | undefined] => [resultCode(m) ?? exp(m), serverName(m)];

function seed(s: SqliteStore): void {
  for (let i = 0; i < USERS; i++) {
    s.subscribers.createWithAuc({ imsi: imsiOf(i) }, { k: K, opc: OPC, amf: '8000' }, 'test');
    s.imsSubscribers.create({ impi: impiOf(i), imsi: imsiOf(i), authScheme: 'aka', impus: [{ impu: impuOf(i) }, { impu: telOf(i) }] }, 'test');
  }
}

/** [impu, state, S-CSCF] rows as the file holds them, read on a connection of its own. */
function onDisk(file: string, impi: string): [string, string, string | null][] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT impu, registration_state, scscf_name FROM ims_public_identity WHERE impi = ? ORDER BY position').all(impi) as { impu: string; registration_state: string; scscf_name: string | null }[]).map(
      (r) => [r.impu, r.registration_state, r.scscf_name],
    );
  } finally {
    db.close();
  }
}

let bed: Bed | undefined;
let dir: string | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function start(): Promise<string> {
  dir = mkdtempSync(path.join(tmpdir(), 'diamond-cx-concurrent-'));
  const file = path.join(dir, 'diamond.sqlite');
  bed = await startBed(seed, {}, undefined, undefined, file);
  return file;
}

describe('Cx requests of one user in flight together', () => {
  it('MAR and SAR REGISTRATION sent back to back without waiting: the registration stands, on disk too', async () => {
    const file = await start();
    const b = bed!;
    const pairs = Array.from({ length: USERS }, (_, i) => [
      cxRequest(b, 303, mar(impiOf(i), impuOf(i), { scheme: 'Digest-AKAv1-MD5', serverName: S1 })),
      cxRequest(b, 301, sar(impiOf(i), [impuOf(i)], Sat.REGISTRATION, { serverName: S1 })),
    ]);
    const answers = await Promise.all(pairs.flat());
    expect(answers.map(resultCode)).toEqual(answers.map(() => 2001));
    for (let i = 0; i < USERS; i++) {
      const want: [string, string, string | null][] = [
        [impuOf(i), 'registered', S1],
        [telOf(i), 'registered', S1],
      ];
      expect(b.store.imsSubscribers.get(impiOf(i))!.impus.map((p) => [p.impu, p.registrationState, p.scscfName])).toEqual(want);
      expect(onDisk(file, impiOf(i))).toEqual(want);
      expect(outcome(await cxRequest(b, 300, uar(impiOf(i), impuOf(i))))).toEqual([2002, S1]); // SUBSEQUENT_REGISTRATION
      expect(outcome(await cxRequest(b, 302, lir(telOf(i))))).toEqual([2001, S1]);
    }
  });

  it("a MAR from another S-CSCF while the user is registered keeps the registered S-CSCF's name", async () => {
    await start();
    const b = bed!;
    const [, m] = await Promise.all([
      cxRequest(b, 301, sar(impiOf(0), [impuOf(0)], Sat.REGISTRATION, { serverName: S1 })),
      cxRequest(b, 303, mar(impiOf(0), impuOf(0), { scheme: 'Digest-AKAv1-MD5', serverName: S2 })),
    ]);
    expect(resultCode(m)).toBe(2001);
    expect(b.store.imsSubscribers.get(impiOf(0))!.impus.map((p) => [p.registrationState, p.scscfName])).toEqual([
      ['registered', S1],
      ['registered', S1],
    ]);
  });

  it('UAR and LIR sent right behind a SAR see its state; each SAA leaves with its state on disk', async () => {
    const file = await start();
    const b = bed!;
    const impi = impiOf(1);
    const [saa, uaa, lia] = await Promise.all([
      cxRequest(b, 301, sar(impi, [impuOf(1)], Sat.REGISTRATION, { serverName: S1 })),
      cxRequest(b, 300, uar(impi, telOf(1))),
      cxRequest(b, 302, lir(telOf(1))),
    ]);
    expect(resultCode(saa)).toBe(2001);
    expect(outcome(uaa)).toEqual([2002, S1]);
    expect(outcome(lia)).toEqual([2001, S1]);

    // Registration then de-registration back to back: the last one wins, in memory and on disk.
    const done = await Promise.all([
      cxRequest(b, 301, sar(impi, [impuOf(1)], Sat.USER_DEREGISTRATION, { serverName: S1 })),
      cxRequest(b, 301, sar(impi, [impuOf(1)], Sat.REGISTRATION, { serverName: S2 })),
      cxRequest(b, 301, sar(impi, [impuOf(1)], Sat.USER_DEREGISTRATION, { serverName: S2 })),
    ]);
    expect(done.map(resultCode)).toEqual([2001, 2001, 2001]);
    const gone: [string, string, string | null][] = [
      [impuOf(1), 'not-registered', null],
      [telOf(1), 'not-registered', null],
    ];
    expect(onDisk(file, impi)).toEqual(gone);
    expect(outcome(await cxRequest(b, 300, uar(impi, impuOf(1))))).toEqual([2001, undefined]);

    // An SAA names a state that is already in the file when it arrives.
    const reg = cxRequest(b, 301, sar(impi, [impuOf(1)], Sat.REGISTRATION, { serverName: S2 }));
    expect(resultCode(await reg)).toBe(2001);
    expect(onDisk(file, impi).map((r) => r[1])).toEqual(['registered', 'registered']);
  });
});
