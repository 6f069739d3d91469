// Capture of the node's own traffic: real connections to a node on 127.0.0.1, the pcapng it writes
// read back by our reader and dissected by tshark (every message, same command codes, same
// addresses and ports as the sockets), rotation by size, secrets zeroed, the admin API switch.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { buildApi } from '../../src/api/server.js';
import { maskFrameSecrets } from '../../src/capture/mask-secrets.js';
import { rotatedName } from '../../src/capture/traffic-capture.js';
import { avp, message } from '../../src/diameter/codec/builder.js';
import { decodeMessage } from '../../src/diameter/codec/decode.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import { findAvp } from '../../src/diameter/codec/message.js';
import { readCaptureFile } from '../../src/pcap/reader.js';
import { converse, dict, request, startNode, tempDir } from '../replay/traffic.js';

const TSHARK = '/usr/bin/tshark';
const dir = tempDir('diamond-capture-');
afterAll(() => execFileSync('rm', ['-rf', dir]));

function capture(file: string, over: Partial<{ rotateMb: number; peers: string[]; mask: boolean; enabled: boolean }> = {}) {
  return { capture: { file, rotateMb: 0, peers: [], mask: true, enabled: true, ...over } };
}

/** tshark's view: one line per Diameter PDU: frame, src, srcport, dst, dstport, cmd code, request flag. */
function tshark(file: string, port: number): string[][] {
  const out = execFileSync(TSHARK, ['-r', file, '-d', `tcp.port==${port},diameter`, '-Y', 'diameter', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,',
    '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'tcp.dstport', '-e', 'diameter.cmd.code', '-e', 'diameter.flags.request', '-e', '_ws.expert.severity'], { encoding: 'utf8' });
  // A frame carrying several PDUs lists them comma-separated; one row per PDU.
  return out.split('\n').filter(Boolean).flatMap((l) => {
    const [src, sport, dst, dport, codes, reqs, expert] = l.split('\t');
    const c = codes!.split(',');
    const r = reqs!.split(',');
    return c.map((code, i) => [src!, sport!, dst!, dport!, code, r[i]!, expert ?? '']);
  });
}

/** Base-protocol messages (CER/CEA, DWR/DWA, DPR/DPA) are captured too; most checks look past them. */
const BASE = new Set([257, 280, 282]);
const appOnly = <T extends { data: Buffer }>(pdus: T[]): T[] => pdus.filter((p) => !BASE.has(p.data.readUIntBE(5, 3)));

describe('capture of the node\'s traffic', () => {
  it('writes every message with real addresses and ports; tshark dissects each one', async () => {
    const file = path.join(dir, 'node.pcapng');
    const { node, port } = await startNode('hss1.epc.test', capture(file));
    const reqs = [
      request('AIR', 'mme1.epc.test;1;1', '001010000000001'),
      request('ULR', 'mme1.epc.test;1;1', '001010000000001'),
      request('UAR', 'mme1.epc.test;1;2', '001010000000002'),
      request('PUR', 'mme1.epc.test;1;3', '001010000000003'),
    ];
    const answers = await converse(port, reqs);
    await node.stop();

    const read = readCaptureFile(file, { ports: [port] });
    expect(read.error).toBeUndefined();
    // The connection opens with CER/CEA in the capture, before the application messages.
    expect(read.pdus.slice(0, 2).map((p) => [p.data.readUIntBE(5, 3), (p.data[4]! & 0x80) !== 0])).toEqual([[257, true], [257, false]]);
    const app = appOnly(read.pdus);
    expect(app.map((p) => [p.data.readUIntBE(5, 3), (p.data[4]! & 0x80) !== 0])).toEqual(
      [316 + 2, 316 + 2, 316, 316, 300, 300, 321, 321].map((c, i) => [c, i % 2 === 0]),
    );
    expect(app.filter((p, i) => i % 2 === 1).map((p) => p.data.toString('hex'))).toEqual(answers.map((a) => a.toString('hex')));
    for (const p of app.filter((_, i) => i % 2 === 0)) expect(p.dstPort).toBe(port);

    if (!existsSync(TSHARK)) return;
    const rows = tshark(file, port);
    expect(rows.map((r) => [Number(r[4]), r[5] === '1' || r[5] === 'True'])).toEqual(read.pdus.map((p) => [p.data.readUIntBE(5, 3), (p.data[4]! & 0x80) !== 0]));
    for (const [i, r] of rows.entries()) {
      const p = read.pdus[i]!;
      expect([r[0], Number(r[1]), r[2], Number(r[3])]).toEqual([p.src, p.srcPort, p.dst, p.dstPort]);
      expect(r[6]).toBe(''); // no malformed-packet or warning expert info
    }
  });

  it('records only the configured peers, and not while switched off through the admin API', async () => {
    const file = path.join(dir, 'filtered.pcapng');
    const { node, port } = await startNode('hss1.epc.test', capture(file, { peers: ['mme2.epc.test'] }));
    await converse(port, [request('AIR', 'mme1.epc.test;2;1', '001010000000001')], 'mme1.epc.test');
    await converse(port, [request('AIR', 'mme2.epc.test;2;1', '001010000000002')], 'mme2.epc.test');
    const api = buildApi(node, node.config.api, pino({ level: 'silent' }));
    const off = await api.inject({ method: 'POST', url: '/api/v1/capture', payload: { enabled: false } });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ configured: true, enabled: false, messages: 6 }); // CER, CEA, AIR, AIA, DPR, DPA
    await converse(port, [request('ULR', 'mme2.epc.test;2;2', '001010000000002')], 'mme2.epc.test');
    const bad = await api.inject({ method: 'POST', url: '/api/v1/capture', payload: { enabled: 'yes' } });
    expect(bad.statusCode).toBe(400);
    const on = await api.inject({ method: 'POST', url: '/api/v1/capture', payload: { enabled: true } });
    expect(on.json()).toMatchObject({ enabled: true });
    await converse(port, [request('PUR', 'mme2.epc.test;2;3', '001010000000002')], 'mme2.epc.test');
    await api.close();
    await node.stop();
    const read = readCaptureFile(file, { ports: [port] });
    const sessions = appOnly(read.pdus).map((p) => findAvp(decodeMessage(p.data, dict).message!.avps, 263)!.value);
    expect(sessions).toEqual(['mme2.epc.test;2;1', 'mme2.epc.test;2;1', 'mme2.epc.test;2;3', 'mme2.epc.test;2;3']);
  });

  it('answers 409 on the admin API when no capture is configured', async () => {
    const { node } = await startNode('hss1.epc.test');
    const api = buildApi(node, node.config.api, pino({ level: 'silent' }));
    expect((await api.inject({ method: 'GET', url: '/api/v1/capture' })).json()).toEqual({ configured: false, enabled: false });
    expect((await api.inject({ method: 'POST', url: '/api/v1/capture', payload: { enabled: true } })).statusCode).toBe(409);
    await api.close();
    await node.stop();
  });

  it('rotates to a new file past rotateMb; each file stands alone', async () => {
    const file = path.join(dir, 'rot.pcapng');
    // 0.002 MiB (~2 KB): a few messages per file.
    const { node, port } = await startNode('hss1.epc.test', capture(file, { rotateMb: 0.002 }));
    const reqs = Array.from({ length: 12 }, (_, i) => request('AIR', `mme1.epc.test;3;${i}`, `00101000000${String(i).padStart(4, '0')}`));
    await converse(port, reqs);
    await node.stop();
    const files = node.capture!.files;
    expect(files.length).toBeGreaterThan(2);
    expect(files[1]).toBe(rotatedName(file, 1));
    expect(files[1]).toBe(path.join(dir, 'rot-1.pcapng'));
    let total = 0;
    for (const f of files) {
      const r = readCaptureFile(f, { ports: [port] });
      expect(r.error).toBeUndefined();
      total += appOnly(r.pdus).length;
      // Flushes happen on 64 KiB or a timer; a file ends at the flush that passed the size.
      expect(statSync(f).size).toBeGreaterThan(0);
    }
    expect(total).toBe(24);
    if (existsSync(TSHARK)) expect(tshark(files[1]!, port).length).toBe(readCaptureFile(files[1]!, { ports: [port] }).pdus.length);
  });
});

