// A Cx bed with two S-CSCFs: a real SQLite store in a temp dir, a DiameterNode answering Cx with
// it, and two scripted S-CSCF peers over real sockets on 127.0.0.1 that send SARs and answer the
// node's RTR/PPR with the Result-Code the test sets per peer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { avp } from '../../../src/diameter/codec/builder.js';
import { findAvp, findAvps, type Avp, type Message } from '../../../src/diameter/codec/message.js';
import { createCxApplication, type CxApplication, type CxOptions } from '../../../src/hss/cx/index.js';
import { DiameterNode } from '../../../src/node/node.js';
import { openSqliteStore, type SqliteStore } from '../../../src/store/index.js';
import { testConfig, testPeer, waitFor } from '../../support/node-config.js';
import { ScriptedPeer } from '../../support/scripted-peer.js';
import { CX, HSS, REALM, SH, dict, sar } from './cx-support.js';

/** Diameter identities of the two S-CSCFs, and the SIP URIs (Server-Name) they register with. */
export const S1 = 'scscf1.ims.test';
export const S2 = 'scscf2.ims.test';
// Hosts unlike the Diameter identities: only the Origin-Host learned from SARs reaches the peers.
export const URI1 = 'sip:scscf-east.ims.test:6060';
export const URI2 = 'sip:scscf-west.ims.test:6060';

const T = 10415;

export interface PushBed {
  store: SqliteStore;
  node: DiameterNode;
  cx: CxApplication;
  peers: Record<string, ScriptedPeer>;
  /** Result-Code each peer answers RTR/PPR with (default 2001). */
  answers: Record<string, number | 'silent'>;
  /** Sends a SAR from `peer` naming `uri` as Server-Name; resolves with the SAA. */
  sar(peer: string, uri: string, impi: string, impus: string[], sat: number): Promise<Message>;
  close(): Promise<void>;
}

let e2e = 5000;

/** `requestTimeout` (ms): how long the node waits for an RTA/PPA before answering itself 3002. */
export async function startPushBed(seed: (s: SqliteStore) => void, options: CxOptions = {}, requestTimeout = 2000): Promise<PushBed> {
  const dir = mkdtempSync(path.join(tmpdir(), 'diamond-cx-push-'));
  const store = openSqliteStore(path.join(dir, 'diamond.sqlite'));
  seed(store);
  const cx = createCxApplication({ store, options });
  const peerCfg = (id: string): ReturnType<typeof testPeer> => testPeer(id, 1, { connect: false, realm: REALM, tw: 30_000 });
  const base = testConfig(HSS, REALM);
  const config = testConfig(HSS, REALM, { peers: [peerCfg(S1), peerCfg(S2)], timers: { ...base.timers, requestTimeout } });
  const node = new DiameterNode({ config, applications: [cx] });
  await node.start();
  const answers: Record<string, number | 'silent'> = { [S1]: 2001, [S2]: 2001 };
  const port = node.listeners[0]!.port;
  const peers: Record<string, ScriptedPeer> = {};
  for (const id of [S1, S2]) {
    peers[id] = new ScriptedPeer({ identity: id, realm: REALM, port, applications: [CX, SH], answer: () => answers[id] ?? 2001 });
    await peers[id].connect();
  }
  await waitFor(() => node.peers.peer(S1)?.isAvailable === true && node.peers.peer(S2)?.isAvailable === true, 'S-CSCFs open');
  return {
    store,
    node,
    cx,
    peers,
    answers,
    sar: (peer, uri, impi, impus, sat) =>
      peers[peer]!.request(e2e++, {
        destinationRealm: REALM,
        commandCode: 301,
        applicationId: CX,
        extra: [vsai(), ...sar(impi, impus, sat, { serverName: uri })],
      }),
    async close() {
      for (const p of Object.values(peers)) p.kill();
      cx.close();
      await node.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const vsai = (): Avp => avp(dict, 'Vendor-Specific-Application-Id', [avp(dict, 'Vendor-Id', T), avp(dict, 'Auth-Application-Id', CX)]);

const text = (v: unknown): string | undefined => (Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : undefined);

/** Requests of `commandCode` a peer received for User-Name `impi`, in order. */
/** Between tests: nothing received yet, both S-CSCFs answering 2001. */
export function resetPushBed(bed: PushBed): void {
  for (const p of Object.values(bed.peers)) p.received.length = 0;
  bed.answers[S1] = 2001;
  bed.answers[S2] = 2001;
}

export function requestsFor(p: ScriptedPeer, commandCode: number, impi: string): Message[] {
  return p.received.filter((m) => m.commandCode === commandCode && text(findAvp(m.avps, 1)?.value) === impi);
}

/** Public-Identity values of a request, in order. */
export const publicIdentities = (m: Message): string[] => findAvps(m.avps, 601, T).map((a) => text(a.value)!);

/** User-Name values inside Associated-Identities, or [] when it is absent. */
export const associatedIdentities = (m: Message): string[] => findAvps(findAvp(m.avps, 632, T)?.avps, 1).map((a) => text(a.value)!);

/** Reason-Code inside Deregistration-Reason. */
export const reasonCode = (m: Message): unknown => findAvp(findAvp(m.avps, 615, T)?.avps, 616, T)?.value;

/** The Cx-User-Data XML of a PPR. */
export const userDataXml = (m: Message): string => text(findAvp(m.avps, 606, T)?.value) ?? '';

export { dict };
