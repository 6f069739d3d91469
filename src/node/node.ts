// The Diameter node: configuration in, peers and listeners up, messages answered. This is the
// top of the stack that `diamond start` runs; routing (DRA) and the HSS applications plug in here.
import { readFileSync } from 'node:fs';
import { type Logger, pino } from 'pino';
import { certificateMatchesIdentity } from '../certs/identity.js';
import type { ApplicationRef, Config } from '../config/model.js';
import type { Dictionary } from '../diameter/dictionary/dictionary.js';
import { loadDictionary } from '../diameter/dictionary/load.js';
import { decodeMessage } from '../diameter/codec/decode.js';
import { encodeMessage } from '../diameter/codec/encode.js';
import { errorAnswer } from '../diameter/codec/answer.js';
import { SECRET_AVPS, formatMessage } from '../diameter/codec/inspect.js';
import { maskSecrets } from '../diameter/codec/mask-secrets.js';
import { CmdFlag, type Message } from '../diameter/codec/message.js';
import { failedAvpOf, validateRequest } from '../diameter/codec/validate.js';
import type { LocalApplication } from './local-application.js';
import { avp } from '../diameter/codec/builder.js';
import { RELAY_APPLICATION_ID, type LocalCapabilities } from '../diameter/peer/capabilities.js';
import { type Peer } from '../diameter/peer/peer.js';
import { PeerManager, type BoundListener } from '../diameter/peer/peer-manager.js';
import type { PeerStatus } from '../diameter/peer/peer.js';
import type { TlsMaterial } from '../diameter/transport/transport.js';
import { Result } from '../diameter/dictionary/generated/constants.js';
import { Router } from '../routing/router.js';
import { TrafficCapture } from '../capture/traffic-capture.js';
import { loadRuleFiles } from '../routing/rules-loader.js';

export interface NodeOptions {
  config: Config;
  logger?: Logger;
  dictionary?: Dictionary;
  /** Applications answered by this node (the HSS); advertised in CER/CEA besides the configured ones. */
  applications?: LocalApplication[];
}

export function localCapabilities(config: Config, originStateId: number, local: readonly ApplicationRef[] = []): LocalCapabilities {
  const all = [...config.applications];
  for (const a of local) if (!all.some((b) => b.id === a.id && b.vendorId === a.vendorId && b.kind === a.kind)) all.push(a);
  const auth = all.filter((a) => a.kind === 'auth' && a.vendorId === 0).map((a) => a.id);
  const acct = all.filter((a) => a.kind === 'acct' && a.vendorId === 0).map((a) => a.id);
  const vendorApplications = all.filter((a) => a.vendorId !== 0).map((a) => ({ vendorId: a.vendorId, id: a.id, kind: a.kind }));
  // Unless the operator lists what it routes (`applications`, e.g. for Kamailio's cdp, which does
  // not take Relay as a wildcard), the node advertises Relay (RFC 6733 §2.8.1) besides the HSS
  // applications it answers itself: a DRA with a local HSS still relays everything else.
  if (config.relay || config.applications.length === 0) auth.push(RELAY_APPLICATION_ID);
  return {
    originHost: config.identity,
    originRealm: config.realm,
    vendorId: config.vendorId,
    productName: config.productName,
    firmwareRevision: config.firmwareRevision,
    originStateId,
    authApplications: auth,
    acctApplications: acct,
    vendorApplications,
  };
}

function tlsMaterial(config: Config): TlsMaterial | undefined {
  const t = config.tls;
  if (!t.cert || !t.key) return undefined;
  return {
    cert: readFileSync(t.cert),
    key: readFileSync(t.key),
    ca: t.ca ? readFileSync(t.ca) : undefined,
    rejectUnauthorized: t.verifyPeer,
  };
}

export class DiameterNode {
  readonly config: Config;
  readonly log: Logger;
  readonly dict: Dictionary;
  readonly originStateId: number;
  readonly peers: PeerManager;
  readonly router: Router;
  private readonly messageDump: boolean;
  /** pcapng of the node's own traffic (config `capture`); undefined when not configured. */
  readonly capture: TrafficCapture | undefined;
  /** Applications answered here (the HSS), by application id. */
  private readonly handlers = new Map<number, LocalApplication>();
  private readonly localApplications = new Set<number>();
  private peerList: Peer[] = [];

