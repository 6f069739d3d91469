// Sh data the HSS keeps for application servers (TS 29.328 §6.1.2, §6.1.3, §7.6.1): transparent
// repository data per (IMPU, Service-Indication) with its sequence number, and SNR subscriptions
// with their expiry. The sequence-number rule itself belongs to src/hss/sh; this file only makes
// the read-check-write of a PUR (or an API write) one transaction, so a CLI or a second process
// cannot slip between. Every committed change is announced after commit ('sh-repository-changed'):
// the Sh application sends the PNRs, whoever wrote.
import type { Statement } from 'better-sqlite3';
import type { Actor, ShDataSet, ShDataWrite, ShRepository, ShRepositoryChangedEvent, ShRepositoryData, ShRepositoryEntry, ShSubscription, ShSubscriptionInput } from '../model.js';
import { ErrorCode } from '../../errors.js';
import { StoreError, conflict } from '../store-error.js';
import type { Ctx } from './shared.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** ServiceData for the audit log: text when it is UTF-8 (it normally is XML), else base64. */
function auditData(data: Buffer): { data: string; encoding: 'utf8' | 'base64' } {
  try {
    return { data: utf8.decode(data), encoding: 'utf8' };
  } catch {
    return { data: data.toString('base64'), encoding: 'base64' };
  }
}

interface DataRow {
  impu: string;
  service_indication: string;
  sequence_number: number;
  data: Buffer;
}

interface SubRow {
  id: number;
  impu: string;
  data_reference: number;
  service_indication: string | null;
  origin_host: string;
  origin_realm: string;
  expires_at: string | null;
}

const toData = (r: DataRow): ShRepositoryData => ({ impu: r.impu, serviceIndication: r.service_indication, sequenceNumber: r.sequence_number, data: r.data });
const toSub = (r: SubRow): ShSubscription => ({
  id: r.id,
  impu: r.impu,
  dataReference: r.data_reference,
  serviceIndication: r.service_indication,
  originHost: r.origin_host,
  originRealm: r.origin_realm,
  expiresAt: r.expires_at,
});

