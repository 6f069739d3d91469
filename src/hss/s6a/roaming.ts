// Roaming check for AIR and ULR (TS 29.272 §5.2.3.1.3, §5.2.1.1.3: DIAMETER_ERROR_ROAMING_NOT_ALLOWED).
// A visited PLMN is home when it is listed in `homePlmns`, or by default when its MCC+MNC is the
// IMSI's prefix. A subscriber's roaming rule for that PLMN decides first; otherwise roamingAllowed.
// (PyHSS treats a PLMN as foreign only when both MCC and MNC differ; we compare the pair.)
import type { Store, Subscriber } from '../../store/model.js';
import type { VisitedPlmn } from './request-fields.js';

export function isHomePlmn(imsi: string, plmn: VisitedPlmn, homePlmns?: readonly { mcc: string; mnc: string }[]): boolean {
  if (homePlmns && homePlmns.length > 0) return homePlmns.some((h) => h.mcc === plmn.mcc && h.mnc === plmn.mnc);
  return imsi.startsWith(plmn.mcc + plmn.mnc);
}

export function roamingAllowed(store: Store, sub: Subscriber, plmn: VisitedPlmn, homePlmns?: readonly { mcc: string; mnc: string }[]): boolean {
  if (isHomePlmn(sub.imsi, plmn, homePlmns)) return true;
  for (const id of sub.roamingRules) {
    const rule = store.roamingRules.get(id);
    if (rule && rule.mcc === plmn.mcc && rule.mnc === plmn.mnc) return rule.allowed;
  }
  return sub.roamingAllowed;
}
