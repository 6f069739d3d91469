// The driver of one peer: runs the pure RFC 6733 §5.6 state machine (state-machine.ts) and the
// RFC 3539 watchdog (watchdog.ts), and does their I/O — connecting, CER/CEA, DWR/DWA, DPR/DPA,
// timers, reconnecting every Tc to each configured address in turn, and in-band TLS.
import type { Logger } from 'pino';
import type { X509Certificate } from 'node:crypto';
import type { Dictionary } from '../dictionary/dictionary.js';
import { avp } from '../codec/builder.js';
import { decodeMessage } from '../codec/decode.js';
import { encodeMessage } from '../codec/encode.js';
import { answerTo } from '../codec/answer.js';
import { CmdFlag, type Message, findAvp } from '../codec/message.js';
import { connect, transportOf, type TlsMaterial, type TransportKind } from '../transport/transport.js';
import {
  type LocalCapabilities,
  type PeerCapabilities,
  buildCea,
  buildCer,
  checkCapabilities,
  commonApplications,
  readCapabilities,
} from './capabilities.js';
import { PeerSocket, type PeerSocketSink } from './peer-socket.js';
import {
  type PeerAction,
  type PeerContext,
  type PeerEvent,
  type PeerStateName,
  type Side,
  initialContext,
  isOpen,
  transition,
} from './state-machine.js';
import { type WatchdogAction, type WatchdogEvent, type WatchdogState, initialWatchdog, jitteredTw, watchdogTransition } from './watchdog.js';

const CER = 257;
const DWR = 280;
const DPR = 282;

/** Disconnect-Cause (RFC 6733 §5.4.3). */
export const DisconnectCause = { REBOOTING: 0, BUSY: 1, DO_NOT_WANT_TO_TALK_TO_YOU: 2 } as const;

export interface PeerSettings {
  identity: string;
  realm: string | undefined;
  addresses: string[];
  port: number;
  transport: TransportKind;
  tls: 'none' | 'connect' | 'inband';
  connect: boolean;
  tcMs: number;
  twMs: number;
  /** Created for an unknown peer admitted by allowUnknownPeers. */
  dynamic: boolean;
  /** Transport tried when `transport` fails to connect (config `prefer`: SCTP first, then TCP). */
  fallback?: TransportKind | undefined;
}

export interface PeerEnvironment {
  dict: Dictionary;
  local: LocalCapabilities;
  log: Logger;
  tlsMaterial: TlsMaterial | undefined;
  checkCertificateIdentity: boolean;
  maxMessageSize: number;
  /** Bytes queued to a peer before it counts as busy (limits.maxQueuedBytesPerPeer). */
  maxQueuedBytes: number;
  /** Requests awaiting an answer from a peer before it counts as busy (limits.maxPendingPerPeer). */
  maxPendingPerPeer: number;
  ceTimeoutMs: number;
  dpaTimeoutMs: number;
  matchesIdentity(cert: X509Certificate, identity: string): boolean;
  nextEndToEndId(): number;
  /** A message other than CER/CEA, DWR/DWA, DPR/DPA, on an open and trusted connection. */
  onMessage(peer: Peer, frame: Buffer): void;
  /** The peer became usable (open and the watchdog OKAY) or stopped being usable. */
  onAvailability(peer: Peer, available: boolean, reason: string): void;
  /** A request arrived while the connection was not trusted (watchdog REOPEN). */
  onUntrustedRequest(peer: Peer, frame: Buffer): void;
  /** Sees every base message (CER/CEA, DWR/DWA, DPR/DPA) on the peer's connections (capture). */
  onBaseMessage?(peer: Peer, sock: PeerSocket, direction: 'sent' | 'received', frame: Buffer): void;
}

export interface PeerStatus {
  identity: string;
  state: PeerStateName;
  watchdog: string;
  transport: string;
  address: string | undefined;
  realm: string | undefined;
  applications: number[];
  since: string;
  pending: number;
  dynamic: boolean;
}

