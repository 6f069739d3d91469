// TS 29.272 §5.2.1.2 Cancel Location (CLR/CLA, §7.2.7-§7.2.8), HSS → MME/SGSN: sent when another
// MME/SGSN registers (MME_UPDATE_PROCEDURE / SGSN_UPDATE_PROCEDURE, or INITIAL_ATTACH_PROCEDURE when
// the new ULR carried the Initial-Attach-Indicator) and when the subscription is withdrawn.
import { avp } from '../../diameter/codec/builder.js';
import type { S6aContext } from './context.js';
import type { OutboundRecord, OutboundTarget } from './outbound.js';

/** §7.3.24 Cancellation-Type. */
export const CancellationType = {
  MME_UPDATE_PROCEDURE: 0,
  SGSN_UPDATE_PROCEDURE: 1,
  SUBSCRIPTION_WITHDRAWAL: 2,
  UPDATE_PROCEDURE_IWF: 3,
  INITIAL_ATTACH_PROCEDURE: 4,
} as const;

/** §7.3.152 CLR-Flags: bit 0 S6a/S6d-Indicator (set: to an MME over S6a), bit 1 Reattach-Required. */
export const CLR_S6A = 1 << 0;
export const CLR_REATTACH_REQUIRED = 1 << 1;

export function cancelLocation(c: S6aContext, t: OutboundTarget, cancellationType: number, toMme: boolean, reattach = false): Promise<OutboundRecord> {
  const flags = (toMme ? CLR_S6A : 0) | (reattach ? CLR_REATTACH_REQUIRED : 0);
  return c.outbound.send('CLR', t, (d) => [avp(d, 'Cancellation-Type', cancellationType), avp(d, 'CLR-Flags', flags)]);
}
