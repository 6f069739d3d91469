// TS 23.228 §4.3.3.4 / TS 29.228 §6.1.2 — which public identities register together, and what the
// IMPI-level view of their per-IMPU registration states is. The set of an IMPU is every IMPU of the
// same IMPI with the same `irs` number (0 unless provisioned otherwise, so by default all IMPUs of an
// IMPI form one set). A barred IMPU stays in its set: TS 23.228 lets the set hold barred identities,
// which are registered with it. A UAR may name one (a UE without ISIM registers with its barred
// temporary IMPU); it is refused only when every IMPU of the set is barred (TS 29.228 §6.1.1.1).
import type { ImsRegistrationState, PublicIdentity } from './model.js';

/** The implicit registration set of `impu` among `impus`, in their order; [] when it is not there. */
export function implicitRegistrationSet<T extends Pick<PublicIdentity, 'impu' | 'irs'>>(impus: readonly T[], impu: string): T[] {
  const own = impus.find((p) => p.impu === impu);
  return own ? impus.filter((p) => p.irs === own.irs) : [];
}

/** Union of the sets of `named` (in `impus` order); all of `impus` when nothing is named. */
export function implicitRegistrationSets<T extends Pick<PublicIdentity, 'impu' | 'irs'>>(impus: readonly T[], named: readonly string[]): T[] {
  if (named.length === 0) return [...impus];
  const sets = new Set(impus.filter((p) => named.includes(p.impu)).map((p) => p.irs));
  return impus.filter((p) => sets.has(p.irs));
}

const RANK: Record<ImsRegistrationState, number> = { registered: 2, unregistered: 1, 'not-registered': 0 };

/**
 * The IMPI-level summary of per-IMPU states: the "most registered" state of any IMPU, and the
 * S-CSCF of the first IMPU in that state (else of the first IMPU that has one: a name the MAR or a
 * *_STORE_SERVER_NAME de-registration kept).
 */
export function registrationSummary(impus: readonly Pick<PublicIdentity, 'scscfName' | 'registrationState'>[]): { state: ImsRegistrationState; scscfName: string | null } {
  let state: ImsRegistrationState = 'not-registered';
  for (const p of impus) if (RANK[p.registrationState] > RANK[state]) state = p.registrationState;
  const named = impus.find((p) => p.registrationState === state && p.scscfName !== null) ?? impus.find((p) => p.scscfName !== null);
  return { state, scscfName: named?.scscfName ?? null };
}
