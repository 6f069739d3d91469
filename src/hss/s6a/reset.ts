// TS 29.272 §5.2.4.1 Reset (RSR/RSA, §7.2.15-§7.2.16), HSS → MME/SGSN: after a restart that may
// have lost data, or on an operator's decision, the HSS tells every MME and SGSN serving affected
// subscribers to refresh their data (new ULR) at the next contact. Affected subscribers are named
// by User-Id (§7.3.50: leading digits of the IMSI, MCC + MNC + leading MSIN digits); none: all.
import { avp } from '../../diameter/codec/builder.js';
import type { S6aContext } from './context.js';
import type { OutboundRecord } from './outbound.js';

/** A User-Id: 5 to 15 digits (MCC, MNC and optionally leading MSIN digits). */
export const USER_ID = /^\d{5,15}$/;

/** Sends one RSR per serving MME/SGSN; resolves with their records (retried, never dropped). */
export function reset(c: S6aContext, userIds: readonly string[]): Promise<OutboundRecord[]> {
  const bad = userIds.find((u) => !USER_ID.test(u));
  if (bad !== undefined) throw new RangeError(`userIds: "${bad}" is not 5-15 leading digits of an IMSI`);
  const hosts = c.store.servingNodes.servingHosts(userIds);
  c.log.warn({ userIds, nodes: hosts.map((h) => h.host) }, `Reset: RSR to ${hosts.length} MME/SGSN(s)${userIds.length ? ` for IMSIs starting ${userIds.join(', ')}` : ' for all subscribers'}`);
  return Promise.all(hosts.map((h) => c.outbound.send('RSR', { host: h.host, realm: h.realm }, (d) => userIds.map((u) => avp(d, 'User-Id', u)))));
}
