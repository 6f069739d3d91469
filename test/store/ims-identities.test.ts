// IMS public identities on a real SQLite file: editing the IMPU list keeps the rows that stay (and
// their Sh data and registration state) and deletes only the removed ones; registration state and
// S-CSCF per IMPU (migration 2 carries a version-1 file's per-IMPI state to each IMPU), written
// group-committed by Cx (seen at once, on disk when the promise resolves, events after the commit);
// IMS subscription groups (Associated-Identities); the profile read cache (emptied by profile
// changes of any connection, kept across registration-state writes).
import Database from 'better-sqlite3';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { MIGRATIONS, openDatabase, openSqliteStore, type ImsRegistrationChangedEvent, type ImsSubscriberChangedEvent } from '../../src/store/index.js';
import { tempStore, type TempStore } from './helpers.js';

let t: TempStore;
beforeEach(() => (t = tempStore()));
afterEach(() => t.cleanup());

const IMPI = 'dave@ims.test';
const SIP = 'sip:dave@ims.test';
const TEL = 'tel:+4930123';
const WORK = 'sip:dave.work@ims.test';
const S1 = 'sip:scscf1.ims.test:6060';

function seed(): void {
  t.store.imsSubscribers.create({ impi: IMPI, authScheme: 'digest-md5', digestPassword: 'pw', impus: [{ impu: SIP }, { impu: TEL }, { impu: WORK, irs: 1 }] }, 'test');
}

const put = (impu: string, si: string, data: string): void => {
  const w = t.store.sh.putData(impu, si, 0, Buffer.from(data), (cur) => cur === undefined);
  expect(w.ok).toBe(true);
};
const states = (): [string, string, string | null][] => t.store.imsSubscribers.get(IMPI)!.impus.map((p) => [p.impu, p.registrationState, p.scscfName]);
/** The rows as another connection on the file reads them. */
function onDisk(file: string): [string, string, string | null][] {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT impu, registration_state, scscf_name FROM ims_public_identity WHERE impi = ? ORDER BY position').all(IMPI) as { impu: string; registration_state: string; scscf_name: string | null }[];
    return rows.map((r) => [r.impu, r.registration_state, r.scscf_name]);
  } finally {
    db.close();
  }
}

