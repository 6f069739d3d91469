// The router: decides for each received request (decide.ts), relays by scores (scoring.ts) and
// owns the relayed requests until their answers return (RFC 6733 §6.1, §6.2, §6.7): Route-Record
// appended, hop-by-hop id swapped per hop and restored on the answer, End-to-End kept; failover
// of pending requests with the T flag when a peer goes away (§5.5.4); a request whose answer does
// not come in time is answered 3002 here. Nothing is dropped silently.
import type { Logger } from 'pino';
import { RelayView, SCAN_OK, encodeRouteRecord, readU32, setMessageLength, withDestinationRealm, writeU32 } from '../diameter/codec/relay-view.js';
import { CmdFlag } from '../diameter/codec/message.js';
import { Result } from '../diameter/dictionary/generated/constants.js';
import type { Peer } from '../diameter/peer/peer.js';
import { decide, type RequestFacts, type Self } from './decide.js';
import { applyRedirect, RedirectCache, Usage, type Redirect } from './redirect-cache.js';
import { parseDiameterUri } from '../diameter/codec/diameter-uri.js';
import { EMPTY_RULES, type RuleSet } from './rule-set.js';
import { explainRoute, type RouteExplanation } from './explain.js';
import { compileRules, type CompiledRules } from './compiled-rules.js';
import { rankScores, RouteScores, scoreInto } from './relay-scoring.js';
import { NameCache, ViewRouteRequest } from './relay-request.js';
import { InFlight } from './in-flight.js';
import { answerRule, realmRewrite, type Candidate, type RouteRequest } from './scoring.js';

export interface RouterOptions {
  identity: string;
  realm: string;
  log: Logger;
  /** Open peers (the router filters by availability). */
  peers: () => Iterable<Peer>;
  /** Realms of every configured peer, open or not: a realm none of them has is "not served" (3003). */
  knownRealms: () => ReadonlySet<string>;
  localApplications: ReadonlySet<number>;
  requestTimeoutMs: number;
  /** Result-Codes of error answers that make the router try the next candidate (like rt_busypeers). */
  retryOn: readonly number[];
  /** A request for a local application. */
  onLocalRequest(from: Peer, frame: Buffer): void;
  /** Builds the answer to a request with a protocol error (the node owns the dictionary). */
  errorAnswer(request: Buffer, resultCode: number, message: string, missingAvp?: string): Buffer;
  /** Called for every message the router puts on a connection (message dump, capture). */
  onSent?(to: Peer, frame: Buffer): void;
}

/** A relayed request until its answer is back (one object per request, of one shape). */
class Pending {
  /** The peer the request came from (never a candidate for it); undefined when this node sent it. */
  readonly from: Peer | undefined;
  /** For a request this node sent: where its answer goes. */
  readonly resolve: ((answer: Buffer) => void) | undefined;
  /** The hop-by-hop id the origin used; restored on the answer. */
  readonly originHbh: number;
  /**
   * The request as forwarded is `head` then `tail`. A relayed request's head is the received
   * frame itself, its header rewritten in place (length, hop-by-hop id per hop, T flag), and its
   * tail the Route-Record to append, so relaying copies the request only once, into the
   * connection's write batch. tail is undefined when head is the whole message.
   */
  readonly head: Buffer;
  readonly tail: Buffer | undefined;
  readonly req: RouteRequest;
  /** Identities tried or excluded besides `from` (lower case); made when the first is added. */
  excluded: Set<string> | undefined;
  peer: Peer | undefined = undefined;
  hbh = 0;
  /** ms since the router's epoch. */
  deadline = 0;
  /** A redirect (3006) received for this request, applied when it is sent again. */
  redirect: Redirect | undefined = undefined;

  constructor(
    from: Peer | undefined,
    resolve: ((answer: Buffer) => void) | undefined,
    originHbh: number,
    head: Buffer,
    tail: Buffer | undefined,
    req: RouteRequest,
    excluded: Set<string> | undefined,
  ) {
    this.from = from;
    this.resolve = resolve;
    this.originHbh = originHbh;
    this.head = head;
    this.tail = tail;
    this.req = req;
    this.excluded = excluded;
  }

