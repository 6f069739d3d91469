// Is the node's answer the captured one? Compared, in order: the result (Result-Code, or
// Experimental-Result's vendor and code), the set of AVPs present (as paths through groups), and
// the values — except AVPs that legitimately differ between runs (DEFAULT_IGNORED_AVPS, every
// Time-typed AVP), which only have to be present.
import type { Dictionary } from '../diameter/dictionary/dictionary.js';
import { valueText } from '../diameter/codec/inspect.js';
import { type Avp, findAvp, type Message } from '../diameter/codec/message.js';

/**
 * Values that change from run to run: state ids, timestamps, fresh authentication vectors
 * (TS 33.401 RAND/AUTN/XRES/KASME, CK/IK), SIP/digest nonces and EAP payloads carrying them.
 * Session-Id is not here: it is compared after the replay's own rewriting.
 */
export const DEFAULT_IGNORED_AVPS: readonly string[] = [
  'Origin-State-Id',
  'Event-Timestamp',
  'RAND',
  'AUTN',
  'XRES',
  'KASME',
  'Confidentiality-Key',
  'Integrity-Key',
  'Kc',
  'SRES',
  '3GPP-SIP-Authenticate',
  '3GPP-SIP-Authorization',
  'Digest-Nonce',
  'Digest-CNonce',
  'Digest-Nonce-Count',
  'Digest-Response',
  'Digest-Response-Auth',
  'EAP-Payload',
  'EAP-Master-Session-Key',
];

/** AVP types whose values are ignored: timestamps. */
export const DEFAULT_IGNORED_TYPES: readonly string[] = ['Time'];

export interface CompareOptions {
  readonly ignore: ReadonlySet<string>;
  readonly ignoreTypes: ReadonlySet<string>;
  /** Captured Session-Id -> the one the replay sent instead. */
  readonly sessions: ReadonlyMap<string, string>;
}

export type DifferenceKind = 'result' | 'missing' | 'extra' | 'value' | 'command';

export interface Difference {
  readonly kind: DifferenceKind;
  /** AVP path, e.g. `Subscription-Data/AMBR/Max-Requested-Bandwidth-UL`; the result for 'result'. */
  readonly path: string;
  readonly expected?: string;
  readonly actual?: string;
}

/** "Result-Code 2001" or "Experimental-Result 10415/5001"; "none" when the answer has neither. */
export function resultOf(dict: Dictionary, m: Message): string {
  const rc = findAvp(m.avps, 268);
  if (rc && typeof rc.value === 'number') {
    const name = rc.def ? dict.enumName(rc.def, rc.value, m.applicationId) : undefined;
    return `Result-Code ${rc.value}${name ? ` (${name})` : ''}`;
  }
  const er = findAvp(m.avps, 297);
  if (er) {
    const vendor = findAvp(er.avps, 266)?.value;
    const code = findAvp(er.avps, 298)?.value;
    return `Experimental-Result ${String(vendor ?? '?')}/${String(code ?? '?')}`;
  }
  return 'none';
}

function avpName(a: Avp): string {
  return a.def?.name ?? (a.vendorId ? `AVP-${a.code}-v${a.vendorId}` : `AVP-${a.code}`);
}

/** path -> values in order ('' for groups and ignored values); `captured` maps Session-Ids. */
function flatten(dict: Dictionary, m: Message, opts: CompareOptions, captured: boolean): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const walk = (avps: Avp[], prefix: string): void => {
    for (const a of avps) {
      const name = avpName(a);
      const path = prefix === '' ? name : `${prefix}/${name}`;
      const ignored = opts.ignore.has(name) || (a.def !== undefined && opts.ignoreTypes.has(a.def.type));
      let value = '';
      if (!ignored && a.avps === undefined) {
        value = valueText(dict, a, m.applicationId);
        if (captured && a.code === 263 && a.vendorId === 0 && typeof a.value === 'string') {
          const mapped = opts.sessions.get(a.value);
          if (mapped !== undefined) value = JSON.stringify(mapped);
        }
      }
      let list = out.get(path);
      if (!list) out.set(path, (list = []));
      list.push(value);
      if (a.avps && !ignored) walk(a.avps, path);
    }
  };
  walk(m.avps, '');
  return out;
}

/** Differences between the captured answer and the node's; empty when they match. */
export function compareAnswers(dict: Dictionary, expected: Message, actual: Message, opts: CompareOptions): Difference[] {
  const diffs: Difference[] = [];
  if (expected.commandCode !== actual.commandCode || expected.applicationId !== actual.applicationId) {
    diffs.push({ kind: 'command', path: 'header', expected: `cmd ${expected.commandCode} app ${expected.applicationId}`, actual: `cmd ${actual.commandCode} app ${actual.applicationId}` });
    return diffs;
  }
  const er = resultOf(dict, expected);
  const ar = resultOf(dict, actual);
  const sameResult = er === ar;
  if (!sameResult) diffs.push({ kind: 'result', path: 'result', expected: er, actual: ar });
  const e = flatten(dict, expected, opts, true);
  const a = flatten(dict, actual, opts, false);
  for (const path of e.keys()) if (!a.has(path)) diffs.push({ kind: 'missing', path, expected: e.get(path)!.join(', ') || undefined });
  for (const path of a.keys()) if (!e.has(path)) diffs.push({ kind: 'extra', path, actual: a.get(path)!.join(', ') || undefined });
  // With another result, value differences are consequences of it, not news.
  if (!sameResult) return diffs;
  for (const [path, ev] of e) {
    const av = a.get(path);
    if (!av) continue;
    if (ev.length !== av.length || ev.some((v, i) => v !== av[i])) {
      diffs.push({ kind: 'value', path, expected: ev.join(', '), actual: av.join(', ') });
    }
  }
  return diffs;
}
