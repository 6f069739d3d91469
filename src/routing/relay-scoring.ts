// The relay path's scores and ranking: the same scores and weights as the explained path in
// scoring.ts (which stays the reference; test/routing/fast-path.test.ts holds the two together),
// computed from a compiled rule set (compiled-rules.ts) into arrays reused from request to request,
// so a decision allocates nothing. See docs/benchmarks.md for what each step saves.
import { RELAY_APPLICATION_ID } from '../diameter/peer/capabilities.js';
import { STRING_KEYS, type CompiledRules } from './compiled-rules.js';
import { redirectDelta, type Redirect } from './redirect-cache.js';
import { matchesString, Score } from './rule-set.js';
import type { Candidate, RouteRequest } from './scoring.js';

/**
 * One decision's scores and ranking, in arrays reused from request to request: the relay path
 * allocates nothing per decision. `order[0..eligible)` indexes `candidates`, best first.
 */
export class RouteScores {
  candidates: readonly Candidate[] = [];
  count = 0;
  score = new Float64Array(16);
  /** 0: no weight (counts as 1 in a tie). */
  weight = new Float64Array(16);
  order = new Int32Array(16);
  eligible = 0;
  /** Set by a caller while it walks `order`, so that a nested decision takes another instance. */
  inUse = false;

  reset(candidates: readonly Candidate[], n: number): void {
    if (n > this.score.length) {
      let k = this.score.length;
      while (k < n) k *= 2;
      this.score = new Float64Array(k);
      this.weight = new Float64Array(k);
      this.order = new Int32Array(k);
    }
    this.candidates = candidates;
    this.count = n;
    this.eligible = 0;
  }
}

/** Request value of STRING_KEYS[k]. */
function requestValue(req: RouteRequest, k: number): string | undefined {
  switch (k) {
    case 0:
      return req.originHost;
    case 1:
      return req.originRealm;
    case 2:
      return req.destinationHost;
    case 3:
      return req.destinationRealm;
    case 4:
      return req.userName;
    default:
      return req.sessionId;
  }
}

/** Whether toLowerCase could change `v`: an ASCII capital, or anything beyond ASCII. */
function mayChangeCase(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c > 127) return true;
  }
  return false;
}

/**
 * `m.get(v.toLowerCase())` when lower-casing keeps the length (the explained path's
 * matchesString compares lengths too), without calling toLowerCase for a value that is lower
 * case already: it returns a new string every time, garbage on every request.
 */
function getLower<T>(m: Map<string, T>, v: string): T | undefined {
  const hit = m.get(v);
  if (hit !== undefined || !mayChangeCase(v)) return hit;
  const lower = v.toLowerCase();
  return lower.length === v.length ? m.get(lower) : undefined;
}

function applyRules(cr: CompiledRules, list: Int32Array, gen: number): void {
  for (let k = 0; k < list.length; k++) {
    const i = list[k]!;
    cr.add(cr.ruleTarget[i]!, cr.ruleScore[i]!, cr.ruleWeight[i]!, i, gen);
  }
}

/**
 * The relay path's scores (the explained path's scores and weights, without the sources): rules
 * are found through the compiled rule set's lookups and add up per target name; each candidate
 * then reads its identity's and its realm's sums. `redirects` are cached redirects to add.
 */
