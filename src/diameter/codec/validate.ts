// Validation of a request for a local application (RFC 6733 §7.1, §7.5, grammar §3.2/§4.4).
// Every problem becomes a ProtocolError: the Result-Code, an Error-Message and the Failed-AVP
// content, as data. Order: message framing, header bits, AVP lengths, AVP bits, unknown M-bit
// AVPs, values, then the grammar. The Session-Id position (<...>) is not enforced: §8.8 says SHOULD.
import type { Dictionary } from '../dictionary/dictionary.js';
import { AvpFlag, type Grammar, type MessageDef } from '../dictionary/model.js';
import { Result } from '../dictionary/generated/constants.js';
import { type CodecIssue, decodeMessage, minimumDataLength } from './decode.js';
import { type Avp, CmdFlag, type Message } from './message.js';

export interface ProtocolError {
  resultCode: number;
  errorMessage: string;
  /** What goes inside Failed-AVP: the offending AVP, wrapped in its Grouped parents. */
  failedAvp: Avp | undefined;
}

export type ValidationResult =
  | { ok: true; message: Message; def: MessageDef }
  | { ok: false; error: ProtocolError; message: Message | undefined };

export function validateRequest(buf: Buffer, dict: Dictionary): ValidationResult {
  const { message, issues } = decodeMessage(buf, dict);
  const firstOf = (code: number): CodecIssue | undefined => issues.find((i) => i.resultCode === code);
  const fromIssue = (i: CodecIssue): ValidationResult => ({
    ok: false,
    message,
    error: { resultCode: i.resultCode, errorMessage: i.message, failedAvp: i.avp && wrap(i.parents, i.avp) },
  });
  if (!message) return fromIssue(issues[0]!);
  const lengthIssue = firstOf(Result.DIAMETER_INVALID_MESSAGE_LENGTH);
  if (lengthIssue) return fromIssue(lengthIssue);

  const fail = (resultCode: number, errorMessage: string, failedAvp?: Avp): ValidationResult => ({
    ok: false,
    message,
    error: { resultCode, errorMessage, failedAvp },
  });
  // §7.1.3 DIAMETER_INVALID_HDR_BITS: reserved bits, or E set on a request.
  if ((message.flags & CmdFlag.RESERVED) !== 0) return fail(Result.DIAMETER_INVALID_HDR_BITS, 'reserved command flag bits are set');
  if ((message.flags & CmdFlag.R) === 0) return fail(Result.DIAMETER_INVALID_HDR_BITS, 'R bit is clear: not a request');
  if ((message.flags & CmdFlag.E) !== 0) return fail(Result.DIAMETER_INVALID_HDR_BITS, 'E bit is set on a request');
  const def = dict.message(message.applicationId, message.commandCode, true);
  if (!def) return fail(Result.DIAMETER_COMMAND_UNSUPPORTED, `command ${message.commandCode} is not supported in application ${message.applicationId}`);
  if (def.proxiable !== ((message.flags & CmdFlag.P) !== 0)) {
    return fail(Result.DIAMETER_INVALID_HDR_BITS, `P bit ${def.proxiable ? 'clear' : 'set'}; ${def.name} is ${def.proxiable ? '' : 'not '}proxiable`);
  }

  const lengthAvp = firstOf(Result.DIAMETER_INVALID_AVP_LENGTH);
  if (lengthAvp) return fromIssue(lengthAvp);
  const bits = findAvp(message.avps, [], (a) => (a.flags & AvpFlag.RESERVED) !== 0);
  if (bits) return fail(Result.DIAMETER_INVALID_AVP_BITS, `AVP ${label(bits.avp)} has reserved flag bits set`, wrap(bits.parents, bits.avp));
  const unknown = findAvp(message.avps, [], (a) => a.def === undefined && (a.flags & AvpFlag.M) !== 0);
  if (unknown) return fail(Result.DIAMETER_AVP_UNSUPPORTED, `AVP ${label(unknown.avp)} with the M bit is not supported`, wrap(unknown.parents, unknown.avp));
  const other = issues[0];
  if (other) return fromIssue(other);

  const grammarError = checkGrammar(message.avps, def.grammar, [], def.name);
  if (grammarError) return { ok: false, message, error: grammarError };
  return { ok: true, message, def };
}

