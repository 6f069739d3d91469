// TS 29.329 §6.2 — what every Sh procedure shares: the application id, the Experimental-Result
// codes, the options, and who the request is about (User-Identity {Public-Identity | MSISDN}).
import { findAvp, type Message } from '../../diameter/codec/message.js';
import type { ImsSubscriber, Store } from '../../store/model.js';
import { TGPP, str } from '../cx/cx-kit.js';
import type { ChargingInformation } from '../cx/options.js';

export const SH_APPLICATION_ID = 16777217;

/** TS 29.329 §6.2.2 (and TS 29.229 §6.2.2.x for 5001/5008). */
export const ShExp = {
  USER_UNKNOWN: 5001,
  TOO_MUCH_DATA: 5008,
  USER_DATA_NOT_RECOGNIZED: 5100,
  OPERATION_NOT_ALLOWED: 5101,
  USER_DATA_CANNOT_BE_READ: 5102,
  USER_DATA_CANNOT_BE_MODIFIED: 5103,
  USER_DATA_CANNOT_BE_NOTIFIED: 5104,
  TRANSPARENT_DATA_OUT_OF_SYNC: 5105,
  SUBS_DATA_ABSENT: 5106,
  NO_SUBSCRIPTION_TO_DATA: 5107,
} as const;

/** RFC 6733 §7.1 Result-Codes the Sh procedures answer with. */
export const ShRc = { SUCCESS: 2001, MISSING_AVP: 5005, INVALID_AVP_VALUE: 5004 } as const;

export const DEFAULT_MAX_REPOSITORY_DATA_BYTES = 64 * 1024;

export interface ShOptions {
  readonly chargingInformation?: ChargingInformation;
  /** Largest ServiceData accepted in a PUR, bytes (larger: 5008 TOO_MUCH_DATA). Default 65536. */
  readonly maxRepositoryDataBytes?: number;
  /** Longest subscription granted by SNR, seconds; unset: as asked (none asked: until unsubscribed). */
  readonly maxSubscriptionSeconds?: number;
}

/** AVP codes (vendor 10415) the Sh procedures read. */
export const ShAvp = {
  USER_IDENTITY: 700,
  MSISDN: 701,
  USER_DATA: 702,
  DATA_REFERENCE: 703,
  SERVICE_INDICATION: 704,
  SUBS_REQ_TYPE: 705,
  EXPIRY_TIME: 709,
  SEND_DATA_INDICATION: 710,
} as const;

export interface ShUser {
  readonly sub: ImsSubscriber;
  /** The public identity the request names; for an MSISDN, the subscriber's first IMPU. */
  readonly impu: string;
}

export function shUser(store: Store, req: Message): ShUser | undefined {
  const ui = findAvp(req.avps, ShAvp.USER_IDENTITY, TGPP)?.avps;
  const impu = str(ui, 601, TGPP);
  const msisdn = str(ui, ShAvp.MSISDN, TGPP);
  const sub = impu !== undefined ? store.imsSubscribers.getByImpu(impu) : msisdn !== undefined ? store.imsSubscribers.getByMsisdn(msisdn) : undefined;
  if (!sub) return undefined;
  const named = impu ?? sub.impus[0]?.impu;
  return named === undefined ? undefined : { sub, impu: named };
}
