// A Diamond node against peers that misbehave, played by raw node:net sockets on 127.0.0.1. The
// bytes they send are built with the naive test builder (test/support/naive-wire.ts), independent
// of src/; what they receive is decoded with the real codec. Each case checks what reaches the
// socket, the peer state, and the node's log line that says why it closed the connection.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { type Logger, pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/model.js';
import { type PemPair, createCa, createNodeCert } from '../../src/certs/generate.js';
import { decodeMessage } from '../../src/diameter/codec/decode.js';
import { type Message, findAvp } from '../../src/diameter/codec/message.js';
import { defaultDictionary } from '../../src/diameter/dictionary/load.js';
import { ErrorCode } from '../../src/errors.js';
import { DiameterNode } from '../../src/node/node.js';
import { M, REQ, avp, ipv4, msg, str, u32 } from '../support/naive-wire.js';
import { testConfig, testPeer, waitFor } from '../support/node-config.js';

const dict = defaultDictionary();

const NODE = 'diamond.realm-d.test';
const GOOD = 'good.realm-g.test';
const SCRIPTED = 'scripted.realm-s.test';
const RELAY = 0xffffffff;
const CER = 257;
const DWR = 280;
const DPR = 282;
const TW = 400;
const CE_TIMEOUT = 600;
const MAX_MESSAGE = 4096;

// --- messages, from RFC 6733 §5.3.1, §5.4.1, §5.5.2 with the naive builder ---

function originAvps(host: string): Buffer[] {
  return [avp(264, M, str(host)), avp(296, M, str(host.slice(host.indexOf('.') + 1)))];
}

function cer(host: string, hbh = 1, inbandTls = false): Buffer {
  return msg({ flags: REQ, code: CER, app: 0, hbh, e2e: hbh }, [
    ...originAvps(host),
    avp(257, M, ipv4('127.0.0.1')),
    avp(266, M, u32(0)),
    avp(269, 0, str('misbehaving-test-peer')),
    avp(258, M, u32(RELAY)),
    // Inband-Security-Id TLS (RFC 3588 §6.10): TLS starts on this connection after the CEA.
    ...(inbandTls ? [avp(299, M, u32(1))] : []),
  ]);
}

function dwr(host: string, hbh: number): Buffer {
  return msg({ flags: REQ, code: DWR, app: 0, hbh, e2e: hbh }, originAvps(host));
}

function dwa(host: string, req: Message): Buffer {
  return msg({ flags: 0, code: DWR, app: 0, hbh: req.hopByHopId, e2e: req.endToEndId }, [avp(268, M, u32(2001)), ...originAvps(host)]);
}

function dpr(host: string, hbh: number, cause = 0): Buffer {
  return msg({ flags: REQ, code: DPR, app: 0, hbh, e2e: hbh }, [...originAvps(host), avp(273, M, u32(cause))]);
}

const resultCode = (m: Message): unknown => findAvp(m.avps, 268)?.value;
const isRequest = (m: Message): boolean => (m.flags & 0x80) !== 0;

// --- a scripted peer on a raw socket ---

const sockets: RawPeer[] = [];

class RawPeer {
  readonly socket: Socket;
  readonly received: Message[] = [];
  /** Bytes received that did not form a whole frame by the time the connection closed. */
  private pending = Buffer.alloc(0);
  private consumed = 0;
  closed = false;
  closedAt = 0;
  /** Answer every DWR with a DWA (a well-behaved peer) or leave them unanswered. */
  answerDwr = false;
  readonly identity: string;