export class Peer implements PeerSocketSink {
  readonly settings: PeerSettings;
  private readonly env: PeerEnvironment;
  private readonly log: Logger;
  private ctx: PeerContext = initialContext();
  private wd: WatchdogState = initialWatchdog();
  private i: PeerSocket | undefined = undefined;
  private r: PeerSocket | undefined = undefined;
  /** Connection and CER offered by the manager, consumed by the 'accept' action. */
  private offered: { sock: PeerSocket; cer: Message; caps: PeerCapabilities } | undefined = undefined;
  caps: PeerCapabilities | undefined = undefined;
  private lastRequest: Message | undefined = undefined;
  private addressIndex = 0;
  private stateTimer: NodeJS.Timeout | undefined = undefined;
  private wdTimer: NodeJS.Timeout | undefined = undefined;
  /** The connection is ending with DPR/DPA (not a failure: the next one starts INITIAL). */
  private closedByDpr = false;
  /** When the watchdog timer is due (epoch ms); the armed timeout may fire earlier and re-arm. */
  private wdDue = 0;
  /** Tw with the jitter drawn when the running watchdog timer was armed. */
  private wdTw = 0;
  private reconnectTimer: NodeJS.Timeout | undefined = undefined;
  private hopByHop = (Math.random() * 0x1_0000_0000) >>> 0;
  private stopping = false;
  private stopWaiters: (() => void)[] = [];
  private since = new Date();
  private available = false;
  /** Requests this node sent through the peer that still wait for an answer (set by the owner). */
  pending = 0;
  /** Reconnect back-off multiplier after a DPR (freeDiameter: BUSY 10·Tc, DO_NOT_WANT 200·Tc). */
  private backoff = 1;

  constructor(settings: PeerSettings, env: PeerEnvironment) {
    this.settings = settings;
    this.env = env;
    this.log = env.log.child({ peer: settings.identity });
  }

  get identity(): string {
    return this.settings.identity;
  }
  get state(): PeerStateName {
    return this.ctx.state;
  }
  /** Open and trusted by the watchdog: requests may be routed here. */
  get isAvailable(): boolean {
    return this.available;
  }
  private get active(): PeerSocket | undefined {
    return this.ctx.state === 'R-Open' ? this.r : this.ctx.state === 'I-Open' ? this.i : (this.r ?? this.i);
  }
  get queuedBytes(): number {
    return this.active?.queuedBytes ?? 0;
  }

  status(): PeerStatus {
    const a = this.active;
    return {
      identity: this.identity,
      state: this.ctx.state,
      watchdog: this.wd.state,
      transport: a ? `${a.kind}${this.settings.tls === 'inband' ? '+inband-tls' : ''}` : this.settings.transport,
      address: a ? `${a.remoteAddress}:${a.remotePort}` : undefined,
      realm: this.caps?.originRealm ?? this.settings.realm,
      applications: this.caps ? commonApplications(this.env.local, this.caps) : [],
      since: this.since.toISOString(),
      pending: this.pending,
      dynamic: this.settings.dynamic,
    };
  }

  /** Begins connecting, if this peer is one we connect to. */
  start(): void {
    this.stopping = false;
    if (this.settings.connect) this.fire({ type: 'Start' });
  }

  /**
   * Connects now, also to a peer we otherwise only accept (`connect: false`): the router follows
   * a redirect to it. False when the peer is not Closed, is stopping, or was asked by DPR to hold
   * off (BUSY, DO_NOT_WANT_TO_TALK_TO_YOU) and has not been open since.
   */
  connectNow(): boolean {
    if (this.stopping || this.ctx.state !== 'Closed' || this.backoff > 1) return false;
    this.fire({ type: 'Start' });
    return true;
  }

  /** DPR with the cause, then wait for DPA (bounded); resolves when the peer is Closed. */
  stop(cause: number = DisconnectCause.REBOOTING): Promise<void> {
    this.stopping = true;
    this.disconnectCause = cause;
    clearTimeout(this.reconnectTimer);
    if (this.ctx.state === 'Closed') return Promise.resolve();
    return new Promise((resolve) => {
      this.stopWaiters.push(resolve);
      this.fire({ type: 'Stop' });
    });
  }
  private disconnectCause: number = DisconnectCause.REBOOTING;

