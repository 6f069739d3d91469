// The seam between the node and the applications it answers itself (the HSS: S6a, Cx, Sh).
// The node validates each request (RFC 6733 §7: Result-Code + Failed-AVP as data), hands the
// typed message to the application, and sends back the answer it returns; an application that
// throws gets 5012 DIAMETER_UNABLE_TO_COMPLY, logged, never a silent drop. Applications send their
// own requests (CLR, IDR, RTR, PPR, PNR) through `LocalContext.request`, which routes them like any
// relayed request and resolves with the answer (3002 built locally when nobody answers).
import type { Logger } from 'pino';
import type { Dictionary } from '../diameter/dictionary/dictionary.js';
import type { Message } from '../diameter/codec/message.js';
import type { ApplicationRef } from '../config/model.js';

export interface RequestContext {
  /** Identity of the peer the request came from (the previous hop; Origin-Host may differ). */
  peer: string;
}

export interface LocalContext {
  identity: string;
  realm: string;
  dict: Dictionary;
  log: Logger;
  /** Sends a request through the routing table; resolves with the decoded answer. */
  request(m: Message): Promise<Message>;
  /** Fresh End-to-End id for requests this node originates (RFC 6733 §3). */
  nextEndToEndId(): number;
}

export interface LocalApplication {
  /** How it is advertised in CER/CEA (Vendor-Specific-Application-Id when vendorId ≠ 0). */
  readonly application: ApplicationRef;
  readonly name: string;
  /** Called once when the node starts, with what the application needs to originate requests. */
  attach?(ctx: LocalContext): void;
  /** Called when the node stops (timers, store listeners). */
  close?(): void;
  /** Answers a validated request. The node fills hop-by-hop/end-to-end ids and flags from the request. */
  handle(request: Message, ctx: RequestContext): Message | Promise<Message>;
}