describe('editing the IMPU list', () => {
  it('keeps the Sh data, subscriptions and state of IMPUs that stay; a removed IMPU takes its own with it', () => {
    seed();
    put(SIP, 'mmtel', '<cfu>sip:voicemail@ims.test</cfu>');
    put(TEL, 'mmtel', '<x/>');
    t.store.sh.subscribe({ impu: SIP, dataReference: 11, serviceIndication: null, originHost: 'as1.ims.test', originRealm: 'ims.test', expiresAt: null });
    t.store.sh.subscribe({ impu: TEL, dataReference: 11, serviceIndication: null, originHost: 'as1.ims.test', originRealm: 'ims.test', expiresAt: null });
    t.store.imsSubscribers.setServer(IMPI, S1, 'registered', [SIP, TEL]);

    // TEL goes, SIP stays (moved to second place, now barred), a new IMPU joins SIP's set.
    const NEW = 'sip:dave.new@ims.test';
    const after = t.store.imsSubscribers.update(IMPI, { impus: [{ impu: NEW }, { impu: SIP, barred: true }, { impu: WORK, irs: 1 }] }, 'test');
    expect(after.impus.map((p) => [p.impu, p.barred, p.irs])).toEqual([
      [NEW, false, 0],
      [SIP, true, 0],
      [WORK, false, 1],
    ]);
    expect(t.store.sh.getData(SIP, 'mmtel')?.data.toString()).toBe('<cfu>sip:voicemail@ims.test</cfu>');
    expect(t.store.sh.subscribers(SIP, 11, null, new Date()).map((s) => s.originHost)).toEqual(['as1.ims.test']);
    expect(t.store.sh.getData(TEL, 'mmtel')).toBeUndefined();
    expect(t.store.sh.subscribers(TEL, 11, null, new Date())).toEqual([]);
    expect(t.store.db.prepare('SELECT count(*) AS n FROM sh_repository_data WHERE impu = ?').get(TEL)).toEqual({ n: 0 });
    // SIP kept its registration; the new IMPU of its set is registered with it; WORK (another set) is not.
    expect(states()).toEqual([
      [NEW, 'registered', S1],
      [SIP, 'registered', S1],
      [WORK, 'not-registered', null],
    ]);
    // The removed IMPU is free for another IMPI now; the data does not come back with it.
    t.store.imsSubscribers.create({ impi: 'erin@ims.test', authScheme: 'digest-md5', digestPassword: 'pw', impus: [{ impu: TEL }] }, 'test');
    expect(t.store.sh.getData(TEL, 'mmtel')).toBeUndefined();
  });

  it('the same list again changes nothing but the order fields; a taken IMPU is a 409 and nothing is written', () => {
    seed();
    t.store.imsSubscribers.create({ impi: 'erin@ims.test', authScheme: 'digest-md5', digestPassword: 'pw', impus: [{ impu: 'sip:erin@ims.test' }] }, 'test');
    put(TEL, 'mmtel', '<x/>');
    let err: unknown;
    try {
      t.store.imsSubscribers.update(IMPI, { impus: [{ impu: SIP }, { impu: 'sip:erin@ims.test' }] }, 'test');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: ErrorCode.STORE_CONFLICT, field: 'impus[1].impu' });
    // The failed edit rolled back: TEL and its data are still there.
    expect(t.store.imsSubscribers.get(IMPI)!.impus.map((p) => p.impu)).toEqual([SIP, TEL, WORK]);
    expect(t.store.sh.getData(TEL, 'mmtel')).toBeDefined();
    const seen: ImsSubscriberChangedEvent[] = [];
    t.store.on('ims-subscriber-changed', (e) => seen.push(e));
    t.store.imsSubscribers.update(IMPI, { impus: [{ impu: WORK, irs: 1 }, { impu: TEL }, { impu: SIP }] }, 'test');
    expect(t.store.imsSubscribers.get(IMPI)!.impus.map((p) => p.impu)).toEqual([WORK, TEL, SIP]);
    expect(t.store.sh.getData(TEL, 'mmtel')).toBeDefined();
    expect(seen.map((e) => [e.fields, e.impus])).toEqual([[['impus'], [WORK, TEL, SIP]]]);
  });
});