  /** A connection whose CER names this peer (already checked by the manager). */
  offer(sock: PeerSocket, cer: Message, caps: PeerCapabilities, weWin: boolean, frame?: Buffer): void {
    if (frame) this.env.onBaseMessage?.(this, sock, 'received', frame);
    if (this.offered) this.offered.sock.destroy('superseded by a newer connection');
    this.offered = { sock, cer, caps };
    sock.setSink(this);
    this.fire({ type: 'R-Conn-CER', weWin });
    // A connection the state machine did not accept or reject is dropped.
    if (this.offered?.sock === sock) {
      this.offered = undefined;
      sock.close('connection not needed');
    }
  }

  /** Sends a message (an answer, or a request already admitted) on the open connection. */
  send(buf: Buffer): boolean {
    const a = this.active;
    if (!isOpen(this.ctx) || !a) return false;
    return a.write(buf);
  }

  /**
   * Sends a new request (`buf`, then `tail` when given: the relay's appended Route-Record), unless
   * the peer is not usable or busy (the caller answers 3002/3004).
   */
  sendRequest(buf: Buffer, tail?: Buffer): 'sent' | 'unavailable' | 'busy' {
    const a = this.active;
    if (!this.available || !a) return 'unavailable';
    if (a.isBusy || this.pending >= this.env.maxPendingPerPeer) return 'busy';
    a.write(buf, tail);
    return 'sent';
  }

  /** Next hop-by-hop id for a request this node sends to the peer (RFC 6733 §3). */
  nextHopByHopId(): number {
    this.hopByHop = (this.hopByHop + 1) >>> 0;
    return this.hopByHop;
  }

  private fire(ev: PeerEvent): void {
    const before = this.ctx.state;
    const t = transition(this.ctx, ev);
    this.ctx = t.context;
    if (t.context.state !== before) {
      this.since = new Date();
      this.log.info({ from: before, to: t.context.state, event: ev.type }, `peer ${this.identity}: ${before} -> ${t.context.state} (${ev.type})`);
    }
    for (const a of t.actions) this.perform(a);
    if (this.ctx.state !== before) this.onStateChanged();
  }

  private onStateChanged(): void {
    clearTimeout(this.stateTimer);
    this.stateTimer = undefined;
    const s = this.ctx.state;
    if (s === 'Wait-Conn-Ack' || s === 'Wait-I-CEA' || s === 'Wait-Conn-Ack/Elect' || s === 'Wait-Returns') {
      this.armStateTimer(this.env.ceTimeoutMs);
    } else if (s === 'Closing') {
      this.armStateTimer(this.env.dpaTimeoutMs);
    }
  }

  private armStateTimer(ms: number): void {
    this.stateTimer = setTimeout(() => {
      this.stateTimer = undefined;
      this.fire({ type: 'Timeout' });
    }, ms);
  }

  private perform(a: PeerAction): void {
    switch (a.do) {
      case 'connect':
        void this.openConnection();
        break;
      case 'send-cer':
        if (this.i) this.sendCer(this.i);
        break;
      case 'accept':
        if (this.offered) {
          this.r?.destroy('replaced by a new connection');
          this.r = this.offered.sock;
          this.caps = this.offered.caps;
          this.lastRequest = this.offered.cer;
        }
        this.offered = undefined;
        break;
      case 'send-cea':
        if (this.r && this.lastRequest) this.sendCea(this.r, this.lastRequest, a.resultCode);
        break;
      case 'reject':
        if (this.offered) {
          const { sock, cer } = this.offered;
          this.offered = undefined;
          this.sendCea(sock, cer, 4003, 'a connection with this peer is already established');
          sock.close('rejected: already connected');
        }
        break;
      case 'disconnect': {
        const sock = a.side === 'I' ? this.i : this.r;
        if (a.side === 'I') this.i = undefined;
        else this.r = undefined;
        sock?.close('disconnect');
        break;
      }
      case 'send-dpr':
        this.sendBase(a.side, 'DPR', [avp(this.env.dict, 'Disconnect-Cause', this.disconnectCause)]);
        break;
      case 'send-dpa':
        this.sendAnswer(a.side, this.lastRequest, 2001);
        break;
      case 'send-dwa':
        this.sendAnswer(a.side, this.lastRequest, 2001);
        break;
      case 'process-dwa':
        this.watchdog({ type: 'receive-dwa' });
        break;
      case 'deliver':
        break; // delivered by onFrame, which has the bytes
      case 'send':
        break; // send() writes directly
      case 'opened':
        this.onOpened(a.side);
        break;
      case 'cleanup':
        this.cleanup(a.reason);
        break;
    }
  }

