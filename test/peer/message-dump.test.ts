// The message dump (`log.messageDump`, `diamond start --message-dump`) over a real socket: a raw
// peer sends a Cx MAR and an S6a AIA full of key material, built with the naive test builder
// (independent of src/). The node's pino output is captured and searched for the secret values
// (hex and text), the mask marker, and the non-secret AVPs that must stay readable.
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SECRET_AVP_LIST, maskSecrets, rawHoldsSecret } from '../../src/diameter/codec/mask-secrets.js';
import { decodeMessage } from '../../src/diameter/codec/decode.js';
import { formatMessage } from '../../src/diameter/codec/inspect.js';
import type { Dictionary } from '../../src/diameter/dictionary/dictionary.js';
import { BUILTIN_DICTIONARY_DIR, defaultDictionary, loadDictionaryFiles } from '../../src/diameter/dictionary/load.js';
import { DiameterNode } from '../../src/node/node.js';
import { M, PXY, REQ, avp, hex, ipv4, msg, str, u32 } from '../support/naive-wire.js';
import { testConfig, testPeer, waitFor } from '../support/node-config.js';

const NODE = 'diamond.realm-d.test';
const PEER = 'scscf.ims.test';
const TGPP = 10415;
const CX = 16777216;
const S6A = 16777251;

// Distinct values, so a hit in the log can only come from the AVP that carried it.
const SECRET = {
  ck: hex('c0c0c0c0 11111111 22222222 33333333'),
  ik: hex('1e1e1e1e 44444444 55555555 66666666'),
  sipAuthorization: hex('5a5a5a5a 77777777 88888888 99999999'),
  kasme: hex('ca5e0000 aaaaaaaa bbbbbbbb cccccccc dddddddd eeeeeeee ffffffff 01010101'),
  xres: hex('0e0e0e0e 12121212'),
  kc: hex('0c0c0c0c 13131313'),
  sres: hex('05050505'),
  digestHa1: 'feedfacefeedfacefeedfacefeedface',
  altDigestHa1: 'deadbeefdeadbeefdeadbeefdeadbeef',
  digestResponse: 'abad1deaabad1deaabad1deaabad1dea',
};
// Challenges the UE sees in clear: these must stay visible.
const RAND = hex('ab0123456789abcdef0123456789abcd');
const AUTN = hex('a7a7a7a7a7a7a7a7b8b8b8b8b8b8b8b8');
const USER = '001010000000042@ims.test';

function originAvps(host: string): Buffer[] {
  return [avp(264, M, str(host)), avp(296, M, str(host.slice(host.indexOf('.') + 1)))];
}

function cer(host: string): Buffer {
  return msg({ flags: REQ, code: 257, app: 0, hbh: 1, e2e: 1 }, [
    ...originAvps(host),
    avp(257, M, ipv4('127.0.0.1')),
    avp(266, M, u32(0)),
    avp(269, 0, str('message-dump-test')),
    avp(258, M, u32(0xffffffff)),
  ]);
}

/** TS 29.229 §6.1.7 MAR with an auth data item carrying every Cx secret. */
function mar(): Buffer {
  return msg({ flags: REQ | PXY, code: 303, app: CX, hbh: 2, e2e: 2 }, [
    avp(263, M, str(`${PEER};1;mar`)),
    avp(260, M, [avp(266, M, u32(TGPP)), avp(258, M, u32(CX))]),
    avp(277, M, u32(1)),
    ...originAvps(PEER),
    avp(283, M, str('realm-d.test')),
    avp(1, M, str(USER)),
    avp(601, M, str(`sip:${USER}`), TGPP),
    avp(612, M, [
      avp(608, M, str('Digest-AKAv1-MD5'), TGPP),
      avp(609, M, Buffer.concat([RAND, AUTN]), TGPP),
      avp(610, M, SECRET.sipAuthorization, TGPP),
      avp(625, M, SECRET.ck, TGPP),
      avp(626, M, SECRET.ik, TGPP),
      avp(635, 0, [avp(104, M, str('ims.test')), avp(110, M, str('auth')), avp(121, M, str(SECRET.digestHa1)), avp(663, 0, str(SECRET.altDigestHa1), TGPP)], TGPP),
    ], TGPP),
    avp(103, M, str(SECRET.digestResponse)),
  ]);
}

