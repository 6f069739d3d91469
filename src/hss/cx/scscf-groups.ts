// TS 29.228 §6.1.3 (RTR) and §6.1.5 (PPR) after §6.1.2: the S-CSCF and the registration state are
// kept per public identity, so the IMPUs of one IMPI can be held by different S-CSCFs. The HSS
// sends one request per S-CSCF, carrying the IMPUs that S-CSCF holds.
import type { ImpuAssignment, PublicIdentity } from '../../store/model.js';

/** An IMPU's assignment as the grouping reads it. */
export function assignmentOf(p: PublicIdentity): ImpuAssignment {
  return { impu: p.impu, scscfName: p.scscfName, state: p.registrationState };
}

/**
 * Whether an S-CSCF holds the profile of this IMPU: registered, or unregistered with an S-CSCF
 * (services for an unregistered user). A name kept with NOT_REGISTERED (a MAR in progress, a
 * *_STORE_SERVER_NAME de-registration) is not a registration to terminate or a profile to push.
 */
export function isHeld(a: ImpuAssignment): a is ImpuAssignment & { scscfName: string } {
  return a.scscfName !== null && a.state !== 'not-registered';
}

/** The held IMPUs per S-CSCF name (its SIP URI), both in the order given. */
export function groupByScscf(assignments: readonly ImpuAssignment[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const a of assignments) {
    if (!isHeld(a)) continue;
    const g = groups.get(a.scscfName);
    if (g) g.push(a.impu);
    else groups.set(a.scscfName, [a.impu]);
  }
  return groups;
}
