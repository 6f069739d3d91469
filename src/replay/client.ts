// The replay's own Diameter connection (RFC 6733 §5.3 CER/CEA, §5.5 DWR/DWA, §5.4 DPR/DPA), kept
// minimal on purpose: it connects once, never reconnects, and hands every other frame to its owner.
// Over TCP, or over kernel SCTP through the transport's addon (RFC 6733 §2.1.1: PPID 46, the base
// protocol on stream 0, so nothing else goes before the CEA makes the node OPEN).
import { connect, type Socket } from 'node:net';
import type { Dictionary } from '../diameter/dictionary/dictionary.js';
import { avp } from '../diameter/codec/builder.js';
import { answerTo } from '../diameter/codec/answer.js';
import { decodeMessage } from '../diameter/codec/decode.js';
import { encodeMessage } from '../diameter/codec/encode.js';
import { FrameDecoder } from '../diameter/codec/frame-decoder.js';
import { findAvp, type Message } from '../diameter/codec/message.js';
import { buildCer, type LocalCapabilities } from '../diameter/peer/capabilities.js';
import { connect as transportConnect } from '../diameter/transport/transport.js';
import { DiamondError, ErrorCode } from '../errors.js';

const CER = 257;
const DWR = 280;
const DPR = 282;
const FLAG_R = 0x80;

export interface ClientHandlers {
  /** An answer to one of our requests. */
  onAnswer(frame: Buffer): void;
  /** A request from the node other than DWR/DPR; return the answer bytes (ids are set for you). */
  onRequest(frame: Buffer): Buffer;
  /** The connection ended; `reason` says why. */
  onClosed(reason: string): void;
}

export type ReplayTransport = 'tcp' | 'sctp';

export interface ClientOptions {
  host: string;
  port: number;
  /** Default tcp. */
  transport?: ReplayTransport | undefined;
  dict: Dictionary;
  local: LocalCapabilities;
  /** Wait for the connection (TCP connect or SCTP association) and then the CEA (ms). */
  timeoutMs: number;
  maxMessageSize?: number;
}

function targetOf(opts: ClientOptions): string {
  return `${opts.host}:${opts.port}${opts.transport === 'sctp' ? ' (SCTP)' : ''}`;
}

export class ReplayClient {
  private readonly socket: Socket;
  private readonly dict: Dictionary;
  private readonly local: LocalCapabilities;
  private handlers: ClientHandlers | undefined = undefined;
  private closed = false;
  private dpaWaiter: (() => void) | undefined = undefined;
  /** The node's identity, from its CEA. */
  remoteIdentity = '';
  remoteRealm = '';

  private constructor(socket: Socket, dict: Dictionary, local: LocalCapabilities) {
    this.socket = socket;
    this.dict = dict;
    this.local = local;
  }

  /** Connects, sends the CER, and resolves once a CEA with 2001 arrives; throws otherwise. */
  static async open(opts: ClientOptions): Promise<ReplayClient> {
    if (opts.transport !== 'sctp') return ReplayClient.handshake(connect({ host: opts.host, port: opts.port }), opts, opts.timeoutMs);
    const started = Date.now();
    let socket: Socket;
    try {
      // Resolves once the association is up; sctp-socket.ts sends PPID 46, application 0 on stream 0.
      socket = await transportConnect({ kind: 'sctp', host: opts.host, port: opts.port, timeoutMs: opts.timeoutMs });
    } catch (err) {
      const e = err as Error & { code?: string };
      const code = e.code === ErrorCode.SCTP_UNAVAILABLE ? ErrorCode.SCTP_UNAVAILABLE : ErrorCode.REPLAY_PEER;
      throw new DiamondError(code, `${targetOf(opts)}: ${e.message}`);
    }
    return ReplayClient.handshake(socket, opts, Math.max(1, opts.timeoutMs - (Date.now() - started)));
  }

