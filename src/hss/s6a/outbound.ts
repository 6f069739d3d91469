// HSS-initiated S6a requests (CLR §7.2.7, IDR §7.2.9, DSR §7.2.11, RSR §7.2.15): built with a fresh Session-Id,
// sent through the node's router (so they can cross a DRA), retried on failure, and recorded. A
// request that still fails after the last attempt is logged at error level, never dropped silently.
import type { Logger } from 'pino';
import { avp, message } from '../../diameter/codec/builder.js';
import type { Avp, Message } from '../../diameter/codec/message.js';
import type { LocalContext } from '../../node/local-application.js';
import { NO_STATE_MAINTAINED, S6A_APPLICATION_ID, outcomeCode, vendorSpecificApplicationId } from './answer.js';

export interface OutboundTarget {
  /** The subscriber (User-Name); absent for RSR, which names subscribers by User-Id prefixes. */
  readonly imsi?: string;
  readonly host: string;
  readonly realm: string;
}

/** What happened to one HSS-initiated request. */
export interface OutboundRecord {
  readonly command: OutboundCommand;
  /** The subscriber, or '*' for an RSR. */
  readonly imsi: string;
  readonly host: string;
  readonly attempts: number;
  /** Result-Code or Experimental-Result-Code of the last answer (3002 when nobody answered). */
  readonly resultCode: number | undefined;
  readonly ok: boolean;
  readonly at: string;
}

export type OutboundCommand = 'CLR' | 'IDR' | 'DSR' | 'RSR';

const RECENT = 256;

export class Outbound {
  private ctx: LocalContext | undefined;
  private sessionLow = 0;
  private readonly sessionHigh = Math.floor(Date.now() / 1000) >>> 0;
  /** The last RECENT records, oldest first (GET-able by the API, asserted by tests). */
  readonly recent: OutboundRecord[] = [];
  private readonly listeners = new Set<(r: OutboundRecord) => void>();
  private readonly inFlight = new Set<Promise<OutboundRecord>>();

  constructor(
    private readonly attempts: number,
    private readonly retryDelayMs: number,
    private readonly log: () => Logger,
  ) {}

  attach(ctx: LocalContext): void {
    this.ctx = ctx;
  }

  onRecord(fn: (r: OutboundRecord) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves when every request sent so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Sends `command` with the common head and `body`; resolves with its record (never rejects). */
  send(command: OutboundCommand, t: OutboundTarget, body: (d: LocalContext['dict']) => Avp[]): Promise<OutboundRecord> {
    const p = this.run(command, t, body).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
    return p;
  }

  private async run(command: OutboundCommand, t: OutboundTarget, body: (d: LocalContext['dict']) => Avp[]): Promise<OutboundRecord> {
    const ctx = this.ctx;
    if (!ctx) throw new Error('S6a application not attached to a node');
    const d = ctx.dict;
    const sessionId = `${ctx.identity};${this.sessionHigh};${++this.sessionLow >>> 0}`;
    let code: number | undefined;
    let attempt: number;
    let e2e = 0;
    for (attempt = 1; attempt <= this.attempts; attempt++) {
      const avps: Avp[] = [
        avp(d, 'Session-Id', sessionId),
        vendorSpecificApplicationId(d),
        avp(d, 'Auth-Session-State', NO_STATE_MAINTAINED),
        avp(d, 'Origin-Host', ctx.identity),
        avp(d, 'Origin-Realm', ctx.realm),
        avp(d, 'Destination-Host', t.host),
        avp(d, 'Destination-Realm', t.realm),
        ...(t.imsi !== undefined ? [avp(d, 'User-Name', t.imsi)] : []),
        ...body(d),
      ];
      // Retransmissions keep the End-to-End id (RFC 6733 §6.1.3 duplicate detection), T bit set.
      const m: Message = message(d, command, avps, { hopByHopId: 0, endToEndId: attempt === 1 ? ctx.nextEndToEndId() : e2e }, S6A_APPLICATION_ID);
      if (attempt > 1) m.flags |= 0x10;
      e2e = m.endToEndId;
      try {
        code = outcomeCode(await ctx.request(m));
      } catch (err) {
        code = undefined;
        this.log().warn({ err: (err as Error).message, imsi: t.imsi, peer: t.host }, `${command} to ${t.host}: ${(err as Error).message}`);
      }
      if (code === 2001) break;
      // 5xxx from the MME is its final word (e.g. 5001 unknown user there); retry only transient ones.
      if (code !== undefined && code >= 5000) break;
      if (attempt < this.attempts) await new Promise((r) => setTimeout(r, this.retryDelayMs));
    }
    const who = t.imsi ?? '*';
    const rec: OutboundRecord = { command, imsi: who, host: t.host, attempts: Math.min(attempt, this.attempts), resultCode: code, ok: code === 2001, at: new Date().toISOString() };
    if (rec.ok) this.log().info({ imsi: who, peer: t.host, attempts: rec.attempts }, `${command} for ${who} answered 2001 by ${t.host}`);
    else this.log().error({ imsi: who, peer: t.host, resultCode: code, attempts: rec.attempts }, `${command} for ${who} to ${t.host} failed (${String(code)}) after ${rec.attempts} attempt(s)`);
    this.recent.push(rec);
    if (this.recent.length > RECENT) this.recent.shift();
    for (const fn of this.listeners) fn(rec);
    return rec;
  }
}
