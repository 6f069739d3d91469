// Wireshark cross-check: one message of every S6a, Cx and Sh command (request and answer, with
// their grouped AVPs, built from the dictionary grammars) is encoded by Diamond, written to a
// pcapng and dissected by tshark. tshark must see the same commands, the same AVP names and codes
// in the same order, the same values, and raise no malformed-packet or warning expert info.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import type { Avp, Message } from '../../src/diameter/codec/message.js';
import { defaultDictionary } from '../../src/diameter/dictionary/load.js';
import { writePcapng } from '../../src/pcap/writer.js';
import { sampleMessage } from '../support/sample-message.js';

const TSHARK = '/usr/bin/tshark';
const dict = defaultDictionary();
const APPS = [16777251, 16777216, 16777217]; // S6a, Cx, Sh
/** AVPs defined by 3GPP after Wireshark 4.0's dictionary was written: tshark names them Unknown. */
const NEWER_THAN_TSHARK = new Set([659, 660, 661, 662, 663, 664, 665, 666, 720, 721, 722]);

interface Seen {
  name: string;
  code: number;
  value: string | undefined;
}

function flatten(avps: Avp[], out: Seen[] = []): Seen[] {
  for (const a of avps) {
    out.push({ name: a.def?.name ?? 'Unknown', code: a.code, value: a.avps ? undefined : textOf(a) });
    // tshark cannot open a Grouped AVP it does not know.
    if (a.avps && !NEWER_THAN_TSHARK.has(a.code)) flatten(a.avps, out);
  }
  return out;
}

/** Our value as tshark prints it, for the types whose text is unambiguous. */
function textOf(a: Avp): string | undefined {
  const t = a.def?.type;
  if (t === 'UTF8String' || t === 'DiameterIdentity' || t === 'Address') return String(a.value);
  if (t === 'Unsigned32' || t === 'Integer32' || t === 'Enumerated') return String(a.value);
  return undefined;
}

function unescapeXml(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const messages: Message[] = [];
for (const cmd of dict.allCommands()) {
  if (!APPS.includes(cmd.applicationId)) continue;
  for (const m of [cmd.request, cmd.answer]) if (m) messages.push(sampleMessage(m));
}

describe.skipIf(!existsSync(TSHARK))('tshark dissects what Diamond encodes', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'diamond-tshark-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'encoded.pcapng');
  writeFileSync(
    file,
    writePcapng(messages.map((m, i) => ({ time: new Date(1_700_000_000_000 + i * 1000), src: '127.0.0.1', dst: '127.0.0.2', srcPort: 40000, dstPort: 3868, data: encodeMessage(m) }))),
  );
  const pdml = execFileSync(TSHARK, ['-r', file, '-T', 'pdml', '-Y', 'diameter'], { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  const packets = pdml.split('<packet>').slice(1);

  it('covers every S6a, Cx and Sh command, requests and answers', () => {
    expect(messages.length).toBe(36);
    expect(packets.length).toBe(messages.length);
  });

  messages.forEach((m, i) => {
    const def = dict.message(m.applicationId, m.commandCode, (m.flags & 0x80) !== 0)!;
    it(`${def.name} (app ${m.applicationId}, ${m.avps.length} top-level AVPs)`, () => {
      const p = packets[i] ?? '';
      expect(/name="diameter.cmd.code"[^>]*show="(\d+)"/.exec(p)?.[1]).toBe(String(m.commandCode));
      expect(/name="diameter.applicationId"[^>]*show="(\d+)"/.exec(p)?.[1]).toBe(String(m.applicationId));
      const theirs: Seen[] = [...p.matchAll(/name="diameter.avp" showname="AVP: ([^"(]+)\((\d+)\) l=\d+ f=\S+(?: vnd=\S+)?(?: val=([^"]*))?"/g)].map((x) => ({
        name: x[1] ?? '',
        code: Number(x[2]),
        value: x[3] === undefined ? undefined : unescapeXml(x[3]),
      }));
      const ours = flatten(m.avps);
      expect(theirs.map((t) => `${t.code}`)).toEqual(ours.map((o) => `${o.code}`));
      ours.forEach((o, k) => {
        const t = theirs[k]!;
        if (t.name === 'Unknown') expect(NEWER_THAN_TSHARK.has(o.code), `tshark does not know ${o.name} (${o.code})`).toBe(true);
        else expect(t.name).toBe(o.name);
        if (o.value !== undefined && t.value !== undefined && t.name !== 'Unknown') {
          // Enumerated and some integers print as "NAME (n)".
          expect(t.value === o.value || t.value.endsWith(`(${o.value})`), `${o.name}: tshark ${t.value}, ours ${o.value}`).toBe(true);
        }
      });
      const experts = [...p.matchAll(/showname="Expert Info \((\w+)\/(\w+)\): ([^"]*)"/g)].filter(
        (x) => x[1] !== 'Chat' && !/^Unknown AVP (\d+) \(vendor=3GPP\)/.test(x[3] ?? '') ,
      );
      expect(experts.map((x) => x[0])).toEqual([]);
      for (const x of p.matchAll(/Unknown AVP (\d+) \(vendor=3GPP\)/g)) expect(NEWER_THAN_TSHARK.has(Number(x[1]))).toBe(true);
      expect(p).not.toContain('_ws.malformed');
    });
  });
});
