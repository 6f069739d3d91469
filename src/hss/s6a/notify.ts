// TS 29.272 §5.2.5.1 Notification (NOR/NOA, §7.2.17-§7.2.18). What the MME notifies (PDN GW for an
// APN, Alert-Reason, NOR-Flags, Terminal-Information) is kept in the store as the subscriber's last
// notification; Terminal-Information also updates the serving node's IMEI. The NOA leaves after
// both are committed, like the ULA.
import type { Message } from '../../diameter/codec/message.js';
import { findAvp } from '../../diameter/codec/message.js';
import type { S6aNotification } from '../../store/model.js';
import { S6aError, SUCCESS, experimental, s6aAnswer } from './answer.js';
import type { S6aContext } from './context.js';
import { imsiOf, originHostOf, str, terminalOf, u32 } from './request-fields.js';

export async function notify(c: S6aContext, req: Message): Promise<Message> {
  const imsi = imsiOf(req);
  if (!c.store.subscribers.get(imsi)) return s6aAnswer(c.origin, req, experimental(S6aError.USER_UNKNOWN));
  const mip6 = findAvp(req.avps, 486);
  const homeAgentHost = findAvp(mip6?.avps, 348);
  const terminal = terminalOf(req);
  const n: S6aNotification = {
    imsi,
    from: originHostOf(req),
    at: new Date().toISOString(),
    norFlags: u32(req.avps, 1443) ?? null,
    alertReason: u32(req.avps, 1434) ?? null,
    contextIdentifier: u32(req.avps, 1423) ?? null,
    serviceSelection: str(req.avps, 493) ?? null,
    pdnGwHost: str(homeAgentHost?.avps, 293) ?? null,
    imei: terminal?.imei ?? null,
    softwareVersion: terminal?.softwareVersion ?? null,
  };
  await Promise.all([c.store.servingNodes.recordNotification(n), terminal ? c.store.servingNodes.setTerminal(imsi, terminal.imei, terminal.softwareVersion) : undefined]);
  return s6aAnswer(c.origin, req, SUCCESS);
}
