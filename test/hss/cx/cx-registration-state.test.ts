// Registration state per public identity (TS 29.228 §6.1.2) over real sockets: a SAR registers the
// IMPU it names with its implicit registration set (same `irs`, a barred member included, which a
// UAR may name too: its set has unbarred IMPUs) and nothing else; an IMPU of another set is
// registered by its own SAR, possibly at another S-CSCF;
// UAR, LIR, MAR and Sh UDR IMSUserState / S-CSCFName each read the state of the IMPU they name.
// The states live in the SQLite file: a node restarted on it answers the same.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { avp } from '../../../src/diameter/codec/builder.js';
import { findAvp, type Message } from '../../../src/diameter/codec/message.js';
import { createShApplication } from '../../../src/hss/sh/index.js';
import type { SqliteStore } from '../../../src/store/index.js';
import { resultCode } from '../../support/scripted-peer.js';
import { SH, cxRequest, dict, lir, mar, sar, startBed, uar, type Bed } from './cx-support.js';

const IMPI = 'hana@ims.test';
const HOME = 'sip:hana@ims.test';
const TEL = 'tel:+4420123';
const BARRED = 'sip:hana.barred@ims.test';
const WORK = 'sip:hana.work@ims.test';
const S1 = 'sip:scscf1.ims.test:6060';
const S2 = 'sip:scscf2.ims.test:6060';
const POOL = 'sip:pool.ims.test:6060';

function seed(s: SqliteStore): void {
  s.imsSubscribers.create(
    { impi: IMPI, authScheme: 'digest-md5', digestPassword: 'pw', impus: [{ impu: HOME }, { impu: TEL }, { impu: BARRED, barred: true }, { impu: WORK, irs: 1 }] },
    'test',
  );
}
const noSeed = (): void => undefined;
const withSh = (s: SqliteStore) => [createShApplication({ store: s })];

/** Server-Assignment-Type, TS 29.229 §6.3.15. */
const Sat = { REGISTRATION: 1, TIMEOUT_DEREGISTRATION: 4, USER_DEREGISTRATION: 5, USER_DEREGISTRATION_STORE_SERVER_NAME: 7 } as const;
const exp = (m: Message): number | undefined => findAvp(findAvp(m.avps, 297)?.avps, 298)?.value as number | undefined;
const serverName = (m: Message): string | undefined => findAvp(m.avps, 602, 10415)?.value as string | undefined;
/** [Result-Code or Experimental-Result-Code, Server-Name] of an answer. */
const outcome = (m: Message): [number | undefined, string | undefined] => [resultCode(m) ?? exp(m), serverName(m)];
const deregType = avp(dict, 'User-Authorization-Type', 1);

function udr(bed: Bed, impu: string, refs: number[]): Promise<Message> {
  return cxRequest(bed, 306, [avp(dict, 'User-Identity', [avp(dict, 'Public-Identity', impu)]), ...refs.map((r) => avp(dict, 'Data-Reference', r))], SH);
}
const shData = (m: Message): string => (findAvp(m.avps, 702, 10415)!.value as Buffer).toString('utf8');
/** The store's view, [impu, state, S-CSCF] per IMPU. */
const states = (bed: Bed): [string, string, string | null][] => bed.store.imsSubscribers.get(IMPI)!.impus.map((p) => [p.impu, p.registrationState, p.scscfName]);

