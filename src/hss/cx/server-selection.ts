// TS 29.228 §6.1.1.1 / §6.1.4.1 — what the I-CSCF is told about the S-CSCF: the assigned
// Server-Name, else a name from the operator's pool (stable per user, so retries land on the same
// S-CSCF), else Server-Capabilities. Kamailio's I-CSCF answers "600 Empty list" with neither.
import { createHash } from 'node:crypto';
import { avp } from '../../diameter/codec/builder.js';
import type { Avp } from '../../diameter/codec/message.js';
import type { Dictionary } from '../../diameter/dictionary/dictionary.js';
import type { CxOptions } from './options.js';

export function poolPick(pool: readonly string[], key: string): string | undefined {
  if (pool.length === 0) return undefined;
  const h = createHash('sha1').update(key).digest();
  return pool[h.readUInt32BE(0) % pool.length];
}

export function capabilitiesAvp(dict: Dictionary, o: CxOptions): Avp {
  const c = o.serverCapabilities;
  const names = c?.serverNames ?? o.scscfPool ?? [];
  return avp(dict, 'Server-Capabilities', [
    ...(c?.mandatory ?? []).map((v) => avp(dict, 'Mandatory-Capability', v)),
    ...(c?.optional ?? []).map((v) => avp(dict, 'Optional-Capability', v)),
    ...names.map((n) => avp(dict, 'Server-Name', n)),
  ]);
}

/** Server-Name of the assigned S-CSCF, or a pool pick, or Server-Capabilities. */
export function serverAvp(dict: Dictionary, o: CxOptions, assigned: string | null, key: string): Avp {
  if (assigned) return avp(dict, 'Server-Name', assigned);
  const picked = poolPick(o.scscfPool ?? [], key);
  return picked ? avp(dict, 'Server-Name', picked) : capabilitiesAvp(dict, o);
}
