// TS 29.228 §6.1.1.1 / §6.1.4.1 — what the I-CSCF is told about the S-CSCF: the assigned
// Server-Name; else the user's preferred S-CSCF; else the user's S-CSCF pool (a name from it,
// stable per user so retries land on the same S-CSCF, or its Server-Capabilities, as the pool says);
// else the same from the configured pool (hss.scscfPool / hss.serverCapabilities).
// Kamailio's I-CSCF answers "600 Empty list" with neither a name nor capabilities.
import { createHash } from 'node:crypto';
import { avp } from '../../diameter/codec/builder.js';
import type { Avp } from '../../diameter/codec/message.js';
import type { Dictionary } from '../../diameter/dictionary/dictionary.js';
import type { ImsSubscriber, ScscfPool, Store } from '../../store/model.js';
import type { CxOptions } from './options.js';

/** What the store says about a user's S-CSCF when none is assigned. */
export interface UserServers {
  /** Stable per user: the pool pick. */
  readonly key: string;
  readonly preferred: string | null;
  readonly pool: ScscfPool | undefined;
}

export function userServers(store: Store, sub: ImsSubscriber): UserServers {
  return { key: sub.impi, preferred: sub.preferredScscf, pool: sub.scscfPoolId !== null ? store.scscfPools.get(sub.scscfPoolId) : undefined };
}

export function poolPick(pool: readonly string[], key: string): string | undefined {
  if (pool.length === 0) return undefined;
  const h = createHash('sha1').update(key).digest();
  return pool[h.readUInt32BE(0) % pool.length];
}

/** Server-Capabilities of the user's pool, else of the configuration. */
export function capabilitiesAvp(dict: Dictionary, o: CxOptions, pool?: ScscfPool): Avp {
  if (pool) {
    return avp(dict, 'Server-Capabilities', [
      ...pool.mandatoryCapabilities.map((v) => avp(dict, 'Mandatory-Capability', v)),
      ...pool.optionalCapabilities.map((v) => avp(dict, 'Optional-Capability', v)),
      ...pool.serverNames.map((n) => avp(dict, 'Server-Name', n)),
    ]);
  }
  const c = o.serverCapabilities;
  const names = c?.serverNames ?? o.scscfPool ?? [];
  return avp(dict, 'Server-Capabilities', [
    ...(c?.mandatory ?? []).map((v) => avp(dict, 'Mandatory-Capability', v)),
    ...(c?.optional ?? []).map((v) => avp(dict, 'Optional-Capability', v)),
    ...names.map((n) => avp(dict, 'Server-Name', n)),
  ]);
}

/** Server-Name of the assigned S-CSCF, or the preferred one, or the pool's choice, or Server-Capabilities. */
export function serverAvp(dict: Dictionary, o: CxOptions, assigned: string | null, u: UserServers): Avp {
  if (assigned) return avp(dict, 'Server-Name', assigned);
  if (u.preferred) return avp(dict, 'Server-Name', u.preferred);
  if (u.pool) return u.pool.answer === 'capabilities' ? capabilitiesAvp(dict, o, u.pool) : avp(dict, 'Server-Name', poolPick(u.pool.serverNames, u.key)!);
  const picked = poolPick(o.scscfPool ?? [], u.key);
  return picked ? avp(dict, 'Server-Name', picked) : capabilitiesAvp(dict, o);
}
