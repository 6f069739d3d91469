// TS 29.272 §5.2.3.1 Authentication Information Retrieval (AIR/AIA, §7.2.5-§7.2.6).
// E-UTRAN vectors (TS 33.401 §6.1.2, KASME bound to Visited-PLMN-Id) and UTRAN quintets
// (TS 33.102 §6.3.2) come from the AuC over the store, SQNs committed before the answer leaves.
// Re-Synchronization-Info (RAND ‖ AUTS) is verified (MAC-S) before SQN_HE moves; fresh vectors follow.
// Our AuC holds USIM (MILENAGE / test) keys only, so Requested-UTRAN-GERAN gets quintets: the SGSN
// derives GSM triplets itself (TS 33.102 §6.8.1.2); GERAN-Vector is for SIM-only subscribers.
import { avp } from '../../diameter/codec/builder.js';
import { findAvp, type Avp, type Message } from '../../diameter/codec/message.js';
import { generateEpsVectors, generateUtranQuintets, resyncFromAuts } from '../auc.js';
import { S6aError, SUCCESS, VENDOR_3GPP, experimental, s6aAnswer } from './answer.js';
import type { S6aContext } from './context.js';
import { imsiOf, octets, originHostOf, u32, visitedPlmnOf } from './request-fields.js';
import { roamingAllowed } from './roaming.js';

const REQUESTED_EUTRAN = 1408;
const REQUESTED_UTRAN_GERAN = 1409;
const NUMBER_OF_REQUESTED_VECTORS = 1410;
const RESYNC_INFO = 1411;

export async function authenticationInformation(c: S6aContext, req: Message): Promise<Message> {
  const d = c.origin.dict;
  const imsi = imsiOf(req);
  const sub = c.store.subscribers.get(imsi);
  if (!sub) return s6aAnswer(c.origin, req, experimental(c.opts.unknownUserResult));
  if (!sub.enabled) return s6aAnswer(c.origin, req, experimental(c.opts.disabledResult));
  const plmn = visitedPlmnOf(req);
  if (!plmn) {
    return s6aAnswer(c.origin, req, { result: 5004 }, [], findAvp(req.avps, 1407, VENDOR_3GPP)); // DIAMETER_INVALID_AVP_VALUE
  }
  if (!roamingAllowed(c.store, sub, plmn, c.opts.homePlmns)) return s6aAnswer(c.origin, req, experimental(S6aError.ROAMING_NOT_ALLOWED));

  const eutran = findAvp(req.avps, REQUESTED_EUTRAN, VENDOR_3GPP);
  const utran = findAvp(req.avps, REQUESTED_UTRAN_GERAN, VENDOR_3GPP);
  if (!eutran && !utran) {
    // Nothing requested: §5.2.3.1.3 leaves it open; we name the AVP the MME should have sent.
    return s6aAnswer(c.origin, req, { result: 5005 }, [], avp(d, 'Requested-EUTRAN-Authentication-Info', []));
  }

  // One resync per AIR: the E-UTRAN one if present, else the UTRAN/GERAN one (§5.2.3.1.3).
  const resync = octets(eutran?.avps, RESYNC_INFO) ?? octets(utran?.avps, RESYNC_INFO);
  if (resync) {
    const r = resyncFromAuts(c.store, imsi, resync, `s6a:${originHostOf(req)}`, { ...(c.opts.indBits !== undefined ? { indBits: c.opts.indBits } : {}), ...(c.opts.sqnDelta !== undefined ? { delta: c.opts.sqnDelta } : {}) });
    if (!r.ok) {
      c.log.warn({ imsi, reason: r.reason }, `AIR resync for ${imsi} refused (${r.reason}): answering 4181`);
      return s6aAnswer(c.origin, req, experimental(S6aError.AUTHENTICATION_DATA_UNAVAILABLE));
    }
  }

  const count = (g: Avp | undefined): number => Math.min(c.opts.maxVectors, Math.max(1, u32(g?.avps, NUMBER_OF_REQUESTED_VECTORS) ?? 1));
  const aucOpts = { indBits: c.opts.indBits, randSource: c.opts.randSource };
  const items: Avp[] = [];
  if (eutran) {
    const r = await generateEpsVectors(c.store, imsi, count(eutran), plmn.octets, aucOpts);
    if (!r.ok) return noVectors(c, req, imsi, r.reason);
    r.items.forEach((v, i) =>
      items.push(
        avp(d, 'E-UTRAN-Vector', [avp(d, 'Item-Number', i + 1), avp(d, 'RAND', Buffer.from(v.rand)), avp(d, 'XRES', v.xres), avp(d, 'AUTN', v.autn), avp(d, 'KASME', v.kasme)]),
      ),
    );
  }
  if (utran) {
    const r = await generateUtranQuintets(c.store, imsi, count(utran), aucOpts);
    if (!r.ok) return noVectors(c, req, imsi, r.reason);
    r.items.forEach((q, i) =>
      items.push(
        avp(d, 'UTRAN-Vector', [
          avp(d, 'Item-Number', i + 1),
          avp(d, 'RAND', Buffer.from(q.rand)),
          avp(d, 'XRES', q.xres),
          avp(d, 'AUTN', q.autn),
          avp(d, 'Confidentiality-Key', q.ck),
          avp(d, 'Integrity-Key', q.ik),
        ]),
      ),
    );
  }
  return s6aAnswer(c.origin, req, SUCCESS, [avp(d, 'Authentication-Info', items)]);
}

/** The subscriber exists but has no AuC entry, or its SQN space is exhausted: 4181. */
function noVectors(c: S6aContext, req: Message, imsi: string, reason: string): Message {
  c.log.warn({ imsi, reason }, `AIR for ${imsi}: no vectors (${reason}): answering 4181`);
  return s6aAnswer(c.origin, req, experimental(S6aError.AUTHENTICATION_DATA_UNAVAILABLE));
}
