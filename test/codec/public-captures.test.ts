// Real traffic: every Diameter PDU in ../shared/pcaps-public (Open5GS, magma, PyHSS, ...) decodes
// by dictionary without error, agrees with tshark on command, application and Session-Id, and
// re-encodes byte-identical. The captures are third-party data, read in place, never copied.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/diameter/codec/decode.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import { findAvp } from '../../src/diameter/codec/message.js';
import { defaultDictionary } from '../../src/diameter/dictionary/load.js';
import { readCaptureFile } from '../../src/pcap/reader.js';

const shared = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared');
const dir = path.join(shared, 'pcaps-public');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f)).sort() : [];
const dict = defaultDictionary();

describe('codec on the public captures', () => {
  if (!existsSync(shared)) {
    it.skip('skipped: no ../shared', () => {});
    return;
  }
  let total = 0;
  for (const file of files) {
    it(file, () => {
      const tsv = readFileSync(path.join(dir, 'tshark-fields', `${file}.tsv`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t'));
      const { pdus, error } = readCaptureFile(path.join(dir, file), { ports: [3868], heuristic: false });
      expect(error).toBeUndefined();
      const byFrame = new Map<number, { code: number[]; app: number[]; session: string[] }>();
      for (const pdu of pdus) {
        const { message, issues } = decodeMessage(pdu.data, dict);
        expect(issues.map((i) => `frame ${pdu.frame}: ${i.message}`)).toEqual([]);
        expect(encodeMessage(message!)).toEqual(pdu.data);
        const row = byFrame.get(pdu.frame) ?? { code: [], app: [], session: [] };
        row.code.push(message!.commandCode);
        row.app.push(message!.applicationId);
        const sid = findAvp(message!.avps, 263)?.value;
        if (typeof sid === 'string') row.session.push(sid);
        byFrame.set(pdu.frame, row);
        total++;
      }
      const ours = [...byFrame].map(([frame, r]) => [String(frame), r.code.join(','), r.app.join(','), r.session.join(',')]);
      expect(ours).toEqual(tsv.map(([frame, code, , app, session]) => [frame, code, app, session ?? '']));
    });
  }
  it('decoded every message of every capture', () => {
    expect(total).toBeGreaterThan(2000);
  });
});
