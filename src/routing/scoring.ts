// Scores of relay candidates for one request: freeDiameter's core scores (routing_dispatch.c,
// specs/rt-default.md §2) then rt_default rules adding up (§3), then Diamond's IMSI-prefix
// tables. Pure: the same request, candidates and rules always give the same scores.
import { RELAY_APPLICATION_ID } from '../diameter/peer/capabilities.js';
import { longestPrefix, longestRealm, matchesString, Score, type Criterion, type PrefixEntry, type Rule, type RuleSet, type Target } from './rule-set.js';

/** What routing reads from a request (top-level AVPs; first occurrence). */
export interface RouteRequest {
  applicationId: number;
  commandCode: number;
  originHost: string | undefined;
  originRealm: string | undefined;
  destinationHost: string | undefined;
  destinationRealm: string | undefined;
  userName: string | undefined;
  sessionId: string | undefined;
}

/** An OPEN peer as routing sees it. */
export interface Candidate {
  identity: string;
  /** The Origin-Realm it advertised in CER/CEA. */
  realm: string;
  /** Applications it advertised (Relay 0xffffffff stands for all). */
  applications: ReadonlySet<number>;
  /** Lower-case forms, when the caller keeps them (saves two conversions per request). */
  identityLower?: string;
  realmLower?: string;
}

export interface Contribution {
  /** Where the score came from: "core: ..." or FILE:LINE:COL and the rule text. */
  source: string;
  delta: number;
}

export interface Scored {
  candidate: Candidate;
  score: number;
  /** Share among peers tied at the top score (weight= rules); undefined: equal share. */
  weight: number | undefined;
  /** Filled only when explaining. */
  reasons: Contribution[];
}

function criterionValue(req: RouteRequest, key: 'oh' | 'or' | 'dh' | 'dr' | 'un' | 'si'): string | undefined {
  switch (key) {
    case 'oh':
      return req.originHost;
    case 'or':
      return req.originRealm;
    case 'dh':
      return req.destinationHost;
    case 'dr':
      return req.destinationRealm;
    case 'un':
      return req.userName;
    case 'si':
      return req.sessionId;
  }
}

/** Whether a rule's criterion holds for the request (`*` always does; an absent AVP never). */
export function criterionHolds(c: Criterion | undefined, req: RouteRequest): boolean {
  if (!c) return true;
  if (c.key === 'app') return req.applicationId === c.value;
  if (c.key === 'cc') return req.commandCode === c.value;
  const v = criterionValue(req, c.key);
  if (!('match' in c)) return false;
  // freeDiameter drops a request whose criterion AVP is empty, without an answer; Diamond treats
  // the empty value as a value that plain strings do not match (docs/routing.md).
  return v !== undefined && matchesString(c.match, v);
}

function targets(t: Target, c: Candidate, idLower: string, realmLower: string): boolean {
  const m = t.match;
  if (t.on === 'identity') return m.kind === 'plain' ? idLower === m.lower : m.re.test(c.identity);
  return m.kind === 'plain' ? realmLower === m.lower : m.re.test(c.realm);
}

/** Shared by every non-explained score: nothing is ever pushed to it. */
const NO_REASONS: Contribution[] = [];

const where = (pos: { file: string; line: number; col: number }, text: string): string => `${pos.file}:${pos.line}:${pos.col}: ${text}`;

/**
 * The Destination-Realm a request is rewritten to before routing (Diamond's `set_realm`): the
 * first matching rule in file order, else the longest IMSI prefix with a set_realm line. Only
 * requests without Destination-Host are rewritten: one addressed to a host keeps its realm.
 */
export function realmRewrite(rules: RuleSet, req: RouteRequest): { realm: string; source: string } | undefined {
  if (req.destinationHost !== undefined) return undefined;
  let found: { realm: string; source: string } | undefined;
  for (const r of rules.rules) {
    if (r.action.kind === 'realm' && criterionHolds(r.criterion, req)) {
      found = { realm: r.action.realm, source: where(r.pos, r.text) };
      break;
    }
  }
  if (!found && req.userName !== undefined) {
    for (const t of rules.prefixTables) {
      const e = longestRealm(t, req.userName);
      if (e) {
        found = { realm: e.realm, source: where(e.pos, e.text) };
        break;
      }
    }
  }
  if (!found || found.realm.toLowerCase() === req.destinationRealm?.toLowerCase()) return undefined;
  return found;
}

/** The first `answer` rule whose criterion holds: the operator blocks this request. */
export function answerRule(rules: RuleSet, req: RouteRequest): Rule | undefined {
  for (const r of rules.rules) if (r.action.kind === 'answer' && criterionHolds(r.criterion, req)) return r;
  return undefined;
}

