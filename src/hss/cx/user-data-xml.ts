// TS 29.228 Annex E (CxDataType_Rel7.xsd) — the IMS subscription sent as User-Data in SAA/PPR:
// IMSSubscription › PrivateID, ServiceProfile › PublicIdentity (BarringIndication, Identity,
// Extension › IdentityType), then the InitialFilterCriteria of the subscriber's iFC template.
// Element order follows the XSD (Kamailio validates against it). Template placeholders
// {{impi}}, {{impu}}, {{msisdn}} are replaced with XML-escaped values.
import type { IfcTemplate, ImsSubscriber } from '../../store/model.js';

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** TS 29.228 Annex B IdentityType: 0 public user identity, 1 distinct PSI, 2 wildcarded PSI. */
const PUBLIC_USER_IDENTITY = 0;

export function renderIfcs(template: IfcTemplate | undefined, sub: ImsSubscriber, impu: string): string {
  if (!template) return '';
  const values: Record<string, string> = { impi: sub.impi, impu, msisdn: sub.msisdn ?? '' };
  return template.xml.trim().replace(/\{\{\s*(impi|impu|msisdn)\s*\}\}/g, (_, k: string) => escapeXml(values[k] ?? ''));
}

/**
 * The subscription of `sub` as the S-CSCF registering `impu` needs it: one ServiceProfile with the
 * IMPUs of that IMPU's implicit registration set first (the registered one leading), then the rest.
 */
export function imsSubscriptionXml(sub: ImsSubscriber, impu: string, template: IfcTemplate | undefined): string {
  const own = sub.impus.find((p) => p.impu === impu);
  const irs = own ? own.irs : (sub.impus[0]?.irs ?? 0);
  const ordered = [...sub.impus].sort((a, b) => rank(a.impu, a.irs) - rank(b.impu, b.irs));
  function rank(u: string, set: number): number {
    if (u === impu) return 0;
    return set === irs ? 1 : 2;
  }
  const ids = ordered
    .map(
      (p) =>
        `<PublicIdentity><BarringIndication>${p.barred ? 1 : 0}</BarringIndication><Identity>${escapeXml(p.impu)}</Identity>` +
        `<Extension><IdentityType>${PUBLIC_USER_IDENTITY}</IdentityType></Extension></PublicIdentity>`,
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<IMSSubscription><PrivateID>${escapeXml(sub.impi)}</PrivateID><ServiceProfile>${ids}${renderIfcs(template, sub, impu)}</ServiceProfile></IMSSubscription>`
  );
}