  constructor(opts: NodeOptions) {
    this.config = opts.config;
    this.log = opts.logger ?? pino({ level: opts.config.log.level });
    this.dict = opts.dictionary ?? loadDictionary(opts.config.dictionaries);
    // RFC 6733 §8.16: a value that grows at every restart.
    this.originStateId = Math.floor(Date.now() / 1000) >>> 0;
    this.messageDump = opts.config.log.messageDump;
    this.capture = opts.config.capture ? new TrafficCapture(opts.config.capture, this.dict) : undefined;
    const c = opts.config;
    const tls = tlsMaterial(c);
    this.peers = new PeerManager({
      dict: this.dict,
      local: localCapabilities(c, this.originStateId, (opts.applications ?? []).map((a) => a.application)),
      log: this.log,
      peers: c.peers.map((p) => ({
        identity: p.identity,
        realm: p.realm,
        addresses: p.addresses,
        port: p.port,
        transport: p.transport,
        tls: p.tls,
        connect: p.connect,
        // `prefer`: that transport first, then the other one (freeDiameter: SCTP, then TCP).
        fallback: p.fallback ? (p.prefer === 'sctp' ? 'tcp' : 'sctp') : undefined,
        tcMs: p.tc,
        twMs: p.tw,
        dynamic: false,
      })),
      // One SCTP endpoint holds all its addresses (multi-homing); TCP/TLS listen once per address.
      listeners: c.listen.flatMap((l) =>
        l.transport === 'sctp' ? [{ kind: l.transport, address: l.addresses[0]!, addresses: l.addresses, port: l.port }] : l.addresses.map((address) => ({ kind: l.transport, address, port: l.port })),
      ),
      allowUnknownPeers: c.allowUnknownPeers,
      tlsMaterial: tls,
      checkCertificateIdentity: c.tls.checkIdentity,
      matchesIdentity: certificateMatchesIdentity,
      maxMessageSize: c.limits.maxMessageSize,
      maxQueuedBytes: c.limits.maxQueuedBytesPerPeer,
      maxPendingPerPeer: c.limits.maxPendingPerPeer,
      ceTimeoutMs: c.timers.ceTimeout,
      dpaTimeoutMs: c.timers.dpaTimeout,
      defaultTcMs: c.timers.tc,
      defaultTwMs: c.timers.tw,
      onMessage: (peer, frame) => this.onMessage(peer, frame),
      onAvailability: (peer, available, reason) => {
        this.peerList = this.peers.all();
        this.log.info({ peer: peer.identity, available, reason }, `peer ${peer.identity} ${available ? 'available' : 'unavailable'}: ${reason}`);
        if (!available) this.router.onPeerUnavailable(peer, reason);
        else this.router.onPeerAvailable(peer);
      },
      onBaseMessage: (peer, sock, direction, frame) => this.capture?.recordSocket(direction, peer.identity, sock, frame),
      onUntrustedRequest: (peer, frame) => {
        this.capture?.recordPeer('received', peer, frame);
        this.answerError(peer, frame, Result.DIAMETER_UNABLE_TO_DELIVER, 'connection not yet trusted (watchdog REOPEN)');
      },
    });
    this.peerList = this.peers.all();
    this.router = new Router({
      identity: c.identity,
      realm: c.realm,
      log: this.log,
      // The peer list as of the last availability change (a peer admitted later is not routed to
      // before it is available), not a fresh array per relayed request.
      peers: () => this.peerList,
      knownRealms: () => new Set(c.peers.flatMap((p) => (p.realm ? [p.realm] : []))),
      localApplications: this.localApplications,
      requestTimeoutMs: c.timers.requestTimeout,
      retryOn: c.routing.retryOn,
      onLocalRequest: (peer, frame) => this.onLocalRequest(peer, frame),
      errorAnswer: (request, resultCode, message, missingAvp) => this.errorAnswerBytes(request, resultCode, message, missingAvp),
      // Only when something looks at sent messages: the relay then need not join a request's
      // parts (received bytes + Route-Record) into one buffer for it.
      onSent: this.messageDump || this.capture ? (peer, frame) => this.onSent(peer, frame) : undefined,
    });
    for (const app of opts.applications ?? []) {
      this.handlers.set(app.application.id, app);
      this.localApplications.add(app.application.id);
      app.attach?.({
        identity: c.identity,
        realm: c.realm,
        dict: this.dict,
        log: this.log.child({ application: app.name }),
        request: (m) => this.request(m),
        nextEndToEndId: () => this.peers.nextEndToEndId(),
      });
    }
    // Rules are read at construction, so a bad file stops the node before it listens.
    if (c.routing.rules.length > 0) this.router.setRules(loadRuleFiles(c.routing.rules));
  }

  /**
   * Re-reads the rule files (SIGHUP, admin API). On any error the running rules stay and the
   * error (FILE:LINE:COL: message) is returned.
   */
  reloadRules(): { ok: true; rules: number } | { ok: false; error: string } {
    try {
      const rules = loadRuleFiles(this.config.routing.rules);
      this.router.setRules(rules);
      this.log.info({ files: rules.files, rules: rules.rules.length }, `routing rules reloaded: ${rules.rules.length} rule(s)`);
      return { ok: true, rules: rules.rules.length };
    } catch (err) {
      this.log.error({ err: (err as Error).message }, `routing rules NOT reloaded, the old rules stay: ${(err as Error).message}`);
      return { ok: false, error: (err as Error).message };
    }
  }

  get listeners(): BoundListener[] {
    return this.peers.bound;
  }

  /** Listens, then connects to the configured peers (connectPeers false: listen only). */
  async start(connectPeers = true): Promise<void> {
    await this.peers.start(connectPeers);
  }

  async stop(): Promise<void> {
    this.log.info('stopping: DPR to every peer');
    await this.peers.stop(this.config.timers.shutdownGrace);
    this.router.close();
    for (const app of this.handlers.values()) app.close?.();
    this.capture?.close();
    this.log.info('stopped');
  }

