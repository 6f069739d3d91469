// TS 29.272 §5.2.1.1 Update Location (ULR/ULA, §7.2.3-§7.2.4). Checks in the order of §5.2.1.1.3:
// unknown user (5001), roaming (5004), RAT (5421), no EPS subscription (5420). Records the serving
// MME (S6a-Indicator set) or SGSN, answers with ULA-Flags and Subscription-Data (unless Skip-Subscriber-
// Data), and, when a different node was registered, sends it a CLR after the ULA has gone out.
import { avp } from '../../diameter/codec/builder.js';
import type { Message } from '../../diameter/codec/message.js';
import type { RatName } from '../../store/model.js';
import { S6aError, SUCCESS, experimental, s6aAnswer } from './answer.js';
import { CancellationType, cancelLocation } from './cancel-location.js';
import type { S6aContext } from './context.js';
import { imsiOf, originHostOf, originRealmOf, terminalOf, u32, visitedPlmnOf } from './request-fields.js';
import { roamingAllowed } from './roaming.js';
import { subscriptionData } from './subscription-data.js';

/** §7.3.7 ULR-Flags bits. */
export const UlrFlag = {
  SINGLE_REGISTRATION_INDICATION: 1 << 0,
  S6A_S6D_INDICATOR: 1 << 1,
  SKIP_SUBSCRIBER_DATA: 1 << 2,
  GPRS_SUBSCRIPTION_DATA_INDICATOR: 1 << 3,
  NODE_TYPE_INDICATOR: 1 << 4,
  INITIAL_ATTACH_INDICATOR: 1 << 5,
} as const;

/** §7.3.8 ULA-Flags bit 0: the HSS stores the MME and SGSN registrations separately (we do). */
export const ULA_SEPARATION_INDICATION = 1 << 0;

/** TS 29.212 §5.3.31 RAT-Type values → the store's names for barred RATs. */
const RAT: Record<number, RatName> = { 1000: 'utran', 1001: 'geran', 1002: 'gan', 1003: 'hspa-evolution', 1004: 'eutran', 1005: 'eutran-nb-iot', 1006: 'nr' };

export async function updateLocation(c: S6aContext, req: Message): Promise<Message> {
  const d = c.origin.dict;
  const imsi = imsiOf(req);
  const sub = c.store.subscribers.get(imsi);
  if (!sub) return s6aAnswer(c.origin, req, experimental(S6aError.USER_UNKNOWN));
  if (!sub.enabled) return s6aAnswer(c.origin, req, experimental(c.opts.disabledResult));
  const plmn = visitedPlmnOf(req);
  if (!plmn) return s6aAnswer(c.origin, req, { result: 5004 }, [], req.avps.find((a) => a.code === 1407));
  if (!roamingAllowed(c.store, sub, plmn, c.opts.homePlmns)) return s6aAnswer(c.origin, req, experimental(S6aError.ROAMING_NOT_ALLOWED));
  const rat = RAT[u32(req.avps, 1032) ?? -1];
  if (rat && sub.ratRestrictions.includes(rat)) return s6aAnswer(c.origin, req, experimental(S6aError.RAT_NOT_ALLOWED));
  const profiles = c.store.apns.forSubscriber(imsi);
  if (profiles.length === 0) return s6aAnswer(c.origin, req, experimental(S6aError.UNKNOWN_EPS_SUBSCRIPTION));

  const flags = u32(req.avps, 1405) ?? 0;
  const fromMme = (flags & UlrFlag.S6A_S6D_INDICATOR) !== 0;
  const host = originHostOf(req);
  const realm = originRealmOf(req);
  const before = c.store.servingNodes.get(imsi);
  // §5.2.1.1.3: an MME registering with Single-Registration-Indication ends the SGSN's registration
  // (a UE that moved from 2G/3G without ISR); the SGSN gets a CLR below.
  const sgsnCancelled = fromMme && (flags & UlrFlag.SINGLE_REGISTRATION_INDICATION) !== 0 && before?.sgsnHost ? before : undefined;
  const terminal = terminalOf(req);
  // The ULA leaves only once the new registration is on disk (group commit, one fsync per batch).
  await Promise.all([
    fromMme ? c.store.servingNodes.setMme(imsi, host, realm) : c.store.servingNodes.setSgsn(imsi, host, realm),
    sgsnCancelled ? c.store.servingNodes.clearSgsn(imsi) : undefined,
    terminal ? c.store.servingNodes.setTerminal(imsi, terminal.imei, terminal.softwareVersion) : undefined,
  ]);

  const initialAttach = (flags & UlrFlag.INITIAL_ATTACH_INDICATOR) !== 0;
  const oldHost = fromMme ? before?.mmeHost : before?.sgsnHost;
  const oldRealm = (fromMme ? before?.mmeRealm : before?.sgsnRealm) ?? realm;
  if (c.opts.cancelOnChange && oldHost && oldHost.toLowerCase() !== host.toLowerCase()) {
    const type = initialAttach ? CancellationType.INITIAL_ATTACH_PROCEDURE : fromMme ? CancellationType.MME_UPDATE_PROCEDURE : CancellationType.SGSN_UPDATE_PROCEDURE;
    // After the ULA: the new MME hears first, and a slow old MME cannot hold the attach up.
    setImmediate(() => void cancelLocation(c, { imsi, host: oldHost, realm: oldRealm }, type, fromMme));
  }
  if (c.opts.cancelOnChange && sgsnCancelled?.sgsnHost && sgsnCancelled.sgsnHost.toLowerCase() !== host.toLowerCase()) {
    const t = { imsi, host: sgsnCancelled.sgsnHost, realm: sgsnCancelled.sgsnRealm ?? realm };
    // The cancellation comes from an MME's update: MME_UPDATE_PROCEDURE (INITIAL_ATTACH_PROCEDURE on attach), CLR-Flags without S6a/S6d-Indicator (to an SGSN).
    setImmediate(() => void cancelLocation(c, t, initialAttach ? CancellationType.INITIAL_ATTACH_PROCEDURE : CancellationType.MME_UPDATE_PROCEDURE, false));
  }

  const body = [avp(d, 'ULA-Flags', ULA_SEPARATION_INDICATION)];
  if ((flags & UlrFlag.SKIP_SUBSCRIBER_DATA) === 0) body.push(subscriptionData(d, sub, profiles));
  return s6aAnswer(c.origin, req, SUCCESS, body);
}
