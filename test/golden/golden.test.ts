// Golden vectors: bytes from the naive builder, decoded tree beside them (RFC 6733 §3, §4).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/diameter/codec/decode.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import { FrameDecoder } from '../../src/diameter/codec/frame-decoder.js';
import { formatMessage } from '../../src/diameter/codec/inspect.js';
import { defaultDictionary } from '../../src/diameter/dictionary/load.js';
import { golden } from './messages.js';

const dict = defaultDictionary();
const file = (name: string): string => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');

describe('golden messages', () => {
  for (const [name, bytes] of Object.entries(golden)) {
    describe(name, () => {
      it('matches the committed hex', () => {
        expect(bytes.toString('hex')).toBe(file(`${name}.hex`).replace(/\s+/g, ''));
      });
      it('decodes to the committed tree, with no issues', () => {
        const { message, issues } = decodeMessage(bytes, dict);
        expect(issues).toEqual([]);
        expect(`${formatMessage(dict, message!)}\n`).toBe(file(`${name}.txt`));
      });
      it('re-encodes byte-identical', () => {
        expect(encodeMessage(decodeMessage(bytes, dict).message!)).toEqual(bytes);
      });
      it('frames identically when the stream is split at every offset', () => {
        const stream = Buffer.concat([bytes, bytes]);
        for (let i = 0; i <= stream.length; i++) {
          const frames: Buffer[] = [];
          const dec = new FrameDecoder({ onFrame: (f) => frames.push(Buffer.from(f)), onError: (e) => { throw e; } });
          dec.push(stream.subarray(0, i));
          dec.push(stream.subarray(i));
          expect(frames).toEqual([bytes, bytes]);
        }
      });
    });
  }
});
