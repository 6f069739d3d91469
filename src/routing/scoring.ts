// Scores of relay candidates for one request: freeDiameter's core scores (routing_dispatch.c,
// specs/rt-default.md §2) then rt_default rules adding up (§3), then Diamond's IMSI-prefix
// tables. Pure: the same request, candidates and rules always give the same scores.
import { RELAY_APPLICATION_ID } from '../diameter/peer/capabilities.js';
import { CompiledRules, compileRules, type CandidateCache } from './compiled-rules.js';
import { RouteScores, scoreInto } from './relay-scoring.js';
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
  /**
   * Set by the relay path's scoring: this candidate's name ids under the current rules. A caller
   * that keeps its candidate objects between requests (the router) saves that work per request.
   */
  cache?: CandidateCache | undefined;
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
 * Given a CompiledRules (the relay path), only the set_realm rules are tested and the prefix
 * tables are probed through their compiled index, and only when they have set_realm lines.
 */
export function realmRewrite(rules: RuleSet | CompiledRules, req: RouteRequest): { realm: string; source: string } | undefined {
  if (req.destinationHost !== undefined) return undefined;
  let found: { realm: string; source: string } | undefined;
  const list = rules instanceof CompiledRules ? rules.realmRules : rules.rules;
  for (let i = 0; i < list.length; i++) {
    const r = list[i]!;
    if (r.action.kind === 'realm' && criterionHolds(r.criterion, req)) {
      found = { realm: r.action.realm, source: where(r.pos, r.text) };
      break;
    }
  }
  const un = req.userName;
  if (!found && un !== undefined) {
    if (rules instanceof CompiledRules) {
      for (let i = 0; rules.prefixHasRealms && i < rules.prefixes.length && !found; i++) {
        const e = rules.prefixes[i]!.longestRealm(un);
        if (e) found = { realm: e.realm, source: where(e.pos, e.text) };
      }
    } else {
      for (const t of rules.prefixTables) {
        const e = longestRealm(t, un);
        if (e) {
          found = { realm: e.realm, source: where(e.pos, e.text) };
          break;
        }
      }
    }
  }
  if (!found || found.realm.toLowerCase() === req.destinationRealm?.toLowerCase()) return undefined;
  return found;
}

/** The first `answer` rule whose criterion holds: the operator blocks this request. */
export function answerRule(rules: RuleSet | CompiledRules, req: RouteRequest): Rule | undefined {
  const list = rules instanceof CompiledRules ? rules.answerRules : rules.rules;
  for (let i = 0; i < list.length; i++) {
    const r = list[i]!;
    if (r.action.kind === 'answer' && criterionHolds(r.criterion, req)) return r;
  }
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
    // The explained path (rules explain); the relay uses scoreInto (relay-scoring.ts), which builds no sources.
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

/** Scratch for scoreCandidates(explain = false) callers that want Scored objects. */
const shared = new RouteScores();

/** scoreCandidates without explanations: the relay path's scores, as Scored objects. */
function scoreFast(
  req: RouteRequest,
  candidates: readonly Candidate[],
  rules: RuleSet,
  adjust: ((c: Candidate, add: (delta: number, source: string) => void) => void) | undefined,
): Scored[] {
  scoreInto(shared, req, candidates, compileRules(rules));
  const out: Scored[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    const w = shared.weight[i]!;
    out.push({ candidate: c, score: shared.score[i]!, weight: w > 0 ? w : undefined, reasons: NO_REASONS });
  }
  shared.candidates = [];
  // Extra scores after the fact: `adjust` may be any code, even code that scores again.
  if (adjust) for (const s of out) adjust(s.candidate, (delta) => (s.score += delta));
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