  private async openConnection(): Promise<void> {
    const addresses = this.settings.addresses;
    const host = addresses[this.addressIndex % addresses.length] ?? '127.0.0.1';
    this.addressIndex++;
    const kind: TransportKind = this.settings.tls === 'connect' ? 'tls' : this.settings.transport;
    try {
      const socket = await connect({
        kind,
        host,
        port: this.settings.port,
        timeoutMs: this.env.ceTimeoutMs,
        tls: kind === 'tls' ? this.env.tlsMaterial : undefined,
        // SCTP: all addresses in one association (multi-homing); `host` is the primary path.
        addresses: kind === 'sctp' ? addresses : undefined,
        fallback: kind === 'tls' ? undefined : this.settings.fallback,
      });
      if (this.ctx.state !== 'Wait-Conn-Ack' && this.ctx.state !== 'Wait-Conn-Ack/Elect') {
        socket.destroy();
        return;
      }
      this.i = new PeerSocket(socket, transportOf(socket, kind), this, this.env.maxMessageSize, this.env.maxQueuedBytes);
      if (kind === 'tls' && !this.certificateOk(this.i)) {
        this.i.destroy('certificate does not name the peer');
        this.i = undefined;
        this.fire({ type: 'I-Rcv-Conn-Nack' });
        return;
      }
      this.fire({ type: 'I-Rcv-Conn-Ack' });
    } catch (err) {
      this.log.warn({ address: `${host}:${this.settings.port}`, err: (err as Error).message }, `peer ${this.identity}: connect failed`);
      this.fire({ type: 'I-Rcv-Conn-Nack' });
    }
  }

  private certificateOk(sock: PeerSocket): boolean {
    if (!this.env.checkCertificateIdentity) return true;
    const cert = sock.peerCertificate();
    const ok = cert !== undefined && this.env.matchesIdentity(cert, this.identity);
    if (!ok) this.log.warn(`peer ${this.identity}: certificate does not name ${this.identity}`);
    return ok;
  }

  private hostIps(sock: PeerSocket): string[] {
    const ip = sock.localAddress.replace(/^::ffff:/, '');
    return [ip];
  }

  private sendCer(sock: PeerSocket): void {
    const m = buildCer(this.env.dict, this.env.local, this.hostIps(sock), { hopByHopId: this.nextHopByHopId(), endToEndId: this.env.nextEndToEndId() }, this.settings.tls === 'inband');
    this.writeBase(sock, m);
  }

  private sendCea(sock: PeerSocket, cer: Message, resultCode: number, errorMessage?: string): void {
    const m = buildCea(this.env.dict, this.env.local, this.hostIps(sock), cer, resultCode, errorMessage, this.settings.tls === 'inband');
    this.writeBase(sock, m);
  }

  private writeBase(sock: PeerSocket, m: Message): void {
    const buf = encodeMessage(m);
    sock.write(buf);
    this.env.onBaseMessage?.(this, sock, 'sent', buf);
  }

  private sendBase(side: Side, name: 'DWR' | 'DPR', extra: Message['avps'] = []): void {
    const sock = side === 'I' ? this.i : this.r;
    if (!sock) return;
    const d = this.env.dict;
    const m: Message = {
      version: 1,
      flags: CmdFlag.R,
      commandCode: name === 'DWR' ? DWR : DPR,
      applicationId: 0,
      hopByHopId: this.nextHopByHopId(),
      endToEndId: this.env.nextEndToEndId(),
      avps: [avp(d, 'Origin-Host', this.env.local.originHost), avp(d, 'Origin-Realm', this.env.local.originRealm), ...extra],
    };
    if (name === 'DWR') m.avps.push(avp(d, 'Origin-State-Id', this.env.local.originStateId));
    this.writeBase(sock, m);
  }