/** The score entries of the longest matching prefix of the User-Name, over every prefix table. */
function prefixEntriesFor(rules: RuleSet, req: RouteRequest): PrefixEntry[] | undefined {
  if (req.userName === undefined) return undefined;
  let out: PrefixEntry[] | undefined;
  for (const t of rules.prefixTables) {
    const e = longestPrefix(t, req.userName);
    if (e) out = out ? [...out, ...e] : e;
  }
  return out;
}

/**
 * Score rules of a rule set arranged for the relay path: plain identity and realm targets by
 * their lower-case text, so each candidate finds its rules with one map lookup instead of every
 * rule being compared with every candidate. Built once per rule set.
 */
interface ScoreIndex {
  rules: Rule[];
  byIdentity: Map<string, number[]>;
  byRealm: Map<string, number[]>;
  /** Rules whose target is a regex: tested against every candidate. */
  byRegex: number[];
  applying: Uint8Array;
}
const indexes = new WeakMap<RuleSet, ScoreIndex>();

function scoreIndex(rules: RuleSet): ScoreIndex {
  let ix = indexes.get(rules);
  if (ix) return ix;
  ix = { rules: [], byIdentity: new Map(), byRealm: new Map(), byRegex: [], applying: new Uint8Array(0) };
  for (const r of rules.rules) {
    if (r.action.kind !== 'score') continue;
    const i = ix.rules.push(r) - 1;
    const m = r.action.target.match;
    if (m.kind === 'regex') ix.byRegex.push(i);
    else {
      const map = r.action.target.on === 'identity' ? ix.byIdentity : ix.byRealm;
      const list = map.get(m.lower);
      if (list) list.push(i);
      else map.set(m.lower, [i]);
    }
  }
  ix.applying = new Uint8Array(ix.rules.length);
  indexes.set(rules, ix);
  return ix;
}

/**
 * Scores every candidate. Candidates must already exclude the Route-Record identities.
 * `explain` records each contribution (slower; for `rules explain`).
 */
export function scoreCandidates(
  req: RouteRequest,
  candidates: readonly Candidate[],
  rules: RuleSet,
  explain = false,
  /** More scores per candidate (cached redirects). */
  adjust?: (c: Candidate, add: (delta: number, source: string) => void) => void,
): Scored[] {
  if (!explain) return scoreFast(req, candidates, rules, adjust);
  const applying: Rule[] = [];
  for (const r of rules.rules) if (r.action.kind === 'score' && criterionHolds(r.criterion, req)) applying.push(r);
  const prefixEntries = prefixEntriesFor(rules, req);
  const app = req.applicationId;
  const dh = req.destinationHost?.toLowerCase();
  const dr = req.destinationRealm?.toLowerCase();
  const out: Scored[] = [];
  for (const c of candidates) {
    const idLower = c.identityLower ?? c.identity.toLowerCase();
    const realmLower = c.realmLower ?? c.realm.toLowerCase();
    const reasons: Contribution[] = [];
    let score = Score.INI;
    let weight: number | undefined;
    // The explained path (rules explain); the relay uses scoreFast, which builds no sources.
    reasons.push({ source: 'core: start (INI)', delta: Score.INI });
    if (app !== 0 && !c.applications.has(app) && !c.applications.has(RELAY_APPLICATION_ID)) {
      score += Score.NO_DELIVERY;
      reasons.push({ source: `core: application ${app} not advertised (NO_DELIVERY)`, delta: Score.NO_DELIVERY });
    }
    if (dh !== undefined && dh === idLower) {
      score += Score.FINALDEST;
      reasons.push({ source: 'core: Destination-Host (FINALDEST)', delta: Score.FINALDEST });
    } else if (dr !== undefined && dr === realmLower) {
      score += Score.REALM;
      reasons.push({ source: 'core: Destination-Realm (REALM)', delta: Score.REALM });
    }
    for (const r of applying) {
      const a = r.action;
      if (a.kind !== 'score' || !targets(a.target, c, idLower, realmLower)) continue;
      score += a.score;
      if (a.weight !== undefined) weight = a.weight;
      reasons.push({ source: where(r.pos, r.text), delta: a.score });
    }
    if (prefixEntries) {
      for (const e of prefixEntries) {
        if (!targets(e.target, c, idLower, realmLower)) continue;
        score += e.score;
        if (e.weight !== undefined) weight = e.weight;
        reasons.push({ source: where(e.pos, e.text), delta: e.score });
      }
    }
    const s: Scored = { candidate: c, score, weight, reasons };
    if (adjust) {
      adjust(c, (delta, source) => {
        s.score += delta;
        s.reasons.push({ source, delta });
      });
    }
    out.push(s);
  }
  return out;
}

