// The relay path's compiled scoring (compiled-rules.ts, prefix-index.ts, scoreInto/rankScores)
// against the explained path, which walks the rule set rule by rule and stays the reference:
// random rule sets, prefix tables, requests and candidates from a seeded generator, and the
// corners that a lookup-based matcher could get wrong, written out.
import { describe, expect, it } from 'vitest';
import { compileRules } from '../../src/routing/compiled-rules.js';
import { PrefixIndex } from '../../src/routing/prefix-index.js';
import { parsePrefixTable, parseRules } from '../../src/routing/rule-parser.js';
import { longestPrefix, longestRealm, type RuleSet } from '../../src/routing/rule-set.js';
import { rankScores, RouteScores, scoreInto } from '../../src/routing/relay-scoring.js';
import { answerRule, rankCandidates, realmRewrite, scoreCandidates, type Candidate, type RouteRequest } from '../../src/routing/scoring.js';
import { prng } from '../support/prng.js';

const S6A = 16777251;
const CX = 16777216;
const RELAY = 0xffffffff;

const HOSTS = ['hss1.realm-b.test', 'HSS2.Realm-B.test', 'hss3.realm-c.test', 'ims.realm-b.test', 'dea.ipx.test', 'hss1.realm-b.test.extra'];
const REALMS = ['realm-b.test', 'Realm-C.test', 'ipx.test', 'realm-z.test'];
const USERS = ['001010000000001', '001012345678901', '0010123', '00101', '208011000000001', '208019', '99123', '', 'abc001', '001010000000001@ims.mnc001.mcc001.3gppnetwork.org', '0010100000000012345678901'];

function gen(seed: number): { rules: RuleSet; requests: RouteRequest[]; candidates: Candidate[] } {
  const r = prng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const str = (xs: readonly string[]): string => (r() < 0.5 ? pick(xs) : pick(xs).toUpperCase());
  const criteria = [
    () => '*',
    () => `oh="${str(['mme.realm-a.test', 'other'])}"`,
    () => `or="${str(['realm-a.test', 'x'])}"`,
    () => `dh="${str(HOSTS)}"`,
    () => `dr="${str(REALMS)}"`,
    () => `un="${pick(USERS.filter((u) => u !== ''))}"`,
    () => `si=["^mme"]`,
    () => `un=["^0010${Math.floor(r() * 3)}"]`,
    () => `dr=["b\\.test$"]`,
    () => `app=${pick([S6A, CX, 4])}`,
    () => `cc=${pick([316, 318])}`,
  ];
  const targets = [() => `"${str(HOSTS)}"`, () => `rlm="${str(REALMS)}"`, () => `["^hss[12]"]`, () => `rlm=["^realm-"]`, () => `dh="${str(HOSTS)}"`];
  const score = (): string => pick(['DEFAULT', 'NO_DELIVERY', '10', '-3', 'FINALDEST', 'REALM + 1', '0']);
  const weight = (): string => (r() < 0.3 ? ` weight=${1 + Math.floor(r() * 9)}` : '');
  const lines: string[] = [];
  for (let i = 0, n = 1 + Math.floor(r() * 12); i < n; i++) {
    const kind = r();
    if (kind < 0.06) lines.push(`${pick(criteria)()} : answer 3004 ;`);
    else if (kind < 0.12) lines.push(`${pick(criteria)()} : set_realm "${pick(['mvno.test', 'realm-z.test'])}" ;`);
    else lines.push(`${pick(criteria)()} : ${pick(targets)()} += ${score()}${weight()} ;`);
  }
  const tables = [];
  for (let t = 0, n = Math.floor(r() * 3); t < n; t++) {
    const pl: string[] = [];
    for (let i = 0, m = Math.floor(r() * 8); i < m; i++) {
      const prefix = pick(['0', '00101', '001012', '0010123', '0010100000', '208', '20801', '208011', '00101000000000123456', '9']);
      if (r() < 0.25) pl.push(`${prefix} : set_realm "${pick(['mvno.test', 'realm-z.test'])}" ;`);
      else pl.push(`${prefix} : ${pick(targets)()} += ${score()}${weight()} ;`);
    }
    tables.push(parsePrefixTable(pl.join('\n'), `p${t}.txt`));
  }
  const requests: RouteRequest[] = [];
  for (let i = 0; i < 12; i++) {
    requests.push({
      applicationId: pick([S6A, CX, 4]),
      commandCode: pick([316, 318]),
      originHost: r() < 0.8 ? str(['mme.realm-a.test', 'other']) : undefined,
      originRealm: r() < 0.8 ? str(['realm-a.test', 'x']) : undefined,
      destinationHost: r() < 0.3 ? str(HOSTS) : undefined,
      destinationRealm: r() < 0.9 ? str(REALMS) : undefined,
      userName: r() < 0.85 ? pick(USERS) : undefined,
      sessionId: r() < 0.9 ? pick(['mme.realm-a.test;1', 'x;2']) : undefined,
    });
  }
  const candidates: Candidate[] = [];
  for (const h of HOSTS) {
    if (r() < 0.2) continue;
    const apps = new Set(r() < 0.2 ? [RELAY] : r() < 0.3 ? [CX] : [S6A]);
    const c: Candidate = { identity: h, realm: str(REALMS), applications: apps };
    if (r() < 0.5) {
      c.identityLower = c.identity.toLowerCase();
      c.realmLower = c.realm.toLowerCase();
    }
    candidates.push(c);
  }
  return { rules: { files: [], rules: parseRules(lines.join('\n'), 'g.conf').rules, prefixTables: tables }, requests, candidates };
}