export class SqliteShData implements ShRepository {
  private readonly ctx: Ctx;
  private readonly byKey: Statement<[string, string], DataRow>;
  private readonly upsert: Statement<[string, string, number, Buffer]>;
  private readonly remove: Statement<[string, string]>;
  private readonly impuExists: Statement<[string], { impu: string }>;
  private readonly entriesOf: Statement<[string], { service_indication: string; sequence_number: number; size: number }>;
  private readonly subsOf: Statement<[string, number, string | null, string], SubRow>;
  private readonly dropSub: Statement<[string, number, string | null, string]>;

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    const db = ctx.db;
    this.byKey = db.prepare('SELECT * FROM sh_repository_data WHERE impu = ? AND service_indication = ?');
    this.upsert = db.prepare(
      `INSERT INTO sh_repository_data (impu, service_indication, sequence_number, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (impu, service_indication) DO UPDATE SET sequence_number = excluded.sequence_number, data = excluded.data`,
    );
    this.remove = db.prepare('DELETE FROM sh_repository_data WHERE impu = ? AND service_indication = ?');
    this.impuExists = db.prepare('SELECT impu FROM ims_public_identity WHERE impu = ?');
    this.entriesOf = db.prepare('SELECT service_indication, sequence_number, length(data) AS size FROM sh_repository_data WHERE impu = ? ORDER BY service_indication');
    // `IS` compares NULL with NULL as equal: one statement for RepositoryData and the other references.
    this.subsOf = db.prepare(
      `SELECT * FROM sh_subscription WHERE impu = ? AND data_reference = ? AND service_indication IS ?
         AND (expires_at IS NULL OR expires_at > ?) ORDER BY id`,
    );
    this.dropSub = db.prepare('DELETE FROM sh_subscription WHERE impu = ? AND data_reference = ? AND service_indication IS ? AND origin_host = ?');
  }

  getData(impu: string, serviceIndication: string): ShRepositoryData | undefined {
    const r = this.byKey.get(impu, serviceIndication);
    return r ? toData(r) : undefined;
  }

  putData(impu: string, serviceIndication: string, sequenceNumber: number, data: Buffer | null, accept: (current: number | undefined) => boolean, writer = ''): ShDataWrite {
    return this.ctx.write((): ShDataWrite => {
      if (!this.impuExists.get(impu)) return { ok: false, reason: 'unknown-identity', current: undefined };
      const row = this.byKey.get(impu, serviceIndication);
      const current = row ? toData(row) : undefined;
      if (data === null && !current) return { ok: false, reason: 'absent', current };
      if (!accept(current?.sequenceNumber)) return { ok: false, reason: 'out-of-sync', current };
      this.store(impu, serviceIndication, sequenceNumber, data);
      this.ctx.later('sh-repository-changed', { impu, serviceIndication, sequenceNumber, data, writer });
      return { ok: true, previous: current };
    });
  }

  listData(impu: string): ShRepositoryEntry[] {
    return this.entriesOf.all(impu).map((r) => ({ serviceIndication: r.service_indication, sequenceNumber: r.sequence_number, size: r.size }));
  }

  setData(impu: string, serviceIndication: string, set: ShDataSet, actor: Actor): ShRepositoryChangedEvent {
    return this.ctx.write((): ShRepositoryChangedEvent => {
      if (!this.impuExists.get(impu)) throw new StoreError(ErrorCode.STORE_NOT_FOUND, `public identity ${impu} does not exist`, 'impu');
      const current = this.byKey.get(impu, serviceIndication)?.sequence_number;
      if (set.data === null && current === undefined) throw new StoreError(ErrorCode.STORE_NOT_FOUND, `no repository data ${serviceIndication} for ${impu}`, 'serviceIndication');
      if (set.expectedSequenceNumber !== undefined && set.expectedSequenceNumber !== current) {
        const now = current === undefined ? 'none is stored' : `the stored one is ${current}`;
        throw conflict('expectedSequenceNumber', `expectedSequenceNumber: ${set.expectedSequenceNumber} is not current (${now}); read the data again`);
      }
      // TS 29.328 §7.6.1: new data starts at 0; updates and deletions carry the next number.
      const sequenceNumber = current === undefined ? 0 : set.next(current);
      this.store(impu, serviceIndication, sequenceNumber, set.data);
      const action = set.data === null ? 'delete' : current === undefined ? 'create' : 'update';
      const details = set.data === null ? { sequenceNumber } : { sequenceNumber, ...auditData(set.data) };
      this.ctx.audit(actor, action, 'sh-repository-data', `${impu}/${serviceIndication}`, details);
      const change: ShRepositoryChangedEvent = { impu, serviceIndication, sequenceNumber, data: set.data, writer: actor };
      this.ctx.later('sh-repository-changed', change);
      return change;
    });
  }

  private store(impu: string, serviceIndication: string, sequenceNumber: number, data: Buffer | null): void {
    if (data === null) this.remove.run(impu, serviceIndication);
    else this.upsert.run(impu, serviceIndication, sequenceNumber, data);
  }

  subscribe(input: ShSubscriptionInput): ShSubscription {
    return this.ctx.write(() => {
      this.dropSub.run(input.impu, input.dataReference, input.serviceIndication, input.originHost);
      const r = this.ctx.db
        .prepare('INSERT INTO sh_subscription (impu, data_reference, service_indication, origin_host, origin_realm, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(input.impu, input.dataReference, input.serviceIndication, input.originHost, input.originRealm, input.expiresAt);
      return { id: Number(r.lastInsertRowid), ...input };
    });
  }

  unsubscribe(impu: string, dataReference: number, serviceIndication: string | null, originHost: string): number {
    return this.dropSub.run(impu, dataReference, serviceIndication, originHost).changes;
  }

  subscribers(impu: string, dataReference: number, serviceIndication: string | null, now: Date): ShSubscription[] {
    return this.subsOf.all(impu, dataReference, serviceIndication, now.toISOString()).map(toSub);
  }

  purgeExpired(now: Date): number {
    return this.ctx.db.prepare('DELETE FROM sh_subscription WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now.toISOString()).changes;
  }
}