  private constructor(socket: Socket, identity: string) {
    this.socket = socket;
    this.identity = identity;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.closedAt = Date.now();
    });
  }

  static async connect(port: number, identity: string): Promise<RawPeer> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const p = new RawPeer(socket, identity);
    sockets.push(p);
    return p;
  }

  private onData(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 4) {
      const length = this.pending.readUIntBE(1, 3);
      if (this.pending.length < length) break;
      const { message } = decodeMessage(this.pending.subarray(0, length), dict);
      this.pending = this.pending.subarray(length);
      if (!message) throw new Error('Diamond sent an undecodable message');
      this.received.push(message);
      if (this.answerDwr && message.commandCode === DWR && isRequest(message)) this.send(dwa(this.identity, message));
    }
  }

  send(b: Buffer): void {
    this.socket.write(b);
  }

  /** The next message not yet returned by next(). */
  async next(what: string, timeoutMs = 3000): Promise<Message> {
    await waitFor(() => this.received.length > this.consumed || this.closed, what, timeoutMs);
    const m = this.received[this.consumed];
    if (!m) throw new Error(`connection closed while waiting for ${what}`);
    this.consumed++;
    return m;
  }

  async waitClosed(what: string, timeoutMs = 3000): Promise<void> {
    await waitFor(() => this.closed, what, timeoutMs);
  }

  /** CER, then the CEA; returns the CEA. */
  async handshake(inbandTls = false): Promise<Message> {
    this.send(cer(this.identity, 1, inbandTls));
    const cea = await this.next('CEA');
    expect(cea.commandCode).toBe(CER);
    expect(isRequest(cea)).toBe(false);
    return cea;
  }
}

// --- the node ---

interface Captured {
  node: DiameterNode;
  port: number;
  messages(): string[];
  has(re: RegExp): boolean;
}

let current: Captured | undefined;

afterEach(async () => {
  for (const s of sockets.splice(0)) s.socket.destroy();
  await current?.node.stop();
  current = undefined;
});

async function startNode(over: Partial<Config> = {}): Promise<Captured> {
  const records: string[] = [];
  const logger: Logger = pino({ level: 'debug' }, { write: (s: string) => void records.push(s) });
  const base = testConfig(NODE, 'realm-d.test');
  const node = new DiameterNode({
    config: testConfig(NODE, 'realm-d.test', {
      peers: [testPeer(GOOD, 1, { connect: false }), testPeer(SCRIPTED, 1, { connect: false, tw: TW })],
      timers: { ...base.timers, ceTimeout: CE_TIMEOUT },
      limits: { ...base.limits, maxMessageSize: MAX_MESSAGE },
      ...over,
    }),
    logger,
  });
  await node.start();
  const messages = (): string[] => records.map((r) => (JSON.parse(r) as { msg?: string }).msg ?? '');
  current = { node, port: node.listeners[0]!.port, messages, has: (re) => messages().some((m) => re.test(m)) };
  return current;
}

const stateOf = (c: Captured, id: string): string | undefined => c.node.peers.peer(id)?.state;

