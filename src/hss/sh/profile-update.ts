// TS 29.328 §6.1.2 Data update (PUR/PUA), TS 29.329 §6.1.3/§6.1.4 — RepositoryData only: the
// Sh-User-Data carries <Sh-Data><RepositoryData> with ServiceIndication, SequenceNumber and
// ServiceData. ServiceData present: create (sequence 0) or update (stored + 1, 65535 → 1);
// ServiceData absent: delete (same sequence rule). A wrong number is 5105
// TRANSPARENT_DATA_OUT_OF_SYNC, ServiceData over the configured size 5008 TOO_MUCH_DATA, deleting
// data that is not there 5106 SUBS_DATA_ABSENT. Other Data-References are not writable here (5103).
// The store announces a committed change ('sh-repository-changed', writer = Origin-Host); the PNRs
// to other subscribed ASs go out from there (index.ts), as for a write through the REST API.
import { avp } from '../../diameter/codec/builder.js';
import { findAvp, findAvps, type Avp, type Message } from '../../diameter/codec/message.js';
import type { Dictionary } from '../../diameter/dictionary/dictionary.js';
import type { Store } from '../../store/model.js';
import { TGPP, cxAnswer, type Origin, type Outcome } from '../cx/cx-kit.js';
import { DataRef } from './sh-data-xml.js';
import { DEFAULT_MAX_REPOSITORY_DATA_BYTES, SH_APPLICATION_ID, ShAvp, ShExp, ShRc, shUser, type ShOptions } from './sh-kit.js';
import { MAX_SEQUENCE_NUMBER, acceptsSequenceNumber } from './sequence-number.js';
import { child, readXml } from './xml-reader.js';

interface ParsedRepositoryData {
  readonly serviceIndication: string;
  readonly sequenceNumber: number;
  readonly data: Buffer | null;
}

/** The one RepositoryData of a PUR's Sh-Data, or what is wrong with it. */
export function parseRepositoryUpdate(xml: string): ParsedRepositoryData | { readonly error: string } {
  const doc = readXml(xml);
  if (!doc.ok) return { error: `Sh-User-Data: ${doc.error} at offset ${doc.offset}` };
  if (doc.root.name !== 'Sh-Data') return { error: `Sh-User-Data: root element is <${doc.root.name}>, expected <Sh-Data>` };
  const items = doc.root.children.filter((c) => c.name === 'RepositoryData');
  if (items.length !== 1) return { error: `Sh-User-Data: expected one <RepositoryData>, found ${items.length}` };
  const rd = items[0]!;
  const si = child(rd, 'ServiceIndication')?.text.trim();
  if (!si) return { error: 'Sh-User-Data: <RepositoryData> needs a non-empty <ServiceIndication>' };
  const seqText = child(rd, 'SequenceNumber')?.text.trim() ?? '';
  const seq = /^\d{1,5}$/.test(seqText) ? Number(seqText) : NaN;
  if (!(seq >= 0 && seq <= MAX_SEQUENCE_NUMBER)) return { error: `Sh-User-Data: <SequenceNumber> must be 0..${MAX_SEQUENCE_NUMBER}, got "${seqText}"` };
  const sd = child(rd, 'ServiceData');
  return { serviceIndication: si, sequenceNumber: seq, data: sd ? Buffer.from(xml.slice(sd.innerStart, sd.innerEnd), 'utf8') : null };
}

export function profileUpdate(dict: Dictionary, store: Store, o: ShOptions, origin: Origin, req: Message): Message {
  const answer = (outcome: Outcome, body: Avp[] = []): Message => cxAnswer(dict, req, origin, outcome, body, SH_APPLICATION_ID);
  const user = shUser(store, req);
  if (!user) return answer({ experimental: ShExp.USER_UNKNOWN });
  const refs = findAvps(req.avps, ShAvp.DATA_REFERENCE, TGPP).map((a) => a.value as number);
  if (refs.some((r) => r !== DataRef.RepositoryData)) return answer({ experimental: ShExp.USER_DATA_CANNOT_BE_MODIFIED });
  const ud = findAvp(req.avps, ShAvp.USER_DATA, TGPP);
  const raw = Buffer.isBuffer(ud?.value) ? ud.value : Buffer.alloc(0);
  const parsed = parseRepositoryUpdate(raw.toString('utf8'));
  if ('error' in parsed) {
    return answer({ resultCode: ShRc.INVALID_AVP_VALUE }, [avp(dict, 'Error-Message', parsed.error), avp(dict, 'Failed-AVP', [avp(dict, 'Sh-User-Data', raw)])]);
  }
  const limit = o.maxRepositoryDataBytes ?? DEFAULT_MAX_REPOSITORY_DATA_BYTES;
  if (parsed.data && parsed.data.length > limit) return answer({ experimental: ShExp.TOO_MUCH_DATA });
  const writer = findAvp(req.avps, 264)?.value;
  const w = store.sh.putData(user.impu, parsed.serviceIndication, parsed.sequenceNumber, parsed.data, (cur) => acceptsSequenceNumber(parsed.sequenceNumber, cur), typeof writer === 'string' ? writer : '');
  if (!w.ok) {
    if (w.reason === 'unknown-identity') return answer({ experimental: ShExp.USER_UNKNOWN });
    if (w.reason === 'absent') return answer({ experimental: ShExp.SUBS_DATA_ABSENT });
    return answer({ experimental: ShExp.TRANSPARENT_DATA_OUT_OF_SYNC });
  }
  return answer({ resultCode: ShRc.SUCCESS }, [
    avp(dict, 'Repository-Data-ID', [avp(dict, 'Service-Indication', Buffer.from(parsed.serviceIndication, 'utf8')), avp(dict, 'Sequence-Number', parsed.sequenceNumber)]),
  ]);
}
