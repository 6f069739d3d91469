// A real HSS for S6a tests: a SQLite store in a temp dir with TS 35.208 test set 1 keys, a
// DiameterNode answering S6a on 127.0.0.1:0, and MMEs that are real Diameter peers over TCP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { avp } from '../../../src/diameter/codec/builder.js';
import { findAvp, findAvps, type Avp, type Message } from '../../../src/diameter/codec/message.js';
import { createS6aApplication, type S6aApplication, type S6aOptions } from '../../../src/hss/s6a/index.js';
import { DiameterNode } from '../../../src/node/node.js';
import { openSqliteStore, type SqliteStore } from '../../../src/store/index.js';
import type { Config } from '../../../src/config/model.js';
import { testConfig } from '../../support/node-config.js';
import { S6A, ScriptedPeer, testDictionary as dict, type ScriptedPeerOptions } from '../../support/scripted-peer.js';

export { dict };
export const HSS = 'hss.epc.test';
export const REALM = 'epc.test';
export const IMSI = '001010000000001';
/** TS 35.208 test set 1. */
export const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
export const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
export const HOME = { mcc: '001', mnc: '01' };

export interface Hss {
  store: SqliteStore;
  app: S6aApplication;
  node: DiameterNode;
  port: number;
  dir: string;
  peers: ScriptedPeer[];
  mme(identity: string, answer?: ScriptedPeerOptions['answer']): Promise<ScriptedPeer>;
  close(): Promise<void>;
}

export async function startHss(opts: { options?: S6aOptions; config?: Partial<Config>; provision?: (s: SqliteStore) => void } = {}): Promise<Hss> {
  const dir = mkdtempSync(join(tmpdir(), 'diamond-s6a-'));
  const store = openSqliteStore(join(dir, 'diamond.sqlite'));
  store.apns.create({ name: 'internet', pdnType: 'ipv4v6', qci: 9, arp: { priority: 8, preemptionCapability: false, preemptionVulnerability: true }, ambr: { uplink: 50_000_000, downlink: 100_000_000 } }, 'test');
  store.apns.create({ name: 'ims', pdnType: 'ipv4', qci: 5, arp: { priority: 1, preemptionCapability: true, preemptionVulnerability: false }, ambr: { uplink: 1_000_000, downlink: 1_000_000 } }, 'test');
  store.subscribers.createWithAuc(
    { imsi: IMSI, msisdn: '33612345678', apns: ['internet', { name: 'ims', staticIp: '10.45.0.7' }], defaultApn: 'internet', ambr: { uplink: 200_000_000, downlink: 1_000_000_000 }, periodicTau: 3240, chargingCharacteristics: '0800' },
    { k: K, opc: OPC, amf: '8000', sqn: 0 },
    'test',
  );
  opts.provision?.(store);
  const app = createS6aApplication({ store, options: { retryDelayMs: 50, ...opts.options } });
  const node = new DiameterNode({ config: testConfig(HSS, REALM, { allowUnknownPeers: true, ...opts.config }), applications: [app] });
  await node.start(false);
  const port = node.listeners[0]!.port;
  const peers: ScriptedPeer[] = [];
  return {
    store,
    app,
    node,
    port,
    dir,
    peers,
    async mme(identity, answer) {
      const p = new ScriptedPeer({ identity, realm: REALM, port, applications: [S6A], answer });
      await p.connect();
      peers.push(p);
      return p;
    },
    async close() {
      for (const p of peers) p.kill();
      await node.stop();
      app.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let e2e = 1000;

function head(peer: ScriptedPeer, imsi: string): Avp[] {
  const id = ++e2e;
  return [
    avp(dict, 'Session-Id', `${peer.identity};${id}`),
    avp(dict, 'Auth-Session-State', 1),
    avp(dict, 'Origin-Host', peer.identity),
    avp(dict, 'Origin-Realm', peer.realm),
    avp(dict, 'Destination-Realm', REALM),
    avp(dict, 'User-Name', imsi),
  ];
}

function request(commandCode: number, avps: Avp[]): Message {
  return { version: 1, flags: 0xc0, commandCode, applicationId: S6A, hopByHopId: 0, endToEndId: e2e, avps };
}

export interface AirFields {
  eutran?: number;
  utran?: number;
  resync?: Buffer;
  plmn?: { mcc: string; mnc: string };
}

export function air(peer: ScriptedPeer, imsi: string, f: AirFields = { eutran: 1 }): Promise<Message> {
  const avps = head(peer, imsi);
  if (f.eutran !== undefined) {
    const kids = [avp(dict, 'Number-Of-Requested-Vectors', f.eutran), avp(dict, 'Immediate-Response-Preferred', 0)];
    if (f.resync) kids.push(avp(dict, 'Re-Synchronization-Info', f.resync));
    avps.push(avp(dict, 'Requested-EUTRAN-Authentication-Info', kids));
  }
  if (f.utran !== undefined) avps.push(avp(dict, 'Requested-UTRAN-GERAN-Authentication-Info', [avp(dict, 'Number-Of-Requested-Vectors', f.utran)]));
  avps.push(avp(dict, 'Visited-PLMN-Id', f.plmn ?? HOME));
  return peer.sendMessage(request(318, avps));
}

export function ulr(peer: ScriptedPeer, imsi: string, flags = 0b10, f: { rat?: number; plmn?: { mcc: string; mnc: string }; extra?: Avp[] } = {}): Promise<Message> {
  const avps = head(peer, imsi);
  // ULR grammar order (TS 29.272 §7.2.3): *[Supported-Features] and [Terminal-Information] come before RAT-Type.
  avps.push(...(f.extra ?? []));
  avps.push(avp(dict, 'RAT-Type', f.rat ?? 1004), avp(dict, 'ULR-Flags', flags), avp(dict, 'Visited-PLMN-Id', f.plmn ?? HOME));
  return peer.sendMessage(request(316, avps));
}

export function pur(peer: ScriptedPeer, imsi: string, flags?: number): Promise<Message> {
  const avps = head(peer, imsi);
  if (flags !== undefined) avps.push(avp(dict, 'PUR-Flags', flags));
  return peer.sendMessage(request(321, avps));
}

export function nor(peer: ScriptedPeer, imsi: string, extra: Avp[]): Promise<Message> {
  return peer.sendMessage(request(323, [...head(peer, imsi), ...extra]));
}

// ---- reading answers ----

export function resultOf(m: Message): { result?: number; experimental?: number } {
  const rc = findAvp(m.avps, 268)?.value;
  if (typeof rc === 'number') return { result: rc };
  const er = findAvp(m.avps, 297);
  return { experimental: findAvp(er?.avps, 298)?.value as number | undefined };
}

/** The child AVP values of a grouped AVP by name, for asserting answer contents. */
export function child(a: Avp | undefined, name: string): Avp | undefined {
  const def = dict.avpByName(name)!;
  return findAvp(a?.avps, def.code, def.vendorId);
}

export function children(a: Avp | undefined, name: string): Avp[] {
  const def = dict.avpByName(name)!;
  return findAvps(a?.avps, def.code, def.vendorId);
}

export function tops(m: Message, name: string): Avp[] {
  const def = dict.avpByName(name)!;
  return findAvps(m.avps, def.code, def.vendorId);
}

export function top(m: Message, name: string): Avp | undefined {
  const def = dict.avpByName(name)!;
  return findAvp(m.avps, def.code, def.vendorId);
}