/** scoreCandidates without explanations: same scores and weights, fewer comparisons. */
function scoreFast(
  req: RouteRequest,
  candidates: readonly Candidate[],
  rules: RuleSet,
  adjust: ((c: Candidate, add: (delta: number, source: string) => void) => void) | undefined,
): Scored[] {
  const ix = scoreIndex(rules);
  const applying = ix.applying;
  let any = false;
  const lowered: Partial<Record<string, string>> = {};
  for (let i = 0; i < ix.rules.length; i++) {
    const c = ix.rules[i]!.criterion;
    let holds: boolean;
    if (c && 'match' in c && c.match.kind === 'plain') {
      // Plain criteria compare lower case: each request value is lowered once, not once per rule.
      const v = criterionValue(req, c.key);
      holds = v !== undefined && (lowered[c.key] ??= v.toLowerCase()) === c.match.lower;
    } else holds = criterionHolds(c, req);
    applying[i] = holds ? 1 : 0;
    any ||= holds;
  }
  const prefixEntries = prefixEntriesFor(rules, req);
  const app = req.applicationId;
  const dh = req.destinationHost?.toLowerCase();
  const dr = req.destinationRealm?.toLowerCase();
  const out: Scored[] = [];
  for (const c of candidates) {
    const idLower = c.identityLower ?? c.identity.toLowerCase();
    const realmLower = c.realmLower ?? c.realm.toLowerCase();
    let score = Score.INI;
    if (app !== 0 && !c.applications.has(app) && !c.applications.has(RELAY_APPLICATION_ID)) score += Score.NO_DELIVERY;
    if (dh !== undefined && dh === idLower) score += Score.FINALDEST;
    else if (dr !== undefined && dr === realmLower) score += Score.REALM;
    // The weight of the last matching rule in file order wins, as in the explained path.
    let weightAt = -1;
    let weight: number | undefined;
    if (any) {
      const byId = ix.byIdentity.get(idLower);
      const byRealm = ix.byRealm.get(realmLower);
      for (let pass = 0; pass < 3; pass++) {
        const list = pass === 0 ? byId : pass === 1 ? byRealm : ix.byRegex;
        if (!list) continue;
        for (const i of list) {
          if (applying[i] === 0) continue;
          const a = ix.rules[i]!.action;
          if (a.kind !== 'score' || (pass === 2 && !targets(a.target, c, idLower, realmLower))) continue;
          score += a.score;
          if (a.weight !== undefined && i > weightAt) {
            weightAt = i;
            weight = a.weight;
          }
        }
      }
    }
    if (prefixEntries) {
      for (const e of prefixEntries) {
        if (!targets(e.target, c, idLower, realmLower)) continue;
        score += e.score;
        if (e.weight !== undefined) weight = e.weight;
      }
    }
    const s: Scored = { candidate: c, score, weight, reasons: NO_REASONS };
    if (adjust) adjust(c, (delta) => (s.score += delta));
    out.push(s);
  }
  return out;
}

/**
 * Eligible candidates (score ≥ 0) in the order to try them: the top-score group first, in a
 * random order drawn by weight (uniform when no weights; freeDiameter's head/tail insertion is
 * not uniform), then lower scores, highest first.
 */
export function rankCandidates(scored: readonly Scored[], random: () => number = Math.random): Scored[] {
  const eligible: Scored[] = [];
  for (const s of scored) if (s.score >= 0) eligible.push(s);
  if (eligible.length < 2) return eligible;
  // Insertion sort, highest score first, stable: candidate lists are short, and this avoids a
  // comparator call per comparison.
  for (let i = 1; i < eligible.length; i++) {
    const x = eligible[i]!;
    let j = i - 1;
    while (j >= 0 && eligible[j]!.score < x.score) {
      eligible[j + 1] = eligible[j]!;
      j--;
    }
    eligible[j + 1] = x;
  }
  const top = eligible[0]!.score;
  let n = 1;
  while (n < eligible.length && eligible[n]!.score === top) n++;
  // Weighted draw without replacement over the top group, in place; no weight counts as 1.
  for (let i = 0; i < n - 1; i++) {
    let total = 0;
    for (let k = i; k < n; k++) total += eligible[k]!.weight ?? 1;
    let r = random() * total;
    let k = i;
    for (; k < n - 1; k++) {
      r -= eligible[k]!.weight ?? 1;
      if (r < 0) break;
    }
    const pick = eligible[k]!;
    eligible[k] = eligible[i]!;
    eligible[i] = pick;
  }
  return eligible;
}
