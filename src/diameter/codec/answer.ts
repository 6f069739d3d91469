// Answers the node builds for requests it refuses (RFC 6733 §7.2 answer-message format):
// Session-Id, Origin-Host/Realm, Result-Code, Error-Message, Failed-AVP, and Proxy-Info copied
// in order (§6.2). The E bit is set only for protocol errors (3xxx, §7.1.3).
import type { Dictionary } from '../dictionary/dictionary.js';
import { avp } from './builder.js';
import { type Avp, CmdFlag, DIAMETER_VERSION, type Message, findAvp, findAvps } from './message.js';
import type { ProtocolError } from './validate.js';

export interface Origin {
  host: string;
  realm: string;
}

export interface RequestHeader {
  flags: number;
  commandCode: number;
  applicationId: number;
  hopByHopId: number;
  endToEndId: number;
}

const SESSION_ID = 263;
const PROXY_INFO = 284;

/** Header of the answer to a request: same ids, R cleared, P kept, E for protocol errors. */
export function answerTo(req: RequestHeader, avps: Avp[], resultCode?: number): Message {
  const error = resultCode !== undefined && resultCode >= 3000 && resultCode < 4000;
  return {
    version: DIAMETER_VERSION,
    flags: (req.flags & CmdFlag.P) | (error ? CmdFlag.E : 0),
    commandCode: req.commandCode,
    applicationId: req.applicationId,
    hopByHopId: req.hopByHopId,
    endToEndId: req.endToEndId,
    avps,
  };
}

/** The answer to a request that failed validation or cannot be served. */
export function errorAnswer(
  dict: Dictionary,
  req: RequestHeader & { avps?: Avp[] },
  origin: Origin,
  err: ProtocolError,
): Message {
  const avps: Avp[] = [];
  const sessionId = findAvp(req.avps, SESSION_ID);
  if (sessionId?.value !== undefined) avps.push(sessionId);
  avps.push(avp(dict, 'Origin-Host', origin.host), avp(dict, 'Origin-Realm', origin.realm));
  avps.push(avp(dict, 'Result-Code', err.resultCode));
  if (err.errorMessage) avps.push(avp(dict, 'Error-Message', err.errorMessage));
  if (err.failedAvp) avps.push(avp(dict, 'Failed-AVP', [err.failedAvp]));
  avps.push(...findAvps(req.avps, PROXY_INFO));
  return answerTo(req, avps, err.resultCode);
}