describe('secrets in captures', () => {
  const aia = encodeMessage(message(dict, 'AIA', [
    avp(dict, 'Session-Id', 's;1;1'),
    avp(dict, 'Result-Code', 2001),
    avp(dict, 'Authentication-Info', [avp(dict, 'E-UTRAN-Vector', [
      avp(dict, 'RAND', Buffer.alloc(16, 0x11)), avp(dict, 'XRES', Buffer.alloc(8, 0x22)),
      avp(dict, 'AUTN', Buffer.alloc(16, 0x33)), avp(dict, 'KASME', Buffer.alloc(32, 0x44)),
    ])]),
  ], { hopByHopId: 1, endToEndId: 2 }, 16777251));

  it('zeroes KASME and XRES inside groups, keeps RAND/AUTN and every length', () => {
    const masked = maskFrameSecrets(aia, dict);
    expect(masked.length).toBe(aia.length);
    expect(masked).not.toBe(aia);
    const v = findAvp(findAvp(decodeMessage(masked, dict).message!.avps, 1413, 10415)!.avps, 1414, 10415)!.avps!;
    expect(findAvp(v, 1450, 10415)!.value).toEqual(Buffer.alloc(32));
    expect(findAvp(v, 1448, 10415)!.value).toEqual(Buffer.alloc(8));
    expect(findAvp(v, 1447, 10415)!.value).toEqual(Buffer.alloc(16, 0x11));
    expect(findAvp(v, 1449, 10415)!.value).toEqual(Buffer.alloc(16, 0x33));
    expect(aia.includes(Buffer.alloc(32, 0x44))).toBe(true); // the original is untouched
  });

  it('returns the same buffer when there is nothing to mask', () => {
    const air = request('AIR', 's;1;1', '001010000000001');
    expect(maskFrameSecrets(air, dict)).toBe(air);
  });

  it('a node\'s capture holds zeros where a request carried a secret (mask is the default)', async () => {
    const file = path.join(dir, 'secret.pcapng');
    const secret = Buffer.from('c0ffee00c0ffee00c0ffee00c0ffee00', 'hex');
    const mar = encodeMessage(message(dict, 'MAR', [
      avp(dict, 'Session-Id', 'scscf.ims.test;9;9'), avp(dict, 'Auth-Session-State', 1),
      avp(dict, 'Origin-Host', 'scscf.ims.test'), avp(dict, 'Origin-Realm', 'ims.test'), avp(dict, 'Destination-Realm', 'ims.test'),
      avp(dict, 'User-Name', '001010000000009@ims.test'), avp(dict, 'Public-Identity', 'sip:001010000000009@ims.test'),
      avp(dict, '3GPP-SIP-Auth-Data-Item', [avp(dict, '3GPP-SIP-Authorization', secret)]),
      avp(dict, '3GPP-SIP-Number-Auth-Items', 1), avp(dict, 'Server-Name', 'sip:scscf.ims.test'),
    ], { hopByHopId: 1, endToEndId: 1 }, 16777216));
    for (const mask of [true, false]) {
      const f = mask ? file : path.join(dir, 'clear.pcapng');
      const { node, port } = await startNode('hss1.epc.test', capture(f, { mask }));
      await converse(port, [mar], 'scscf.ims.test');
      await node.stop();
      const bytes = readFileSync(f);
      expect(bytes.includes(secret)).toBe(!mask);
      const pdus = appOnly(readCaptureFile(f, { ports: [port] }).pdus);
      expect(pdus[0]!.data.length).toBe(mar.length);
    }
  });
});