  private sendAnswer(side: Side, req: Message | undefined, resultCode: number): void {
    const sock = side === 'I' ? this.i : this.r;
    if (!sock || !req) return;
    const d = this.env.dict;
    const avps = [avp(d, 'Result-Code', resultCode), avp(d, 'Origin-Host', this.env.local.originHost), avp(d, 'Origin-Realm', this.env.local.originRealm)];
    if (req.commandCode === DWR) avps.push(avp(d, 'Origin-State-Id', this.env.local.originStateId));
    this.writeBase(sock, answerTo(req, avps, resultCode));
  }

  private onOpened(side: Side): void {
    const sock = side === 'I' ? this.i : this.r;
    this.backoff = 1;
    this.log.info(
      { side, address: sock ? `${sock.remoteAddress}:${sock.remotePort}` : undefined, applications: this.caps ? commonApplications(this.env.local, this.caps) : [] },
      `peer ${this.identity}: open (${sock?.kind ?? '?'}${this.settings.tls === 'inband' ? ', in-band TLS' : ''})`,
    );
    if (this.settings.tls === 'inband' && sock && this.env.tlsMaterial) {
      // RFC 3588 §2.1: TLS starts right after a successful CER/CEA; the initiator is the client.
      // The handshake is bounded like the CER/CEA exchange: a peer that never starts it would
      // otherwise hold the peer open, untrusted, with no watchdog running.
      const timer = setTimeout(() => sock.destroy('in-band TLS handshake timed out'), this.env.ceTimeoutMs);
      sock
        .startTls(side === 'I' ? 'client' : 'server', this.env.tlsMaterial)
        .then(() => {
          // The connection may have been replaced or closed while the handshake ran.
          if (sock.isClosed || sock !== (side === 'I' ? this.i : this.r)) return;
          if (!this.certificateOk(sock)) {
            sock.destroy('certificate does not name the peer');
            return;
          }
          this.log.info(`peer ${this.identity}: in-band TLS established`);
          this.watchdog({ type: 'connection-up' });
        })
        .catch((err: Error) => this.log.warn(`peer ${this.identity}: in-band TLS failed: ${err.message}`))
        .finally(() => clearTimeout(timer));
      return;
    }
    this.watchdog({ type: 'connection-up' });
  }

