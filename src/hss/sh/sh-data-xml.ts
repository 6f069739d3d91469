// TS 29.328 Annex D (ShDataType.xsd) — Sh-Data for the Data-References this HSS answers, in the
// XSD's element order: PublicIdentifiers (IMSPublicIdentity*, MSISDN*), then Sh-IMS-Data
// (S-CSCFName, IFCs, IMSUserState, ChargingInformation). Only what the UDR asked for goes in.
import type { IfcTemplate, ImsSubscriber } from '../../store/model.js';
import type { ChargingInformation } from '../cx/options.js';
import { escapeXml, renderIfcs } from '../cx/user-data-xml.js';

/** TS 29.328 §7.6 Data-Reference values answered from the IMS subscriber record. */
export const DataRef = {
  RepositoryData: 0,
  IMSPublicIdentity: 10,
  IMSUserState: 11,
  SCSCFName: 12,
  InitialFilterCriteria: 13,
  ChargingInformation: 16,
  MSISDN: 17,
} as const;

export const ANSWERED_DATA_REFERENCES: ReadonlySet<number> = new Set([10, 11, 12, 13, 16, 17]);

/** TS 29.328 §7.6.4 / ShDataType tIMSUserState. */
function imsUserState(s: ImsSubscriber['registrationState']): number {
  if (s === 'registered') return 1;
  if (s === 'unregistered') return 2; // REGISTERED_UNREG_SERVICES
  return 0;
}

export function shDataXml(refs: ReadonlySet<number>, sub: ImsSubscriber, impu: string, template: IfcTemplate | undefined, charging: ChargingInformation | undefined): string {
  let out = '<?xml version="1.0" encoding="UTF-8"?><Sh-Data>';
  const ids = refs.has(DataRef.IMSPublicIdentity) ? sub.impus.map((p) => `<IMSPublicIdentity>${escapeXml(p.impu)}</IMSPublicIdentity>`).join('') : '';
  const msisdn = refs.has(DataRef.MSISDN) && sub.msisdn ? `<MSISDN>${escapeXml(sub.msisdn)}</MSISDN>` : '';
  if (ids || msisdn) out += `<PublicIdentifiers>${ids}${msisdn}</PublicIdentifiers>`;
  let ims = '';
  if (refs.has(DataRef.SCSCFName) && sub.scscfName) ims += `<S-CSCFName>${escapeXml(sub.scscfName)}</S-CSCFName>`;
  if (refs.has(DataRef.InitialFilterCriteria)) ims += `<IFCs>${renderIfcs(template, sub, impu)}</IFCs>`;
  if (refs.has(DataRef.IMSUserState)) ims += `<IMSUserState>${imsUserState(sub.registrationState)}</IMSUserState>`;
  if (refs.has(DataRef.ChargingInformation) && charging) {
    const el = (tag: string, v: string | undefined): string => (v ? `<${tag}>${escapeXml(v)}</${tag}>` : '');
    ims +=
      '<ChargingInformation>' +
      el('PrimaryEventChargingFunctionName', charging.primaryEventChargingFunctionName) +
      el('SecondaryEventChargingFunctionName', charging.secondaryEventChargingFunctionName) +
      el('PrimaryChargingCollectionFunctionName', charging.primaryChargingCollectionFunctionName) +
      el('SecondaryChargingCollectionFunctionName', charging.secondaryChargingCollectionFunctionName) +
      '</ChargingInformation>';
  }
  if (ims) out += `<Sh-IMS-Data>${ims}</Sh-IMS-Data>`;
  return `${out}</Sh-Data>`;
}
