// TS 29.328 §6.1.1 Data read (UDR/UDA), TS 29.329 §6.1.1/§6.1.2. The user is named by
// User-Identity {Public-Identity | MSISDN}; unknown → 5001 USER_UNKNOWN. Every Data-Reference must be
// one this HSS keeps (RepositoryData, IMSPublicIdentity, IMSUserState, S-CSCFName,
// InitialFilterCriteria, ChargingInformation, MSISDN), else 5100 USER_DATA_NOT_RECOGNIZED.
// RepositoryData needs at least one Service-Indication (5005 MISSING_AVP); a Service-Indication with
// no data is simply absent from the Sh-Data (TS 29.328 §6.1.1: nothing to return for it).
import { avp } from '../../diameter/codec/builder.js';
import { findAvps, type Message } from '../../diameter/codec/message.js';
import type { Dictionary } from '../../diameter/dictionary/dictionary.js';
import type { ShRepositoryData, Store } from '../../store/model.js';
import { TGPP, cxAnswer, strs, type Origin, type Outcome } from '../cx/cx-kit.js';
import { ANSWERED_DATA_REFERENCES, DataRef, shDataXml } from './sh-data-xml.js';
import { SH_APPLICATION_ID, ShAvp, ShExp, ShRc, shUser, type ShOptions } from './sh-kit.js';

export { SH_APPLICATION_ID, ShExp, type ShOptions } from './sh-kit.js';

/** The Sh-Data for `refs` of a user (UDA, SNA with Send-Data-Indication, PNR). */
export function currentShData(store: Store, o: ShOptions, impu: string, refs: ReadonlySet<number>, serviceIndications: readonly string[]): string | undefined {
  const sub = store.imsSubscribers.getByImpu(impu);
  if (!sub) return undefined;
  const template = sub.ifcTemplateId !== null ? store.ifcTemplates.get(sub.ifcTemplateId) : undefined;
  const repo: ShRepositoryData[] = [];
  if (refs.has(DataRef.RepositoryData)) {
    for (const si of serviceIndications) {
      const d = store.sh.getData(impu, si);
      if (d) repo.push(d);
    }
  }
  return shDataXml(refs, sub, impu, template, o.chargingInformation, repo);
}

export function userData(dict: Dictionary, store: Store, o: ShOptions, origin: Origin, req: Message): Message {
  const answer = (outcome: Outcome, body = [] as ReturnType<typeof avp>[]): Message => cxAnswer(dict, req, origin, outcome, body, SH_APPLICATION_ID);
  const user = shUser(store, req);
  if (!user) return answer({ experimental: ShExp.USER_UNKNOWN });
  const refs = new Set(findAvps(req.avps, ShAvp.DATA_REFERENCE, TGPP).map((a) => a.value as number));
  for (const r of refs) if (!ANSWERED_DATA_REFERENCES.has(r)) return answer({ experimental: ShExp.USER_DATA_NOT_RECOGNIZED });
  const sis = strs(req.avps, ShAvp.SERVICE_INDICATION, TGPP);
  if (refs.has(DataRef.RepositoryData) && sis.length === 0) {
    return answer({ resultCode: ShRc.MISSING_AVP }, [avp(dict, 'Failed-AVP', [avp(dict, 'Service-Indication', Buffer.alloc(0))])]);
  }
  const xml = currentShData(store, o, user.impu, refs, sis) ?? '';
  return answer({ resultCode: ShRc.SUCCESS }, [avp(dict, 'Sh-User-Data', Buffer.from(xml, 'utf8'))]);
}
