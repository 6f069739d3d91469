// Runs a replay plan against a live node: one connection per captured client, requests sent in
// capture order (as fast as possible, at the captured pacing, or at a fixed rate), each answer
// compared with the captured one. A request waits while an earlier request of the same session
// is unanswered, so stateful sequences (AIR then ULR, MAR then SAR) keep their order.
import { randomBytes } from 'node:crypto';
import type { Dictionary } from '../diameter/dictionary/dictionary.js';
import { errorAnswer } from '../diameter/codec/answer.js';
import { decodeMessage } from '../diameter/codec/decode.js';
import { encodeMessage } from '../diameter/codec/encode.js';
import type { LocalCapabilities } from '../diameter/peer/capabilities.js';
import { DiamondError, ErrorCode } from '../errors.js';
import { replaceTopLevelAvps, setIds, topLevelAvpValue } from './avp-splice.js';
import { ReplayClient, type ReplayTransport } from './client.js';

export type { ReplayTransport } from './client.js';
import { compareAnswers, type CompareOptions, type Difference, resultOf } from './compare.js';
import type { PlannedRequest, ReplayPeer, ReplayPlan } from './plan.js';

const SESSION_ID = 263;
const ORIGIN_HOST = 264;
const ORIGIN_REALM = 296;
const DESTINATION_HOST = 293;
const DESTINATION_REALM = 283;

export type Pacing = { mode: 'fast' } | { mode: 'captured'; speed: number } | { mode: 'rate'; perSecond: number };

export interface ReplayOptions {
  host: string;
  port: number;
  /** How to reach the node: tcp (default) or sctp (kernel SCTP, PPID 46, RFC 6733 §2.1.1). */
  transport?: ReplayTransport | undefined;
  pacing: Pacing;
  /** Requests in flight at most (all connections together). */
  window: number;
  /** Answer wait per request, ms. */
  timeoutMs: number;
  ignore: ReadonlySet<string>;
  ignoreTypes: ReadonlySet<string>;
  originHost?: string | undefined;
  originRealm?: string | undefined;
  destinationHost?: string | undefined;
  destinationRealm?: string | undefined;
  onProgress?: ((p: Progress) => void) | undefined;
}

export interface Progress {
  total: number;
  sent: number;
  answered: number;
  differed: number;
  timedOut: number;
}

export type RequestStatus = 'matched' | 'differed' | 'timeout' | 'unchecked' | 'not-sent';

export interface RequestResult {
  index: number;
  frame: number;
  peer: string;
  command: string;
  applicationId: number;
  sessionId: string | undefined;
  status: RequestStatus;
  latencyMs: number | undefined;
  expectedResult: string | undefined;
  actualResult: string | undefined;
  differences: Difference[];
  /** Why a request timed out or was not sent. */
  reason?: string;
}

export interface ReplayReport {
  target: string;
  transport: ReplayTransport;
  peers: { identity: string; realm: string; fromCer: boolean; node: string }[];
  total: number;
  sent: number;
  answered: number;
  matched: number;
  differed: number;
  timedOut: number;
  /** Answered, but the capture holds no answer to compare with. */
  unchecked: number;
  notSent: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number } | undefined;
  durationMs: number;
  requestsPerSecond: number;
  results: RequestResult[];
}

interface Prepared {
  readonly req: PlannedRequest;
  readonly bytes: Buffer;
  readonly hopByHopId: number;
  readonly session: string | undefined;
}

