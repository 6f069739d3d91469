// Routing decision cost (routing issue: 100,000 IMSI-prefix rules, decision <= 2 us).
// Run: npm run bench:routing. One decision = scores for every candidate (core scores, rules,
// longest-prefix lookup) + ranking, as the relay does per request: into reused arrays
// (scoreInto + rankScores on the compiled rule set). The second figure is the same decision
// through scoreCandidates + rankCandidates, which build Scored objects (rules explain, tests).
// Median of 7 rounds of process CPU time. `-- --rounds R --decisions N` change the run (for
// instruction counts under valgrind: two runs that differ only in R give the cost of
// (R2-R1)*N decisions, setup cancelled); `-- --only relay` skips the second figure.
import { compileRules } from '../src/routing/compiled-rules.js';
import { parsePrefixTable, parseRules } from '../src/routing/rule-parser.js';
import type { RuleSet } from '../src/routing/rule-set.js';
import { rankScores, RouteScores, scoreInto } from '../src/routing/relay-scoring.js';
import { rankCandidates, scoreCandidates, type Candidate, type RouteRequest } from '../src/routing/scoring.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const n = Number(arg('--decisions', '200000'));
const roundCount = Number(arg('--rounds', '7'));
const only = arg('--only', '');

const REALM = 'epc.mnc001.mcc001.3gppnetwork.org';
const hss = Array.from({ length: 10 }, (_, i) => `hss${String(i).padStart(2, '0')}.${REALM}`);
// As the router keeps them: one object per open peer, lower-case names computed once.
const candidates: Candidate[] = hss.map((identity) => ({ identity, realm: REALM, applications: new Set([16777251]), identityLower: identity.toLowerCase(), realmLower: REALM.toLowerCase(), cache: undefined }));

// 100,000 distinct IMSI ranges (MCC/MNC + 5 digits), each to one of the HSSes: every lookup hits.
const lines: string[] = [];
for (let i = 0; i < 100_000; i++) lines.push(`00101${String(i).padStart(5, '0')} : "${hss[i % hss.length]}" += 200 ;`);
const t0 = performance.now();
const table = parsePrefixTable(lines.join('\n'), 'bench-prefixes.txt');
const loadMs = performance.now() - t0;
const rules: RuleSet = {
  files: [],
  rules: parseRules(`dr="${REALM}" : "${hss[3]}" += 50 ;\ndr="${REALM}" : "${hss[4]}" += 50 ;\nun=["^99"] : rlm="${REALM}" += NO_DELIVERY ;\napp=16777216 : "${hss[9]}" += NO_DELIVERY ;\n`, 'bench.conf').rules,
  prefixTables: [table],
};
const t1 = performance.now();
const compiled = compileRules(rules);
const compileMs = performance.now() - t1;
const users = Array.from({ length: 1024 }, (_, i) => `00101${String((i * 7919 * 13) % 1e10).padStart(10, '0')}`);
const req: RouteRequest = { applicationId: 16777251, commandCode: 316, originHost: 'mme01', originRealm: REALM, destinationHost: undefined, destinationRealm: REALM, userName: '', sessionId: 'mme01;1' };

let sink = 0;
const scores = new RouteScores();
const relayPath = (): void => {
  for (let i = 0; i < n; i++) {
    req.userName = users[i & 1023];
    scoreInto(scores, req, candidates, compiled);
    rankScores(scores);
    sink += scores.eligible;
  }
};
const objectPath = (): void => {
  for (let i = 0; i < n; i++) {
    req.userName = users[i & 1023];
    sink += rankCandidates(scoreCandidates(req, candidates, rules)).length;
  }
};

/** Median ns per decision over the rounds, after one warm-up round. */
function measure(body: () => void): number {
  const round = (): number => {
    // CPU time, not wall time: the figure holds on a shared machine too.
    const start = process.cpuUsage();
    body();
    const used = process.cpuUsage(start);
    return ((used.user + used.system) * 1000) / n;
  };
  round();
  const rounds = Array.from({ length: roundCount }, round).sort((a, b) => a - b);
  return rounds[roundCount >> 1]!;
}

const fmt = (ns: number): string => `${(ns / 1000).toFixed(3)} us (${Math.round(1e9 / ns).toLocaleString('en')}/s)`;
console.log(`node ${process.version}; ${table.size.toLocaleString('en')} prefixes loaded in ${loadMs.toFixed(0)} ms, compiled in ${compileMs.toFixed(0)} ms; ${candidates.length} candidates, ${rules.rules.length} rules`);
const ns = measure(relayPath);
console.log(`routing decision (relay path): ${fmt(ns)}, target <= 2 us: ${ns <= 2000 ? 'met' : 'NOT met'} (${sink > 0 ? 'ok' : ''})`);
if (only !== 'relay') console.log(`the same as Scored objects (scoreCandidates + rankCandidates): ${fmt(measure(objectPath))}`);