  exclude(identityLower: string): void {
    (this.excluded ??= new Set()).add(identityLower);
  }

  isExcluded(peer: Peer, identityLower: string): boolean {
    return peer === this.from || (this.excluded !== undefined && this.excluded.has(identityLower));
  }

  /** The request as one buffer (error answers, message dump, capture: not the relay path). */
  wire(): Buffer {
    return this.tail === undefined ? this.head : Buffer.concat([this.head, this.tail]);
  }
}

const RESULT_CODE = 268;
const ORIGIN_HOST = 264;
const REDIRECT_HOST = 292;
const REDIRECT_HOST_USAGE = 261;
const REDIRECT_MAX_CACHE_TIME = 262;

/** Visits the top-level base-protocol AVPs of a message (no vendor), with their data. */
function eachBaseAvp(buf: Buffer, visit: (code: number, data: Buffer) => void): void {
  let off = 20;
  const end = Math.min(buf.length, buf.readUIntBE(1, 3));
  while (off + 8 <= end) {
    const code = buf.readUInt32BE(off);
    const flags = buf[off + 4]!;
    const len = buf.readUIntBE(off + 5, 3);
    if (len < 8 || off + len > end) return;
    if ((flags & 0x80) === 0) visit(code, buf.subarray(off + 8, off + len));
    off += (len + 3) & ~3;
  }
}

/** Result-Code of an answer (top level), or undefined. */
function resultCodeOf(buf: Buffer): number | undefined {
  let rc: number | undefined;
  eachBaseAvp(buf, (code, data) => {
    if (code === RESULT_CODE && data.length === 4) rc ??= data.readUInt32BE(0);
  });
  return rc;
}

/** What a 3006 answer says (RFC 6733 §6.13). */
interface RedirectInfo {
  /** Redirect-Host identities (lower case) reachable over Diameter/TCP/SCTP. */
  hosts: string[];
  /** Redirect-Host-Usage; a value outside 0..6 counts as DONT_CACHE. */
  usage: number;
  maxCacheTime: number | undefined;
  /** The answer's Origin-Host (lower case). */
  originHost: string | undefined;
}

/** A request whose 3006 named only configured peers that were not open: it waits for one to open. */
interface WaitingForRedirect {
  p: Pending;
  fromLower: string;
  /** The 3006 answer, passed back if no Redirect-Host opens in time. */
  answer: Buffer;
  redirect: RedirectInfo;
  /** The Redirect-Hosts being connected to. */
  peers: Peer[];
  deadline: number;
}

/** Requests held at once waiting for a Redirect-Host connection; past it, 3006 goes back at once. */
const MAX_WAITING_FOR_REDIRECT = 10_000;

function readRedirect(buf: Buffer): RedirectInfo {
  const hosts: string[] = [];
  let usage = Usage.DONT_CACHE as number;
  let maxCacheTime: number | undefined;
  let originHost: string | undefined;
  eachBaseAvp(buf, (code, data) => {
    if (code === REDIRECT_HOST) {
      const u = parseDiameterUri(data.toString('utf8'));
      // Only Diameter over TCP/SCTP can be followed (rt_redirect ignores the rest).
      if (u && (u.protocol === undefined || u.protocol === 'diameter') && u.transport !== 'udp') hosts.push(u.fqdn.toLowerCase());
    } else if (code === REDIRECT_HOST_USAGE && data.length === 4) {
      const v = data.readUInt32BE(0);
      usage = v <= Usage.ALL_USER ? v : Usage.DONT_CACHE;
    } else if (code === REDIRECT_MAX_CACHE_TIME && data.length === 4) maxCacheTime = data.readUInt32BE(0);
    else if (code === ORIGIN_HOST) originHost ??= data.toString('utf8').toLowerCase();
  });
  return { hosts, usage, maxCacheTime, originHost };
}

