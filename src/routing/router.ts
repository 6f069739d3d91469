// The router: decides for each received request (decide.ts), relays by scores (scoring.ts) and
// owns the relayed requests until their answers return (RFC 6733 §6.1, §6.2, §6.7): Route-Record
// appended, hop-by-hop id swapped per hop and restored on the answer, End-to-End kept; failover
// of pending requests with the T flag when a peer goes away (§5.5.4); a request whose answer does
// not come in time is answered 3002 here. Nothing is dropped silently.
import type { Logger } from 'pino';
import { RelayView, SCAN_OK, encodeRouteRecord, withDestinationRealm } from '../diameter/codec/relay-view.js';
import { CmdFlag } from '../diameter/codec/message.js';
import { Result } from '../diameter/dictionary/generated/constants.js';
import type { Peer } from '../diameter/peer/peer.js';
import { decide, type Self } from './decide.js';
import { applyRedirect, RedirectCache, Usage, type Redirect } from './redirect-cache.js';
import { parseDiameterUri } from '../diameter/codec/diameter-uri.js';
import { EMPTY_RULES, type RuleSet } from './rule-set.js';
import { explainRoute, type RouteExplanation } from './explain.js';
import { answerRule, rankCandidates, realmRewrite, scoreCandidates, type Candidate, type RouteRequest, type Scored } from './scoring.js';

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

/** Where the answer to a relayed request goes: the peer it came from, or a local caller. */
type Origin = { peer: Peer } | { resolve: (answer: Buffer) => void };

