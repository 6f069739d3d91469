// Wireshark's dissector reads the AIA, ULA, PUA, NOA and error answers Diamond puts on the wire
// (captured by the node's own pcapng capture) without malformed-packet or warning expert info, and
// finds the AVPs the Open5GS MME requires (hss-anchors.md §4).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { avp } from '../../../src/diameter/codec/builder.js';
import { air, dict, IMSI, nor, pur, startHss, ulr } from './harness.js';

const TSHARK = '/usr/bin/tshark';

/** Per Diameter message in the file: command code, R flag, AVP codes in order, expert infos. */
function dissect(file: string, port: number): { cmd: number; request: boolean; avps: number[]; experts: string[]; malformed: boolean }[] {
  const pdml = execFileSync(TSHARK, ['-r', file, '-d', `tcp.port==${port},diameter`, '-T', 'pdml', '-Y', 'diameter'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  const out = [];
  for (const p of pdml.split('<packet>').slice(1)) {
    // One TCP segment may hold several messages; split on each Diameter protocol block.
    for (const m of p.split('<proto name="diameter"').slice(1)) {
      out.push({
        cmd: Number(/name="diameter.cmd.code"[^>]*show="(\d+)"/.exec(m)?.[1]),
        request: /name="diameter.flags.request"[^>]*show="(True|1)"/.test(m),
        avps: [...m.matchAll(/name="diameter.avp" showname="AVP: [^"(]+\((\d+)\)/g)].map((x) => Number(x[1])),
        experts: [...m.matchAll(/showname="Expert Info \((\w+)\/(\w+)\): ([^"]*)"/g)].filter((x) => x[1] !== 'Chat').map((x) => x[0]),
        malformed: m.includes('_ws.malformed'),
      });
    }
  }
  return out;
}

describe.skipIf(!existsSync(TSHARK))('tshark dissects the S6a answers Diamond sends', () => {
  it('AIA, ULA, PUA, NOA and error answers: no malformed or warning expert info, required AVPs present', async () => {
    const capDir = mkdtempSync(join(tmpdir(), 'diamond-s6a-cap-'));
    const file = join(capDir, 's6a.pcapng');
    const h = await startHss({ config: { capture: { file, rotateMb: 0, peers: [], mask: false, enabled: true } } });
    try {
      const mme = await h.mme('mme1.epc.test');
      await air(mme, IMSI, { eutran: 2, utran: 1 });
      await ulr(mme, IMSI, 0b10);
      await pur(mme, IMSI, 1);
      await nor(mme, IMSI, [avp(dict, 'Alert-Reason', 0)]);
      await air(mme, '001019999999999');
    } finally {
      await h.close();
    }
    const msgs = dissect(file, h.port);
    rmSync(capDir, { recursive: true, force: true });
    const answers = msgs.filter((m) => !m.request && m.cmd >= 316);
    expect(answers.map((m) => m.cmd)).toEqual([318, 316, 321, 323, 318]);
    for (const a of answers) {
      expect(a.malformed, `command ${a.cmd}`).toBe(false);
      expect(a.experts, `command ${a.cmd}`).toEqual([]);
    }
    const [aia, ula] = answers;
    for (const code of [1413, 1414, 1447, 1448, 1449, 1450, 1415, 625, 626]) expect(aia!.avps, `AIA AVP ${code}`).toContain(code);
    // Open5GS mme_s6a_ula_cb: Result-Code, Origin-*, ULA-Flags, Subscription-Data, AMBR{516,515},
    // APN-Configuration-Profile, per APN 493, 1423, 1456, 1431{1028, 1034{1046}}.
    for (const code of [268, 264, 296, 1406, 1400, 1435, 516, 515, 1429, 1430, 493, 1423, 1456, 1431, 1028, 1034, 1046, 701]) expect(ula!.avps, `ULA AVP ${code}`).toContain(code);
  });
});