/** TS 29.272 §7.2.6 AIA with one vector of each kind (an answer nobody asked for: dumped, then discarded). */
function aia(): Buffer {
  return msg({ flags: PXY, code: 318, app: S6A, hbh: 3, e2e: 3 }, [
    avp(263, M, str(`${PEER};1;aia`)),
    avp(277, M, u32(1)),
    avp(268, M, u32(2001)),
    ...originAvps(PEER),
    avp(1413, M, [
      avp(1414, M, [avp(1447, M, RAND, TGPP), avp(1448, M, SECRET.xres, TGPP), avp(1449, M, AUTN, TGPP), avp(1450, M, SECRET.kasme, TGPP)], TGPP),
      avp(1415, M, [avp(1447, M, RAND, TGPP), avp(1448, M, SECRET.xres, TGPP), avp(1449, M, AUTN, TGPP), avp(625, M, SECRET.ck, TGPP), avp(626, M, SECRET.ik, TGPP)], TGPP),
      avp(1416, M, [avp(1447, M, RAND, TGPP), avp(1454, M, SECRET.sres, TGPP), avp(1453, M, SECRET.kc, TGPP)], TGPP),
    ], TGPP),
  ]);
}

/** Every form in which a secret could show up in a log line. */
function secretForms(): string[] {
  const out: string[] = [];
  for (const v of Object.values(SECRET)) {
    if (typeof v === 'string') out.push(v, Buffer.from(v).toString('hex'));
    else out.push(v.toString('hex'), v.toString('hex').toUpperCase(), v.toString('base64'));
  }
  return out;
}

/** Command codes of the whole frames in a byte stream. */
function commandsIn(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let at = 0; at + 20 <= bytes.length; at += bytes.readUIntBE(at + 1, 3)) out.push(bytes.readUIntBE(at + 5, 3));
  return out;
}

let sockets: Socket[] = [];
let nodes: DiameterNode[] = [];

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets = [];
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
});

interface Run {
  records: string[];
  dumps: string[];
}

/** Starts a node with messageDump on, opens a connection, sends MAR and AIA, waits for their dumps. */
async function dumpOverSocket(dictionary?: Dictionary): Promise<Run> {
  const records: string[] = [];
  const logger: Logger = pino({ level: 'info' }, { write: (s: string) => void records.push(s) });
  const base = testConfig(NODE, 'realm-d.test');
  const node = new DiameterNode({
    config: testConfig(NODE, 'realm-d.test', { peers: [testPeer(PEER, 1, { connect: false })], log: { ...base.log, messageDump: true } }),
    logger,
    dictionary,
  });
  nodes.push(node);
  await node.start();
  const socket = connect({ host: '127.0.0.1', port: node.listeners[0]!.port });
  sockets.push(socket);
  let received = Buffer.alloc(0);
  socket.on('data', (c: Buffer) => (received = Buffer.concat([received, c])));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(cer(PEER));
  await waitFor(() => node.peers.peer(PEER)?.state === 'R-Open', 'the peer open');
  socket.write(mar());
  socket.write(aia());
  const dumpLines = (): string[] => records.map((r) => (JSON.parse(r) as { msg?: string }).msg ?? '').filter((m) => /^(sent|received) /.test(m));
  // MAR received, its error answer sent, AIA received.
  await waitFor(() => dumpLines().length >= 3, 'three message dumps');
  await waitFor(() => records.some((r) => r.includes('answer with no pending request')), 'the AIA discarded');
  // The MAR was answered on the wire (3002: no route), so the dump did not stop the node's work.
  await waitFor(() => commandsIn(received).includes(303), 'the MAA');
  return { records, dumps: dumpLines() };
}