interface Pending {
  origin: Origin;
  /** The hop-by-hop id the origin used; restored on the answer. */
  originHbh: number;
  /** The request as forwarded (Route-Record appended); its hop-by-hop id is rewritten per hop. */
  out: Buffer;
  req: RouteRequest;
  /** Identities already tried or excluded (lower case). */
  excluded: Set<string>;
  peer: Peer;
  hbh: number;
  deadline: number;
  /** A redirect (3006) received for this request, applied when it is sent again. */
  redirect?: Redirect;
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

/** What a 3006 answer says (RFC 6733 §6.13); usage outside 0..6 counts as DONT_CACHE. */
function readRedirect(buf: Buffer): { hosts: string[]; usage: number; maxCacheTime: number | undefined; originHost: string | undefined } {
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

function routeRequest(v: RelayView): RouteRequest {
  return {
    applicationId: v.applicationId,
    commandCode: v.commandCode,
    originHost: v.originHost,
    originRealm: v.originRealm,
    destinationHost: v.destinationHost,
    destinationRealm: v.destinationRealm,
    userName: v.userName,
    sessionId: v.sessionId,
  };
}

/** A candidate that remembers its peer, so the ranked list leads straight to a connection. */
interface PeerCandidate extends Candidate {
  peer: Peer;
}

export class Router {
  private readonly o: RouterOptions;
  private readonly view = new RelayView();
  private readonly self: Self;
  private readonly selfLower: Buffer;
  private rules: RuleSet = EMPTY_RULES;
  /**
   * Requests in flight per next hop. The sweep finds expired ones here too: only live requests are
   * held, so an answered request is garbage at once instead of surviving to the old generation
   * (which showed as 20-30 ms GC pauses in the relay's p99).
   */
  private readonly pending = new Map<Peer, Map<number, Pending>>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly routeRecords = new Map<string, Buffer>();
  private nextLocalHbh = 1;
  private readonly redirects = new RedirectCache();
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
    this.rules = rules;
  }

  close(): void {
    clearInterval(this.sweeper);
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
    const d = decide(
      { flags: v.flags, applicationId: v.applicationId, destinationHost: v.destinationHost, destinationRealm: v.destinationRealm, loop: v.hasRouteRecord(this.selfLower) },
      this.self,
    );
    if (d.kind === 'local') return this.o.onLocalRequest(from, frame);
    if (d.kind === 'answer') return this.answer(from, this.o.errorAnswer(frame, d.resultCode, d.message, d.missingAvp));
    const req = routeRequest(v);
    const excluded = new Set<string>();
    for (let i = 0; i < v.routeRecordCount; i++) excluded.add(v.routeRecord(i)!.toLowerCase());
    excluded.add(from.identity.toLowerCase());
    // RFC 6733 §6.7.1: the relay adds a Route-Record naming the peer the request came from.
    const rr = this.routeRecordFor(from.identity);
    const rewrite = this.rules.rules.length > 0 || this.rules.prefixTables.length > 0 ? realmRewrite(this.rules, req) : undefined;
    let out: Buffer;
    if (rewrite) {
      req.destinationRealm = rewrite.realm;
      out = withDestinationRealm(v, rewrite.realm, rr);
    } else out = v.withAppended(rr);
    const p: Pending = { origin: { peer: from }, originHbh: v.hopByHopId, out, req, excluded, peer: from, hbh: 0, deadline: 0 };
    this.forward(p, false);
  }

  onAnswer(from: Peer, frame: Buffer): void {
    const hbh = frame.readUInt32BE(12);
    const p = this.pending.get(from)?.get(hbh);
    if (!p) {
      this.o.log.warn({ peer: from.identity, hopByHopId: hbh }, 'answer with no pending request: discarded (late, or never sent by us)');
      return;
    }
    this.settle(p);
    if ((frame[4]! & CmdFlag.E) !== 0) {
      const rc = resultCodeOf(frame);
      if (rc === Result.DIAMETER_REDIRECT_INDICATION && this.followRedirect(p, from, frame)) return;
      if (rc !== undefined && this.o.retryOn.includes(rc)) {
        p.excluded.add(from.identity.toLowerCase());
        if (this.forward(p, false, true)) return;
      }
    }
    this.deliver(p, frame);
  }

  /**
   * 3006 from the next hop (rt_redirect's behaviour): if a Redirect-Host is an open peer, remember
   * the redirect per its usage and send the request again (no T flag), away from the redirecting
   * agent. Otherwise the answer goes back to the origin as it is.
   */
  private followRedirect(p: Pending, from: Peer, frame: Buffer): boolean {
    const r = readRedirect(frame);
    if (r.hosts.length === 0) return false;
    // Caching needs a lifetime: without Redirect-Max-Cache-Time, give up (RFC 6733 §6.13).
    if (r.usage !== Usage.DONT_CACHE && r.maxCacheTime === undefined) return false;
    const open = [...this.o.peers()].some((x) => x.isAvailable && r.hosts.includes(x.identity.toLowerCase()));
    if (!open) return false;
    const rd: Redirect = { usage: r.usage, hosts: r.hosts, from: from.identity.toLowerCase() };
    this.redirects.add(rd, p.req, (r.maxCacheTime ?? 0) * 1000, Date.now());
    this.o.log.info({ peer: from.identity, hosts: r.hosts, usage: r.usage }, `redirect from ${from.identity} to ${r.hosts.join(', ')}`);
    p.excluded.add(rd.from);
    if (r.originHost) p.excluded.add(r.originHost);
    p.redirect = rd;
    return this.forward(p, false, true);
  }

  /** A peer left the candidate set: its pending requests go to the next candidate (§5.5.4). */
  onPeerUnavailable(peer: Peer, reason: string): void {
    const m = this.pending.get(peer);
    if (!m || m.size === 0) return;
    const list = [...m.values()];
    this.o.log.info({ peer: peer.identity, count: list.length }, `failover: ${list.length} pending request(s) from ${peer.identity} (${reason})`);
    for (const p of list) {
      this.settle(p);
      p.excluded.add(peer.identity.toLowerCase());
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
      const scan = v.scan(frame);
      if (scan !== SCAN_OK) throw new Error('request(): malformed message'); // a programmer error
      const req = routeRequest(v);
      const excluded = new Set<string>();
      const hbh = this.nextLocalHbh++ >>> 0;
      const p: Pending = {
        origin: { resolve: (a) => resolve(a) },
        originHbh: hbh,
        out: Buffer.from(frame),
        req,
        excluded,
        peer: undefined as unknown as Peer,
        hbh: 0,
        deadline: 0,
      };
      p.out.writeUInt32BE(hbh, 12);
      this.forward(p, false);
    });
  }

  // --- decisions ---

  private candidates(excluded: ReadonlySet<string>): PeerCandidate[] {
    const out: PeerCandidate[] = [];
    for (const peer of this.o.peers()) {
      const caps = peer.caps;
      if (!peer.isAvailable || !caps) continue;
      // One candidate object per peer and capabilities exchange: its lower-case names (and their
      // string hashes) are computed once, not per request.
      let c = this.candidateCache.get(peer);
      if (!c || c.caps !== caps) {
        c = { identity: peer.identity, realm: caps.originRealm, applications: caps.applications, identityLower: peer.identity.toLowerCase(), realmLower: caps.originRealm.toLowerCase(), peer, caps };
        this.candidateCache.set(peer, c);
      }
      if (excluded.size > 0 && excluded.has(c.identityLower)) continue;
      out.push(c);
    }
    return out;
  }
  private readonly candidateCache = new WeakMap<Peer, PeerCandidate & { identityLower: string; caps: object }>();

