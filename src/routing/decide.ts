// Where a received request goes (RFC 6733 §6.1, with freeDiameter's choices from
// specs/rt-default.md §2 where the RFC leaves room): answered here with an error, handled by a
// local application, or relayed. Pure; the router does the I/O.
import { Result } from '../diameter/dictionary/generated/constants.js';
import { CmdFlag } from '../diameter/codec/message.js';
import { RELAY_APPLICATION_ID } from '../diameter/peer/capabilities.js';

export interface RequestFacts {
  flags: number;
  applicationId: number;
  destinationHost: string | undefined;
  destinationRealm: string | undefined;
  /** A Route-Record names this node (checked over every Route-Record, RFC 6733 §6.1.3). */
  loop: boolean;
}

export interface Self {
  identity: string;
  realm: string;
  /** Applications a local application (the HSS) answers. */
  localApplications: ReadonlySet<number>;
}

export type Decision =
  | { kind: 'local' }
  | { kind: 'relay' }
  | { kind: 'answer'; resultCode: number; message: string; missingAvp?: string };

function same(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase();
}

export function decide(f: RequestFacts, self: Self): Decision {
  // §3: a request with the E bit set is malformed.
  if ((f.flags & CmdFlag.E) !== 0) return { kind: 'answer', resultCode: Result.DIAMETER_INVALID_HDR_BITS, message: 'request with the E bit set' };
  // §6.1.3: our own identity in a Route-Record means the request came round.
  if (f.loop) return { kind: 'answer', resultCode: Result.DIAMETER_LOOP_DETECTED, message: `loop: Route-Record names ${self.identity}` };
  const local = self.localApplications.has(f.applicationId);
  if (f.applicationId === 0 || f.applicationId === RELAY_APPLICATION_ID) {
    return { kind: 'answer', resultCode: Result.DIAMETER_APPLICATION_UNSUPPORTED, message: `application ${f.applicationId} cannot be routed` };
  }
  if (f.destinationHost !== undefined && same(f.destinationHost, self.identity)) {
    return local ? { kind: 'local' } : { kind: 'answer', resultCode: Result.DIAMETER_APPLICATION_UNSUPPORTED, message: `application ${f.applicationId} is not served by ${self.identity}` };
  }
  if (f.destinationRealm === undefined) {
    // §6.1: proxiable requests carry Destination-Realm. One for an application we serve is ours.
    if (local && f.destinationHost === undefined) return { kind: 'local' };
    return { kind: 'answer', resultCode: Result.DIAMETER_MISSING_AVP, message: 'Destination-Realm is missing', missingAvp: 'Destination-Realm' };
  }
  if (f.destinationHost === undefined && same(f.destinationRealm, self.realm) && local) return { kind: 'local' };
  return { kind: 'relay' };
}
