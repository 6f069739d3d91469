// Routing decision cost (routing issue: 100,000 IMSI-prefix rules, decision <= 2 us).
// Run: npm run bench:routing. One decision = scores for every candidate (core scores, rules,
// longest-prefix lookup) + ranking, as the relay does per request. Median of 7 rounds of
// process CPU time.
import { parsePrefixTable, parseRules } from '../src/routing/rule-parser.js';
import type { RuleSet } from '../src/routing/rule-set.js';
import { rankCandidates, scoreCandidates, type Candidate, type RouteRequest } from '../src/routing/scoring.js';

const REALM = 'epc.mnc001.mcc001.3gppnetwork.org';
const hss = Array.from({ length: 10 }, (_, i) => `hss${String(i).padStart(2, '0')}.${REALM}`);
// As the router keeps them: one object per open peer, lower-case names computed once.
const candidates: Candidate[] = hss.map((identity) => ({ identity, realm: REALM, applications: new Set([16777251]), identityLower: identity.toLowerCase(), realmLower: REALM.toLowerCase() }));

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
const users = Array.from({ length: 1024 }, (_, i) => `00101${String((i * 7919 * 13) % 1e10).padStart(10, '0')}`);
const req: RouteRequest = { applicationId: 16777251, commandCode: 316, originHost: 'mme01', originRealm: REALM, destinationHost: undefined, destinationRealm: REALM, userName: '', sessionId: 'mme01;1' };

const n = 200_000;
let sink = 0;
const round = (): number => {
  // CPU time, not wall time: the figure holds on a shared machine too.
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    req.userName = users[i & 1023];
    sink += rankCandidates(scoreCandidates(req, candidates, rules)).length;
  }
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / n;
};
round();
const rounds = Array.from({ length: 7 }, round).sort((a, b) => a - b);
const ns = rounds[3]!;
console.log(`node ${process.version}; ${table.size.toLocaleString('en')} prefixes loaded in ${loadMs.toFixed(0)} ms; ${candidates.length} candidates, ${rules.rules.length} rules`);
console.log(`routing decision: ${(ns / 1000).toFixed(3)} us (${Math.round(1e9 / ns).toLocaleString('en')}/s), target <= 2 us: ${ns <= 2000 ? 'met' : 'NOT met'} (${sink > 0 ? 'ok' : ''})`);