describe('registration state per public identity (TS 29.228 §6.1.2)', () => {
  it('setServer changes only the IMPUs named, emits one event per former state, and the IMPI view summarises', () => {
    seed();
    const events: ImsRegistrationChangedEvent[] = [];
    t.store.on('ims-registration-changed', (e) => events.push(e));
    expect(t.store.imsSubscribers.setServer(IMPI, S1, 'registered', [SIP, TEL])).toBe(true);
    expect(states()).toEqual([
      [SIP, 'registered', S1],
      [TEL, 'registered', S1],
      [WORK, 'not-registered', null],
    ]);
    expect(t.store.imsSubscribers.get(IMPI)).toMatchObject({ registrationState: 'registered', scscfName: S1 });
    t.store.imsSubscribers.setServer(IMPI, 'sip:scscf2.ims.test', 'unregistered', [WORK]);
    // All IMPUs: two were registered at S1, one unregistered at scscf2 → two events.
    events.length = 0;
    t.store.imsSubscribers.setServer(IMPI, null, 'not-registered');
    expect(events.map((e) => [e.impus, e.previous, e.previousScscfName, e.state])).toEqual([
      [[SIP, TEL], 'registered', S1, 'not-registered'],
      [[WORK], 'unregistered', 'sip:scscf2.ims.test', 'not-registered'],
    ]);
    // Nothing changes: no event.
    events.length = 0;
    t.store.imsSubscribers.setServer(IMPI, null, 'not-registered');
    expect(events).toEqual([]);
    expect(t.store.imsSubscribers.get(IMPI)).toMatchObject({ registrationState: 'not-registered', scscfName: null });
    expect(t.store.imsSubscribers.setServer('nobody@ims.test', S1, 'registered')).toBe(false);
    expect(t.store.imsSubscribers.setServer(IMPI, S1, 'registered', ['sip:not-dave@ims.test'])).toBe(false);
  });

  it('assign (Cx SAR) is group-committed: read at once, on disk and announced once the promise resolves', async () => {
    seed();
    const events: ImsRegistrationChangedEvent[] = [];
    t.store.on('ims-registration-changed', (e) => events.push(e));
    const before = onDisk(t.file);
    const done = t.store.imsSubscribers.assign(IMPI, [
      { impu: SIP, scscfName: S1, state: 'registered' },
      { impu: TEL, scscfName: S1, state: 'registered' },
    ]);
    // Queued, not committed: this connection reads the new state, the file still has the old one.
    expect(states()).toEqual([
      [SIP, 'registered', S1],
      [TEL, 'registered', S1],
      [WORK, 'not-registered', null],
    ]);
    expect(t.store.imsSubscribers.getByImpu(TEL)).toMatchObject({ registrationState: 'registered', scscfName: S1 });
    expect(onDisk(t.file)).toEqual(before);
    expect(events).toEqual([]);
    // A second write behind the first, in the same batch: applies on top of it.
    const second = t.store.imsSubscribers.assign(IMPI, [{ impu: TEL, scscfName: null, state: 'not-registered' }]);
    expect(await done).toBe(true);
    expect(await second).toBe(true);
    expect(onDisk(t.file)).toEqual([
      [SIP, 'registered', S1],
      [TEL, 'not-registered', null],
      [WORK, 'not-registered', null],
    ]);
    expect(states()).toEqual(onDisk(t.file));
    expect(events.map((e) => [e.impus, e.previous, e.state, e.previousScscfName, e.scscfName])).toEqual([
      [[SIP, TEL], 'not-registered', 'registered', null, S1],
      [[TEL], 'registered', 'not-registered', S1, null],
    ]);
    // Nothing to change: no write, no event.
    events.length = 0;
    expect(await t.store.imsSubscribers.assign(IMPI, [{ impu: SIP, scscfName: S1, state: 'registered' }])).toBe(false);
    expect(events).toEqual([]);
  });

  it('recordServerName (Cx MAR) fills the S-CSCF only where there is none and never writes the state', async () => {
    seed();
    const events: ImsRegistrationChangedEvent[] = [];
    t.store.on('ims-registration-changed', (e) => events.push(e));
    // A SAR registered SIP and TEL at S1 (queued), then the MAR of the same registration records S2.
    const sar = t.store.imsSubscribers.assign(IMPI, [
      { impu: SIP, scscfName: S1, state: 'registered' },
      { impu: TEL, scscfName: S1, state: 'registered' },
    ]);
    const mar = t.store.imsSubscribers.recordServerName(IMPI, [SIP, TEL, WORK], 'sip:scscf2.ims.test');
    expect(await mar).toEqual([WORK]);
    await sar;
    const want: [string, string, string | null][] = [
      [SIP, 'registered', S1],
      [TEL, 'registered', S1],
      [WORK, 'not-registered', 'sip:scscf2.ims.test'],
    ];
    expect(states()).toEqual(want);
    expect(onDisk(t.file)).toEqual(want);
    expect(events.map((e) => [e.impus, e.previous, e.state, e.previousScscfName, e.scscfName])).toContainEqual([[WORK], 'not-registered', 'not-registered', null, 'sip:scscf2.ims.test']);
    // The MAR queued first, a de-registration behind it: the de-registration wins, in memory and on disk.
    t.store.imsSubscribers.setServer(IMPI, null, 'not-registered');
    const m2 = t.store.imsSubscribers.recordServerName(IMPI, [SIP], S1);
    const d2 = t.store.imsSubscribers.assign(IMPI, [{ impu: SIP, scscfName: null, state: 'not-registered' }]);
    expect(states()[0]).toEqual([SIP, 'not-registered', null]);
    await Promise.all([m2, d2]);
    expect(onDisk(t.file)[0]).toEqual([SIP, 'not-registered', null]);
    expect(states()[0]).toEqual([SIP, 'not-registered', null]);
  });

  it('setServer (API, RTR) commits after the queued writes, not under them', async () => {
    seed();
    const queued = t.store.imsSubscribers.assign(IMPI, [{ impu: SIP, scscfName: S1, state: 'registered' }]);
    t.store.imsSubscribers.setServer(IMPI, null, 'not-registered', [SIP]);
    await queued;
    expect(onDisk(t.file)[0]).toEqual([SIP, 'not-registered', null]);
    expect(states()[0]).toEqual([SIP, 'not-registered', null]);
  });

  it('survives closing and reopening the file', () => {
    seed();
    t.store.imsSubscribers.setServer(IMPI, S1, 'registered', [SIP, TEL]);
    t.store.imsSubscribers.setServer(IMPI, 'sip:scscf2.ims.test', 'unregistered', [WORK]);
    t.store.close();
    t.store = openSqliteStore(t.file);
    expect(states()).toEqual([
      [SIP, 'registered', S1],
      [TEL, 'registered', S1],
      [WORK, 'unregistered', 'sip:scscf2.ims.test'],
    ]);
  });

  it('migration 2 gives every IMPU of a version-1 file the state and S-CSCF its IMPI had', () => {
    t.store.close();
    const file = `${t.file}.v1`;
    const v1 = openDatabase(file, {}, MIGRATIONS.filter((m) => m.version === 1));
    const now = new Date().toISOString();
    const sub = v1.prepare(
      `INSERT INTO ims_subscriber (impi, auth_scheme, digest_password, scscf_name, registration_state, scscf_updated_at, created_at, updated_at)
       VALUES (?, 'digest-md5', 'pw', ?, ?, ?, ?, ?)`,
    );
    const impu = v1.prepare('INSERT INTO ims_public_identity (impu, impi, position, barred, irs) VALUES (?, ?, ?, 0, 0)');
    sub.run('reg@ims.test', S1, 'registered', now, now, now);
    sub.run('idle@ims.test', null, 'not-registered', null, now, now);
    impu.run('sip:reg@ims.test', 'reg@ims.test', 0);
    impu.run('tel:+111', 'reg@ims.test', 1);
    impu.run('sip:idle@ims.test', 'idle@ims.test', 0);
    v1.prepare('INSERT INTO sh_repository_data (impu, service_indication, sequence_number, data) VALUES (?, ?, 3, ?)').run('tel:+111', 'mmtel', Buffer.from('<x/>'));
    expect(v1.pragma('user_version', { simple: true })).toBe(1);
    v1.close();

    t.store = openSqliteStore(file);
    expect(t.store.schemaVersion).toBeGreaterThanOrEqual(2); // later migrations run too
    expect(t.store.imsSubscribers.get('reg@ims.test')!.impus.map((p) => [p.impu, p.registrationState, p.scscfName])).toEqual([
      ['sip:reg@ims.test', 'registered', S1],
      ['tel:+111', 'registered', S1],
    ]);
    expect(t.store.imsSubscribers.get('reg@ims.test')).toMatchObject({ registrationState: 'registered', scscfName: S1, subscriptionId: null });
    expect(t.store.imsSubscribers.get('idle@ims.test')!.impus.map((p) => [p.registrationState, p.scscfName])).toEqual([['not-registered', null]]);
    expect(t.store.sh.getData('tel:+111', 'mmtel')?.sequenceNumber).toBe(3);
    // One place holds the state now: the IMPI table lost its columns.
    const cols = (t.store.db.prepare('PRAGMA table_info(ims_subscriber)').all() as { name: string }[]).map((c) => c.name);
    expect(cols).not.toContain('registration_state');
    expect(cols).not.toContain('scscf_name');
    expect(cols).toContain('subscription_id');
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare("SELECT scscf_updated_at FROM ims_public_identity WHERE impu = 'tel:+111'").get()).toEqual({ scscf_updated_at: now });
    raw.close();
  });
});

