// "Where would this request go, and why": every candidate with its score and the rules that
// gave it, the order peers would be tried in, and the top-score group the winner comes from.
// The same answer offline (candidates from the configuration) and live (the open peers).
import type { RuleSet } from './rule-set.js';
import { answerRule, rankCandidates, realmRewrite, scoreCandidates, type Candidate, type Contribution, type RouteRequest } from './scoring.js';

export interface RouteExplanation {
  request: RouteRequest;
  /** Destination-Realm after a set_realm rule, and the rule; undefined when unchanged. */
  rewrittenRealm?: { realm: string; source: string };
  /** "relay to X", "answer N (rule)", or "no eligible candidate". */
  decision: string;
  candidates: { identity: string; realm: string; score: number; weight: number | undefined; eligible: boolean; reasons: Contribution[] }[];
  /** Identities in the order they would be tried; ties at the top are drawn per request. */
  order: string[];
  /** The top-score group the winner is drawn from. */
  winners: string[];
}

export function explainRoute(
  req: RouteRequest,
  candidates: readonly Candidate[],
  rules: RuleSet,
  adjust?: (c: Candidate, add: (delta: number, source: string) => void) => void,
): RouteExplanation {
  const blocked = answerRule(rules, req);
  const rewrite = realmRewrite(rules, req);
  const original = req;
  if (rewrite) req = { ...req, destinationRealm: rewrite.realm };
  const scored = scoreCandidates(req, candidates, rules, true, adjust);
  const ranked = rankCandidates(scored);
  const top = ranked[0]?.score;
  let decision = ranked.length ? `relay to one of: ${ranked.filter((s) => s.score === top).map((s) => s.candidate.identity).join(', ')}` : 'no eligible candidate: answer 3002 (3003 for an unknown realm)';
  if (blocked?.action.kind === 'answer') decision = `answer ${blocked.action.resultCode} (rule ${blocked.pos.file}:${blocked.pos.line}:${blocked.pos.col})`;
  return {
    request: original,
    ...(rewrite && { rewrittenRealm: rewrite }),
    decision,
    candidates: [...scored]
      .sort((a, b) => b.score - a.score)
      .map((s) => ({ identity: s.candidate.identity, realm: s.candidate.realm, score: s.score, weight: s.weight, eligible: s.score >= 0, reasons: s.reasons })),
    order: ranked.map((s) => s.candidate.identity),
    winners: ranked.filter((s) => s.score === top).map((s) => s.candidate.identity),
  };
}

/** Plain-text rendering for the CLI. */
export function formatExplanation(e: RouteExplanation): string {
  const r = e.request;
  const lines = [
    `request: application ${r.applicationId}, command ${r.commandCode}` +
      [['Origin-Host', r.originHost], ['Origin-Realm', r.originRealm], ['Destination-Host', r.destinationHost], ['Destination-Realm', r.destinationRealm], ['User-Name', r.userName], ['Session-Id', r.sessionId]]
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `, ${k}=${v}`)
        .join(''),
    ...(e.rewrittenRealm ? [`Destination-Realm rewritten to ${e.rewrittenRealm.realm} by ${e.rewrittenRealm.source}`] : []),
    `decision: ${e.decision}`,
    'candidates:',
  ];
  for (const c of e.candidates) {
    lines.push(`  ${c.eligible ? ' ' : 'x'} ${String(c.score).padStart(5)}  ${c.identity} (realm ${c.realm})${c.weight !== undefined ? ` weight ${c.weight}` : ''}`);
    for (const why of c.reasons) lines.push(`           ${why.delta >= 0 ? '+' : ''}${why.delta}  ${why.source}`);
  }
  if (e.candidates.length === 0) lines.push('  (none)');
  return `${lines.join('\n')}\n`;
}
