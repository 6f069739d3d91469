// TS 29.328 Annex D (ShDataType.xsd) — Sh-Data for the Data-References this HSS answers, in the
// XSD's element order: PublicIdentifiers (IMSPublicIdentity*, MSISDN*), RepositoryData*
// (ServiceIndication, SequenceNumber, ServiceData), then Sh-IMS-Data (S-CSCFName, IFCs,
// IMSUserState, ChargingInformation). Only what the request asked for goes in.
import type { IfcTemplate, ImsSubscriber, ShRepositoryData } from '../../store/model.js';
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

export const ANSWERED_DATA_REFERENCES: ReadonlySet<number> = new Set([0, 10, 11, 12, 13, 16, 17]);

/** What a notification may be sent for: data that changes at run time (PUR, SAR, API). */
export const NOTIFIED_DATA_REFERENCES: ReadonlySet<number> = new Set([0, 10, 11, 12, 13, 17]);

/** One RepositoryData element; ServiceData is absent for deleted data (the PNR of a deletion). */
export function repositoryDataXml(serviceIndication: string, sequenceNumber: number, data: Buffer | null): string {
  const sd = data ? `<ServiceData>${data.toString('utf8')}</ServiceData>` : '';
  return `<RepositoryData><ServiceIndication>${escapeXml(serviceIndication)}</ServiceIndication><SequenceNumber>${sequenceNumber}</SequenceNumber>${sd}</RepositoryData>`;
}

/** TS 29.328 §7.6.4 / ShDataType tIMSUserState. */
function imsUserState(s: ImsSubscriber['registrationState']): number {
  if (s === 'registered') return 1;
  if (s === 'unregistered') return 2; // REGISTERED_UNREG_SERVICES
  return 0;
}

export function shDataXml(
  refs: ReadonlySet<number>,
  sub: ImsSubscriber,
  impu: string,
  template: IfcTemplate | undefined,
  charging: ChargingInformation | undefined,
  repository: readonly ShRepositoryData[] = [],
): string {
  let out = '<?xml version="1.0" encoding="UTF-8"?><Sh-Data>';
  const ids = refs.has(DataRef.IMSPublicIdentity) ? sub.impus.map((p) => `<IMSPublicIdentity>${escapeXml(p.impu)}</IMSPublicIdentity>`).join('') : '';
  const msisdn = refs.has(DataRef.MSISDN) && sub.msisdn ? `<MSISDN>${escapeXml(sub.msisdn)}</MSISDN>` : '';
  if (ids || msisdn) out += `<PublicIdentifiers>${ids}${msisdn}</PublicIdentifiers>`;
  if (refs.has(DataRef.RepositoryData)) for (const r of repository) out += repositoryDataXml(r.serviceIndication, r.sequenceNumber, r.data);
  // S-CSCF name and user state are those of the public identity asked about (kept per IMPU).
  const pub = sub.impus.find((p) => p.impu === impu);
  const scscfName = pub ? pub.scscfName : sub.scscfName;
  let ims = '';
  if (refs.has(DataRef.SCSCFName) && scscfName) ims += `<S-CSCFName>${escapeXml(scscfName)}</S-CSCFName>`;
  if (refs.has(DataRef.InitialFilterCriteria)) ims += `<IFCs>${renderIfcs(template, sub, impu)}</IFCs>`;
  if (refs.has(DataRef.IMSUserState)) ims += `<IMSUserState>${imsUserState(pub ? pub.registrationState : sub.registrationState)}</IMSUserState>`;
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
