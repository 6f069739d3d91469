// All peers of the node and its listeners. An accepted connection belongs to nobody until its
// first message: that must be a CER (RFC 6733 §5.3), whose Origin-Host names the peer. Unknown
// peers are refused with CEA 3010 DIAMETER_UNKNOWN_PEER unless allowUnknownPeers; a bad realm or
// no common application gets the matching CEA; then the peer's state machine decides (election).
import type { Server, Socket } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import type { Dictionary } from '../dictionary/dictionary.js';
import { decodeMessage } from '../codec/decode.js';
import { encodeMessage } from '../codec/encode.js';
import { CmdFlag, type Message } from '../codec/message.js';
import { ErrorCode } from '../../errors.js';
import { listen, type TlsMaterial, type TransportKind } from '../transport/transport.js';
import { type LocalCapabilities, buildCea, checkCapabilities, readCapabilities } from './capabilities.js';
import { DisconnectCause, Peer, type PeerEnvironment, type PeerSettings, type PeerStatus } from './peer.js';
import { PeerSocket, type PeerSocketSink } from './peer-socket.js';

export interface ListenerSettings {
  kind: TransportKind;
  address: string;
  port: number;
  /** SCTP: all local addresses of one multi-homed endpoint (default [address]). */
  addresses?: string[] | undefined;
}

export interface PeerManagerOptions {
  dict: Dictionary;
  local: LocalCapabilities;
  log: Logger;
  peers: PeerSettings[];
  listeners: ListenerSettings[];
  allowUnknownPeers: boolean;
  tlsMaterial: TlsMaterial | undefined;
  checkCertificateIdentity: boolean;
  matchesIdentity(cert: X509Certificate, identity: string): boolean;
  maxMessageSize: number;
  maxQueuedBytes: number;
  maxPendingPerPeer: number;
  ceTimeoutMs: number;
  dpaTimeoutMs: number;
  /** Tc/Tw for peers admitted dynamically. */
  defaultTcMs: number;
  defaultTwMs: number;
  onMessage(peer: Peer, frame: Buffer): void;
  onAvailability(peer: Peer, available: boolean, reason: string): void;
  onUntrustedRequest(peer: Peer, frame: Buffer): void;
  onBaseMessage?(peer: Peer, sock: PeerSocket, direction: 'sent' | 'received', frame: Buffer): void;
}

export interface BoundListener {
  kind: TransportKind;
  address: string;
  port: number;
}

/** RFC 6733 §5.6.4: the peer with the higher Origin-Host wins (compared case-insensitively). */
export function weWinElection(ours: string, theirs: string): boolean {
  const a = ours.toLowerCase();
  const b = theirs.toLowerCase();
  return a > b;
}

export class PeerManager implements PeerSocketSink {
  private readonly opts: PeerManagerOptions;
  private readonly log: Logger;
  private readonly peers = new Map<string, Peer>();
  private readonly servers: Server[] = [];
  private readonly pendingSockets = new Map<PeerSocket, NodeJS.Timeout>();
  readonly bound: BoundListener[] = [];
  private endToEnd: number;
  private readonly env: PeerEnvironment;

  constructor(opts: PeerManagerOptions) {
    this.opts = opts;
    this.log = opts.log;
    // RFC 6733 §3: high 12 bits from the clock, low 20 random, then incremented.
    this.endToEnd = ((Math.floor(Date.now() / 1000) & 0xfff) << 20) | Math.floor(Math.random() * 0x100000);
    this.env = {
      dict: opts.dict,
      local: opts.local,
      log: opts.log,
      tlsMaterial: opts.tlsMaterial,
      checkCertificateIdentity: opts.checkCertificateIdentity,
      matchesIdentity: opts.matchesIdentity,
      maxMessageSize: opts.maxMessageSize,
      maxQueuedBytes: opts.maxQueuedBytes,
      maxPendingPerPeer: opts.maxPendingPerPeer,
      ceTimeoutMs: opts.ceTimeoutMs,
      dpaTimeoutMs: opts.dpaTimeoutMs,
      nextEndToEndId: () => this.nextEndToEndId(),
      onMessage: opts.onMessage,
      onAvailability: opts.onAvailability,
      onUntrustedRequest: opts.onUntrustedRequest,
      onBaseMessage: opts.onBaseMessage,
    };
    for (const s of opts.peers) this.peers.set(s.identity.toLowerCase(), new Peer(s, this.env));
  }

  nextEndToEndId(): number {
    this.endToEnd = (this.endToEnd + 1) >>> 0;
    return this.endToEnd;
  }

  peer(identity: string): Peer | undefined {
    return this.peers.get(identity.toLowerCase());
  }

  all(): Peer[] {
    return [...this.peers.values()];
  }

  status(): PeerStatus[] {
    return this.all().map((p) => p.status());
  }