/** decide()'s input, one object reused for every request (decide keeps nothing). */
class Facts implements RequestFacts {
  flags = 0;
  applicationId = 0;
  destinationHost: string | undefined = undefined;
  destinationRealm: string | undefined = undefined;
  loop = false;
}

/** A candidate that remembers its peer, so the ranked list leads straight to a connection. */
interface PeerCandidate extends Candidate {
  peer: Peer;
  identityLower: string;
  caps: object;
}

/** One decision's working arrays, reused from request to request. */
class DecisionScratch {
  readonly scores = new RouteScores();
  readonly list: PeerCandidate[] = [];
  count = 0;
}

export class Router {
  private readonly o: RouterOptions;
  private readonly view = new RelayView();
  private readonly facts = new Facts();
  private readonly names = new NameCache();
  /** Deadlines count from here: small integers, not a heap number per request. */
  private readonly epoch = Date.now();
  private readonly self: Self;
  private readonly selfLower: Buffer;
  private rules: RuleSet = EMPTY_RULES;
  private compiled: CompiledRules = compileRules(EMPTY_RULES);
  /** Reused by every decision; a decision made while one is being walked gets its own. */
  private readonly scratch = new DecisionScratch();
  /**
   * Requests in flight per next hop. The sweep finds expired ones here too: only live requests are
   * held, so an answered request is garbage at once instead of surviving to the old generation
   * (which showed as 20-30 ms GC pauses in the relay's p99).
   */
  private readonly pending = new Map<Peer, InFlight<Pending>>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly routeRecords = new Map<string, Buffer>();
  private nextLocalHbh = 1;
  private readonly redirects = new RedirectCache();
  private readonly waiting = new Set<WaitingForRedirect>();
  private lastPurge = Date.now();

  constructor(o: RouterOptions) {
    this.o = o;
    this.self = { identity: o.identity, realm: o.realm, localApplications: o.localApplications };
    this.selfLower = Buffer.from(o.identity.toLowerCase(), 'utf8');
    this.sweeper = setInterval(() => this.sweep(), Math.max(10, Math.min(250, o.requestTimeoutMs / 4)));
    this.sweeper.unref();
  }

  get ruleSet(): RuleSet {
    return this.rules;
  }

  setRules(rules: RuleSet): void {
    // Compiled here, once per load or reload, not on the first request after it.
    this.compiled = compileRules(rules);
    this.rules = rules;
    // Fresh candidate objects: no peer's cached name ids keep the old compiled rules alive.
    this.candidateCache = new WeakMap();
    this.scratch.list.length = 0;
  }

  close(): void {
    clearInterval(this.sweeper);
    this.waiting.clear();
  }

  /** Requests relayed through `peer` that wait for an answer. */
  pendingCount(peer?: Peer): number {
    if (peer) return this.pending.get(peer)?.size ?? 0;
    let n = 0;
    for (const m of this.pending.values()) n += m.size;
    return n;
  }

  // --- received messages ---

