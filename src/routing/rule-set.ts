// The routing rules as data: what the rule files (freeDiameter rt_default syntax plus Diamond's
// extensions, docs/routing.md) compile to, and how a criterion or target matches a value.
import type { SourcePos } from '../errors.js';

/** freeDiameter's score constants (libfdcore.h) usable in rule expressions. */
export const Score = {
  NO_DELIVERY: -70,
  SENT_REDIRECT: -60,
  INI: -2,
  LOAD_BALANCE: 1,
  DEFAULT: 5,
  DEFAULT_REALM: 10,
  REALM: 15,
  REDIR_HOST: 25,
  REDIR_APP: 30,
  REDIR_REALM: 35,
  REDIR_REALM_APP: 40,
  REDIR_USER: 45,
  REDIR_SESSION: 50,
  REDIR_ONCE: 55,
  FINALDEST: 100,
} as const;

/** Constants the rt_default grammar accepts as integers (REDIR_ONCE and the rest are not). */
export const RULE_CONSTANTS: Record<string, number> = {
  no_delivery: Score.NO_DELIVERY,
  default: Score.DEFAULT,
  default_realm: Score.DEFAULT_REALM,
  realm: Score.REALM,
  redir_host: Score.REDIR_HOST,
  redir_app: Score.REDIR_APP,
  redir_realm: Score.REDIR_REALM,
  redir_realm_app: Score.REDIR_REALM_APP,
  redir_user: Score.REDIR_USER,
  redir_session: Score.REDIR_SESSION,
  finaldest: Score.FINALDEST,
};

/** Message fields a criterion looks at: rt_default's six, plus Diamond's app= and cc=. */
export type CriterionKey = 'oh' | 'or' | 'dh' | 'dr' | 'un' | 'si' | 'app' | 'cc';
export const STRING_CRITERIA: readonly CriterionKey[] = ['oh', 'or', 'dh', 'dr', 'un', 'si'];

/**
 * A string to match: plain strings compare whole and case-insensitively (freeDiameter compares
 * a prefix; Diamond does not, see docs/routing.md); regexes are POSIX ERE, case-sensitive,
 * unanchored.
 */
export type StringMatch = { kind: 'plain'; text: string; lower: string } | { kind: 'regex'; text: string; re: RegExp };

export function matchesString(m: StringMatch, value: string): boolean {
  return m.kind === 'plain' ? value.length === m.lower.length && value.toLowerCase() === m.lower : m.re.test(value);
}

export type Criterion =
  | { key: 'oh' | 'or' | 'dh' | 'dr' | 'un' | 'si'; match: StringMatch }
  | { key: 'app' | 'cc'; value: number };

/** Which peers a rule scores: by Diameter identity, or by the realm the peer advertised. */
export interface Target {
  on: 'identity' | 'realm';
  match: StringMatch;
}

export type RuleAction =
  | { kind: 'score'; target: Target; score: number; weight: number | undefined }
  /** Diamond extension: answer the request with this Result-Code instead of routing it. */
  | { kind: 'answer'; resultCode: number; message: string | undefined }
  /** Diamond extension: rewrite Destination-Realm before routing (inter-realm, MVNO ranges). */
  | { kind: 'realm'; realm: string };

export interface Rule {
  pos: SourcePos;
  /** The rule as written, for `rules explain`. */
  text: string;
  /** Undefined for `*` (every request). */
  criterion: Criterion | undefined;
  action: RuleAction;
}

/** One line of an IMSI-prefix table: requests whose User-Name starts with `prefix` score a target. */
export interface PrefixEntry {
  pos: SourcePos;
  text: string;
  target: Target;
  score: number;
  weight: number | undefined;
}

/** What one prefix of a table carries: score entries and/or a set_realm. */
export interface PrefixNode {
  entries: PrefixEntry[] | undefined;
  /** `PREFIX : set_realm "realm" ;`: the Destination-Realm for User-Names under this prefix. */
  realm: RealmEntry | undefined;
}

export interface RealmEntry {
  pos: SourcePos;
  text: string;
  realm: string;
}

/**
 * Prefix → entries; only the longest matching prefix applies. A lookup probes one hash per
 * distinct prefix length in the table (usually one to three), longest first: for 100,000 ranges
 * that is cheaper than walking a digit trie, whose nodes miss the CPU cache at every level.
 */
export interface PrefixTable {
  file: string;
  byPrefix: Map<string, PrefixNode>;
  /** Distinct prefix lengths, longest first. */
  lengths: number[];
  size: number;
}

export function newPrefixTable(file: string): PrefixTable {
  return { file, byPrefix: new Map(), lengths: [], size: 0 };
}

/** Adds a score entry, or the realm of a set_realm line, under a digit prefix. */
export function addPrefix(t: PrefixTable, prefix: string, e: PrefixEntry | RealmEntry): void {
  let n = t.byPrefix.get(prefix);
  if (!n) {
    t.byPrefix.set(prefix, (n = { entries: undefined, realm: undefined }));
    if (!t.lengths.includes(prefix.length)) {
      t.lengths.push(prefix.length);
      t.lengths.sort((a, b) => b - a);
    }
  }
  if ('realm' in e) n.realm = e;
  else (n.entries ??= []).push(e);
  t.size++;
}

export interface RuleSet {
  files: string[];
  rules: Rule[];
  prefixTables: PrefixTable[];
}

export const EMPTY_RULES: RuleSet = { files: [], rules: [], prefixTables: [] };

/** The entries of the longest prefix of `value` that has score entries. */
export function longestPrefix(t: PrefixTable, value: string): PrefixEntry[] | undefined {
  for (const len of t.lengths) {
    if (len > value.length) continue;
    const n = t.byPrefix.get(len === value.length ? value : value.slice(0, len));
    if (n?.entries) return n.entries;
  }
  return undefined;
}

/** The set_realm entry of the longest prefix of `value` that has one. */
export function longestRealm(t: PrefixTable, value: string): RealmEntry | undefined {
  for (const len of t.lengths) {
    if (len > value.length) continue;
    const n = t.byPrefix.get(len === value.length ? value : value.slice(0, len));
    if (n?.realm) return n.realm;
  }
  return undefined;
}
