// Test traffic for capture and replay: a node on 127.0.0.1 port 0, and a client that sends S6a and
// Cx requests to it over a real connection (the replay's own client, driven directly).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../../src/config/model.js';
import { avp, message } from '../../src/diameter/codec/builder.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import type { Dictionary } from '../../src/diameter/dictionary/dictionary.js';
import { defaultDictionary } from '../../src/diameter/dictionary/load.js';
import { DiameterNode } from '../../src/node/node.js';
import { ReplayClient } from '../../src/replay/client.js';
import { testConfig } from '../support/node-config.js';

export const dict: Dictionary = defaultDictionary();

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** A node that accepts any peer (the replay connects as whoever the capture shows). */
export async function startNode(identity: string, over: Partial<Config> = {}): Promise<{ node: DiameterNode; port: number }> {
  const node = new DiameterNode({ config: testConfig(identity, identity.slice(identity.indexOf('.') + 1), { allowUnknownPeers: true, ...over }), dictionary: dict });
  await node.start(false);
  return { node, port: node.listeners[0]!.port };
}

const S6A = 16777251;
const CX = 16777216;

function vsai(app: number): ReturnType<typeof avp> {
  return avp(dict, 'Vendor-Specific-Application-Id', [avp(dict, 'Vendor-Id', 10415), avp(dict, 'Auth-Application-Id', app)]);
}

/** An S6a AIR, ULR or PUR, or a Cx UAR, for subscriber `imsi` in session `sid`. */
export function request(kind: 'AIR' | 'ULR' | 'PUR' | 'UAR', sid: string, imsi: string, origin = 'mme1.epc.test', ids = { hbh: 1, e2e: 1 }): Buffer {
  const common = [
    avp(dict, 'Session-Id', sid),
    avp(dict, 'Auth-Session-State', 1),
    avp(dict, 'Origin-Host', origin),
    avp(dict, 'Origin-Realm', origin.slice(origin.indexOf('.') + 1)),
    avp(dict, 'Destination-Realm', 'epc.test'),
  ];
  const idsOf = { hopByHopId: ids.hbh, endToEndId: ids.e2e };
  if (kind === 'UAR') {
    return encodeMessage(message(dict, 'UAR', [
      avp(dict, 'Session-Id', sid), vsai(CX), avp(dict, 'Auth-Session-State', 1), avp(dict, 'Origin-Host', origin),
      avp(dict, 'Origin-Realm', origin.slice(origin.indexOf('.') + 1)), avp(dict, 'Destination-Realm', 'ims.test'),
      avp(dict, 'User-Name', `${imsi}@ims.test`), avp(dict, 'Public-Identity', `sip:${imsi}@ims.test`), avp(dict, 'Visited-Network-Identifier', Buffer.from('ims.test')),
    ], idsOf, CX));
  }
  const extra = kind === 'AIR'
    ? [avp(dict, 'Requested-EUTRAN-Authentication-Info', [avp(dict, 'Number-Of-Requested-Vectors', 1), avp(dict, 'Immediate-Response-Preferred', 1)]), avp(dict, 'Visited-PLMN-Id', { mcc: '001', mnc: '01' })]
    : kind === 'ULR'
      ? [avp(dict, 'RAT-Type', 1004), avp(dict, 'ULR-Flags', 34), avp(dict, 'Visited-PLMN-Id', { mcc: '001', mnc: '01' })]
      : [];
  return encodeMessage(message(dict, kind, [vsai(S6A), ...common, avp(dict, 'User-Name', imsi), ...extra], idsOf, S6A));
}

/** Connects as `origin`, sends the requests one after another (each waits for its answer), closes. */
export async function converse(port: number, requests: Buffer[], origin = 'mme1.epc.test'): Promise<Buffer[]> {
  const client = await ReplayClient.open({
    host: '127.0.0.1', port, dict, timeoutMs: 5000,
    local: {
      originHost: origin, originRealm: origin.slice(origin.indexOf('.') + 1), vendorId: 10415, productName: 'test-mme', firmwareRevision: 1,
      originStateId: 7, authApplications: [], acctApplications: [], vendorApplications: [{ vendorId: 10415, id: S6A, kind: 'auth' }, { vendorId: 10415, id: CX, kind: 'auth' }],
    },
  });
  const answers: Buffer[] = [];
  for (const [i, r] of requests.entries()) {
    const b = Buffer.from(r);
    b.writeUInt32BE(1000 + i, 12);
    b.writeUInt32BE(5000 + i, 16);
    answers.push(await new Promise<Buffer>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no answer to request ${i}`)), 5000);
      client.setHandlers({
        onAnswer: (f) => { clearTimeout(t); resolve(Buffer.from(f)); },
        onRequest: (f) => f,
        onClosed: (why) => reject(new Error(why)),
      });
      client.send(b);
    }));
  }
  await client.close();
  return answers;
}
