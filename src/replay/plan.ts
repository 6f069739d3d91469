// From a capture to a replay plan: which side of each connection is the client (the sender of
// the CER, else of the first request), who that client is (Origin-Host/Realm and applications
// from its CER, else from its requests), and each request it sent paired with the answer it got
// (same connection, opposite direction, same hop-by-hop id: RFC 6733 §3).
import type { Dictionary } from '../diameter/dictionary/dictionary.js';
import { decodeMessage } from '../diameter/codec/decode.js';
import { findAvp, findAvps, type Message } from '../diameter/codec/message.js';
import type { DiameterPdu } from '../pcap/reader.js';
import { topLevelAvpValue } from './avp-splice.js';
import type { MessageSelector } from './select.js';

const CER = 257;
const DWR = 280;
const DPR = 282;
const SESSION_ID = 263;
const ORIGIN_HOST = 264;
const ORIGIN_REALM = 296;
const FLAG_R = 0x80;
const FLAG_T = 0x10;
/** 3GPP's vendor id, for applications advertised as Vendor-Specific-Application-Id. */
const VENDOR_3GPP = 10415;

export interface PeerApplications {
  auth: number[];
  acct: number[];
  vendor: { vendorId: number; id: number; kind: 'auth' | 'acct' }[];
}

/** A captured client: who the replay connects as. */
export interface ReplayPeer {
  identity: string;
  realm: string;
  vendorId: number;
  productName: string;
  firmwareRevision: number;
  originStateId: number | undefined;
  applications: PeerApplications;
  /** True when identity and applications came from a captured CER. */
  fromCer: boolean;
}

export interface PlannedRequest {
  /** Position in the plan (0-based). */
  readonly index: number;
  readonly frame: number;
  /** Capture time, milliseconds since the epoch (for pacing). */
  readonly timeMs: number;
  readonly peer: string;
  readonly applicationId: number;
  readonly commandCode: number;
  readonly bytes: Buffer;
  readonly sessionId: string | undefined;
  /** The captured answer; undefined when the capture holds none. */
  readonly answer: Buffer | undefined;
  readonly answerFrame: number | undefined;
}

export interface ReplayPlan {
  readonly peers: Map<string, ReplayPeer>;
  readonly requests: PlannedRequest[];
  /** Answers each client gave to requests from the node, by command code, in capture order. */
  readonly clientAnswers: Map<string, Map<number, Buffer[]>>;
  /** Client requests skipped by --select / --peer, and retransmissions. */
  readonly skipped: number;
}

interface Conn {
  /** "src:port" of the client side, once known. */
  client: string | undefined;
  cer: Message | undefined;
  /** Requests per direction awaiting their answer: `${from}|${hbh}`. */
  readonly open: Map<string, { pdu: DiameterPdu; index: number | undefined; fromClient: boolean }>;
  identity: string | undefined;
}

const side = (addr: string, port: number): string => `${addr}|${port}`;

function text(m: Message, code: number): string | undefined {
  const v = findAvp(m.avps, code)?.value;
  return typeof v === 'string' ? v : undefined;
}
function u32(m: Message | undefined, code: number): number | undefined {
  const v = findAvp(m?.avps, code)?.value;
  return typeof v === 'number' ? v : undefined;
}

function applicationsOfCer(cer: Message): PeerApplications {
  const apps: PeerApplications = { auth: [], acct: [], vendor: [] };
  for (const a of findAvps(cer.avps, 258)) if (typeof a.value === 'number') apps.auth.push(a.value);
  for (const a of findAvps(cer.avps, 259)) if (typeof a.value === 'number') apps.acct.push(a.value);
  for (const g of findAvps(cer.avps, 260)) {
    const vendorId = findAvp(g.avps, 266)?.value;
    const auth = findAvp(g.avps, 258)?.value;
    const acct = findAvp(g.avps, 259)?.value;
    if (typeof vendorId !== 'number') continue;
    if (typeof auth === 'number') apps.vendor.push({ vendorId, id: auth, kind: 'auth' });
    if (typeof acct === 'number') apps.vendor.push({ vendorId, id: acct, kind: 'acct' });
  }
  return apps;
}

function peerFromCer(cer: Message): ReplayPeer | undefined {
  const identity = text(cer, ORIGIN_HOST);
  const realm = text(cer, ORIGIN_REALM);
  if (identity === undefined || realm === undefined) return undefined;
  return {
    identity,
    realm,
    vendorId: u32(cer, 266) ?? 0,
    productName: text(cer, 269) ?? 'Diamond-replay',
    firmwareRevision: u32(cer, 267) ?? 1,
    originStateId: u32(cer, 278),
    applications: applicationsOfCer(cer),
    fromCer: true,
  };
}

function isBase(commandCode: number, applicationId: number): boolean {
  return applicationId === 0 && (commandCode === CER || commandCode === DWR || commandCode === DPR);
}

export interface PlanOptions {
  readonly selector: MessageSelector;
  /** Only these client identities (empty: every client in the capture). */
  readonly peers: readonly string[];
}