const view = (rs: RuleSet, r: RouteRequest, cs: Candidate[], explain: boolean): [string, number, number | undefined][] =>
  scoreCandidates(r, cs, rs, explain).map((s) => [s.candidate.identity, s.score, s.weight]);

describe('the relay path against the explained path', () => {
  it('gives the same scores, weights, rankings, answer rules and realm rewrites over 400 random rule sets', () => {
    let compared = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const { rules, requests, candidates } = gen(seed);
      const cr = compileRules(rules);
      const out = new RouteScores();
      for (const req of requests) {
        const slow = view(rules, req, candidates, true);
        expect(view(rules, req, candidates, false), `seed ${seed}`).toEqual(slow);
        // The allocation-free form, and its ranking with the same random draws.
        scoreInto(out, req, candidates, cr);
        expect(Array.from(out.score.subarray(0, candidates.length))).toEqual(slow.map((s) => s[1]));
        expect(Array.from(out.weight.subarray(0, candidates.length))).toEqual(slow.map((s) => s[2] ?? 0));
        const seedR = seed * 31 + compared;
        const ranked = rankCandidates(scoreCandidates(req, candidates, rules, true), prng(seedR)).map((s) => s.candidate.identity);
        rankScores(out, prng(seedR));
        expect(Array.from(out.order.subarray(0, out.eligible), (i) => candidates[i]!.identity), `seed ${seed}`).toEqual(ranked);
        expect(answerRule(cr, req)).toBe(answerRule(rules, req));
        expect(realmRewrite(cr, req)).toEqual(realmRewrite(rules, req));
        compared++;
      }
    }
    expect(compared).toBe(400 * 12);
  });

  it('finds the same longest prefix as the string table, for hashed, long and non-digit values', () => {
    const t = parsePrefixTable(
      [
        '0 : "a" += 1 ;',
        '00101 : "b" += 2 ;',
        '001012 : set_realm "mvno.test" ;',
        '0010123456789 : "c" += 3 ;', // 13 digits: two halves
        '001012345678901234 : "d" += 4 ;', // 18: the longest hashed
        '0010123456789012345 : "e" += 5 ;', // 19: the string fallback
        '0010123456789012345 : set_realm "long.test" ;',
        '9 : set_realm "nine.test" ;',
      ].join('\n'),
      'p.txt',
    );
    const ix = new PrefixIndex(t, () => 0);
    const values = ['', '0', '00', '0010', '00101', '001012', '0010123456789', '001012345678901234', '0010123456789012345', '00101234567890123456', '00101x', '0x', 'x0', '9', '99', '001012345678@realm', '1'];
    for (const v of values) {
      const at = ix.longestEntries(v);
      const want = longestPrefix(t, v);
      if (!want) expect(at, v).toBe(-1);
      else {
        expect(at, v).toBeGreaterThan(0);
        expect(ix.records[at + 2], v).toBe(want[0]!.score);
      }
      expect(ix.longestRealm(v), v).toBe(longestRealm(t, v));
    }
    expect(ix.records[ix.longestEntries('0010123456789012345')! + 2]).toBe(5);
    expect(ix.longestRealm('0010123456789012345')?.realm).toBe('long.test');
    expect(ix.longestRealm('0010129')?.realm).toBe('mvno.test');
  });

  it('finds every one of 20,000 prefixes, and no neighbour that is not in the table', () => {
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(`${String(20_000_000 + i * 7)} : "h${i % 5}" += ${i} ;`);
    const t = parsePrefixTable(lines.join('\n'), 'big.txt');
    const ix = new PrefixIndex(t, () => 0);
    const wrong: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const at = ix.longestEntries(`${20_000_000 + i * 7}12345`);
      if (at < 0 || ix.records[at + 2] !== i) wrong.push(`${20_000_000 + i * 7}`);
      if (ix.longestEntries(`${20_000_000 + i * 7 + 1}12345`) !== -1) wrong.push(`${20_000_000 + i * 7 + 1} found`);
    }
    expect(wrong).toEqual([]);
  });

  it('matches plain criteria whole, case-insensitively, and never across a change of length', () => {
    const rs: RuleSet = { files: [], rules: parseRules('un="i\u0307" : "a" += 10 ;\ndr="REALM-B.TEST" : "a" += 1 ;\nun="0010" : "a" += 100 ;', 't.conf').rules, prefixTables: [] };
    const cs: Candidate[] = [{ identity: 'a', realm: 'realm-b.test', applications: new Set([S6A]) }];
    const r = (userName: string): RouteRequest => ({ applicationId: S6A, commandCode: 316, originHost: undefined, originRealm: undefined, destinationHost: undefined, destinationRealm: 'realm-B.test', userName, sessionId: undefined });
    // 'İ' lower-cases to "i̇" (two code units): the explained path's length check refuses it.
    for (const u of ['\u0130', 'i\u0307', 'I\u0307', '00101', '001']) expect(view(rs, r(u), cs, false), u).toEqual(view(rs, r(u), cs, true));
    expect(view(rs, r('\u0130'), cs, false)[0]![1]).toBe(-2 + 15 + 1);
    expect(view(rs, r('I\u0307'), cs, false)[0]![1]).toBe(-2 + 15 + 1 + 10);
  });

  it('keeps candidate objects correct across rule reloads and changed applications', () => {
    const a = compileRules({ files: [], rules: parseRules('* : "hss1" += 10 ;', 'a.conf').rules, prefixTables: [] }).source;
    const b = compileRules({ files: [], rules: parseRules('* : rlm="r" += 20 ;\n* : ["^hss2"] += 5 ;', 'b.conf').rules, prefixTables: [] }).source;
    const cs: Candidate[] = [
      { identity: 'hss1', realm: 'r', applications: new Set([S6A]), cache: undefined },
      { identity: 'hss2', realm: 'r', applications: new Set([CX]), cache: undefined },
    ];
    const req: RouteRequest = { applicationId: S6A, commandCode: 316, originHost: undefined, originRealm: undefined, destinationHost: undefined, destinationRealm: 'r', userName: undefined, sessionId: undefined };
    for (const rs of [a, b, a, b]) expect(view(rs, req, cs, false)).toEqual(view(rs, req, cs, true));
    cs[1]!.applications = new Set([S6A]);
    expect(view(b, req, cs, false)).toEqual(view(b, req, cs, true));
    expect(view(b, { ...req, applicationId: CX }, cs, false)).toEqual(view(b, { ...req, applicationId: CX }, cs, true));
  });

  it('scores no more candidates than it is told, with the rest of the array left alone', () => {
    const rs: RuleSet = { files: [], rules: parseRules('* : "b" += 50 ;', 't.conf').rules, prefixTables: [] };
    const cs: Candidate[] = ['a', 'b', 'c'].map((identity) => ({ identity, realm: 'r', applications: new Set([S6A]) }));
    const out = new RouteScores();
    const req: RouteRequest = { applicationId: S6A, commandCode: 316, originHost: undefined, originRealm: undefined, destinationHost: undefined, destinationRealm: 'r', userName: undefined, sessionId: undefined };
    scoreInto(out, req, cs, compileRules(rs), undefined, 1);
    rankScores(out);
    expect(out.count).toBe(1);
    expect(Array.from(out.order.subarray(0, out.eligible))).toEqual([0]);
    scoreInto(out, req, cs, compileRules(rs));
    rankScores(out);
    expect(cs[out.order[0]!]!.identity).toBe('b');
  });
});
