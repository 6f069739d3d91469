// TS 29.272 §5.2.5.1 Notification (NOR/NOA, §7.2.17-§7.2.18). The store has no columns for what an
// MME notifies (PDN GW for an APN, Alert-Reason, Terminal-Information, NOR-Flags), so the last
// notification per IMSI is kept in memory and readable through the application.
import type { Message } from '../../diameter/codec/message.js';
import { findAvp } from '../../diameter/codec/message.js';
import { S6aError, SUCCESS, VENDOR_3GPP, experimental, s6aAnswer } from './answer.js';
import type { S6aContext } from './context.js';
import { imsiOf, originHostOf, str, u32 } from './request-fields.js';

export interface Notification {
  readonly imsi: string;
  readonly from: string;
  readonly at: string;
  readonly norFlags: number | undefined;
  readonly alertReason: number | undefined;
  readonly contextIdentifier: number | undefined;
  readonly serviceSelection: string | undefined;
  /** MIP6-Agent-Info → MIP-Home-Agent-Host → Destination-Host: the PDN GW identity. */
  readonly pdnGwHost: string | undefined;
  readonly imei: string | undefined;
  readonly softwareVersion: string | undefined;
}

const MAX_KEPT = 100_000;

export function notify(c: S6aContext, req: Message, kept: Map<string, Notification>): Message {
  const imsi = imsiOf(req);
  if (!c.store.subscribers.get(imsi)) return s6aAnswer(c.origin, req, experimental(S6aError.USER_UNKNOWN));
  const mip6 = findAvp(req.avps, 486);
  const homeAgentHost = findAvp(mip6?.avps, 348);
  const term = findAvp(req.avps, 1401, VENDOR_3GPP);
  const n: Notification = {
    imsi,
    from: originHostOf(req),
    at: new Date().toISOString(),
    norFlags: u32(req.avps, 1443),
    alertReason: u32(req.avps, 1434),
    contextIdentifier: u32(req.avps, 1423),
    serviceSelection: str(req.avps, 493),
    pdnGwHost: str(homeAgentHost?.avps, 293),
    imei: str(term?.avps, 1402, VENDOR_3GPP),
    softwareVersion: str(term?.avps, 1403, VENDOR_3GPP),
  };
  kept.delete(imsi);
  kept.set(imsi, n);
  if (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value!);
  return s6aAnswer(c.origin, req, SUCCESS);
}