/** Builds the plan from the capture's PDUs (in frame order, as readCapture gives them). */
export function buildPlan(pdus: readonly DiameterPdu[], dict: Dictionary, options: PlanOptions): ReplayPlan {
  const conns = new Map<string, Conn>();
  const requests: (Omit<PlannedRequest, 'answer' | 'answerFrame'> & { answer: Buffer | undefined; answerFrame: number | undefined })[] = [];
  const peers = new Map<string, ReplayPeer>();
  const clientAnswers = new Map<string, Map<number, Buffer[]>>();
  const derivedApps = new Map<string, Set<number>>();
  const seenE2e = new Set<string>();
  let skipped = 0;
  const wanted = new Set(options.peers.map((p) => p.toLowerCase()));

  for (const pdu of pdus) {
    const a = side(pdu.src, pdu.srcPort);
    const b = side(pdu.dst, pdu.dstPort);
    const key = `${pdu.transport}|${a < b ? `${a}|${b}` : `${b}|${a}`}`;
    let conn = conns.get(key);
    if (conn === undefined) {
      conn = { client: undefined, cer: undefined, open: new Map(), identity: undefined };
      conns.set(key, conn);
    }
    const d = pdu.data;
    const flags = d[4]!;
    const commandCode = d.readUIntBE(5, 3);
    const applicationId = d.readUInt32BE(8);
    const hbh = d.readUInt32BE(12);
    const request = (flags & FLAG_R) !== 0;

    if (request && commandCode === CER && applicationId === 0) {
      // A new CER starts a new connection between these ports: the sender is its client.
      const { message } = decodeMessage(d, dict);
      conn.client = a;
      conn.cer = message;
      const peer = message ? peerFromCer(message) : undefined;
      conn.identity = peer?.identity;
      if (peer && !peers.has(peer.identity)) peers.set(peer.identity, peer);
      continue;
    }
    if (!request) {
      const opened = conn.open.get(`${b}|${hbh}`);
      if (opened === undefined) continue;
      conn.open.delete(`${b}|${hbh}`);
      if (opened.index !== undefined) {
        const r = requests[opened.index]!;
        r.answer = d;
        r.answerFrame = pdu.frame;
      } else if (!opened.fromClient && conn.identity !== undefined && !isBase(commandCode, applicationId)) {
        let byCmd = clientAnswers.get(conn.identity);
        if (!byCmd) clientAnswers.set(conn.identity, (byCmd = new Map()));
        let list = byCmd.get(commandCode);
        if (!list) byCmd.set(commandCode, (list = []));
        list.push(d);
      }
      continue;
    }
    if (isBase(commandCode, applicationId)) continue;
    conn.client ??= a;
    const fromClient = conn.client === a;
    if (!fromClient) {
      conn.open.set(`${a}|${hbh}`, { pdu, index: undefined, fromClient });
      continue;
    }
    const { message } = decodeMessage(d, dict);
    if (conn.identity === undefined) {
      const originHost = message ? text(message, ORIGIN_HOST) : undefined;
      if (originHost !== undefined) {
        conn.identity = originHost;
        if (!peers.has(originHost)) {
          peers.set(originHost, {
            identity: originHost,
            realm: (message && text(message, ORIGIN_REALM)) ?? originHost.slice(originHost.indexOf('.') + 1),
            vendorId: 0,
            productName: 'Diamond-replay',
            firmwareRevision: 1,
            originStateId: u32(message, 278),
            applications: { auth: [], acct: [], vendor: [] },
            fromCer: false,
          });
        }
      }
    }
    const identity = conn.identity;
    if (identity === undefined) {
      skipped++;
      continue;
    }
    const e2eKey = `${identity}|${d.readUInt32BE(16)}`;
    const retransmission = (flags & FLAG_T) !== 0 && seenE2e.has(e2eKey);
    seenE2e.add(e2eKey);
    if (retransmission || !options.selector.matches(applicationId, commandCode) || (wanted.size > 0 && !wanted.has(identity.toLowerCase()))) {
      skipped++;
      continue;
    }
    if (!peers.get(identity)!.fromCer) {
      let set = derivedApps.get(identity);
      if (!set) derivedApps.set(identity, (set = new Set()));
      set.add(applicationId);
    }
    const sid = topLevelAvpValue(d, SESSION_ID);
    const index = requests.length;
    conn.open.set(`${a}|${hbh}`, { pdu, index, fromClient });
    requests.push({
      index,
      frame: pdu.frame,
      timeMs: pdu.time.seconds * 1000 + pdu.time.nanos / 1e6,
      peer: identity,
      applicationId,
      commandCode,
      bytes: d,
      sessionId: sid?.toString('utf8'),
      answer: undefined,
      answerFrame: undefined,
    });
  }

  // Clients without a captured CER advertise the applications they were seen to use.
  for (const [identity, apps] of derivedApps) {
    const peer = peers.get(identity)!;
    for (const id of apps) {
      if (id === 3) peer.applications.acct.push(id);
      else if (id >= 16777216) peer.applications.vendor.push({ vendorId: VENDOR_3GPP, id, kind: 'auth' });
      else peer.applications.auth.push(id);
    }
  }
  const used = new Set(requests.map((r) => r.peer));
  for (const id of [...peers.keys()]) if (!used.has(id)) peers.delete(id);
  return { peers, requests, clientAnswers, skipped };
}
