// The node's seam to the applications it answers itself: requests for a local application are
// validated (RFC 6733 §7) before the application sees them, its answer goes back with the
// request's ids, an application that fails gets 5012, and its own requests are routed.
import { afterEach, describe, expect, it } from 'vitest';
import { answerTo } from '../../src/diameter/codec/answer.js';
import { avp } from '../../src/diameter/codec/builder.js';
import { findAvp, type Message } from '../../src/diameter/codec/message.js';
import type { LocalApplication, LocalContext } from '../../src/node/local-application.js';
import { DiameterNode } from '../../src/node/node.js';
import { testConfig, testPeer, waitFor } from '../support/node-config.js';
import { ScriptedPeer, S6A, originHost, resultCode, testDictionary as dict } from '../support/scripted-peer.js';

const HSS = 'hss.realm-h.test';
let node: DiameterNode | undefined;
const peers: ScriptedPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.kill();
  await node?.stop();
  node = undefined;
});

/** An application that answers ULR with 2001 and its own User-Name, or throws for user "boom". */
class EchoApp implements LocalApplication {
  readonly application = { id: S6A, vendorId: 10415, kind: 'auth' as const };
  readonly name = 'echo';
  ctx: LocalContext | undefined;
  seen: Message[] = [];
  attach(ctx: LocalContext): void {
    this.ctx = ctx;
  }
  handle(req: Message): Message {
    this.seen.push(req);
    const user = findAvp(req.avps, 1)?.value;
    if (user === 'boom') throw new Error('application bug');
    return answerTo(req, [findAvp(req.avps, 263)!, avp(dict, 'Result-Code', 2001), avp(dict, 'Origin-Host', HSS), avp(dict, 'Origin-Realm', 'realm-h.test'), avp(dict, 'User-Name', String(user))]);
  }
}

async function setup(app: EchoApp): Promise<ScriptedPeer> {
  node = new DiameterNode({
    config: testConfig(HSS, 'realm-h.test', { peers: [testPeer('mme.realm-a.test', 1, { connect: false, realm: 'realm-a.test', tw: 30_000 })] }),
    applications: [app],
  });
  await node.start();
  const mme = new ScriptedPeer({ identity: 'mme.realm-a.test', realm: 'realm-a.test', port: node.listeners[0]!.port });
  peers.push(mme);
  await mme.connect();
  const n = node;
  await waitFor(() => n.peers.peer('mme.realm-a.test')!.isAvailable, 'open');
  return mme;
}

const ulrAvps = () => [
  avp(dict, 'Vendor-Specific-Application-Id', [avp(dict, 'Vendor-Id', 10415), avp(dict, 'Auth-Application-Id', S6A)]),
  avp(dict, 'RAT-Type', 1004),
  avp(dict, 'ULR-Flags', 34),
  avp(dict, 'Visited-PLMN-Id', { mcc: '001', mnc: '01' }),
];

describe('local applications', () => {
  it('advertises the application in CEA and answers a valid request with the request ids', async () => {
    const app = new EchoApp();
    const mme = await setup(app);
    expect(node!.peers.peer('mme.realm-a.test')!.status().applications).toContain(S6A);
    const a = await mme.request(77, { destinationRealm: 'realm-h.test', userName: '001010000000001', extra: ulrAvps() });
    expect(resultCode(a)).toBe(2001);
    expect(originHost(a)).toBe(HSS);
    expect(a.endToEndId).toBe(77);
    expect(a.flags & 0x80).toBe(0);
    expect(app.seen).toHaveLength(1);
  });

  it('answers a request missing a mandatory AVP with 5005 and Failed-AVP, without calling the application', async () => {
    const app = new EchoApp();
    const mme = await setup(app);
    const a = await mme.request(1, { destinationHost: HSS, destinationRealm: 'realm-h.test', userName: '001010000000001' });
    expect(resultCode(a)).toBe(5005);
    expect(findAvp(a.avps, 279)).toBeDefined();
    expect(app.seen).toHaveLength(0);
  });

  it('answers 5012 when the application throws, and keeps serving', async () => {
    const app = new EchoApp();
    const mme = await setup(app);
    expect(resultCode(await mme.request(1, { destinationRealm: 'realm-h.test', userName: 'boom', extra: ulrAvps() }))).toBe(5012);
    expect(resultCode(await mme.request(2, { destinationRealm: 'realm-h.test', userName: '001010000000001', extra: ulrAvps() }))).toBe(2001);
  });

  it("routes the application's own requests and resolves with the answer", async () => {
    const app = new EchoApp();
    const mme = await setup(app);
    const clr: Message = {
      version: 1,
      flags: 0xc0,
      commandCode: 317,
      applicationId: S6A,
      hopByHopId: 0,
      endToEndId: app.ctx!.nextEndToEndId(),
      avps: [avp(dict, 'Session-Id', `${HSS};clr;1`), avp(dict, 'Origin-Host', HSS), avp(dict, 'Origin-Realm', 'realm-h.test'), avp(dict, 'Destination-Host', 'mme.realm-a.test'), avp(dict, 'Destination-Realm', 'realm-a.test'), avp(dict, 'User-Name', '001010000000001')],
    };
    const answer = await app.ctx!.request(clr);
    expect(resultCode(answer)).toBe(2001);
    expect(originHost(answer)).toBe('mme.realm-a.test');
    expect(mme.received.map((m) => m.commandCode)).toEqual([317]);
  });
});
