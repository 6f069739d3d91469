// Well-known application names accepted in `applications:` and the ids they stand for.
import type { ApplicationRef } from './model.js';

/** 3GPP's IANA enterprise number, the Vendor-Id of every 3GPP application. */
export const VENDOR_3GPP = 10415;
/** RFC 6733 §2.4: the Relay application id, advertised with `relay: true`, never listed. */
export const RELAY_APPLICATION_ID = 0xffffffff;

export const WELL_KNOWN_APPLICATIONS: Readonly<Record<string, ApplicationRef>> = {
  s6a: { id: 16777251, vendorId: VENDOR_3GPP, kind: 'auth' }, // TS 29.272
  s6d: { id: 16777251, vendorId: VENDOR_3GPP, kind: 'auth' }, // TS 29.272: S6d shares S6a's id
  cx: { id: 16777216, vendorId: VENDOR_3GPP, kind: 'auth' }, // TS 29.229
  sh: { id: 16777217, vendorId: VENDOR_3GPP, kind: 'auth' }, // TS 29.329
  gx: { id: 16777238, vendorId: VENDOR_3GPP, kind: 'auth' }, // TS 29.212
  rx: { id: 16777236, vendorId: VENDOR_3GPP, kind: 'auth' }, // TS 29.214
  // Gy/Ro use RFC 4006 Credit-Control (id 4), an IETF application: no Vendor-Id (TS 32.299 §6.1).
  gy: { id: 4, vendorId: 0, kind: 'auth' },
  ro: { id: 4, vendorId: 0, kind: 'auth' },
  s13: { id: 16777252, vendorId: VENDOR_3GPP, kind: 'auth' }, // TS 29.272
  slh: { id: 16777291, vendorId: VENDOR_3GPP, kind: 'auth' }, // TS 29.173
  swx: { id: 16777265, vendorId: VENDOR_3GPP, kind: 'auth' }, // TS 29.273
  'base-accounting': { id: 3, vendorId: 0, kind: 'acct' }, // RFC 6733 §2.4
};

export function applicationByName(name: string): ApplicationRef | undefined {
  const app = Object.hasOwn(WELL_KNOWN_APPLICATIONS, name.toLowerCase()) ? WELL_KNOWN_APPLICATIONS[name.toLowerCase()] : undefined;
  return app ? { ...app } : undefined;
}

/** The name to print for an application in YAML, when it has one (s6d prints as s6a). */
export function applicationName(app: ApplicationRef): string | undefined {
  for (const [name, known] of Object.entries(WELL_KNOWN_APPLICATIONS)) {
    if (known.id === app.id && known.vendorId === app.vendorId && known.kind === app.kind) return name;
  }
  return undefined;
}