function capabilitiesOf(peer: ReplayPeer, opts: ReplayOptions): LocalCapabilities {
  return {
    originHost: opts.originHost ?? peer.identity,
    originRealm: opts.originRealm ?? peer.realm,
    vendorId: peer.vendorId,
    productName: peer.productName,
    firmwareRevision: peer.firmwareRevision,
    originStateId: peer.originStateId ?? Math.floor(Date.now() / 1000) >>> 0,
    authApplications: peer.applications.auth,
    acctApplications: peer.applications.acct,
    vendorApplications: peer.applications.vendor,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function commandName(dict: Dictionary, r: PlannedRequest): string {
  const c = dict.command(r.applicationId, r.commandCode) ?? dict.anyCommand(r.commandCode);
  return c ? c.requestName : `cmd-${r.commandCode}`;
}

/**
 * Rewrites each request once, before anything is sent: Session-Ids (each captured one gets one
 * new one, so a session's requests stay together), End-to-End ids (the same captured id gets the
 * same new id), hop-by-hop ids (sequential per connection), and the optional host/realm overrides.
 */
function prepare(plan: ReplayPlan, opts: ReplayOptions, sessions: Map<string, string>): Prepared[] {
  const stamp = Math.floor(Date.now() / 1000).toString(16);
  const runTag = randomBytes(3).toString('hex');
  const hbh = new Map<string, number>();
  const e2e = new Map<string, number>();
  let e2eNext = randomBytes(4).readUInt32BE(0);
  const fixed = new Map<number, Buffer>();
  if (opts.originHost !== undefined) fixed.set(ORIGIN_HOST, Buffer.from(opts.originHost));
  if (opts.originRealm !== undefined) fixed.set(ORIGIN_REALM, Buffer.from(opts.originRealm));
  if (opts.destinationHost !== undefined) fixed.set(DESTINATION_HOST, Buffer.from(opts.destinationHost));
  if (opts.destinationRealm !== undefined) fixed.set(DESTINATION_REALM, Buffer.from(opts.destinationRealm));
  return plan.requests.map((req) => {
    const values = new Map(fixed);
    let session: string | undefined;
    if (req.sessionId !== undefined) {
      session = sessions.get(req.sessionId);
      if (session === undefined) {
        // RFC 6733 §8.8: <DiameterIdentity>;<high 32 bits>;<low 32 bits>[;<optional value>].
        const parts = req.sessionId.split(';');
        const optional = parts.length > 3 ? `;${parts.slice(3).join(';')}` : '';
        session = `${opts.originHost ?? req.peer};${stamp};${runTag}${sessions.size.toString(16)}${optional}`;
        sessions.set(req.sessionId, session);
      }
      values.set(SESSION_ID, Buffer.from(session));
    }
    const bytes = replaceTopLevelAvps(req.bytes, values);
    const h = ((hbh.get(req.peer) ?? randomBytes(4).readUInt32BE(0)) + 1) >>> 0;
    hbh.set(req.peer, h);
    const e2eKey = `${req.peer}|${req.bytes.readUInt32BE(16)}`;
    let e = e2e.get(e2eKey);
    if (e === undefined) {
      e2eNext = (e2eNext + 1) >>> 0;
      e = e2eNext;
      e2e.set(e2eKey, e);
    }
    setIds(bytes, h, e);
    return { req, bytes, hopByHopId: h, session };
  });
}

/** The answer a client gave in the capture to a request of this kind, re-pointed at this request. */
function answerForNode(dict: Dictionary, plan: ReplayPlan, identity: string, realm: string, frame: Buffer, used: Map<string, number>): Buffer {
  const code = frame.readUIntBE(5, 3);
  const list = plan.clientAnswers.get(identity)?.get(code);
  const key = `${identity}|${code}`;
  const n = used.get(key) ?? 0;
  if (list && n < list.length) {
    used.set(key, n + 1);
    const values = new Map<number, Buffer>();
    const sid = topLevelAvpValue(frame, SESSION_ID);
    if (sid) values.set(SESSION_ID, Buffer.from(sid));
    return replaceTopLevelAvps(list[n]!, values);
  }
  const req = decodeMessage(frame, dict).message ?? {
    flags: frame[4]!, commandCode: code, applicationId: frame.readUInt32BE(8), hopByHopId: frame.readUInt32BE(12), endToEndId: frame.readUInt32BE(16),
  };
  return encodeMessage(errorAnswer(dict, req, { host: identity, realm }, { resultCode: 3001, errorMessage: 'the capture holds no answer to this request', failedAvp: undefined }));
}

export async function runReplay(plan: ReplayPlan, dict: Dictionary, opts: ReplayOptions): Promise<ReplayReport> {
  if (plan.peers.size > 1 && (opts.originHost !== undefined || opts.originRealm !== undefined)) {
    throw new DiamondError(ErrorCode.CLI_INPUT, `--origin-host/--origin-realm apply to one client, but the capture has ${plan.peers.size} (${[...plan.peers.keys()].join(', ')}): pick one with --peer`);
  }
  const target = `${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`;
  const sessions = new Map<string, string>();
  const prepared = prepare(plan, opts, sessions);
  const compareOpts: CompareOptions = { ignore: opts.ignore, ignoreTypes: opts.ignoreTypes, sessions };
  const results: RequestResult[] = plan.requests.map((r) => ({
    index: r.index,
    frame: r.frame,
    peer: opts.originHost ?? r.peer,
    command: commandName(dict, r),
    applicationId: r.applicationId,
    sessionId: r.sessionId,
    status: 'not-sent',
    latencyMs: undefined,
    expectedResult: undefined,
    actualResult: undefined,
    differences: [],
  }));

  const clients = new Map<string, ReplayClient>();
  const peerInfo: ReplayReport['peers'] = [];
  try {
    for (const peer of plan.peers.values()) {
      const local = capabilitiesOf(peer, opts);
      const client = await ReplayClient.open({ host: opts.host, port: opts.port, transport: opts.transport, dict, local, timeoutMs: Math.max(opts.timeoutMs, 5000) });
      clients.set(peer.identity, client);
      peerInfo.push({ identity: local.originHost, realm: local.originRealm, fromCer: peer.fromCer, node: client.remoteIdentity });
    }
  } catch (err) {
    await Promise.all([...clients.values()].map((c) => c.close(500)));
    throw err;
  }

  const total = prepared.length;
  const sentAt = new Float64Array(total);
  /** Per connection: hop-by-hop id -> request index, while unanswered. */
  const inflight = new Map<string, Map<number, number>>();
  for (const id of clients.keys()) inflight.set(id, new Map());
  const busySessions = new Set<string>();
  const dead = new Map<string, string>();
  const latencies: number[] = [];
  const counts = { sent: 0, answered: 0, matched: 0, differed: 0, timedOut: 0, unchecked: 0 };
  let outstanding = 0;
  let next = 0;
  const t0 = performance.now();
  const captured0 = plan.requests[0]?.timeMs ?? 0;
  let timer: NodeJS.Timeout | undefined;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  const progress = (): void => opts.onProgress?.({ total, sent: counts.sent, answered: counts.answered, differed: counts.differed, timedOut: counts.timedOut });

  const due = (i: number): number => {
    const p = opts.pacing;
    if (p.mode === 'fast') return 0;
    if (p.mode === 'rate') return (i * 1000) / p.perSecond;
    return (plan.requests[i]!.timeMs - captured0) / p.speed;
  };

  const release = (p: Prepared): void => {
    outstanding--;
    if (p.session !== undefined) busySessions.delete(p.session);
  };

  const pump = (): void => {
    while (next < total && outstanding < opts.window) {
      const p = prepared[next]!;
      if (p.session !== undefined && busySessions.has(p.session)) break;
      const wait = due(next) - (performance.now() - t0);
      if (wait > 0) {
        clearTimeout(timer);
        timer = setTimeout(pump, Math.max(1, wait));
        return;
      }
      next++;
      const why = dead.get(p.req.peer);
      if (why !== undefined) {
        results[p.req.index]!.reason = why;
        continue;
      }
      inflight.get(p.req.peer)!.set(p.hopByHopId, p.req.index);
      if (p.session !== undefined) busySessions.add(p.session);
      outstanding++;
      counts.sent++;
      sentAt[p.req.index] = performance.now();
      clients.get(p.req.peer)!.send(p.bytes);
    }
    if (next >= total && outstanding === 0) finish();
  };

  const onAnswer = (peer: string, frame: Buffer): void => {
    const map = inflight.get(peer)!;
    const index = map.get(frame.readUInt32BE(12));
    if (index === undefined) return; // late answer of a request already timed out
    map.delete(frame.readUInt32BE(12));
    const p = prepared[index]!;
    release(p);
    const latency = performance.now() - sentAt[index]!;
    latencies.push(latency);
    counts.answered++;
    const r = results[index]!;
    r.latencyMs = Math.round(latency * 1000) / 1000;
    const actual = decodeMessage(frame, dict).message;
    const expected = p.req.answer ? decodeMessage(p.req.answer, dict).message : undefined;
    if (actual) r.actualResult = resultOf(dict, actual);
    if (!expected) {
      r.status = 'unchecked';
      counts.unchecked++;
    } else {
      r.expectedResult = resultOf(dict, expected);
      r.differences = actual ? compareAnswers(dict, expected, actual, compareOpts) : [{ kind: 'result', path: 'message', expected: r.expectedResult, actual: 'undecodable answer' }];
      r.status = r.differences.length === 0 ? 'matched' : 'differed';
      if (r.status === 'matched') counts.matched++;
      else counts.differed++;
    }
    pump();
  };

  const expire = (peer: string | undefined, reason: string): void => {
    const now = performance.now();
    for (const [id, map] of inflight) {
      if (peer !== undefined && id !== peer) continue;
      for (const [h, index] of map) {
        if (peer === undefined && now - sentAt[index]! < opts.timeoutMs) continue;
        map.delete(h);
        release(prepared[index]!);
        const r = results[index]!;
        r.status = 'timeout';
        r.reason = reason;
        counts.timedOut++;
      }
    }
    pump();
  };

  const answersUsed = new Map<string, number>();
  for (const [identity, client] of clients) {
    const peer = plan.peers.get(identity)!;
    client.setHandlers({
      onAnswer: (f) => onAnswer(identity, f),
      onRequest: (f) => answerForNode(dict, plan, opts.originHost ?? identity, opts.originRealm ?? peer.realm, f, answersUsed),
      onClosed: (reason) => {
        dead.set(identity, `connection closed: ${reason}`);
        expire(identity, `connection closed: ${reason}`);
      },
    });
  }
  const sweep = setInterval(() => expire(undefined, `no answer within ${opts.timeoutMs} ms`), Math.min(100, opts.timeoutMs));
  const tick = opts.onProgress ? setInterval(progress, 200) : undefined;
  pump();
  await done;
  const durationMs = performance.now() - t0;
  clearInterval(sweep);
  clearInterval(tick);
  clearTimeout(timer);
  progress();
  await Promise.all([...clients.values()].map((c) => c.close()));

  latencies.sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  return {
    target,
    transport: opts.transport ?? 'tcp',
    peers: peerInfo,
    total,
    sent: counts.sent,
    answered: counts.answered,
    matched: counts.matched,
    differed: counts.differed,
    timedOut: counts.timedOut,
    unchecked: counts.unchecked,
    notSent: total - counts.sent,
    latencyMs: latencies.length === 0 ? undefined : {
      p50: round(percentile(latencies, 50)), p90: round(percentile(latencies, 90)), p99: round(percentile(latencies, 99)), max: round(latencies[latencies.length - 1]!),
    },
    durationMs: round(durationMs),
    requestsPerSecond: durationMs > 0 ? Math.round((counts.answered / durationMs) * 1000) : 0,
    results,
  };
}

/** Exit status of a replay: 0 only when every request was sent, answered and (where the capture allows) matched. */
export function replaySucceeded(r: ReplayReport): boolean {
  return r.differed === 0 && r.timedOut === 0 && r.notSent === 0 && r.total > 0;
}