  /** Scores and ranks the candidates for a request (also what `rules explain` shows). */
  rank(req: RouteRequest, excluded: ReadonlySet<string>, once?: Redirect): { scored: Scored[]; ranked: Scored[] } {
    const scored = scoreCandidates(req, this.candidates(excluded), this.rules, false, this.redirectScores(req, once));
    return { scored, ranked: rankCandidates(scored) };
  }

  /** Scores from cached redirects (and the one just received for this request). */
  private redirectScores(req: RouteRequest, once?: Redirect): ((c: Candidate, add: (delta: number, source: string) => void) => void) | undefined {
    const list = this.redirects.lookup(req, Date.now());
    if (once) list.push(once);
    if (list.length === 0) return undefined;
    return (c, add) => {
      for (const rd of list) applyRedirect(rd, c.identity, add);
    };
  }

  /** Where a request would go now, and why (`rules explain --api`, admin API). */
  explain(req: RouteRequest): RouteExplanation {
    return explainRoute(req, this.candidates(new Set()), this.rules, this.redirectScores(req));
  }

  /** Picks the next hop and sends; false (after answering) when there is none. */
  private forward(p: Pending, retransmit: boolean, quietWhenNone = false): boolean {
    const blocked = answerRule(this.rules, p.req);
    if (blocked && blocked.action.kind === 'answer') {
      this.fail(p, blocked.action.resultCode, blocked.action.message ?? `refused by rule ${blocked.pos.file}:${blocked.pos.line}`);
      return false;
    }
    const { ranked } = this.rank(p.req, p.excluded, p.redirect?.usage === Usage.DONT_CACHE ? p.redirect : undefined);
    let busy = false;
    for (const s of ranked) {
      const peer = (s.candidate as PeerCandidate).peer;
      const hbh = peer.nextHopByHopId();
      p.out.writeUInt32BE(hbh, 12);
      // §5.5.4: a retransmission after failover carries the T flag.
      if (retransmit) p.out[4] = p.out[4]! | CmdFlag.T;
      const r = peer.sendRequest(p.out);
      if (r === 'busy') {
        busy = true;
        continue;
      }
      if (r !== 'sent') continue;
      p.peer = peer;
      p.hbh = hbh;
      p.deadline = Date.now() + this.o.requestTimeoutMs;
      let m = this.pending.get(peer);
      if (!m) this.pending.set(peer, (m = new Map()));
      m.set(hbh, p);
      peer.pending = m.size;
      this.o.onSent?.(peer, p.out);
      return true;
    }
    if (quietWhenNone) return false;
    if (busy) this.fail(p, Result.DIAMETER_TOO_BUSY, 'every candidate peer is busy');
    else if (ranked.length === 0 && p.req.destinationRealm !== undefined && !this.realmKnown(p.req.destinationRealm)) {
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
    const m = this.pending.get(p.peer);
    if (m) {
      m.delete(p.hbh);
      p.peer.pending = m.size;
    }
  }

  private deliver(p: Pending, answer: Buffer): void {
    answer.writeUInt32BE(p.originHbh, 12);
    if ('resolve' in p.origin) {
      p.origin.resolve(answer);
      return;
    }
    const to = p.origin.peer;
    if (to.send(answer)) this.o.onSent?.(to, answer);
    else this.o.log.warn({ peer: to.identity, hopByHopId: p.originHbh }, `answer not delivered: ${to.identity} is no longer connected`);
  }

  /** Answers the origin with an error built here. */
  private fail(p: Pending, resultCode: number, message: string): void {
    p.out.writeUInt32BE(p.originHbh, 12);
    const answer = this.o.errorAnswer(p.out, resultCode, message);
    if ('resolve' in p.origin) p.origin.resolve(answer);
    else this.answer(p.origin.peer, answer);
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
    let expired: Pending[] | undefined;
    for (const m of this.pending.values()) {
      for (const p of m.values()) if (p.deadline <= now) (expired ??= []).push(p);
    }
    for (const p of expired ?? []) {
      this.settle(p);
      this.o.log.warn({ peer: p.peer.identity, hopByHopId: p.hbh }, `no answer from ${p.peer.identity} within ${this.o.requestTimeoutMs} ms: answering 3002`);
      this.fail(p, Result.DIAMETER_UNABLE_TO_DELIVER, `no answer from ${p.peer.identity} within ${this.o.requestTimeoutMs} ms`);
    }
  }

  private routeRecordFor(identity: string): Buffer {
    let b = this.routeRecords.get(identity);
    if (!b) this.routeRecords.set(identity, (b = encodeRouteRecord(identity)));
    return b;
  }
}