  onRequest(from: Peer, frame: Buffer): void {
    const v = this.view;
    const scan = v.scan(frame);
    if (scan !== SCAN_OK) return this.answer(from, this.o.errorAnswer(frame, scan, 'malformed AVP framing'));
    const req = new ViewRouteRequest(v, frame, this.names);
    const f = this.facts;
    f.flags = v.flags;
    f.applicationId = req.applicationId;
    f.destinationHost = req.destinationHost;
    f.destinationRealm = req.destinationRealm;
    f.loop = v.hasRouteRecord(this.selfLower);
    const d = decide(f, this.self);
    f.destinationHost = f.destinationRealm = undefined;
    if (d.kind === 'local') return this.o.onLocalRequest(from, frame);
    if (d.kind === 'answer') return this.answer(from, this.o.errorAnswer(frame, d.resultCode, d.message, d.missingAvp));
    // The peer it came from is excluded through Pending.from; a Set only when Route-Records name others.
    let excluded: Set<string> | undefined;
    for (let i = 0; i < v.routeRecordCount; i++) (excluded ??= new Set()).add(v.routeRecord(i)!.toLowerCase());
    // RFC 6733 §6.7.1: the relay adds a Route-Record naming the peer the request came from.
    const rr = this.routeRecordFor(from.identity);
    const cr = this.compiled;
    // Most rule sets rewrite no realm: then the request is not even looked at for it.
    const rewrite = cr.realmRules.length > 0 || cr.prefixHasRealms ? realmRewrite(cr, req) : undefined;
    const originHbh = v.hopByHopId;
    let p: Pending;
    if (rewrite) {
      req.destinationRealm = rewrite.realm;
      p = new Pending(from, undefined, originHbh, withDestinationRealm(v, rewrite.realm, rr), undefined, req, excluded);
    } else {
      // The received frame is ours (each socket read is a fresh buffer): its header is rewritten
      // in place and the Route-Record follows it in the write batch, instead of a copy per request.
      setMessageLength(frame, v.length + rr.length);
      p = new Pending(from, undefined, originHbh, frame, rr, req, excluded);
    }
    this.forward(p, false);
  }

  onAnswer(from: Peer, frame: Buffer): void {
    const hbh = readU32(frame, 12);
    const p = this.pending.get(from)?.get(hbh);
    if (!p) {
      this.o.log.warn({ peer: from.identity, hopByHopId: hbh }, 'answer with no pending request: discarded (late, or never sent by us)');
      return;
    }
    this.settle(p);
    if ((frame[4]! & CmdFlag.E) !== 0) {
      const rc = resultCodeOf(frame);
      if (rc === Result.DIAMETER_REDIRECT_INDICATION && this.followRedirect(p, from, frame)) return;
      this.retryOrDeliver(p, from.identity.toLowerCase(), frame, rc);
      return;
    }
    this.deliver(p, frame);
  }

  /** An error answer: the next candidate when its Result-Code is in retryOn, else back to the origin. */
  private retryOrDeliver(p: Pending, fromLower: string, frame: Buffer, rc: number | undefined): void {
    if (rc !== undefined && this.o.retryOn.includes(rc)) {
      p.exclude(fromLower);
      if (this.forward(p, false, true)) return;
    }
    this.deliver(p, frame);
  }

  /**
   * 3006 from the next hop (rt_redirect's behaviour): if a Redirect-Host is an open peer, remember
   * the redirect per its usage and send the request again (no T flag), away from the redirecting
   * agent. Diamond's extra: if none is open but one is a configured peer, connect to it and send
   * the request there once it is open (waitForRedirectHost). Otherwise the answer goes back to
   * the origin as it is.
   */
  private followRedirect(p: Pending, from: Peer, frame: Buffer): boolean {
    const r = readRedirect(frame);
    if (r.hosts.length === 0) return false;
    // Caching needs a lifetime: without Redirect-Max-Cache-Time, give up (RFC 6733 §6.13).
    if (r.usage !== Usage.DONT_CACHE && r.maxCacheTime === undefined) return false;
    const fromLower = from.identity.toLowerCase();
    const open = [...this.o.peers()].some((x) => x.isAvailable && r.hosts.includes(x.identity.toLowerCase()));
    if (!open) return this.waitForRedirectHost(p, fromLower, frame, r);
    return this.redirect(p, fromLower, r);
  }

  /** Applies a redirect to a request and sends it again; false (nothing sent) when no candidate is left. */
  private redirect(p: Pending, fromLower: string, r: RedirectInfo): boolean {
    const rd: Redirect = { usage: r.usage, hosts: r.hosts, from: fromLower };
    this.redirects.add(rd, p.req, (r.maxCacheTime ?? 0) * 1000, Date.now());
    this.o.log.info({ peer: fromLower, hosts: r.hosts, usage: r.usage }, `redirect from ${fromLower} to ${r.hosts.join(', ')}`);
    p.exclude(rd.from);
    if (r.originHost) p.exclude(r.originHost);
    p.redirect = rd;
    return this.forward(p, false, true);
  }