describe('misbehaving peers', () => {
  let c: Captured;
  beforeEach(async () => {
    c = await startNode();
  });

  it('closes a connection that sends bytes that are not Diameter, says why, and keeps serving others', async () => {
    const bad = await RawPeer.connect(c.port, 'nobody');
    bad.send(Buffer.from('GET / HTTP/1.1\r\nHost: diamond\r\n\r\n'));
    await bad.waitClosed('the garbage connection to be closed');
    expect(bad.received).toEqual([]);
    await waitFor(() => c.has(new RegExp(`connection closed before CER: framing lost \\(${ErrorCode.FRAME_VERSION}\\)`)), 'the log line with the reason');

    const good = await RawPeer.connect(c.port, GOOD);
    expect(resultCode(await good.handshake())).toBe(2001);
    await waitFor(() => stateOf(c, GOOD) === 'R-Open', 'the good peer open');
    expect(good.closed).toBe(false);
  });

  it('answers a request whose last AVP claims more octets than the message holds with 5014 and that AVP in Failed-AVP (RFC 6733 §7.5)', async () => {
    const peer = await RawPeer.connect(c.port, GOOD);
    expect(resultCode(await peer.handshake())).toBe(2001);
    // An S6a-shaped request for another realm: Session-Id, origin, Destination-Realm, then a User-Name
    // (code 1) whose header says 4 octets more than follow.
    const userName = avp(1, M, str('001010000000001'));
    userName.writeUIntBE(userName.readUIntBE(5, 3) + 4, 5, 3);
    const frame = msg({ flags: REQ | 0x40, code: 318, app: 16777251, hbh: 77, e2e: 77 }, [avp(263, M, str(`${GOOD};77`)), ...originAvps(GOOD), avp(283, M, str('elsewhere.test')), userName]);
    peer.send(frame);
    const a = await peer.next('the error answer');
    expect([a.commandCode, a.hopByHopId, isRequest(a)]).toEqual([318, 77, false]);
    expect(resultCode(a)).toBe(5014);
    const failed = findAvp(a.avps, 279);
    expect(failed, 'Failed-AVP').toBeDefined();
    expect(failed!.avps?.map((x) => x.code)).toEqual([1]);
    expect(peer.closed).toBe(false);
  });

  it('closes a connection whose frame is longer than limits.maxMessageSize without waiting for the body', async () => {
    const big = await RawPeer.connect(c.port, GOOD);
    // Only the first 20 bytes of a CER that claims MAX_MESSAGE + 4 bytes: if the node buffered
    // the body it would wait for the rest, and this would time out.
    const header = cer(GOOD).subarray(0, 20);
    header.writeUIntBE(MAX_MESSAGE + 4, 1, 3);
    big.send(header);
    await big.waitClosed('the oversized frame to close the connection', 1000);
    expect(big.received).toEqual([]);
    await waitFor(() => c.has(new RegExp(`framing lost \\(${ErrorCode.FRAME_TOO_LARGE}\\)`)), 'the log line with the reason');
    expect(stateOf(c, GOOD)).toBe('Closed');
  });

  it('answers a CER from an unknown identity with CEA 3010 DIAMETER_UNKNOWN_PEER, then closes', async () => {
    const stranger = await RawPeer.connect(c.port, 'stranger.realm-x.test');
    const cea = await stranger.handshake();
    expect(resultCode(cea)).toBe(3010);
    expect(findAvp(cea.avps, 264)?.value).toBe(NODE);
    await stranger.waitClosed('the connection to be closed after the CEA');
    expect(stranger.received).toHaveLength(1);
    expect(c.node.peerStatus().map((p) => p.identity)).toEqual([GOOD, SCRIPTED]);
    expect(c.has(/CER refused: unknown peer stranger\.realm-x\.test/)).toBe(true);
  });

  it('closes a connection whose first message is not a CER (DWR before CER)', async () => {
    const early = await RawPeer.connect(c.port, GOOD);
    early.send(dwr(GOOD, 7));
    await early.waitClosed('the connection to be closed');
    expect(early.received).toEqual([]);
    expect(stateOf(c, GOOD)).toBe('Closed');
    expect(c.has(/first message is not a CER \(command 280\)/)).toBe(true);
  });

  it('closes a connection that never sends anything after ceTimeout', async () => {
    const t0 = Date.now();
    const silent = await RawPeer.connect(c.port, GOOD);
    await silent.waitClosed('the silent connection to be closed', CE_TIMEOUT + 3000);
    const took = silent.closedAt - t0;
    expect(took).toBeGreaterThanOrEqual(CE_TIMEOUT - 50);
    expect(took).toBeLessThan(CE_TIMEOUT + 1500);
    expect(silent.received).toEqual([]);
    expect(c.has(/no CER within the timeout/)).toBe(true);
  });

  it('a peer that stops answering DWR goes SUSPECT after Tw, is closed after 2·Tw, and reopens when it behaves', async () => {
    const mute = await RawPeer.connect(c.port, SCRIPTED);
    expect(resultCode(await mute.handshake())).toBe(2001);
    const peer = c.node.peers.peer(SCRIPTED)!;
    await waitFor(() => peer.state === 'R-Open' && peer.isAvailable, 'the scripted peer open and available');
    const opened = Date.now();

    // Tw (±10%): a DWR, left unanswered; Tw later: SUSPECT and no longer available.
    const dwrMsg = await mute.next('the first DWR', 3 * TW);
    expect(dwrMsg.commandCode).toBe(DWR);
    expect(isRequest(dwrMsg)).toBe(true);
    await waitFor(() => peer.status().watchdog === 'SUSPECT', 'watchdog SUSPECT', 4 * TW);
    const suspectAt = Date.now();
    expect(suspectAt - opened).toBeGreaterThanOrEqual(2 * TW * 0.9 - 50);
    expect(peer.isAvailable).toBe(false);
    expect(peer.state).toBe('R-Open');

    // 2·Tw in SUSPECT: the node gives up and closes the connection.
    await mute.waitClosed('the connection closed by the watchdog', 4 * TW + 1000);
    expect(mute.closedAt - suspectAt).toBeGreaterThanOrEqual(2 * TW - 100);
    await waitFor(() => peer.state === 'Closed', 'the peer Closed');
    expect(peer.status().watchdog).toBe('DOWN');
    expect(c.has(/watchdog OKAY -> SUSPECT/)).toBe(true);
    expect(c.has(/watchdog SUSPECT -> DOWN/)).toBe(true);

    // It comes back and answers: REOPEN, then OKAY after three DWAs (RFC 3539 §3.4.1).
    const polite = await RawPeer.connect(c.port, SCRIPTED);
    polite.answerDwr = true;
    expect(resultCode(await polite.handshake())).toBe(2001);
    await waitFor(() => peer.state === 'R-Open', 'the peer open again');
    await waitFor(() => peer.status().watchdog === 'REOPEN', 'watchdog REOPEN', 2 * TW);
    expect(peer.isAvailable).toBe(false);
    await waitFor(() => peer.isAvailable && peer.status().watchdog === 'OKAY', 'the peer trusted again', 6 * TW + 2000);
    expect(polite.received.filter((m) => m.commandCode === DWR).length).toBeGreaterThanOrEqual(3);
    expect(polite.closed).toBe(false);
  });

  it('answers a DPR from the peer with DPA, then closes', async () => {
    const leaving = await RawPeer.connect(c.port, GOOD);
    expect(resultCode(await leaving.handshake())).toBe(2001);
    await waitFor(() => stateOf(c, GOOD) === 'R-Open', 'the peer open');
    leaving.send(dpr(GOOD, 99, 1 /* BUSY */));
    const dpa = await leaving.next('DPA');
    expect(dpa.commandCode).toBe(DPR);
    expect(isRequest(dpa)).toBe(false);
    expect(dpa.hopByHopId).toBe(99);
    expect(resultCode(dpa)).toBe(2001);
    await leaving.waitClosed('the node to close after the DPA');
    await waitFor(() => stateOf(c, GOOD) === 'Closed', 'the peer Closed');
    expect(c.has(/DPR received \(Disconnect-Cause 1\)/)).toBe(true);
  });
});