describe('the IMS profile read cache', () => {
  it('keeps profiles across registration-state writes, whoever makes them; profile changes by any connection empty it', async () => {
    seed();
    const other = openSqliteStore(t.file);
    try {
      const cache = t.store.imsSubscribers.profileCache<{ n: number }>();
      let loads = 0;
      const derived = (): { n: number } | undefined => cache.get(IMPI, () => ({ n: ++loads }));
      expect(derived()).toEqual({ n: 1 });
      // State writes: the hot path's, and another connection's (seen at once: states are not cached).
      await t.store.imsSubscribers.assign(IMPI, [{ impu: SIP, scscfName: S1, state: 'registered' }]);
      other.imsSubscribers.setServer(IMPI, 'sip:scscf2.ims.test', 'unregistered', [WORK]);
      expect(states()).toEqual([
        [SIP, 'registered', S1],
        [TEL, 'not-registered', null],
        [WORK, 'unregistered', 'sip:scscf2.ims.test'],
      ]);
      await nextTurn();
      expect(derived()).toEqual({ n: 1 });

      // Another connection bars TEL: seen from the next event-loop turn, and the cache is emptied.
      other.imsSubscribers.update(IMPI, { impus: [{ impu: SIP }, { impu: TEL, barred: true }, { impu: WORK, irs: 1 }] }, 'test');
      await nextTurn();
      expect(t.store.imsSubscribers.get(IMPI)!.impus.map((p) => p.barred)).toEqual([false, true, false]);
      expect(derived()).toEqual({ n: 2 });
      // ... as by an iFC template or MSISDN change through this store.
      const tpl = t.store.ifcTemplates.create({ name: 'x', xml: '<InitialFilterCriteria><Priority>1</Priority><ApplicationServer><ServerName>sip:as.ims.test</ServerName></ApplicationServer></InitialFilterCriteria>' }, 'test');
      expect(derived()).toEqual({ n: 3 });
      t.store.imsSubscribers.update(IMPI, { ifcTemplateId: tpl.id }, 'test');
      expect(derived()).toEqual({ n: 4 });
      other.ifcTemplates.update(tpl.id, { name: 'y' }, 'test');
      await nextTurn();
      expect(derived()).toEqual({ n: 5 });
      // Another connection moves TEL to another IMPI: getByImpu follows from the next turn.
      other.imsSubscribers.update(IMPI, { impus: [{ impu: SIP }, { impu: WORK, irs: 1 }] }, 'test');
      other.imsSubscribers.create({ impi: 'erin@ims.test', authScheme: 'digest-md5', digestPassword: 'pw', impus: [{ impu: TEL }] }, 'test');
      await nextTurn();
      expect(t.store.imsSubscribers.getByImpu(TEL)?.impi).toBe('erin@ims.test');
    } finally {
      other.close();
    }
  });
});