  /**
   * No Redirect-Host is open, but some are configured peers: start their connections (also for
   * `connect: false` peers) and hold the request until one of them opens (onPeerAvailable), for
   * at most the request timeout. When it does not open in time, or every attempt has failed, the
   * 3006 goes back to the origin as it would have at once (sweep).
   */
  private waitForRedirectHost(p: Pending, fromLower: string, frame: Buffer, r: RedirectInfo): boolean {
    if (this.waiting.size >= MAX_WAITING_FOR_REDIRECT) return false;
    const peers: Peer[] = [];
    for (const x of this.o.peers()) {
      const id = x.identity.toLowerCase();
      // Dynamic peers (allowUnknownPeers) have no address to connect to; excluded ones would not be used.
      if (x.isAvailable || x.settings.dynamic || !r.hosts.includes(id) || p.isExcluded(x, id) || id === r.originHost) continue;
      if (x.state === 'Closed' && !x.connectNow()) continue;
      if (x.state !== 'Closed' && x.state !== 'Closing') peers.push(x);
    }
    if (peers.length === 0) return false;
    this.o.log.info({ peer: fromLower, hosts: peers.map((x) => x.identity) }, `redirect from ${fromLower} to ${peers.map((x) => x.identity).join(', ')}: not open, connecting`);
    // The frame may be a view of a socket buffer: keep a copy for the answer given up on.
    this.waiting.add({ p, fromLower, answer: Buffer.from(frame), redirect: r, peers, deadline: Date.now() + this.o.requestTimeoutMs });
    return true;
  }

  /** A peer became available: requests waiting for it as a Redirect-Host go there now. */
  onPeerAvailable(peer: Peer): void {
    if (this.waiting.size === 0) return;
    // After the peer's own state change has finished (this is called from inside it).
    setImmediate(() => {
      for (const w of [...this.waiting]) {
        if (!w.peers.includes(peer)) continue;
        this.waiting.delete(w);
        if (!this.redirect(w.p, w.fromLower, w.redirect)) this.retryOrDeliver(w.p, w.fromLower, w.answer, Result.DIAMETER_REDIRECT_INDICATION);
      }
    });
  }

  /** A peer left the candidate set: its pending requests go to the next candidate (§5.5.4). */
  onPeerUnavailable(peer: Peer, reason: string): void {
    const m = this.pending.get(peer);
    if (!m || m.size === 0) return;
    const list = m.values();
    this.o.log.info({ peer: peer.identity, count: list.length }, `failover: ${list.length} pending request(s) from ${peer.identity} (${reason})`);
    for (const p of list) {
      this.settle(p);
      p.exclude(peer.identity.toLowerCase());
      this.forward(p, true);
    }
  }