describe('misbehaving in-band TLS peers (RFC 3588 §2.1)', () => {
  const INBAND = 'inband.realm-i.test';
  let dir: string;
  let ca: PemPair;
  let c: Captured;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'diamond-misbehaving-'));
    ca = createCa({ cn: 'misbehaving test CA', days: 2 });
    const own = createNodeCert({ cn: NODE, ca, days: 2 });
    const files = { cert: join(dir, 'node.pem'), key: join(dir, 'node.key'), ca: join(dir, 'ca.pem') };
    writeFileSync(files.cert, own.certPem);
    writeFileSync(files.key, own.keyPem);
    writeFileSync(files.ca, ca.certPem);
    c = await startNode({
      tls: { ...files, verifyPeer: true, checkIdentity: true },
      peers: [testPeer(INBAND, 1, { connect: false, tls: 'inband', tw: TW })],
    });
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** The peer's side of the in-band handshake: TLS client on the same socket, after the CEA. */
  function startTls(p: RawPeer, pair: PemPair): { tls: TLSSocket; closed: () => boolean } {
    let closed = false;
    const tls = tlsConnect({ socket: p.socket, cert: pair.certPem, key: pair.keyPem, ca: ca.certPem, checkServerIdentity: () => undefined });
    tls.on('error', () => undefined);
    tls.on('close', () => (closed = true));
    return { tls, closed: () => closed };
  }

  it('opens when the peer starts TLS after the CEA with a certificate that names it', async () => {
    const p = await RawPeer.connect(c.port, INBAND);
    const cea = await p.handshake(true);
    expect(resultCode(cea)).toBe(2001);
    expect(findAvp(cea.avps, 299)?.value).toBe(1);
    const peer = c.node.peers.peer(INBAND)!;
    expect(peer.isAvailable).toBe(false);
    const t = startTls(p, createNodeCert({ cn: INBAND, ca, days: 2 }));
    await waitFor(() => peer.isAvailable, 'the peer available once TLS is up');
    expect(c.has(/in-band TLS established/)).toBe(true);
    expect(t.closed()).toBe(false);
  });

  it('closes when the peer presents a certificate from another CA', async () => {
    const p = await RawPeer.connect(c.port, INBAND);
    expect(resultCode(await p.handshake(true))).toBe(2001);
    const otherCa = createCa({ cn: 'some other CA', days: 2 });
    const t = startTls(p, createNodeCert({ cn: INBAND, ca: otherCa, days: 2 }));
    await waitFor(() => t.closed(), 'the TLS connection refused');
    await waitFor(() => stateOf(c, INBAND) === 'Closed', 'the peer Closed');
    expect(c.node.peers.peer(INBAND)!.isAvailable).toBe(false);
    expect(c.has(/in-band TLS failed/)).toBe(true);
  });

  it('closes when the peer\'s certificate names another identity', async () => {
    const p = await RawPeer.connect(c.port, INBAND);
    expect(resultCode(await p.handshake(true))).toBe(2001);
    const t = startTls(p, createNodeCert({ cn: 'someone-else.realm-i.test', ca, days: 2 }));
    await waitFor(() => t.closed(), 'the TLS connection closed');
    await waitFor(() => stateOf(c, INBAND) === 'Closed', 'the peer Closed');
    expect(c.has(/certificate does not name inband\.realm-i\.test/)).toBe(true);
  });

  it('a peer that closes the connection instead of starting TLS after the CEA leaves the peer Closed', async () => {
    const p = await RawPeer.connect(c.port, INBAND);
    expect(resultCode(await p.handshake(true))).toBe(2001);
    await waitFor(() => stateOf(c, INBAND) === 'R-Open', 'the peer open, waiting for the TLS handshake');
    p.socket.destroy();
    await waitFor(() => stateOf(c, INBAND) === 'Closed', 'the peer Closed after the connection is lost', 3000);
  });

  it('a peer that never starts TLS after the CEA is closed after ceTimeout', async () => {
    const p = await RawPeer.connect(c.port, INBAND);
    expect(resultCode(await p.handshake(true))).toBe(2001);
    const t0 = Date.now();
    await p.waitClosed('the node to give up on the handshake', CE_TIMEOUT + 3000);
    expect(p.closedAt - t0).toBeGreaterThanOrEqual(CE_TIMEOUT - 50);
    await waitFor(() => stateOf(c, INBAND) === 'Closed', 'the peer Closed');
    expect(c.node.peers.peer(INBAND)!.isAvailable).toBe(false);
    expect(c.has(/in-band TLS handshake timed out/)).toBe(true);
  });

  it('refuses a CER without Inband-Security-Id TLS with CEA 5017 DIAMETER_NO_COMMON_SECURITY', async () => {
    const p = await RawPeer.connect(c.port, INBAND);
    expect(resultCode(await p.handshake(false))).toBe(5017);
    await p.waitClosed('the connection closed after the CEA');
    expect(stateOf(c, INBAND)).toBe('Closed');
  });
});