  /** CER on a connecting (TCP) or connected (SCTP) socket; resolves on a CEA with 2001. */
  private static handshake(socket: Socket, opts: ClientOptions, timeoutMs: number): Promise<ReplayClient> {
    return new Promise((resolve, reject) => {
      const target = targetOf(opts);
      socket.setNoDelay(true);
      const client = new ReplayClient(socket, opts.dict, opts.local);
      let settled = false;
      const fail = (why: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(new DiamondError(ErrorCode.REPLAY_PEER, `${target}: ${why}`));
      };
      const timer = setTimeout(() => fail(`no CEA within ${opts.timeoutMs} ms`), timeoutMs);
      const decoder = new FrameDecoder(
        {
          onFrame: (f) => {
            if (!settled) {
              const cea = decodeMessage(f, opts.dict).message;
              if (!cea || cea.commandCode !== CER || (f[4]! & FLAG_R) !== 0) return fail('the first message from the node is not a CEA');
              const rc = findAvp(cea.avps, 268)?.value;
              if (rc !== 2001) {
                const why = findAvp(cea.avps, 281)?.value;
                return fail(`CEA Result-Code ${String(rc)}${typeof why === 'string' ? `: ${why}` : ''} (we connected as ${opts.local.originHost})`);
              }
              client.remoteIdentity = String(findAvp(cea.avps, 264)?.value ?? '');
              client.remoteRealm = String(findAvp(cea.avps, 296)?.value ?? '');
              settled = true;
              clearTimeout(timer);
              resolve(client);
              return;
            }
            client.onFrame(f);
          },
          onError: (e) => socket.destroy(new Error(`framing lost: ${e.message}`)),
        },
        opts.maxMessageSize,
      );
      socket.on('data', (chunk: Buffer) => decoder.push(chunk));
      socket.on('error', (e) => {
        if (!settled) fail(e.message);
        else client.closeReason ??= e.message;
      });
      socket.on('close', () => {
        if (!settled) fail('connection closed before the CEA');
        client.onSocketClosed();
      });
      const sendCer = (): void => {
        const hostIps = [socket.localAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1'];
        const ids = { hopByHopId: (Math.random() * 0x1_0000_0000) >>> 0, endToEndId: (Math.random() * 0x1_0000_0000) >>> 0 };
        socket.write(encodeMessage(buildCer(opts.dict, opts.local, hostIps, ids, false)));
      };
      // An SCTP socket arrives connected; a TCP one is still connecting.
      if (socket.connecting) socket.on('connect', sendCer);
      else sendCer();
    });
  }

  private closeReason: string | undefined = undefined;

  setHandlers(h: ClientHandlers): void {
    this.handlers = h;
  }

  get localAddress(): string {
    return this.socket.localAddress ?? '';
  }
  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  /** False once the connection is gone. */
  send(frame: Buffer): boolean {
    if (this.closed) return false;
    this.socket.write(frame);
    return true;
  }

  /** DPR, a bounded wait for the DPA, then the end of the connection. */
  async close(waitMs = 2000): Promise<void> {
    if (this.closed) return;
    const dpr: Message = {
      version: 1,
      flags: FLAG_R,
      commandCode: DPR,
      applicationId: 0,
      hopByHopId: (Math.random() * 0x1_0000_0000) >>> 0,
      endToEndId: (Math.random() * 0x1_0000_0000) >>> 0,
      avps: [
        avp(this.dict, 'Origin-Host', this.local.originHost),
        avp(this.dict, 'Origin-Realm', this.local.originRealm),
        avp(this.dict, 'Disconnect-Cause', 0),
      ],
    };
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, waitMs);
      this.dpaWaiter = () => {
        clearTimeout(t);
        resolve();
      };
      this.socket.write(encodeMessage(dpr));
    });
    this.closeReason ??= 'closed by the replay';
    this.socket.end();
    // The node answers our FIN with its own; destroy if it does not.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private onFrame(f: Buffer): void {
    const request = (f[4]! & FLAG_R) !== 0;
    const code = f.readUIntBE(5, 3);
    const app = f.readUInt32BE(8);
    if (app === 0 && (code === DWR || code === DPR || code === CER)) {
      if (!request) {
        if (code === DPR) this.dpaWaiter?.();
        return;
      }
      const req = decodeMessage(f, this.dict).message;
      if (!req) return;
      const rc = code === CER ? 3002 : 2001;
      const avps = [avp(this.dict, 'Result-Code', rc), avp(this.dict, 'Origin-Host', this.local.originHost), avp(this.dict, 'Origin-Realm', this.local.originRealm)];
      this.socket.write(encodeMessage(answerTo(req, avps, rc)));
      if (code === DPR) {
        this.closeReason ??= 'the node sent DPR';
        this.socket.end();
      }
      return;
    }
    if (!request) {
      this.handlers?.onAnswer(f);
      return;
    }
    if (!this.handlers) return;
    const answer = this.handlers.onRequest(f);
    answer.writeUInt32BE(f.readUInt32BE(12), 12);
    answer.writeUInt32BE(f.readUInt32BE(16), 16);
    this.socket.write(answer);
  }

  private onSocketClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.dpaWaiter?.();
    this.handlers?.onClosed(this.closeReason ?? 'the node closed the connection');
  }
}