  private cleanup(reason: string): void {
    clearTimeout(this.stateTimer);
    this.stateTimer = undefined;
    for (const s of [this.i, this.r, this.offered?.sock]) s?.destroy(reason);
    this.i = this.r = this.offered = undefined;
    // Before the watchdog's Failover(), which would otherwise report "no DWA" for a clean close.
    this.setAvailable(false, reason);
    this.watchdog({ type: this.closedByDpr ? 'disconnected-cleanly' : 'connection-down' });
    this.closedByDpr = false;
    clearTimeout(this.wdTimer);
    this.wdTimer = undefined;
    this.log.info({ reason }, `peer ${this.identity}: closed (${reason})`);
    const waiters = this.stopWaiters;
    this.stopWaiters = [];
    for (const w of waiters) w();
    if (!this.stopping && this.settings.connect) {
      const delay = this.settings.tcMs * this.backoff;
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        if (this.ctx.state === 'Closed' && !this.stopping) this.fire({ type: 'Start' });
      }, delay);
    }
  }

  private setAvailable(available: boolean, reason: string): void {
    if (this.available === available) return;
    this.available = available;
    this.env.onAvailability(this, available, reason);
  }

  private watchdog(ev: WatchdogEvent): void {
    const before = this.wd.state;
    const t = watchdogTransition(this.wd, ev);
    this.wd = t.state;
    if (before !== t.state.state) this.log.info(`peer ${this.identity}: watchdog ${before} -> ${t.state.state}`);
    for (const a of t.actions) this.watchdogAction(a);
    if (this.wd.state === 'OKAY' && isOpen(this.ctx)) this.setAvailable(true, 'open');
  }

  private armWatchdogTimer(ms: number): void {
    this.wdTimer = setTimeout(() => {
      const left = this.wdDue - Date.now();
      if (left > 0) return this.armWatchdogTimer(left);
      this.wdTimer = undefined;
      this.watchdog({ type: 'timer-expires' });
    }, ms);
  }

  /** SetWatchdog() (RFC 3539): Tw with jitter, or 2·Tw while SUSPECT. */
  private setWatchdogTimer(length: 'tw' | 'suspect', now = Date.now()): void {
    if (this.wd.state === 'DOWN' && !isOpen(this.ctx)) {
      clearTimeout(this.wdTimer);
      this.wdTimer = undefined;
      return; // the peer driver reconnects every Tc; nothing to watch while down
    }
    // The jitter is drawn when a timer is armed and kept while it runs: every received message
    // re-arms the timer, and a fresh draw each time would put the deadline earlier half of the
    // time (a real timer reset, and a new timer list per distinct length inside Node).
    if (length === 'tw' && (this.wdTimer === undefined || this.wdTw === 0)) this.wdTw = jitteredTw(this.settings.twMs);
    const ms = length === 'tw' ? this.wdTw : 2 * this.settings.twMs;
    const due = now + ms;
    // Under load, moving the deadline forward and re-arming only when the armed timeout fires
    // costs a clock read per message instead of a timer reset.
    if (this.wdTimer !== undefined && due >= this.wdDue) {
      this.wdDue = due;
      return;
    }
    clearTimeout(this.wdTimer);
    this.wdDue = due;
    this.armWatchdogTimer(ms);
  }

  private watchdogAction(a: WatchdogAction): void {
    switch (a.do) {
      case 'send-dwr': {
        const side: Side = this.ctx.state === 'R-Open' ? 'R' : 'I';
        this.sendBase(side, 'DWR');
        break;
      }
      case 'set-timer':
        this.setWatchdogTimer(a.length);
        break;
      case 'failover':
        this.setAvailable(false, 'watchdog: no DWA (SUSPECT)');
        break;
      case 'failback':
        break; // availability is recomputed after every watchdog event
      case 'close-connection': {
        const side: Side = this.ctx.state === 'R-Open' ? 'R' : 'I';
        if (isOpen(this.ctx) || this.ctx.state === 'Closing') this.fire({ type: 'Peer-Disc', side });
        break;
      }
      case 'throwaway':
        break;
    }
  }

  // --- PeerSocketSink ---

  onFrame(sock: PeerSocket, frame: Buffer): void {
    const side: Side | undefined = sock === this.i ? 'I' : sock === this.r ? 'R' : undefined;
    if (!side) return;
    const flags = frame[4]!;
    const code = (frame[5]! << 16) | (frame[6]! << 8) | frame[7]!;
    const request = (flags & CmdFlag.R) !== 0;
    if (code === CER || code === DWR || code === DPR) {
      this.env.onBaseMessage?.(this, sock, 'received', frame);
      this.onBaseMessage(sock, side, frame, code, request);
      return;
    }
    if (side === 'I' && this.ctx.state === 'Wait-I-CEA') {
      this.fire({ type: 'I-Rcv-Non-CEA' });
      return;
    }
    if (this.wd.state === 'OKAY') {
      // The hot path, one call per relayed message. OKAY + "Receive non-DWA" is SetWatchdog() and
      // nothing else (watchdog.ts), and X-Rcv-Message never changes the peer state (Process in
      // X-Open and Closing, nothing elsewhere: state-machine.ts): doing just that here saves four
      // transition objects per message.
      this.setWatchdogTimer('tw', sock.readAt);
      if (!this.available && isOpen(this.ctx)) this.setAvailable(true, 'open');
    } else if (this.wd.state === 'REOPEN') {
      // RFC 3539 §3.4.1: traffic is not trusted until 3 DWAs; requests still get an answer.
      this.watchdog({ type: 'receive-other' });
      if (request) this.env.onUntrustedRequest(this, frame);
      return;
    } else {
      this.watchdog({ type: 'receive-other' });
      this.fire({ type: 'Rcv-Message', side });
    }
    const now = this.ctx.state;
    if (now === 'R-Open' || now === 'I-Open' || now === 'Closing') this.env.onMessage(this, frame);
  }

  private onBaseMessage(sock: PeerSocket, side: Side, frame: Buffer, code: number, request: boolean): void {
    const { message } = decodeMessage(frame, this.env.dict);
    if (!message) {
      sock.destroy('undecodable base message');
      return;
    }
    if (code === CER) {
      if (request) {
        // A CER on a connection that is already past its exchange: refuse it (RFC 6733 §5.3).
        this.sendCea(sock, message, 3002, 'capabilities already exchanged on this connection');
        return;
      }
      if (side !== 'I') return;
      this.onCea(message);
      return;
    }
    this.checkOriginStateId(message);
    if (code === DWR) {
      if (request) {
        this.lastRequest = message;
        this.watchdog({ type: 'receive-other' });
        this.fire({ type: 'Rcv-DWR', side });
      } else {
        this.fire({ type: 'Rcv-DWA', side });
      }
      return;
    }
    // DPR / DPA
    if (request) {
      const cause = findAvp(message.avps, 273)?.value;
      if (cause === DisconnectCause.BUSY) this.backoff = 10;
      else if (cause === DisconnectCause.DO_NOT_WANT_TO_TALK_TO_YOU) this.backoff = 200;
      this.log.info({ cause }, `peer ${this.identity}: DPR received (Disconnect-Cause ${String(cause)})`);
      this.lastRequest = message;
      this.closedByDpr = true;
      this.fire({ type: 'Rcv-DPR', side });
    } else {
      this.closedByDpr = true;
      this.fire({ type: 'Rcv-DPA', side });
    }
  }

  private onCea(cea: Message): void {
    const resultCode = findAvp(cea.avps, 268)?.value;
    const caps = readCapabilities(cea);
    let ok = resultCode === 2001 && caps !== undefined;
    let reason = `CEA Result-Code ${String(resultCode)}`;
    if (ok && caps) {
      if (caps.originHost.toLowerCase() !== this.identity.toLowerCase()) {
        ok = false;
        reason = `CEA from ${caps.originHost}, expected ${this.identity}`;
      } else {
        const check = checkCapabilities(this.env.local, caps, { realm: this.settings.realm, inbandTls: this.settings.tls === 'inband' });
        ok = check.resultCode === 2001;
        reason = check.reason;
      }
    }
    if (resultCode === 4003) {
      // We lost an election on this connection: the peer's own connection carries the session.
      this.log.info(`peer ${this.identity}: CEA 4003 ELECTION_LOST on our connection`);
      return;
    }
    if (ok) this.caps = caps;
    else this.log.warn(`peer ${this.identity}: capabilities exchange failed: ${reason}`);
    this.fire({ type: 'I-Rcv-CEA', ok });
  }

  /** RFC 3539 / freeDiameter: a changed Origin-State-Id means the peer restarted. */
  private checkOriginStateId(m: Message): void {
    const v = findAvp(m.avps, 278)?.value;
    if (typeof v !== 'number' || !this.caps) return;
    if (this.caps.originStateId === undefined) {
      this.caps.originStateId = v;
      return;
    }
    if (v !== this.caps.originStateId) {
      this.log.warn({ was: this.caps.originStateId, now: v }, `peer ${this.identity}: Origin-State-Id changed: the peer restarted`);
      this.caps.originStateId = v;
      const side: Side = this.ctx.state === 'R-Open' ? 'R' : 'I';
      this.fire({ type: 'Peer-Disc', side });
    }
  }

  onClosed(sock: PeerSocket, reason: string): void {
    if (this.offered?.sock === sock) {
      this.offered = undefined;
      return;
    }
    const side: Side | undefined = sock === this.i ? 'I' : sock === this.r ? 'R' : undefined;
    if (!side) return;
    if (side === 'I') this.i = undefined;
    else this.r = undefined;
    this.log.info({ reason }, `peer ${this.identity}: ${side} connection closed: ${reason}`);
    if (side === 'I' && this.ctx.state === 'Wait-Conn-Ack') return;
    this.fire({ type: 'Peer-Disc', side });
  }
}
