// A Cx test bed: a real SQLite store in a temp dir, a DiameterNode answering Cx with it, a TCP
// pass-through that records every byte the node sends, and a scripted "CSCF" peer over real sockets.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { avp } from '../../../src/diameter/codec/builder.js';
import { FrameDecoder } from '../../../src/diameter/codec/frame-decoder.js';
import type { Avp, Message } from '../../../src/diameter/codec/message.js';
import { createCxApplication, type CxApplication, type CxOptions } from '../../../src/hss/cx/index.js';
import type { LocalApplication } from '../../../src/node/local-application.js';
import { DiameterNode } from '../../../src/node/node.js';
import { openSqliteStore, type SqliteStore } from '../../../src/store/index.js';
import { testConfig, testPeer, waitFor } from '../../support/node-config.js';
import { ScriptedPeer, testDictionary as dict } from '../../support/scripted-peer.js';

export const CX = 16777216;
export const SH = 16777217;
export const HSS = 'hss.ims.test';
export const REALM = 'ims.test';
export const CSCF = 'scscf.ims.test';

export interface Bed {
  store: SqliteStore;
  node: DiameterNode;
  cx: CxApplication;
  cscf: ScriptedPeer;
  /** Frames the node sent to the CSCF, raw, in order. */
  sent: Buffer[];
  close(): Promise<void>;
}

/** Records node→client bytes; the node sees the CSCF by its CER identity, not its address. */
function tap(target: number, sent: Buffer[]): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    const up = connect(target, '127.0.0.1');
    sockets.push(client, up);
    const dec = new FrameDecoder({ onFrame: (f) => sent.push(Buffer.from(f)), onError: () => undefined });
    client.on('data', (c: Buffer) => up.write(c));
    up.on('data', (c: Buffer) => {
      dec.push(c);
      client.write(c);
    });
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
  });
  return new Promise((res) => server.listen(0, '127.0.0.1', () => res({ server, port: (server.address() as { port: number }).port, sockets })));
}

export async function startBed(
  seed: (s: SqliteStore) => void,
  options: CxOptions = {},
  answer?: ConstructorParameters<typeof ScriptedPeer>[0]['answer'],
  more: (s: SqliteStore) => LocalApplication[] = () => [],
  /** A store file the caller owns (to restart on it): left in place on close. */
  file?: string,
): Promise<Bed> {
  const dir = file === undefined ? mkdtempSync(path.join(tmpdir(), 'diamond-cx-')) : undefined;
  const store = openSqliteStore(file ?? path.join(dir!, 'diamond.sqlite'));
  seed(store);
  const cx = createCxApplication({ store, options });
  const node = new DiameterNode({
    config: testConfig(HSS, REALM, { peers: [testPeer(CSCF, 1, { connect: false, realm: REALM, tw: 30_000 })] }),
    applications: [cx, ...more(store)],
  });
  await node.start();
  const sent: Buffer[] = [];
  const t = await tap(node.listeners[0]!.port, sent);
  const cscf = new ScriptedPeer({ identity: CSCF, realm: REALM, port: t.port, applications: [CX, SH], ...(answer ? { answer } : {}) });
  await cscf.connect();
  await waitFor(() => node.peers.peer(CSCF)?.isAvailable === true, 'CSCF open');
  return {
    store,
    node,
    cx,
    cscf,
    sent,
    async close() {
      cscf.kill();
      cx.close();
      await node.stop();
      for (const s of t.sockets) s.destroy();
      t.server.close();
      store.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const vsai = (app: number): Avp => avp(dict, 'Vendor-Specific-Application-Id', [avp(dict, 'Vendor-Id', 10415), avp(dict, 'Auth-Application-Id', app)]);

let e2e = 1000;
/** Sends a Cx request (command code, AVPs after the common ones) and resolves with the answer. */
export function cxRequest(bed: Bed, commandCode: number, avps: Avp[], applicationId = CX): Promise<Message> {
  return bed.cscf.request(e2e++, { destinationRealm: REALM, commandCode, applicationId, extra: [vsai(applicationId), ...avps] });
}

export const uar = (impi: string, impu: string, extra: Avp[] = []): Avp[] => [
  avp(dict, 'User-Name', impi),
  avp(dict, 'Public-Identity', impu),
  avp(dict, 'Visited-Network-Identifier', Buffer.from('ims.test')),
  ...extra,
];

export function mar(impi: string, impu: string, opts: { scheme?: string; n?: number; authorization?: Buffer; serverName?: string } = {}): Avp[] {
  const item: Avp[] = [];
  if (opts.scheme !== undefined) item.push(avp(dict, '3GPP-SIP-Authentication-Scheme', opts.scheme));
  if (opts.authorization) item.push(avp(dict, '3GPP-SIP-Authorization', opts.authorization));
  return [
    avp(dict, 'User-Name', impi),
    avp(dict, 'Public-Identity', impu),
    avp(dict, '3GPP-SIP-Auth-Data-Item', item),
    avp(dict, '3GPP-SIP-Number-Auth-Items', opts.n ?? 1),
    avp(dict, 'Server-Name', opts.serverName ?? 'sip:scscf.ims.test:6060'),
  ];
}

export function sar(impi: string | undefined, impus: string[], sat: number, opts: { serverName?: string; udaa?: number } = {}): Avp[] {
  return [
    ...(impi !== undefined ? [avp(dict, 'User-Name', impi)] : []),
    ...impus.map((u) => avp(dict, 'Public-Identity', u)),
    avp(dict, 'Server-Name', opts.serverName ?? 'sip:scscf.ims.test:6060'),
    avp(dict, 'Server-Assignment-Type', sat),
    avp(dict, 'User-Data-Already-Available', opts.udaa ?? 0),
  ];
}

export const lir = (impu: string, extra: Avp[] = []): Avp[] => [avp(dict, 'Public-Identity', impu), ...extra];

export { dict };
