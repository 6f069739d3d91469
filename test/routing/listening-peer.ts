// A small real Diameter server for redirect tests: it listens on 127.0.0.1 (port 0) for the node
// under test to connect, answers CER with CEA (or, `silentCer`, never), DWR and DPR, and answers
// every other request 2001 with its own Origin-Host. The counterpart of test/support/scripted-peer,
// which only connects out.
import { createServer, type Server, type Socket } from 'node:net';
import { avp } from '../../src/diameter/codec/builder.js';
import { answerTo } from '../../src/diameter/codec/answer.js';
import { decodeMessage } from '../../src/diameter/codec/decode.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import { FrameDecoder } from '../../src/diameter/codec/frame-decoder.js';
import { findAvp, type Message } from '../../src/diameter/codec/message.js';
import { buildCea } from '../../src/diameter/peer/capabilities.js';
import { S6A, testDictionary as dict } from '../support/scripted-peer.js';

export interface ListeningPeerOptions {
  identity: string;
  realm: string;
  applications?: number[];
  /** Accept the TCP connection but never answer its CER. */
  silentCer?: boolean;
}

export class ListeningPeer {
  readonly identity: string;
  private readonly opts: ListeningPeerOptions;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Requests received other than CER/DWR/DPR, in order. */
  readonly received: Message[] = [];
  /** TCP connections accepted. */
  connections = 0;

  constructor(opts: ListeningPeerOptions) {
    this.opts = opts;
    this.identity = opts.identity;
  }

  /** Listens on 127.0.0.1, port 0; resolves with the port. */
  async listen(): Promise<number> {
    const server = createServer((sock) => this.onConnection(sock));
    this.server = server;
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const a = server.address();
    if (!a || typeof a === 'string') throw new Error('no port');
    return a.port;
  }

  private onConnection(sock: Socket): void {
    this.connections++;
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => undefined);
    const dec = new FrameDecoder({ onFrame: (f) => this.onFrame(sock, f), onError: () => sock.destroy() });
    sock.on('data', (c: Buffer) => dec.push(c));
  }

  private onFrame(sock: Socket, frame: Buffer): void {
    const { message: m } = decodeMessage(frame, dict);
    if (!m || (m.flags & 0x80) === 0) return;
    if (m.commandCode === 257) {
      if (this.opts.silentCer) return;
      const local = {
        originHost: this.identity,
        originRealm: this.opts.realm,
        vendorId: 0,
        productName: 'listening-peer',
        firmwareRevision: 1,
        originStateId: 1,
        authApplications: this.opts.applications ?? [S6A],
        acctApplications: [],
        vendorApplications: [],
      };
      sock.write(encodeMessage(buildCea(dict, local, ['127.0.0.1'], m, 2001, undefined, false)));
      return;
    }
    const avps = [avp(dict, 'Result-Code', 2001), avp(dict, 'Origin-Host', this.identity), avp(dict, 'Origin-Realm', this.opts.realm)];
    if (m.commandCode === 280 || m.commandCode === 282) {
      sock.write(encodeMessage(answerTo(m, avps)));
      if (m.commandCode === 282) sock.end();
      return;
    }
    this.received.push(m);
    const sid = findAvp(m.avps, 263);
    sock.write(encodeMessage(answerTo(m, sid ? [sid, ...avps] : avps)));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((res) => (this.server ? this.server.close(() => res()) : res()));
  }
}
