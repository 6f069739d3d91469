// A small, real Diameter endpoint for relay tests: it connects over TCP to a node under test,
// exchanges CER/CEA, answers DWR and DPR, and either answers requests (2001, or a scripted
// Result-Code) naming itself in Origin-Host, or sends requests and collects the answers.
import { connect, type Socket } from 'node:net';
import { avp } from '../../src/diameter/codec/builder.js';
import { decodeMessage } from '../../src/diameter/codec/decode.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import { FrameDecoder } from '../../src/diameter/codec/frame-decoder.js';
import { findAvp, findAvps, type Avp, type Message } from '../../src/diameter/codec/message.js';
import { defaultDictionary } from '../../src/diameter/dictionary/load.js';
import { buildCer } from '../../src/diameter/peer/capabilities.js';

const dict = defaultDictionary();
export const S6A = 16777251;
export { dict as testDictionary };

export interface ScriptedPeerOptions {
  identity: string;
  realm: string;
  port: number;
  /** Applications advertised in the CER (default: S6a). */
  applications?: number[];
  /** How requests are answered: a Result-Code (default 2001), or 'silent' to never answer. */
  answer?: number | 'silent' | ((req: Message) => number | 'silent' | { resultCode: number; avps: Avp[] });
}

export class ScriptedPeer {
  readonly identity: string;
  readonly realm: string;
  private sock!: Socket;
  private readonly opts: ScriptedPeerOptions;
  /** Requests received (decoded), in order. */
  readonly received: Message[] = [];
  /** Answers received, by End-to-End id. */
  readonly answers = new Map<number, Message>();
  private waiters: ((m: Message) => void)[] = [];
  private hbh = 1;
  open = false;

  constructor(opts: ScriptedPeerOptions) {
    this.opts = opts;
    this.identity = opts.identity;
    this.realm = opts.realm;
  }

  async connect(): Promise<void> {
    this.sock = connect(this.opts.port, '127.0.0.1');
    await new Promise<void>((res, rej) => {
      this.sock.once('connect', res);
      this.sock.once('error', rej);
    });
    const dec = new FrameDecoder({ onFrame: (f) => this.onFrame(f), onError: () => this.sock.destroy() });
    this.sock.on('data', (c: Buffer) => dec.push(c));
    this.sock.on('error', () => undefined);
    const apps = this.opts.applications ?? [S6A];
    const local = {
      originHost: this.identity,
      originRealm: this.realm,
      vendorId: 0,
      productName: 'scripted',
      firmwareRevision: 1,
      originStateId: 1,
      authApplications: apps,
      acctApplications: [],
      vendorApplications: [],
    };
    const cea = this.next((m) => m.commandCode === 257);
    this.sock.write(encodeMessage(buildCer(dict, local, ['127.0.0.1'], { hopByHopId: this.hbh++, endToEndId: 1 }, false)));
    const m = await cea;
    const rc = findAvp(m.avps, 268)?.value;
    if (rc !== 2001) throw new Error(`${this.identity}: CEA ${String(rc)}`);
    this.open = true;
  }

  private next(pred: (m: Message) => boolean): Promise<Message> {
    return new Promise((res) => {
      const w = (m: Message): void => {
        if (pred(m)) {
          this.waiters = this.waiters.filter((x) => x !== w);
          res(m);
        }
      };
      this.waiters.push(w);
    });
  }

  private onFrame(f: Buffer): void {
    const { message: m } = decodeMessage(f, dict);
    if (!m) return;
    for (const w of [...this.waiters]) w(m);
    const isReq = (m.flags & 0x80) !== 0;
    if (!isReq) {
      this.answers.set(m.endToEndId, m);
      return;
    }
    if (m.commandCode === 280 || m.commandCode === 282) {
      this.reply(m, 2001);
      if (m.commandCode === 282) this.sock.end();
      return;
    }
    if (m.commandCode === 257) return;
    this.received.push(m);
    const a = this.opts.answer;
    const rc = typeof a === 'function' ? a(m) : (a ?? 2001);
    if (typeof rc === 'object') this.reply(m, rc.resultCode, rc.avps);
    else if (rc !== 'silent') this.reply(m, rc);
  }

  private reply(req: Message, resultCode: number, extra: Avp[] = []): void {
    const avps: Avp[] = [];
    const sid = findAvp(req.avps, 263);
    if (sid) avps.push(sid);
    avps.push(avp(dict, 'Result-Code', resultCode), avp(dict, 'Origin-Host', this.identity), avp(dict, 'Origin-Realm', this.realm), ...extra);
    const error = resultCode >= 3000 && resultCode < 4000;
    this.sock.write(
      encodeMessage({ version: 1, flags: (req.flags & 0x40) | (error ? 0x20 : 0), commandCode: req.commandCode, applicationId: req.applicationId, hopByHopId: req.hopByHopId, endToEndId: req.endToEndId, avps }),
    );
  }

  /** Sends an S6a-like request (ULR, 316); resolves with its answer. */
  request(
    e2e: number,
    fields: {
      destinationRealm?: string;
      destinationHost?: string;
      userName?: string;
      routeRecords?: string[];
      flags?: number;
      extra?: Avp[];
      commandCode?: number;
      applicationId?: number;
      /** Session-Id to send (default `IDENTITY;E2E`). */
      sessionId?: string;
    },
  ): Promise<Message> {
    const avps: Avp[] = [avp(dict, 'Session-Id', fields.sessionId ?? `${this.identity};${e2e}`), avp(dict, 'Auth-Session-State', 1), avp(dict, 'Origin-Host', this.identity), avp(dict, 'Origin-Realm', this.realm)];
    if (fields.destinationHost) avps.push(avp(dict, 'Destination-Host', fields.destinationHost));
    if (fields.destinationRealm) avps.push(avp(dict, 'Destination-Realm', fields.destinationRealm));
    if (fields.userName) avps.push(avp(dict, 'User-Name', fields.userName));
    for (const r of fields.routeRecords ?? []) avps.push(avp(dict, 'Route-Record', r));
    avps.push(...(fields.extra ?? []));
    const answer = this.next((m) => (m.flags & 0x80) === 0 && m.endToEndId === e2e);
    this.sock.write(encodeMessage({ version: 1, flags: fields.flags ?? 0xc0, commandCode: fields.commandCode ?? 316, applicationId: fields.applicationId ?? S6A, hopByHopId: this.hbh++, endToEndId: e2e, avps }));
    return answer;
  }

  /** Sends any request as given (hop-by-hop id filled in); resolves with the answer matching its End-to-End id. */
  sendMessage(m: Message): Promise<Message> {
    const answer = this.next((a) => (a.flags & 0x80) === 0 && a.endToEndId === m.endToEndId);
    this.sock.write(encodeMessage({ ...m, hopByHopId: this.hbh++ }));
    return answer;
  }

  /** Drops the connection without DPR (a crashed peer). */
  kill(): void {
    this.open = false;
    this.sock.destroy();
  }
}

export function resultCode(m: Message): number | undefined {
  const v = findAvp(m.avps, 268)?.value;
  return typeof v === 'number' ? v : undefined;
}

export function originHost(m: Message): string | undefined {
  const v = findAvp(m.avps, 264)?.value;
  return typeof v === 'string' ? v : undefined;
}

export function routeRecords(m: Message): string[] {
  return findAvps(m.avps, 282).map((a) => String(a.value));
}
