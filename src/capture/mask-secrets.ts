// Secrets in captured messages (KASME, CK/IK, XRES, digest HA1, ...: SECRET_AVP_LIST, matched by
// code and vendor) replaced by zero bytes of the same length, so lengths, padding and the TCP
// stream stay exactly as sent and Wireshark still dissects every AVP, showing zeros.
import type { Dictionary } from '../diameter/dictionary/dictionary.js';
import { HEADER_LENGTH } from '../diameter/codec/message.js';
import { SECRET_AVP_LIST } from '../diameter/codec/mask-secrets.js';

const AVP_FLAG_VENDOR = 0x80;
const MAX_DEPTH = 16;
const SECRETS: ReadonlySet<string> = new Set(SECRET_AVP_LIST.map((s) => `${s.code}:${s.vendorId}`));

/** `frame` itself when it holds no secret AVP, else a masked copy. Groups are found by dictionary. */
export function maskFrameSecrets(frame: Buffer, dict: Dictionary): Buffer {
  let out: Buffer | undefined;
  const walk = (start: number, end: number, depth: number): void => {
    let pos = start;
    while (pos + 8 <= end) {
      const code = frame.readUInt32BE(pos);
      const flags = frame[pos + 4]!;
      const len = frame.readUIntBE(pos + 5, 3);
      const vendored = (flags & AVP_FLAG_VENDOR) !== 0;
      const head = vendored ? 12 : 8;
      if (len < head || pos + len > end) return;
      const vendorId = vendored ? frame.readUInt32BE(pos + 8) : 0;
      if (SECRETS.has(`${code}:${vendorId}`)) {
        out ??= Buffer.from(frame);
        out.fill(0, pos + head, pos + len);
      } else if (depth < MAX_DEPTH && dict.avp(code, vendorId)?.type === 'Grouped') {
        walk(pos + head, pos + len, depth + 1);
      }
      pos += (len + 3) & ~3;
    }
  };
  walk(HEADER_LENGTH, Math.min(frame.length, frame.readUIntBE(1, 3)), 0);
  return out ?? frame;
}
