// The benches' minimal Diameter server side: the CEA for a CER, and for an S6a-shaped request an
// answer built from bytes (its header with R cleared, its Session-Id, then Result-Code 2001 and
// our Origin-Host/Realm), so the server costs as little as possible next to what is measured.
import { avp } from '../../src/diameter/codec/builder.js';
import { decodeMessage } from '../../src/diameter/codec/decode.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import { defaultDictionary } from '../../src/diameter/dictionary/load.js';
import { buildCea } from '../../src/diameter/peer/capabilities.js';

const dict = defaultDictionary();
const S6A = 16777251;

/** The capabilities the benches' ends advertise (S6a). */
export const benchLocal = (originHost: string, originRealm: string) => ({ originHost, originRealm, vendorId: 0, productName: 'bench', firmwareRevision: 1, originStateId: 1, authApplications: [S6A], acctApplications: [], vendorApplications: [] });

/** Answers for one server identity: cea(frame) for a CER, answer(frame) for a request (Session-Id first). */
export function s6aEcho(identity: string, realm: string): { cea(cer: Buffer): Buffer; answer(req: Buffer): Buffer } {
  const tail = encodeMessage({ version: 1, flags: 0, commandCode: 316, applicationId: S6A, hopByHopId: 0, endToEndId: 0, avps: [avp(dict, 'Result-Code', 2001), avp(dict, 'Origin-Host', identity), avp(dict, 'Origin-Realm', realm)] }).subarray(20);
  return {
    cea: (cer) => encodeMessage(buildCea(dict, benchLocal(identity, realm), ['127.0.0.1'], decodeMessage(cer, dict).message!, 2001, undefined, false)),
    answer(f) {
      const sidLen = f.readUIntBE(20 + 5, 3);
      const sid = f.subarray(20, 20 + ((sidLen + 3) & ~3));
      const a = Buffer.allocUnsafe(20 + sid.length + tail.length);
      f.copy(a, 0, 0, 20);
      a.writeUIntBE(a.length, 1, 3);
      a[4] = f[4]! & 0x40;
      sid.copy(a, 20);
      tail.copy(a, 20 + sid.length);
      return a;
    },
  };
}
