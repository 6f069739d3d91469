// TS 29.328 §6.1.1 Data read (UDR/UDA), TS 29.329 §6.1.1/§6.1.2. The user is named by
// User-Identity {Public-Identity | MSISDN}; unknown → 5001 USER_UNKNOWN. Every Data-Reference must be
// one this HSS keeps (IMSPublicIdentity, IMSUserState, S-CSCFName, InitialFilterCriteria,
// ChargingInformation, MSISDN), else 5100 USER_DATA_NOT_RECOGNIZED; RepositoryData needs the Sh
// repository, not there yet (5102 USER_DATA_CANNOT_BE_READ).
import { avp } from '../../diameter/codec/builder.js';
import { findAvp, findAvps, type Message } from '../../diameter/codec/message.js';
import type { Dictionary } from '../../diameter/dictionary/dictionary.js';
import type { Store } from '../../store/model.js';
import { Rc, TGPP, cxAnswer, str, type Origin } from '../cx/cx-kit.js';
import type { ChargingInformation } from '../cx/options.js';
import { ANSWERED_DATA_REFERENCES, DataRef, shDataXml } from './sh-data-xml.js';

export const SH_APPLICATION_ID = 16777217;

export const ShExp = {
  USER_UNKNOWN: 5001,
  USER_DATA_NOT_RECOGNIZED: 5100,
  OPERATION_NOT_ALLOWED: 5101,
  USER_DATA_CANNOT_BE_READ: 5102,
} as const;

export interface ShOptions {
  readonly chargingInformation?: ChargingInformation;
}

export function userData(dict: Dictionary, store: Store, o: ShOptions, origin: Origin, req: Message): Message {
  const answer = (outcome: { resultCode: number } | { experimental: number }, body = [] as ReturnType<typeof avp>[]): Message =>
    cxAnswer(dict, req, origin, outcome, body, SH_APPLICATION_ID);
  const ui = findAvp(req.avps, 700, TGPP)?.avps;
  const impu = str(ui, 601, TGPP);
  const msisdn = findAvp(ui, 701, TGPP)?.value;
  const sub = impu !== undefined ? store.imsSubscribers.getByImpu(impu) : typeof msisdn === 'string' ? store.imsSubscribers.getByMsisdn(msisdn) : undefined;
  if (!sub) return answer({ experimental: ShExp.USER_UNKNOWN });
  const refs = new Set(findAvps(req.avps, 703, TGPP).map((a) => a.value as number));
  if (refs.has(DataRef.RepositoryData)) return answer({ experimental: ShExp.USER_DATA_CANNOT_BE_READ });
  for (const r of refs) if (!ANSWERED_DATA_REFERENCES.has(r)) return answer({ experimental: ShExp.USER_DATA_NOT_RECOGNIZED });
  const template = sub.ifcTemplateId !== null ? store.ifcTemplates.get(sub.ifcTemplateId) : undefined;
  const xml = shDataXml(refs, sub, impu ?? sub.impus[0]?.impu ?? '', template, o.chargingInformation);
  return answer({ resultCode: Rc.SUCCESS }, [avp(dict, 'Sh-User-Data', Buffer.from(xml, 'utf8'))]);
}