let bed: Bed | undefined;
let dir: string | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('Cx state per public identity', () => {
  it('SAR registers the named IMPU with its set; another set registers by its own SAR; UAR, LIR, MAR and Sh read each IMPU', async () => {
    bed = await startBed(seed, { scscfPool: [POOL] }, undefined, withSh);
    expect(outcome(await cxRequest(bed, 300, uar(IMPI, BARRED)))).toEqual([2001, POOL]); // barred, but its set is not
    // MAR for the work identity records S2 on its set only.
    expect(resultCode(await cxRequest(bed, 303, mar(IMPI, WORK, { scheme: 'Digest-MD5', serverName: S2 })))).toBe(2001);
    expect(states(bed)).toEqual([
      [HOME, 'not-registered', null],
      [TEL, 'not-registered', null],
      [BARRED, 'not-registered', null],
      [WORK, 'not-registered', S2],
    ]);

    // REGISTRATION of HOME at S1: HOME, TEL and the barred member of set 0; WORK keeps its own.
    expect(resultCode(await cxRequest(bed, 301, sar(IMPI, [HOME], Sat.REGISTRATION, { serverName: S1 })))).toBe(2001);
    expect(states(bed)).toEqual([
      [HOME, 'registered', S1],
      [TEL, 'registered', S1],
      [BARRED, 'registered', S1],
      [WORK, 'not-registered', S2],
    ]);
    expect(outcome(await cxRequest(bed, 300, uar(IMPI, TEL)))).toEqual([2002, S1]); // SUBSEQUENT_REGISTRATION
    // The barred IMPU shares its set with unbarred ones: not refused (TS 29.228 §6.1.1.1).
    expect(outcome(await cxRequest(bed, 300, uar(IMPI, BARRED)))).toEqual([2002, S1]);
    expect(outcome(await cxRequest(bed, 300, uar(IMPI, WORK)))).toEqual([2001, S2]); // FIRST_REGISTRATION, the name the MAR left
    expect(outcome(await cxRequest(bed, 302, lir(TEL)))).toEqual([2001, S1]);
    expect(outcome(await cxRequest(bed, 302, lir(WORK)))).toEqual([5003, undefined]); // IDENTITY_NOT_REGISTERED, no services
    expect(shData(await udr(bed, HOME, [11, 12]))).toContain(`<S-CSCFName>${S1}</S-CSCFName><IMSUserState>1</IMSUserState>`);
    expect(shData(await udr(bed, WORK, [11]))).toContain('<IMSUserState>0</IMSUserState>');

    // WORK registers by its own SAR, at S2.
    expect(resultCode(await cxRequest(bed, 301, sar(IMPI, [WORK], Sat.REGISTRATION, { serverName: S2 })))).toBe(2001);
    expect(outcome(await cxRequest(bed, 300, uar(IMPI, WORK)))).toEqual([2002, S2]);
    expect(outcome(await cxRequest(bed, 300, uar(IMPI, WORK, [deregType])))).toEqual([2001, S2]);
    expect(outcome(await cxRequest(bed, 302, lir(WORK)))).toEqual([2001, S2]);
    expect(outcome(await cxRequest(bed, 302, lir(HOME)))).toEqual([2001, S1]);

    // HOME's user de-registration from S1 clears set 0 only.
    expect(resultCode(await cxRequest(bed, 301, sar(IMPI, [HOME], Sat.USER_DEREGISTRATION, { serverName: S1 })))).toBe(2001);
    expect(states(bed)).toEqual([
      [HOME, 'not-registered', null],
      [TEL, 'not-registered', null],
      [BARRED, 'not-registered', null],
      [WORK, 'registered', S2],
    ]);
    expect(outcome(await cxRequest(bed, 300, uar(IMPI, HOME)))).toEqual([2001, POOL]);
    expect(outcome(await cxRequest(bed, 300, uar(IMPI, HOME, [deregType])))).toEqual([5003, undefined]);
    expect(outcome(await cxRequest(bed, 302, lir(HOME)))).toEqual([5003, undefined]);
    expect(shData(await udr(bed, HOME, [11]))).toContain('<IMSUserState>0</IMSUserState>');
    expect(shData(await udr(bed, WORK, [11, 12]))).toContain(`<S-CSCFName>${S2}</S-CSCFName><IMSUserState>1</IMSUserState>`);
    // The IMPI-level summary follows the most registered IMPU.
    expect(bed.store.imsSubscribers.get(IMPI)).toMatchObject({ registrationState: 'registered', scscfName: S2 });

    // A SAR naming no public identity is about all of them (here: WORK's timeout at S2).
    expect(resultCode(await cxRequest(bed, 301, sar(IMPI, [], Sat.TIMEOUT_DEREGISTRATION, { serverName: S2 })))).toBe(2001);
    expect(states(bed).map((s) => s[1])).toEqual(['not-registered', 'not-registered', 'not-registered', 'not-registered']);
  });

  it('a de-registration from another S-CSCF leaves each IMPU assigned where it is', async () => {
    bed = await startBed(seed, {}, undefined);
    await cxRequest(bed, 301, sar(IMPI, [HOME], Sat.REGISTRATION, { serverName: S1 }));
    await cxRequest(bed, 301, sar(IMPI, [WORK], Sat.REGISTRATION, { serverName: S2 }));
    // S2 de-registers everything it can: only WORK is its own.
    expect(resultCode(await cxRequest(bed, 301, sar(IMPI, [], Sat.USER_DEREGISTRATION, { serverName: S2 })))).toBe(2001);
    expect(states(bed)).toEqual([
      [HOME, 'registered', S1],
      [TEL, 'registered', S1],
      [BARRED, 'registered', S1],
      [WORK, 'not-registered', null],
    ]);
  });

  it('survives a restart: a node on the same SQLite file answers UAR and LIR per IMPU as before', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'diamond-cx-state-'));
    const file = path.join(dir, 'diamond.sqlite');
    bed = await startBed(seed, {}, undefined, undefined, file);
    await cxRequest(bed, 301, sar(IMPI, [HOME], Sat.REGISTRATION, { serverName: S1 }));
    await cxRequest(bed, 301, sar(IMPI, [WORK], Sat.REGISTRATION, { serverName: S2 }));
    await cxRequest(bed, 301, sar(IMPI, [WORK], Sat.USER_DEREGISTRATION_STORE_SERVER_NAME, { serverName: S2 }));
    await bed.close();

    bed = await startBed(noSeed, {}, undefined, withSh, file);
    expect(outcome(await cxRequest(bed, 300, uar(IMPI, HOME)))).toEqual([2002, S1]);
    expect(outcome(await cxRequest(bed, 300, uar(IMPI, TEL)))).toEqual([2002, S1]);
    // WORK kept its S-CSCF name but is not registered: a first registration towards S2.
    expect(outcome(await cxRequest(bed, 300, uar(IMPI, WORK)))).toEqual([2001, S2]);
    expect(outcome(await cxRequest(bed, 302, lir(HOME)))).toEqual([2001, S1]);
    expect(outcome(await cxRequest(bed, 302, lir(WORK)))).toEqual([5003, undefined]);
    expect(shData(await udr(bed, WORK, [11]))).toContain('<IMSUserState>0</IMSUserState>');
  });
});