function label(a: Avp): string {
  return a.def ? a.def.name : `${a.code}${a.vendorId ? `/${a.vendorId}` : ''}`;
}

/** Depth-first search for the first AVP matching pred, with its Grouped ancestors. */
function findAvp(avps: Avp[], parents: Avp[], pred: (a: Avp) => boolean): { avp: Avp; parents: Avp[] } | undefined {
  for (const a of avps) {
    if (pred(a)) return { avp: a, parents };
    if (a.avps) {
      const inner = findAvp(a.avps, [...parents, a], pred);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** Failed-AVP content for a decode issue: its AVP in its Grouped parents (undefined when unreadable). */
export function failedAvpOf(i: CodecIssue | undefined): Avp | undefined {
  return i?.avp && wrap(i.parents, i.avp);
}

/** RFC 6733 §7.5: an offending AVP inside a Grouped AVP may be reported inside its parent. */
function wrap(parents: Avp[], avp: Avp): Avp {
  let out = avp;
  for (let i = parents.length - 1; i >= 0; i--) {
    const p = parents[i]!;
    out = { ...p, avps: [out], value: undefined, data: undefined };
  }
  return out;
}

const ruleIndexCache = new WeakMap<Grammar, Map<string, number>>();

function ruleIndex(g: Grammar): Map<string, number> {
  let m = ruleIndexCache.get(g);
  if (!m) {
    m = new Map();
    g.rules.forEach((r, i) => {
      if (r.def) m!.set(`${r.def.vendorId}:${r.def.code}`, i);
    });
    ruleIndexCache.set(g, m);
  }
  return m;
}

function checkGrammar(avps: Avp[], grammar: Grammar, parents: Avp[], where: string): ProtocolError | undefined {
  const index = ruleIndex(grammar);
  const counts = new Array<number>(grammar.rules.length).fill(0);
  for (const a of avps) {
    const i = index.get(`${a.vendorId}:${a.code}`);
    if (i === undefined) {
      if (!grammar.anyAvp) {
        return { resultCode: Result.DIAMETER_AVP_NOT_ALLOWED, errorMessage: `AVP ${label(a)} is not allowed in ${where}`, failedAvp: wrap(parents, a) };
      }
      continue;
    }
    const rule = grammar.rules[i]!;
    const n = ++counts[i]!;
    if (n > rule.max) {
      const resultCode = rule.max === 0 ? Result.DIAMETER_AVP_NOT_ALLOWED : Result.DIAMETER_AVP_OCCURS_TOO_MANY_TIMES;
      return { resultCode, errorMessage: `AVP ${rule.name} occurs more than ${rule.max} time(s) in ${where}`, failedAvp: wrap(parents, a) };
    }
  }
  for (let i = 0; i < grammar.rules.length; i++) {
    const rule = grammar.rules[i]!;
    if (counts[i]! < rule.min && rule.def) {
      // §7.5: an example of the missing AVP, with a zero-filled value of minimum size.
      const d = rule.def;
      const example: Avp = {
        code: d.code,
        vendorId: d.vendorId,
        flags: d.flags,
        def: undefined,
        value: undefined,
        avps: undefined,
        data: Buffer.alloc(minimumDataLength(d.type)),
      };
      return { resultCode: Result.DIAMETER_MISSING_AVP, errorMessage: `missing AVP ${rule.name} in ${where}`, failedAvp: wrap(parents, example) };
    }
  }
  for (const a of avps) {
    if (a.avps && a.def?.grammar) {
      const inner = checkGrammar(a.avps, a.def.grammar, [...parents, a], a.def.name);
      if (inner) return inner;
    }
  }
  return undefined;
}
