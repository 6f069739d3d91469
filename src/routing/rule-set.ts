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

/** A digit trie node: children by digit, and the entries of the prefix ending here. */
export interface PrefixNode {
  next: (PrefixNode | undefined)[];
  entries: PrefixEntry[] | undefined;
  /** `PREFIX : set_realm "realm" ;`: the Destination-Realm for User-Names under this prefix. */
  realm: RealmEntry | undefined;
}

export interface RealmEntry {
  pos: SourcePos;
  text: string;
  realm: string;
}

/** Prefix → entries; only the longest matching prefix applies. Lookups walk the User-Name once. */
export interface PrefixTable {
  file: string;
  root: PrefixNode;
  size: number;
}

export function newPrefixNode(): PrefixNode {
  return { next: new Array<PrefixNode | undefined>(10).fill(undefined), entries: undefined, realm: undefined };
}

/** Adds a score entry, or the realm of a set_realm line, under a digit prefix. */
export function addPrefix(t: PrefixTable, prefix: string, e: PrefixEntry | RealmEntry): void {
  let n = t.root;
  for (let i = 0; i < prefix.length; i++) {
    const d = prefix.charCodeAt(i) - 48;
    n = n.next[d] ??= newPrefixNode();
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

/** The entries of the longest prefix of `value` present in the table: O(length), no allocation. */
export function longestPrefix(t: PrefixTable, value: string): PrefixEntry[] | undefined {
  let n: PrefixNode | undefined = t.root;
  let found: PrefixEntry[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    n = n.next[d];
    if (!n) break;
    if (n.entries) found = n.entries;
  }
  return found;
}

/** The set_realm entry of the longest prefix of `value` that has one. */
export function longestRealm(t: PrefixTable, value: string): RealmEntry | undefined {
  let n: PrefixNode | undefined = t.root;
  let found: RealmEntry | undefined;
  for (let i = 0; i < value.length; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    n = n.next[d];
    if (!n) break;
    if (n.realm) found = n.realm;
  }
  return found;
}