  /** Binds the listeners, then (unless told otherwise) starts connecting to peers. */
  async start(connectPeers = true): Promise<void> {
    for (const l of this.opts.listeners) {
      let server: Server;
      try {
        server = await listen(
          { kind: l.kind, address: l.address, port: l.port, addresses: l.addresses, tls: l.kind === 'tls' ? this.opts.tlsMaterial : undefined },
          (s) => this.onAccepted(s, l.kind),
        );
      } catch (err) {
        // No SCTP in this kernel (or no addon): the node still runs its other transports.
        if ((err as { code?: string }).code !== ErrorCode.SCTP_UNAVAILABLE) throw err;
        this.log.error({ transport: l.kind, address: l.address, port: l.port }, `not listening on sctp ${l.address}:${l.port}: ${(err as Error).message}`);
        continue;
      }
      this.servers.push(server);
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : l.port;
      this.bound.push({ kind: l.kind, address: l.address, port });
      this.log.info({ transport: l.kind, address: l.address, port }, `listening on ${l.kind} ${l.address}:${port}`);
    }
    if (connectPeers) this.startPeers();
  }

  startPeers(): void {
    for (const p of this.peers.values()) p.start();
  }

  /** DPR to every peer, wait for their DPAs (bounded by graceMs), close listeners. */
  async stop(graceMs: number, cause: number = DisconnectCause.REBOOTING): Promise<void> {
    for (const s of this.servers) s.close();
    for (const [sock, t] of this.pendingSockets) {
      clearTimeout(t);
      sock.destroy('node stopping');
    }
    this.pendingSockets.clear();
    const all = Promise.all(this.all().map((p) => p.stop(cause)));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  private onAccepted(socket: Socket, kind: TransportKind): void {
    const sock = new PeerSocket(socket, kind, this, this.opts.maxMessageSize, this.opts.maxQueuedBytes);
    this.log.debug({ remote: `${sock.remoteAddress}:${sock.remotePort}`, transport: kind }, 'connection accepted');
    const t = setTimeout(() => {
      this.pendingSockets.delete(sock);
      this.log.warn({ remote: `${sock.remoteAddress}:${sock.remotePort}` }, 'no CER within the timeout: closing');
      sock.destroy('no CER');
    }, this.opts.ceTimeoutMs);
    this.pendingSockets.set(sock, t);
  }

  private refuse(sock: PeerSocket, cer: Message, resultCode: number, reason: string): void {
    this.log.warn({ remote: `${sock.remoteAddress}:${sock.remotePort}`, resultCode }, `CER refused: ${reason}`);
    const ip = sock.localAddress.replace(/^::ffff:/, '');
    sock.write(encodeMessage(buildCea(this.opts.dict, this.opts.local, [ip], cer, resultCode, reason, false)));
    sock.close(`CER refused: ${reason}`);
  }

  // --- PeerSocketSink for connections that have not sent their CER yet ---

  onFrame(sock: PeerSocket, frame: Buffer): void {
    const timer = this.pendingSockets.get(sock);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.pendingSockets.delete(sock);
    const remote = `${sock.remoteAddress}:${sock.remotePort}`;
    const code = frame.readUIntBE(5, 3);
    const request = ((frame[4] ?? 0) & CmdFlag.R) !== 0;
    if (code !== 257 || !request) {
      this.log.warn({ remote, commandCode: code }, `first message is not a CER (command ${code}): closing the connection`);
      sock.destroy('message before CER');
      return;
    }
    const { message, issues } = decodeMessage(frame, this.opts.dict);
    const caps = message && readCapabilities(message);
    if (!message || !caps) {
      this.log.warn({ remote, issues: issues.map((i) => i.message) }, 'undecodable CER: closing the connection');
      sock.destroy('bad CER');
      return;
    }
    let peer = this.peer(caps.originHost);
    if (!peer) {
      if (!this.opts.allowUnknownPeers) {
        this.refuse(sock, message, 3010, `unknown peer ${caps.originHost}`);
        return;
      }
      peer = new Peer(
        {
          identity: caps.originHost,
          realm: undefined,
          addresses: [sock.remoteAddress],
          port: sock.remotePort,
          transport: sock.kind,
          tls: 'none',
          connect: false,
          tcMs: this.opts.defaultTcMs,
          twMs: this.opts.defaultTwMs,
          dynamic: true,
        },
        this.env,
      );
      this.peers.set(caps.originHost.toLowerCase(), peer);
      this.log.info({ remote }, `admitting unknown peer ${caps.originHost} (allowUnknownPeers)`);
    }
    const check = checkCapabilities(this.opts.local, caps, { realm: peer.settings.realm, inbandTls: peer.settings.tls === 'inband' });
    if (check.resultCode !== 2001) {
      this.refuse(sock, message, check.resultCode, check.reason);
      return;
    }
    if (sock.kind === 'tls' && this.opts.checkCertificateIdentity) {
      const cert = sock.peerCertificate();
      if (!cert || !this.opts.matchesIdentity(cert, caps.originHost)) {
        this.refuse(sock, message, 3010, `TLS certificate does not name ${caps.originHost}`);
        return;
      }
    }
    peer.offer(sock, message, caps, weWinElection(this.opts.local.originHost, caps.originHost), frame);
  }

  onClosed(sock: PeerSocket, reason: string): void {
    const timer = this.pendingSockets.get(sock);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.pendingSockets.delete(sock);
      this.log.info({ remote: `${sock.remoteAddress}:${sock.remotePort}`, reason }, `connection closed before CER: ${reason}`);
    }
  }
}
