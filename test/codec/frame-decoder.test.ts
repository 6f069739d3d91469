import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../../src/diameter/codec/frame-decoder.js';
import { ErrorCode, type DiamondError } from '../../src/errors.js';
import { M, REQ, avp, msg, str, u32 } from '../support/naive-wire.js';

function collect(max?: number): { dec: FrameDecoder; frames: Buffer[]; errors: DiamondError[] } {
  const frames: Buffer[] = [];
  const errors: DiamondError[] = [];
  const dec = new FrameDecoder({ onFrame: (f) => frames.push(Buffer.from(f)), onError: (e) => errors.push(e) }, max);
  return { dec, frames, errors };
}

const a = msg({ flags: REQ, code: 280, app: 0, hbh: 1, e2e: 2 }, [avp(264, M, str('a.example')), avp(296, M, str('example'))]);
const b = msg({ flags: REQ, code: 257, app: 0, hbh: 3, e2e: 4 }, [avp(266, M, u32(10415))]);
const c = msg({ flags: 0, code: 280, app: 0, hbh: 5, e2e: 6 }, []);
const stream = Buffer.concat([a, b, c]);

describe('FrameDecoder (RFC 6733 §3 framing)', () => {
  it('frames three messages delivered in one chunk', () => {
    const { dec, frames, errors } = collect();
    dec.push(stream);
    expect(errors).toEqual([]);
    expect(frames).toEqual([a, b, c]);
  });

  it('frames the stream split at every offset into two chunks', () => {
    for (let i = 0; i <= stream.length; i++) {
      const { dec, frames, errors } = collect();
      dec.push(stream.subarray(0, i));
      dec.push(stream.subarray(i));
      expect(errors).toEqual([]);
      expect(frames).toEqual([a, b, c]);
    }
  });

  it('frames the stream delivered one byte at a time, and at every pair of split points', () => {
    const one = collect();
    for (let i = 0; i < stream.length; i++) one.dec.push(stream.subarray(i, i + 1));
    expect(one.frames).toEqual([a, b, c]);
    for (let i = 0; i < stream.length; i += 3) {
      for (let j = i; j < stream.length; j += 5) {
        const { dec, frames } = collect();
        dec.push(stream.subarray(0, i));
        dec.push(stream.subarray(i, j));
        dec.push(stream.subarray(j));
        expect(frames).toEqual([a, b, c]);
      }
    }
  });

  it('emits a view, not a copy, when a frame lies inside one chunk', () => {
    const views: Buffer[] = [];
    const dec = new FrameDecoder({ onFrame: (f) => views.push(f), onError: () => undefined });
    dec.push(stream);
    expect(views[0]!.buffer).toBe(stream.buffer);
  });

  it('refuses a length above the maximum before buffering the body', () => {
    const { dec, frames, errors } = collect(64);
    const big = Buffer.from([1, 0x00, 0x10, 0x00]); // claims 4096 bytes
    dec.push(big);
    expect(frames).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.FRAME_TOO_LARGE]);
    expect(dec.buffered).toBe(0);
    dec.push(stream);
    expect(frames).toEqual([]); // stays failed: the caller closes the connection
  });

  it('reports desynchronisation on a wrong version byte, with the stream offset', () => {
    const { dec, frames, errors } = collect();
    dec.push(Buffer.concat([a, Buffer.from('GET / HTTP/1.1\r\n')]));
    expect(frames).toEqual([a]);
    expect(errors[0]?.code).toBe(ErrorCode.FRAME_VERSION);
    expect(errors[0]?.offset).toBe(a.length);
  });

  it('reports a length below the header size', () => {
    const { dec, errors } = collect();
    dec.push(Buffer.from([1, 0, 0, 8, 0, 0, 0, 0]));
    expect(errors[0]?.code).toBe(ErrorCode.FRAME_LENGTH);
  });
});