  /**
   * Sends a request this node originates (HSS-initiated CLR, IDR, RTR, ...) through the routing
   * table. Resolves with the answer, or with a 3002/3004 answer built here.
   */
  request(frame: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      const v = this.view;
      const copy = Buffer.from(frame);
      const scan = v.scan(copy);
      if (scan !== SCAN_OK) throw new Error('request(): malformed message'); // a programmer error
      const hbh = this.nextLocalHbh++ >>> 0;
      const p = new Pending(undefined, resolve, hbh, copy, undefined, new ViewRouteRequest(v, copy, this.names), undefined);
      p.head.writeUInt32BE(hbh, 12);
      this.forward(p, false);
    });
  }

  // --- decisions ---

  /** The open peers not excluded (nor `from`), into `d.list[0..d.count)`. */
  private fillCandidates(from: Peer | undefined, excluded: ReadonlySet<string> | undefined, d: DecisionScratch): void {
    const list = d.list;
    let n = 0;
    for (const peer of this.o.peers()) {
      const caps = peer.caps;
      if (!peer.isAvailable || !caps) continue;
      // One candidate object per peer and capabilities exchange: its lower-case names (and their
      // string hashes, and its name ids under the rules) are computed once, not per request.
      let c = this.candidateCache.get(peer);
      if (!c || c.caps !== caps) {
        c = {
          identity: peer.identity,
          realm: caps.originRealm,
          applications: caps.applications,
          identityLower: peer.identity.toLowerCase(),
          realmLower: caps.originRealm.toLowerCase(),
          cache: undefined,
          peer,
          caps,
        };
        this.candidateCache.set(peer, c);
      }
      if (peer === from || (excluded !== undefined && excluded.has(c.identityLower))) continue;
      if (n < list.length) list[n] = c;
      else list.push(c);
      n++;
    }
    d.count = n;
  }
  private candidateCache = new WeakMap<Peer, PeerCandidate>();

  /** The open candidates for a request, scored and ranked into `d.scores` (allocation-free). */
  private rankInto(d: DecisionScratch, req: RouteRequest, from: Peer | undefined, excluded: ReadonlySet<string> | undefined, once?: Redirect): void {
    this.fillCandidates(from, excluded, d);
    scoreInto(d.scores, req, d.list, this.compiled, this.redirectList(req, once), d.count);
    rankScores(d.scores);
  }

  /** Cached redirects that apply to a request (and the one just received); undefined: none. */
  private redirectList(req: RouteRequest, once?: Redirect): Redirect[] | undefined {
    if (this.redirects.size === 0 && !once) return undefined;
    const list = this.redirects.lookup(req, Date.now());
    if (once) list.push(once);
    return list.length === 0 ? undefined : list;
  }

  /** Scores from cached redirects, with their sources (explain). */
  private redirectScores(req: RouteRequest): ((c: Candidate, add: (delta: number, source: string) => void) => void) | undefined {
    const list = this.redirectList(req);
    if (!list) return undefined;
    return (c, add) => {
      for (const rd of list) applyRedirect(rd, c.identity, add);
    };
  }

  /** Where a request would go now, and why (`rules explain --api`, admin API). */
  explain(req: RouteRequest): RouteExplanation {
    const d = new DecisionScratch();
    this.fillCandidates(undefined, undefined, d);
    return explainRoute(req, d.list, this.rules, this.redirectScores(req));
  }

  /** Picks the next hop and sends; false (after answering) when there is none. */
  private forward(p: Pending, retransmit: boolean, quietWhenNone = false): boolean {
    const blocked = this.compiled.answerRules.length > 0 ? answerRule(this.compiled, p.req) : undefined;
    if (blocked && blocked.action.kind === 'answer') {
      this.fail(p, blocked.action.resultCode, blocked.action.message ?? `refused by rule ${blocked.pos.file}:${blocked.pos.line}`);
      return false;
    }
    // Sending can call back into the router (a write that fails at once); that decision must not
    // overwrite the list this one is walking.
    const d = this.scratch.scores.inUse ? new DecisionScratch() : this.scratch;
    d.scores.inUse = true;
    let busy = false;
    let eligible: number;
    try {
      this.rankInto(d, p.req, p.from, p.excluded, p.redirect?.usage === Usage.DONT_CACHE ? p.redirect : undefined);
      const s = d.scores;
      eligible = s.eligible;
      for (let k = 0; k < eligible; k++) {
        const peer = d.list[s.order[k]!]!.peer;
        const hbh = peer.nextHopByHopId();
        const head = p.head;
        writeU32(head, 12, hbh);
        // §5.5.4: a retransmission after failover carries the T flag.
        if (retransmit) head[4] = head[4]! | CmdFlag.T;
        const r = peer.sendRequest(head, p.tail);
        if (r === 'busy') {
          busy = true;
          continue;
        }
        if (r !== 'sent') continue;
        p.peer = peer;
        p.hbh = hbh;
        p.deadline = Date.now() - this.epoch + this.o.requestTimeoutMs;
        let m = this.pending.get(peer);
        if (!m) this.pending.set(peer, (m = new InFlight()));
        m.set(hbh, p);
        peer.pending = m.size;
        if (this.o.onSent) this.o.onSent(peer, p.wire());
        return true;
      }
    } finally {
      d.scores.inUse = false;
    }
    if (quietWhenNone) return false;
    if (busy) this.fail(p, Result.DIAMETER_TOO_BUSY, 'every candidate peer is busy');
    else if (eligible === 0 && p.req.destinationRealm !== undefined && !this.realmKnown(p.req.destinationRealm)) {
      this.fail(p, Result.DIAMETER_REALM_NOT_SERVED, `realm ${p.req.destinationRealm} is not served`);
    } else this.fail(p, Result.DIAMETER_UNABLE_TO_DELIVER, 'No suitable candidate to route the message to');
    return false;
  }

  private realmKnown(realm: string): boolean {
    const r = realm.toLowerCase();
    if (r === this.o.realm.toLowerCase()) return true;
    for (const k of this.o.knownRealms()) if (k.toLowerCase() === r) return true;
    for (const rule of this.rules.rules) if (rule.action.kind === 'score' && rule.action.target.on === 'realm') return true;
    return false;
  }

  /** Removes a request from its peer's pending set (answer, failover or timeout). */
  private settle(p: Pending): void {
    const peer = p.peer;
    if (peer === undefined) return;
    const m = this.pending.get(peer);
    if (m) {
      m.delete(p.hbh);
      peer.pending = m.size;
    }
  }

  private deliver(p: Pending, answer: Buffer): void {
    writeU32(answer, 12, p.originHbh);
    const to = p.from;
    if (to === undefined) {
      p.resolve!(answer);
      return;
    }
    if (to.send(answer)) this.o.onSent?.(to, answer);
    else this.o.log.warn({ peer: to.identity, hopByHopId: p.originHbh }, `answer not delivered: ${to.identity} is no longer connected`);
  }

  /** Answers the origin with an error built here. */
  private fail(p: Pending, resultCode: number, message: string): void {
    p.head.writeUInt32BE(p.originHbh, 12);
    const answer = this.o.errorAnswer(p.wire(), resultCode, message);
    if (p.from === undefined) p.resolve!(answer);
    else this.answer(p.from, answer);
  }

  private answer(to: Peer, answer: Buffer): void {
    if (to.send(answer)) this.o.onSent?.(to, answer);
  }

  private sweep(): void {
    const now = Date.now();
    if (now - this.lastPurge > 10_000) {
      this.lastPurge = now;
      this.redirects.purge(now);
    }
    for (const w of this.waiting) {
      // Give up at the deadline, or sooner once every connection attempt has ended.
      if (w.deadline > now && w.peers.some((x) => x.state !== 'Closed')) continue;
      this.waiting.delete(w);
      this.o.log.info({ hosts: w.redirect.hosts }, `redirect: no Redirect-Host opened (${w.redirect.hosts.join(', ')}): passing the 3006 back`);
      this.retryOrDeliver(w.p, w.fromLower, w.answer, Result.DIAMETER_REDIRECT_INDICATION);
    }
    let expired: Pending[] | undefined;
    const t = now - this.epoch;
    for (const m of this.pending.values()) {
      for (const p of m.values()) if (p.deadline <= t) (expired ??= []).push(p);
    }
    for (const p of expired ?? []) {
      this.settle(p);
      const id = p.peer!.identity; // only requests sent to a peer are in the in-flight maps
      this.o.log.warn({ peer: id, hopByHopId: p.hbh }, `no answer from ${id} within ${this.o.requestTimeoutMs} ms: answering 3002`);
      this.fail(p, Result.DIAMETER_UNABLE_TO_DELIVER, `no answer from ${id} within ${this.o.requestTimeoutMs} ms`);
    }
  }

  private routeRecordFor(identity: string): Buffer {
    let b = this.routeRecords.get(identity);
    if (!b) this.routeRecords.set(identity, (b = encodeRouteRecord(identity)));
    return b;
  }
}