describe('message dump masks secrets', () => {
  it('hides every secret value of a Cx MAR and an S6a AIA, shows the mask and the non-secret AVPs', async () => {
    const { records, dumps } = await dumpOverSocket();
    const all = records.join('\n');
    for (const s of secretForms()) expect(all, `secret ${s} leaked into the log`).not.toContain(s);

    const marDump = dumps.find((d) => d.startsWith('received') && d.includes('Multimedia-Auth-Request'))!;
    const aiaDump = dumps.find((d) => d.startsWith('received') && d.includes('Authentication-Information-Answer'))!;
    expect(marDump).toBeDefined();
    expect(aiaDump).toBeDefined();
    expect(dumps.some((d) => d.startsWith('sent') && d.includes('Multimedia-Auth-Answer'))).toBe(true);

    for (const name of ['3GPP-SIP-Authorization', 'Confidentiality-Key', 'Integrity-Key', 'Digest-HA1', 'Alternate-Digest-HA1', 'Digest-Response']) {
      expect(marDump).toMatch(new RegExp(`^\\s*${name} \\(.*= "?\\*\\*\\*"?$`, 'm'));
    }
    for (const name of ['XRES', 'KASME', 'Kc', 'SRES', 'Confidentiality-Key', 'Integrity-Key']) {
      expect(aiaDump).toMatch(new RegExp(`^\\s*${name} \\(.*= "?\\*\\*\\*"?$`, 'm'));
    }
    // What is not secret stays readable.
    expect(marDump).toContain(USER);
    expect(marDump).toContain('Digest-AKAv1-MD5');
    expect(marDump).toContain(Buffer.concat([RAND, AUTN]).toString('hex'));
    expect(marDump).toMatch(/Digest-Realm .*"ims\.test"/);
    expect(aiaDump).toContain(RAND.toString('hex'));
    expect(aiaDump).toContain(AUTN.toString('hex'));
    expect(aiaDump).toMatch(/Result-Code .*DIAMETER_SUCCESS \(2001\)/);
  });

  it('masks secret AVPs the loaded dictionaries do not know (they would print as raw hex)', async () => {
    const { dictionary, errors } = loadDictionaryFiles([join(BUILTIN_DICTIONARY_DIR, 'base.dict')]);
    expect(errors).toEqual([]);
    expect(dictionary.avp(625, TGPP)).toBeUndefined();
    const { records, dumps } = await dumpOverSocket(dictionary);
    const all = records.join('\n');
    for (const s of secretForms()) expect(all, `secret ${s} leaked into the log`).not.toContain(s);
    const marDump = dumps.find((d) => d.startsWith('received') && d.includes('cmd=303'))!;
    const aiaDump = dumps.find((d) => d.startsWith('received') && d.includes('cmd=318'))!;
    // Undecoded Grouped AVPs whose bytes hold a secret are masked whole.
    expect(marDump).toMatch(/Unknown-AVP \(612 v10415\) .*= "\*\*\*"$/m);
    expect(aiaDump).toMatch(/Unknown-AVP \(1413 v10415\) .*= "\*\*\*"$/m);
    // Known to base.dict and secret: masked; unknown and not secret: still dumped as hex.
    expect(marDump).toMatch(/Digest-Response \(103\) .*= "?\*\*\*"?$/m);
    expect(marDump).toContain(`Unknown-AVP (601 v10415) [VM] = 0x${Buffer.from(`sip:${USER}`).toString('hex')}`);
    expect(aiaDump).toMatch(/Result-Code .*\(2001\)/);
  });
});

describe('maskSecrets', () => {
  const dict = defaultDictionary();

  it('masks a secret inside raw bytes only when they read as an AVP sequence', () => {
    const ck = avp(625, M, SECRET.ck, TGPP);
    expect(rawHoldsSecret(ck)).toBe(true);
    expect(rawHoldsSecret(avp(1, M, [avp(2, 0, [ck])]))).toBe(true);
    expect(rawHoldsSecret(avp(1447, M, RAND, TGPP))).toBe(false);
    // A plain octet string that is not an AVP sequence.
    expect(rawHoldsSecret(SECRET.ck)).toBe(false);
    expect(rawHoldsSecret(Buffer.alloc(0))).toBe(false);
  });

  it('covers every listed secret at any depth and leaves the decoded original untouched', () => {
    const { message } = decodeMessage(aia(), dict);
    const before = formatMessage(dict, message!);
    expect(before).toContain(SECRET.kasme.toString('hex'));
    const masked = formatMessage(dict, maskSecrets(message!));
    for (const s of secretForms()) expect(masked).not.toContain(s);
    expect(formatMessage(dict, message!)).toBe(before);
  });

  it('lists each secret once, with the name its spec gives', () => {
    const keys = SECRET_AVP_LIST.map((s) => `${s.vendorId}:${s.code}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const s of SECRET_AVP_LIST) {
      const def = dict.avp(s.code, s.vendorId);
      // Every secret the built-in dictionaries know sits at the code the list says.
      if (def) expect(def.name.replace(/^3GPP-/, '')).toBe(s.name);
    }
  });
});
