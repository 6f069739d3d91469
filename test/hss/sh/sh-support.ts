// An Sh test bed: a real SQLite store in a temp dir, a DiameterNode answering Cx and Sh with it, and
// scripted peers over real sockets: two application servers (AS1, AS2) and an S-CSCF (for SARs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { avp } from '../../../src/diameter/codec/builder.js';
import { findAvp, type Avp, type Message } from '../../../src/diameter/codec/message.js';
import { createCxApplication, type CxApplication } from '../../../src/hss/cx/index.js';
import { createShApplication, type ShApplication, type ShDeps } from '../../../src/hss/sh/index.js';
import { DiameterNode } from '../../../src/node/node.js';
import { openSqliteStore, type SqliteStore } from '../../../src/store/index.js';
import { testConfig, testPeer, waitFor } from '../../support/node-config.js';
import { ScriptedPeer, testDictionary as dict } from '../../support/scripted-peer.js';

export const CX = 16777216;
export const SH = 16777217;
export const HSS = 'hss.ims.test';
export const REALM = 'ims.test';
export const AS1 = 'as1.ims.test';
export const AS2 = 'as2.ims.test';
export const CSCF = 'scscf.ims.test';

export interface ShBed {
  store: SqliteStore;
  node: DiameterNode;
  cx: CxApplication;
  sh: ShApplication;
  as1: ScriptedPeer;
  as2: ScriptedPeer;
  cscf: ScriptedPeer;
  file: string;
  close(): Promise<void>;
}

export async function startShBed(seed: (s: SqliteStore) => void, sh: Omit<ShDeps, 'store'> = {}, answer?: ConstructorParameters<typeof ScriptedPeer>[0]['answer']): Promise<ShBed> {
  const dir = mkdtempSync(path.join(tmpdir(), 'diamond-sh-'));
  const file = path.join(dir, 'diamond.sqlite');
  const store = openSqliteStore(file);
  seed(store);
  const cx = createCxApplication({ store });
  const shApp = createShApplication({ store, ...sh });
  const peer = (id: string) => testPeer(id, 1, { connect: false, realm: REALM, tw: 30_000 });
  const node = new DiameterNode({ config: testConfig(HSS, REALM, { peers: [peer(AS1), peer(AS2), peer(CSCF)] }), applications: [cx, shApp] });
  await node.start();
  const port = node.listeners[0]!.port;
  const mk = (identity: string, apps: number[]) => new ScriptedPeer({ identity, realm: REALM, port, applications: apps, ...(answer ? { answer } : {}) });
  const as1 = mk(AS1, [SH]);
  const as2 = mk(AS2, [SH]);
  const cscf = mk(CSCF, [CX]);
  for (const p of [as1, as2, cscf]) await p.connect();
  await waitFor(() => [AS1, AS2, CSCF].every((id) => node.peers.peer(id)?.isAvailable === true), 'peers open');
  return {
    store,
    node,
    cx,
    sh: shApp,
    as1,
    as2,
    cscf,
    file,
    async close() {
      for (const p of [as1, as2, cscf]) p.kill();
      cx.close();
      shApp.close();
      await node.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const vsai = (app: number): Avp => avp(dict, 'Vendor-Specific-Application-Id', [avp(dict, 'Vendor-Id', 10415), avp(dict, 'Auth-Application-Id', app)]);

let e2e = 5000;
export function send(from: ScriptedPeer, commandCode: number, avps: Avp[], applicationId = SH): Promise<Message> {
  return from.request(e2e++, { destinationRealm: REALM, commandCode, applicationId, extra: [vsai(applicationId), ...avps] });
}

export const userIdentity = (impu: string): Avp => avp(dict, 'User-Identity', [avp(dict, 'Public-Identity', impu)]);

export function repositoryXml(si: string, seq: number | string, serviceData?: string): string {
  const sd = serviceData === undefined ? '' : `<ServiceData>${serviceData}</ServiceData>`;
  return `<?xml version="1.0" encoding="UTF-8"?><Sh-Data><RepositoryData><ServiceIndication>${si}</ServiceIndication><SequenceNumber>${seq}</SequenceNumber>${sd}</RepositoryData></Sh-Data>`;
}

export const pur = (impu: string, xml: string): Avp[] => [userIdentity(impu), avp(dict, 'Data-Reference', 0), avp(dict, 'Sh-User-Data', Buffer.from(xml, 'utf8'))];

export function snr(impu: string, refs: number[], opts: { unsubscribe?: boolean; sis?: string[]; expiry?: Date; sendData?: boolean } = {}): Avp[] {
  return [
    userIdentity(impu),
    ...(opts.sis ?? []).map((s) => avp(dict, 'Service-Indication', Buffer.from(s))),
    ...(opts.sendData ? [avp(dict, 'Send-Data-Indication', 1)] : []),
    avp(dict, 'Subs-Req-Type', opts.unsubscribe ? 1 : 0),
    ...refs.map((r) => avp(dict, 'Data-Reference', r)),
    ...(opts.expiry ? [avp(dict, 'Expiry-Time', opts.expiry)] : []),
  ];
}

export const sar = (impi: string, impus: string[], sat: number): Avp[] => [
  avp(dict, 'User-Name', impi),
  ...impus.map((u) => avp(dict, 'Public-Identity', u)),
  avp(dict, 'Server-Name', 'sip:scscf.ims.test:6060'),
  avp(dict, 'Server-Assignment-Type', sat),
  avp(dict, 'User-Data-Already-Available', 0),
];

export const exp = (m: Message): number | undefined => findAvp(findAvp(m.avps, 297)?.avps, 298)?.value as number | undefined;
export const shDataOf = (m: Message): string => (findAvp(m.avps, 702, 10415)!.value as Buffer).toString('utf8');

const PY = `
import sys, json, xml.etree.ElementTree as ET
r = ET.fromstring(sys.stdin.buffer.read())
print(json.dumps([[e.tag, (e.text or '').strip()] for e in r.iter()]))
`;
/** Sh-Data parsed by Python's XML parser (an independent reader): [tag, text] in document order. */
export function outline(xml: string): [string, string][] {
  return JSON.parse(execFileSync('python3', ['-c', PY], { input: xml, encoding: 'utf8' })) as [string, string][];
}

export { dict };