describe('IMS subscriptions shared by several IMPIs (TS 23.228 §4.3.3.1)', () => {
  it('associatedImpis lists the other IMPIs with the same subscriptionId; null or a lone key lists none', () => {
    const mk = (impi: string, subscriptionId?: string | null): void => {
      t.store.imsSubscribers.create({ impi, authScheme: 'digest-md5', digestPassword: 'pw', subscriptionId, impus: [{ impu: `sip:${impi}` }] }, 'test');
    };
    mk('b@ims.test', 'family-1');
    mk('a@ims.test', 'family-1');
    mk('c@ims.test', 'family-1');
    mk('d@ims.test', 'alone');
    mk('e@ims.test');
    expect(t.store.imsSubscribers.associatedImpis('a@ims.test')).toEqual(['b@ims.test', 'c@ims.test']);
    expect(t.store.imsSubscribers.associatedImpis('c@ims.test')).toEqual(['a@ims.test', 'b@ims.test']);
    expect(t.store.imsSubscribers.associatedImpis('d@ims.test')).toEqual([]);
    expect(t.store.imsSubscribers.associatedImpis('e@ims.test')).toEqual([]);
    expect(t.store.imsSubscribers.get('a@ims.test')!.subscriptionId).toBe('family-1');
    t.store.imsSubscribers.update('c@ims.test', { subscriptionId: null }, 'test');
    expect(t.store.imsSubscribers.associatedImpis('a@ims.test')).toEqual(['b@ims.test']);
    t.store.imsSubscribers.update('d@ims.test', { subscriptionId: 'family-1' }, 'test');
    expect(t.store.imsSubscribers.associatedImpis('b@ims.test')).toEqual(['a@ims.test', 'd@ims.test']);
    let err: unknown;
    try {
      t.store.imsSubscribers.update('e@ims.test', { subscriptionId: 'has space' }, 'test');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: ErrorCode.STORE_INVALID, field: 'subscriptionId' });
    const plan = (t.store.db.prepare('EXPLAIN QUERY PLAN SELECT impi FROM ims_subscriber WHERE subscription_id = ?').all('x') as { detail: string }[]).map((r) => r.detail).join();
    expect(plan).toContain('ims_subscriber_subscription');
  });
});