  peerStatus(): PeerStatus[] {
    return this.peers.status();
  }

  private onMessage(peer: Peer, frame: Buffer): void {
    if (this.messageDump) this.dump('received', peer, frame);
    this.capture?.recordPeer('received', peer, frame);
    if (((frame[4] ?? 0) & CmdFlag.R) === 0) this.router.onAnswer(peer, frame);
    else this.router.onRequest(peer, frame);
  }

  /** A request for an application answered here: validate (RFC 6733 §7), handle, answer. */
  private onLocalRequest(peer: Peer, frame: Buffer): void {
    const app = this.handlers.get(frame.readUInt32BE(8));
    if (!app) {
      this.answerError(peer, frame, Result.DIAMETER_APPLICATION_UNSUPPORTED, `no local application for application ${frame.readUInt32BE(8)}`);
      return;
    }
    const v = validateRequest(frame, this.dict);
    if (!v.ok) {
      const req = v.message ?? { flags: frame[4] ?? 0, commandCode: frame.readUIntBE(5, 3), applicationId: frame.readUInt32BE(8), hopByHopId: frame.readUInt32BE(12), endToEndId: frame.readUInt32BE(16) };
      this.sendAnswer(peer, encodeMessage(errorAnswer(this.dict, req, { host: this.config.identity, realm: this.config.realm }, v.error)));
      return;
    }
    const req = v.message;
    const finish = (answer: Message): void => {
      // The answer mirrors the request's header (RFC 6733 §6.2): ids, command, P bit.
      answer.hopByHopId = req.hopByHopId;
      answer.endToEndId = req.endToEndId;
      answer.commandCode = req.commandCode;
      answer.applicationId = req.applicationId;
      answer.flags = (answer.flags & ~CmdFlag.R & ~CmdFlag.P) | (req.flags & CmdFlag.P);
      this.sendAnswer(peer, encodeMessage(answer));
    };
    const failed = (err: unknown): void => {
      this.log.error({ err: (err as Error).message, application: app.name, commandCode: req.commandCode }, `${app.name} failed on command ${req.commandCode}: answering 5012`);
      this.sendAnswer(peer, this.errorAnswerBytes(frame, Result.DIAMETER_UNABLE_TO_COMPLY, 'internal error'));
    };
    try {
      const out = app.handle(req, { peer: peer.identity });
      if (out instanceof Promise) out.then(finish, failed);
      else finish(out);
    } catch (err) {
      failed(err);
    }
  }

  private sendAnswer(peer: Peer, bytes: Buffer): void {
    if (peer.send(bytes)) this.onSent(peer, bytes);
    else this.log.warn({ peer: peer.identity }, `answer not sent: ${peer.identity} is no longer connected`);
  }

  /** Sends a request this node originates through the routing table; resolves with the decoded answer. */
  async request(m: Message): Promise<Message> {
    const answer = await this.router.request(encodeMessage(m));
    const { message } = decodeMessage(answer, this.dict);
    if (!message) throw new Error(`undecodable answer to command ${m.commandCode}`);
    return message;
  }

  /** Every message the node puts on a connection passes here (message dump). */
  private onSent(peer: Peer, frame: Buffer): void {
    if (this.messageDump) this.dump('sent', peer, frame);
    this.capture?.recordPeer('sent', peer, frame);
  }

  /** The encoded answer to a request refused with a protocol error (RFC 6733 §7.2). */
  errorAnswerBytes(frame: Buffer, resultCode: number, reason: string, missingAvp?: string): Buffer {
    const { message, issues } = decodeMessage(frame, this.dict);
    const req = message ?? {
      flags: frame[4] ?? 0,
      commandCode: frame.readUIntBE(5, 3),
      applicationId: frame.readUInt32BE(8),
      hopByHopId: frame.readUInt32BE(12),
      endToEndId: frame.readUInt32BE(16),
    };
    // §7.5: for a missing AVP, Failed-AVP holds an example of it with empty data; for a malformed
    // one (5014 length, 5004 value ...), the offending AVP as far as it could be read.
    const failedAvp = missingAvp ? avp(this.dict, missingAvp, '') : failedAvpOf(issues.find((i) => i.resultCode === resultCode));
    return encodeMessage(errorAnswer(this.dict, req, { host: this.config.identity, realm: this.config.realm }, { resultCode, errorMessage: reason, failedAvp }));
  }

  /** Answers a request with a protocol error; nothing is dropped silently. */
  answerError(peer: Peer, frame: Buffer, resultCode: number, reason: string): void {
    const bytes = this.errorAnswerBytes(frame, resultCode, reason);
    if (peer.send(bytes)) this.onSent(peer, bytes);
  }

  private dump(direction: 'sent' | 'received', peer: Peer, frame: Buffer): void {
    const { message } = decodeMessage(frame, this.dict);
    if (message) this.log.info({ peer: peer.identity, direction }, `${direction} ${direction === 'sent' ? 'to' : 'from'} ${peer.identity}\n${formatMessage(this.dict, maskSecrets(message), { mask: SECRET_AVPS })}`);
  }
}
