// Makes pcaps/diamond-hss-attach-ims.pcapng: against a Diamond HSS (hss.epc.test) seeded from
// pcaps/diamond-hss-attach-ims.provision.json, an MME's S6a attach (AIR, ULR, PUR in one session)
// and an S-CSCF's IMS registration (UAR, MAR, SAR in one session). The node's own capture writes
// the file, secrets masked. Regenerate: npx tsx test/replay/hss-capture.ts (after a deliberate
// change of answers); hss-replay.test.ts replays it against a fresh HSS and expects every answer
// to match.
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { avp, message } from '../../src/diameter/codec/builder.js';
import type { Avp } from '../../src/diameter/codec/message.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import { parseProvisionFile, provision } from '../../src/replay/provision.js';
import { HSS_REALM, startHssNode } from './hss-node.js';
import { converse, dict, tempDir } from './traffic.js';

const pcaps = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../pcaps');
export const HSS_CAPTURE = path.join(pcaps, 'diamond-hss-attach-ims.pcapng');
export const HSS_PROVISION = path.join(pcaps, 'diamond-hss-attach-ims.provision.json');

export const IMSI = '001010000000101';
export const IMPI = `${IMSI}@ims.test`;
export const IMPU = `sip:${IMSI}@ims.test`;
const MME = 'mme1.epc.test';
const SCSCF = 'scscf.ims.test';
const S6A = 16777251;
const CX = 16777216;

const vsai = (app: number): Avp => avp(dict, 'Vendor-Specific-Application-Id', [avp(dict, 'Vendor-Id', 10415), avp(dict, 'Auth-Application-Id', app)]);
const ids = { hopByHopId: 1, endToEndId: 1 };

function head(sid: string, app: number, origin: string): Avp[] {
  return [
    avp(dict, 'Session-Id', sid), vsai(app), avp(dict, 'Auth-Session-State', 1), avp(dict, 'Origin-Host', origin),
    avp(dict, 'Origin-Realm', origin.slice(origin.indexOf('.') + 1)), avp(dict, 'Destination-Realm', HSS_REALM),
  ];
}

/** The MME's attach and purge: AIR, ULR (initial attach), PUR. */
export function attach(sid: string): Buffer[] {
  const h = head(sid, S6A, MME);
  const plmn = avp(dict, 'Visited-PLMN-Id', { mcc: '001', mnc: '01' });
  return [
    message(dict, 'AIR', [...h, avp(dict, 'User-Name', IMSI), avp(dict, 'Requested-EUTRAN-Authentication-Info', [avp(dict, 'Number-Of-Requested-Vectors', 1), avp(dict, 'Immediate-Response-Preferred', 1)]), plmn], ids, S6A),
    message(dict, 'ULR', [...h, avp(dict, 'User-Name', IMSI), avp(dict, 'RAT-Type', 1004), avp(dict, 'ULR-Flags', 34), plmn], ids, S6A),
    message(dict, 'PUR', [...h, avp(dict, 'User-Name', IMSI)], ids, S6A),
  ].map((m) => encodeMessage(m));
}

/** The S-CSCF's registration: UAR, MAR (IMS AKA, one vector), SAR (REGISTRATION). */
export function register(sid: string): Buffer[] {
  const h = head(sid, CX, SCSCF);
  const who = [avp(dict, 'User-Name', IMPI), avp(dict, 'Public-Identity', IMPU)];
  const server = avp(dict, 'Server-Name', 'sip:scscf.ims.test:6060');
  return [
    message(dict, 'UAR', [...h, ...who, avp(dict, 'Visited-Network-Identifier', Buffer.from('ims.test'))], ids, CX),
    message(dict, 'MAR', [...h, ...who, avp(dict, '3GPP-SIP-Auth-Data-Item', [avp(dict, '3GPP-SIP-Authentication-Scheme', 'Digest-AKAv1-MD5')]), avp(dict, '3GPP-SIP-Number-Auth-Items', 1), server], ids, CX),
    message(dict, 'SAR', [...h, ...who, server, avp(dict, 'Server-Assignment-Type', 1), avp(dict, 'User-Data-Already-Available', 0)], ids, CX),
  ].map((m) => encodeMessage(m));
}

/** Runs both procedures against a fresh, provisioned HSS with capture on; returns the capture file. */
export async function captureHssSession(file: string): Promise<string> {
  const hss = await startHssNode({ capture: { file, rotateMb: 0, peers: [], mask: true, enabled: true } });
  try {
    await provision(parseProvisionFile(readFileSync(HSS_PROVISION, 'utf8'), HSS_PROVISION), HSS_PROVISION, { url: hss.api });
    await converse(hss.port, attach(`${MME};1700000000;1`), MME);
    await converse(hss.port, register(`${SCSCF};1700000000;1`), SCSCF);
  } finally {
    await hss.stop();
  }
  return file;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = await captureHssSession(path.join(tempDir('diamond-hss-capture-'), 'session.pcapng'));
  copyFileSync(file, HSS_CAPTURE);
  process.stdout.write(`wrote ${HSS_CAPTURE}\n`);
}