export function scoreInto(
  out: RouteScores,
  req: RouteRequest,
  candidates: readonly Candidate[],
  cr: CompiledRules,
  redirects?: readonly Redirect[],
  /** How many of `candidates` to score (a caller may reuse a longer array). */
  n: number = candidates.length,
): void {
  out.reset(candidates, n);
  // Name ids for candidates not seen with these rules yet (this may grow the slot arrays).
  for (let i = 0; i < n; i++) {
    const c = candidates[i]!;
    if (c.cache?.rules !== cr) c.cache = cr.attach(c.identity, c.realm, c.identityLower, c.realmLower);
  }
  const gen = cr.nextGeneration();
  applyRules(cr, cr.always, gen);
  for (let k = 0; k < STRING_KEYS.length; k++) {
    const m = cr.plain[k];
    if (m === undefined) continue;
    const v = requestValue(req, k);
    if (v === undefined) continue;
    const list = getLower(m, v);
    if (list !== undefined) applyRules(cr, list, gen);
  }
  for (let k = 0; k < cr.regexRules.length; k++) {
    const i = cr.regexRules[k]!;
    const v = requestValue(req, cr.regexKey[k]!);
    const c = cr.scoreRules[i]!.criterion;
    if (v !== undefined && c !== undefined && 'match' in c && matchesString(c.match, v)) cr.add(cr.ruleTarget[i]!, cr.ruleScore[i]!, cr.ruleWeight[i]!, i, gen);
  }
  if (cr.byApp.size > 0) {
    const list = cr.byApp.get(req.applicationId);
    if (list !== undefined) applyRules(cr, list, gen);
  }
  if (cr.byCc.size > 0) {
    const list = cr.byCc.get(req.commandCode);
    if (list !== undefined) applyRules(cr, list, gen);
  }
  const un = req.userName;
  if (cr.prefixHasEntries && un !== undefined) {
    // Prefix entries come after every rule (their weights win), table by table.
    let order = cr.scoreRules.length;
    for (let t = 0; t < cr.prefixes.length; t++) {
      const p = cr.prefixes[t]!;
      const at = p.longestEntries(un);
      if (at < 0) continue;
      const rec = p.records;
      const end = at + 1 + 3 * rec[at]!;
      for (let j = at + 1; j < end; j += 3) cr.add(rec[j]!, rec[j + 1]!, rec[j + 2]!, order++, gen);
    }
  }
  const app = req.applicationId;
  const dh = req.destinationHost;
  const dr = req.destinationRealm;
  const dhId = dh === undefined ? -1 : (getLower(cr.identityIds, dh) ?? -1);
  const drId = dr === undefined ? -1 : (getLower(cr.realmIds, dr) ?? -1);
  const stamp = cr.slotStamp;
  const slotScore = cr.slotScore;
  const slotWeight = cr.slotWeight;
  const slotWeightOrder = cr.slotWeightOrder;
  const nRegex = cr.regexCount;
  for (let i = 0; i < n; i++) {
    const c = candidates[i]!;
    const cc = c.cache!;
    let score: number = Score.INI;
    if (app !== 0) {
      if (cc.app !== app || cc.apps !== c.applications) {
        cc.app = app;
        cc.apps = c.applications;
        cc.appOk = c.applications.has(app) || c.applications.has(RELAY_APPLICATION_ID);
      }
      if (!cc.appOk) score += Score.NO_DELIVERY;
    }
    if (cc.id === dhId) score += Score.FINALDEST;
    else if (cc.realm === drId) score += Score.REALM;
    // The weight of the last weighted contribution in file order wins, as in the explained path.
    let weight = 0;
    let weightOrder = -1;
    let s = cc.id;
    if (stamp[s] === gen) {
      score += slotScore[s]!;
      if (slotWeightOrder[s]! > weightOrder) {
        weightOrder = slotWeightOrder[s]!;
        weight = slotWeight[s]!;
      }
    }
    s = cc.realm;
    if (stamp[s] === gen) {
      score += slotScore[s]!;
      if (slotWeightOrder[s]! > weightOrder) {
        weightOrder = slotWeightOrder[s]!;
        weight = slotWeight[s]!;
      }
    }
    for (let k = 0; k < nRegex; k++) {
      const t = cr.regexTarget[k]!;
      let hit = cc.regexHit[t]!;
      if (hit === 0) {
        const tg = cr.regexTargets[t]!;
        hit = cc.regexHit[t] = matchesString(tg.match, tg.on === 'identity' ? c.identity : c.realm) ? 2 : 1;
      }
      if (hit === 2) {
        score += cr.regexScore[k]!;
        if (cr.regexWeight[k]! > 0 && cr.regexOrder[k]! > weightOrder) {
          weightOrder = cr.regexOrder[k]!;
          weight = cr.regexWeight[k]!;
        }
      }
    }
    if (redirects !== undefined) for (let k = 0; k < redirects.length; k++) score += redirectDelta(redirects[k]!, cc.idLower);
    out.score[i] = score;
    out.weight[i] = weight;
  }
}

/**
 * rankCandidates over a RouteScores, in place: `order` gets the eligible candidates (score ≥ 0),
 * the top-score group first in a weighted random order, then lower scores, highest first. Same
 * algorithm and the same calls to `random` as rankCandidates, so both give the same order.
 */
export function rankScores(out: RouteScores, random: () => number = Math.random): void {
  const order = out.order;
  const score = out.score;
  const weight = out.weight;
  let m = 0;
  for (let i = 0; i < out.count; i++) if (score[i]! >= 0) order[m++] = i;
  out.eligible = m;
  if (m < 2) return;
  for (let i = 1; i < m; i++) {
    const x = order[i]!;
    const sx = score[x]!;
    let j = i - 1;
    while (j >= 0 && score[order[j]!]! < sx) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = x;
  }
  const top = score[order[0]!]!;
  let n = 1;
  while (n < m && score[order[n]!] === top) n++;
  for (let i = 0; i < n - 1; i++) {
    let total = 0;
    for (let k = i; k < n; k++) total += weight[order[k]!] || 1;
    let r = random() * total;
    let k = i;
    for (; k < n - 1; k++) {
      r -= weight[order[k]!] || 1;
      if (r < 0) break;
    }
    const pick = order[k]!;
    order[k] = order[i]!;
    order[i] = pick;
  }
}
