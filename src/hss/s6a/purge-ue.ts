// TS 29.272 §5.2.1.3 Purge UE (PUR/PUA, §7.2.13-§7.2.14). The UE is marked purged only when the
// purging node is the one registered; PUA-Flags then tells it to freeze the M-TMSI / P-TMSI.
import { avp } from '../../diameter/codec/builder.js';
import type { Message } from '../../diameter/codec/message.js';
import { S6aError, SUCCESS, experimental, s6aAnswer } from './answer.js';
import type { S6aContext } from './context.js';
import { imsiOf, originHostOf, u32 } from './request-fields.js';

/** §7.3.149 PUR-Flags; §7.3.48 PUA-Flags. */
export const PUR_UE_PURGED_IN_MME = 1 << 0;
export const PUR_UE_PURGED_IN_SGSN = 1 << 1;
export const PUA_FREEZE_M_TMSI = 1 << 0;
export const PUA_FREEZE_P_TMSI = 1 << 1;

export async function purgeUe(c: S6aContext, req: Message): Promise<Message> {
  const d = c.origin.dict;
  const imsi = imsiOf(req);
  if (!c.store.subscribers.get(imsi)) return s6aAnswer(c.origin, req, experimental(S6aError.USER_UNKNOWN));
  // Absent PUR-Flags: an MME purging (the only sender before Rel-11 added the flags).
  const flags = u32(req.avps, 1635) ?? PUR_UE_PURGED_IN_MME;
  const host = originHostOf(req).toLowerCase();
  const node = c.store.servingNodes.get(imsi);
  let pua = 0;
  if (flags & PUR_UE_PURGED_IN_MME && node?.mmeHost?.toLowerCase() === host) pua |= PUA_FREEZE_M_TMSI;
  if (flags & PUR_UE_PURGED_IN_SGSN && node?.sgsnHost?.toLowerCase() === host) pua |= PUA_FREEZE_P_TMSI;
  if (pua !== 0) await c.store.servingNodes.setPurged(imsi, true);
  else c.log.info({ imsi, from: host }, `PUR for ${imsi} from ${host}, which is not the registered node: not marked purged`);
  return s6aAnswer(c.origin, req, SUCCESS, [avp(d, 'PUA-Flags', pua)]);
}
