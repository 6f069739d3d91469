// Rule files: freeDiameter rt_default's grammar and lexer gotchas (specs/rt-default.md §3, §8),
// POSIX ERE semantics in JavaScript, core scores and rule scores adding up.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileError } from '../../src/errors.js';
import { compilePosixEre } from '../../src/routing/posix-regex.js';
import { scanInteger, tokenize } from '../../src/routing/rule-lexer.js';
import { parsePrefixTable, parseRules } from '../../src/routing/rule-parser.js';
import type { RuleSet } from '../../src/routing/rule-set.js';
import { loadRuleFiles } from '../../src/routing/rules-loader.js';
import { rankCandidates, realmRewrite, scoreCandidates, type Candidate, type RouteRequest } from '../../src/routing/scoring.js';
import { explainRoute } from '../../src/routing/explain.js';

const S6A = 16777251;
const CX = 16777216;

function rules(text: string): RuleSet {
  return { files: ['t.conf'], rules: parseRules(text, 't.conf').rules, prefixTables: [] };
}

function errorOf(text: string): string {
  try {
    parseRules(text, 't.conf');
  } catch (e) {
    expect(e).toBeInstanceOf(FileError);
    return (e as Error).message;
  }
  throw new Error('parsed without error');
}

const req = (over: Partial<RouteRequest> = {}): RouteRequest => ({
  applicationId: S6A,
  commandCode: 316,
  originHost: 'mme.realm-a.test',
  originRealm: 'realm-a.test',
  destinationHost: undefined,
  destinationRealm: 'realm-b.test',
  userName: '001010000000001',
  sessionId: 'mme.realm-a.test;1;2',
  ...over,
});

const peer = (identity: string, realm: string, apps: number[] = [S6A]): Candidate => ({ identity, realm, applications: new Set(apps) });

function scores(rs: RuleSet, r: RouteRequest, cands: Candidate[]): Record<string, number> {
  return Object.fromEntries(scoreCandidates(r, cands, rs).map((s) => [s.candidate.identity, s.score]));
}

describe('lexer', () => {
  it('reads integers like sscanf %i: 010 is 8, 08 is 0, -010 is -8', () => {
    expect(scanInteger('010')).toBe(8);
    expect(scanInteger('08')).toBe(0);
    expect(scanInteger('0189')).toBe(1);
    expect(scanInteger('-010')).toBe(-8);
    expect(scanInteger('70')).toBe(70);
    expect(scanInteger('0')).toBe(0);
  });

  it('keeps comments out and counts lines and columns', () => {
    const t = tokenize('# c\n  * : "a" += 1 ; # tail\n', 'f');
    expect(t.map((x) => x.kind)).toEqual(['*', ':', 'string', '+', '=', 'int', ';', 'eof']);
    expect(t[2]!.pos).toEqual({ file: 'f', line: 2, col: 7 });
  });
});

describe('grammar', () => {
  it('accepts every criterion, target form, keyword case and expression freeDiameter accepts', () => {
    const r = parseRules(
      [
        '* : "proxy" += DEFAULT ;',
        'OH="mme" : rlm="realm" += default+5 ;',
        'or=["^r"] : ["^hss"] += DEFAULT - 5 ;',
        'dh="h" : "p" += -70 ;',
        'dr="r" : "p" += 010 ;',
        'un="0010" : "p" += FINALDEST - REALM + 1 ;',
        'si=["x"] : rlm=["^b"] += NO_DELIVERY ;',
        '',
      ].join('\n'),
      't.conf',
    ).rules;
    expect(r.map((x) => (x.action.kind === 'score' ? x.action.score : NaN))).toEqual([5, 10, 0, -70, 8, 86, -70]);
    expect(r[1]!.criterion).toMatchObject({ key: 'oh' });
    expect(r[2]!.action).toMatchObject({ target: { on: 'identity', match: { kind: 'regex' } } });
    expect(r[6]!.action).toMatchObject({ target: { on: 'realm' } });
    expect(r[0]!.text).toBe('* : "proxy" += DEFAULT ;');
  });

  it('accepts an empty file and one of only comments', () => {
    expect(parseRules('', 'e').rules).toEqual([]);
    expect(parseRules('# nothing\n\n', 'e').rules).toEqual([]);
  });

  it('rejects what freeDiameter rejects, naming line and column', () => {
    expect(errorOf('* : "a" += DEFAULT-5 ;')).toBe("t.conf:1:12: unexpected 'DEFAULT-5' (write 'DEFAULT - 5' or 'DEFAULT+5', and negative scores as '+= -70')");
    expect(errorOf('* : "a" += 5-2 ;')).toMatch(/^t\.conf:1:12: unexpected '5-2'/);
    expect(errorOf('* : "a" += DEFAULT -5 ;')).toBe("t.conf:1:20: expected ';' at the end of the rule, found '-5'");
    expect(errorOf('* : "a" -= 5 ;')).toMatch(/^t\.conf:1:9: expected '\+=' after the target/);
    expect(errorOf('* : [ "x" ] += 5 ;')).toMatch(/^t\.conf:1:5: a regex is written \["\.\.\."\]/);
    expect(errorOf('* : "a" += REDIR_ONCE ;')).toMatch(/^t\.conf:1:12: expected an integer or a score constant/);
    expect(errorOf('* : "a" += 0x10 ;')).toMatch(/^t\.conf:1:12: unexpected '0x10'/);
    expect(errorOf('\n\nxx="a" : "b" += 1 ;')).toMatch(/^t\.conf:3:1: expected \* or a criterion/);
    expect(errorOf('* : "a\n" += 1 ;')).toMatch(/^t\.conf:1:5: unterminated string/);
    expect(errorOf('un=["(a"] : "b" += 1 ;')).toMatch(/^t\.conf:1:6: bad regular expression: unmatched \(/);
    expect(errorOf('* : "a" += 1')).toMatch(/expected ';' at the end of the rule, found end of file/);
  });

  it('accepts the blog form dh="..." as a target (freeDiameter exits at start-up on it)', () => {
    const r = parseRules('dr="realm-b.test" : dh="hss02" += -70 ;', 't.conf').rules[0]!;
    expect(r.action).toMatchObject({ kind: 'score', target: { on: 'identity', match: { kind: 'plain', text: 'hss02' } }, score: -70 });
  });

  it('parses the extensions: app=, cc=, weight=, answer', () => {
    const r = parseRules('app=16777251 : "a" += 5 weight=75 ;\ncc=316 : answer 3004 "busy" ;\n* : answer 5003 ;', 't.conf').rules;
    expect(r[0]).toMatchObject({ criterion: { key: 'app', value: S6A }, action: { weight: 75, score: 5 } });
    expect(r[1]).toMatchObject({ criterion: { key: 'cc', value: 316 }, action: { kind: 'answer', resultCode: 3004, message: 'busy' } });
    expect(r[2]!.action).toEqual({ kind: 'answer', resultCode: 5003, message: undefined });
    expect(errorOf('* : "a" += 5 weight=0 ;')).toMatch(/1:21: expected a positive integer weight/);
    expect(errorOf('* : answer 200 ;')).toMatch(/expected a Result-Code between 1000 and 5999/);
  });
});

describe('POSIX extended regular expressions', () => {
  const m = (re: string, s: string): boolean => compilePosixEre(re).test(s);
  it('searches unanchored and case-sensitively', () => {
    expect(m('0101', '001010000')).toBe(true);
    expect(m('^0101', '001010000')).toBe(false);
    expect(m('HSS', 'hss01')).toBe(false);
  });
  it('keeps bracket-expression meanings: leading ], literal backslash, classes', () => {
    expect(m('[]a]', ']')).toBe(true);
    expect(m('[]a]', 'b')).toBe(false);
    expect(m('[\\d]', 'd')).toBe(true);
    expect(m('[\\d]', '5')).toBe(false);
    expect(m('^[[:digit:]]{15}$', '001010000000001')).toBe(true);
    expect(m('^[[:alpha:]]+$', 'abc1')).toBe(false);
    expect(m('[^[:space:]]', ' \t')).toBe(false);
  });
  it('reads \\d as the letter d, and keeps the GNU word operators', () => {
    expect(m('^\\d$', 'd')).toBe(true);
    expect(m('^\\d$', '1')).toBe(false);
    expect(m('\\<hss', 'x hss01')).toBe(true);
    expect(m('\\<hss', 'xhss01')).toBe(false);
    expect(m('\\.test$', 'a.test')).toBe(true);
  });
  it('repeats a repetition instead of going lazy, and lets . match a newline', () => {
    expect(m('^a+?$', '')).toBe(true); // (a+)? matches the empty string; JS's lazy a+? would not
    expect(m('^a{2}{2}$', 'aaaa')).toBe(true);
    expect(m('a.b', 'a\nb')).toBe(true);
  });
  it('treats a leading * as a literal and a lone { as a literal, like glibc', () => {
    expect(m('*a', 'x*a')).toBe(true);
    expect(m('a{', 'a{')).toBe(true);
    expect(m('(*a)', '*a')).toBe(true);
  });
  it('rejects what glibc rejects', () => {
    expect(() => compilePosixEre('(a')).toThrow(/unmatched/);
    expect(() => compilePosixEre('[a')).toThrow(/unterminated bracket/);
    expect(() => compilePosixEre('[[:nope:]]')).toThrow(/unknown character class/);
    expect(() => compilePosixEre('a{3,2}')).toThrow(/max below min/);
  });
});

describe('scores (freeDiameter core + rt_default)', () => {
  const hss1 = peer('hss1.realm-b.test', 'realm-b.test');
  const hss2 = peer('hss2.realm-b.test', 'realm-b.test');
  const cxOnly = peer('ims-hss.realm-b.test', 'realm-b.test', [CX]);
  const relay = peer('dra2.realm-c.test', 'realm-c.test', [0xffffffff]);
  const other = peer('hss9.realm-z.test', 'realm-z.test');

  it('gives the core scores of specs/rt-default.md §2', () => {
    const s = scores(rules(''), req({ destinationHost: 'hss2.realm-b.test' }), [hss1, hss2, cxOnly, relay, other]);
    expect(s).toEqual({ 'hss1.realm-b.test': 13, 'hss2.realm-b.test': 98, 'ims-hss.realm-b.test': -57, 'dra2.realm-c.test': -2, 'hss9.realm-z.test': -2 });
    // The Destination-Host peer without the application still scores 28 (FINALDEST wins).
    expect(scores(rules(''), req({ destinationHost: 'IMS-HSS.realm-b.test' }), [cxOnly])).toEqual({ 'ims-hss.realm-b.test': 28 });
  });

  it('adds up every matching rule and target', () => {
    const rs = rules(['* : "hss1.realm-b.test" += DEFAULT ;', 'un=["^00101"] : rlm="realm-b.test" += 10 ;', 'un="001010000000001" : "hss1.realm-b.test" += 1 ;', 'oh="other" : "hss1.realm-b.test" += 1000 ;'].join('\n'));
    expect(scores(rs, req(), [hss1, hss2])).toEqual({ 'hss1.realm-b.test': 13 + 5 + 10 + 1, 'hss2.realm-b.test': 13 + 10 });
  });

  it('skips a rule whose AVP is absent; an empty AVP only matches what matches ""', () => {
    const rs = rules('un="" : "hss1.realm-b.test" += 100 ;\nun=["^$"] : "hss2.realm-b.test" += 100 ;');
    expect(scores(rs, req({ userName: undefined }), [hss1, hss2])).toEqual({ 'hss1.realm-b.test': 13, 'hss2.realm-b.test': 13 });
    expect(scores(rs, req({ userName: '' }), [hss1, hss2])).toEqual({ 'hss1.realm-b.test': 113, 'hss2.realm-b.test': 113 });
  });

  it('matches plain strings whole and case-insensitively (freeDiameter: prefix)', () => {
    const rs = rules('* : "HSS1.realm-b.test" += 100 ;\n* : "hss2.realm-b.test.extra" += 100 ;');
    expect(scores(rs, req(), [hss1, hss2])).toEqual({ 'hss1.realm-b.test': 113, 'hss2.realm-b.test': 13 });
  });

  it('ranks only score >= 0, top group first', () => {
    const rs = rules('* : "hss2.realm-b.test" += NO_DELIVERY ;');
    const ranked = rankCandidates(scoreCandidates(req(), [hss1, hss2, other], rs));
    expect(ranked.map((s) => s.candidate.identity)).toEqual(['hss1.realm-b.test']);
  });

  it('reads IMSI-prefix tables; the longest prefix applies', () => {
    const table = parsePrefixTable('00101 : "hss1.realm-b.test" += 100 ;\n001012 : "hss2.realm-b.test" += 100 ;\n', 'p.txt');
    expect(table.size).toBe(2);
    const rs: RuleSet = { files: [], rules: [], prefixTables: [table] };
    expect(scores(rs, req({ userName: '001012345' }), [hss1, hss2])).toEqual({ 'hss1.realm-b.test': 13, 'hss2.realm-b.test': 113 });
    expect(scores(rs, req({ userName: '001019' }), [hss1, hss2])).toEqual({ 'hss1.realm-b.test': 113, 'hss2.realm-b.test': 13 });
    expect(scores(rs, req({ userName: '0010' }), [hss1, hss2])).toEqual({ 'hss1.realm-b.test': 13, 'hss2.realm-b.test': 13 });
  });
});

describe('loading files', () => {
  it('loads rule files and the prefix tables they name, relative to the rule file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'diamond-rules-'));
    writeFileSync(join(dir, 'imsi.txt'), '001012 : "hss-mvno" += 200 ;\n');
    writeFileSync(join(dir, 'a.conf'), 'prefixes "imsi.txt" ;\n* : "x" += 1 ;\n');
    const rs = loadRuleFiles([join(dir, 'a.conf')]);
    expect(rs.rules).toHaveLength(1);
    expect(rs.prefixTables[0]!.size).toBe(1);
  });
  it('names the directive when a prefix table is missing, and the table line when it is bad', () => {
    const dir = mkdtempSync(join(tmpdir(), 'diamond-rules-'));
    writeFileSync(join(dir, 'a.conf'), '\n  prefixes "missing.txt" ;\n');
    expect(() => loadRuleFiles([join(dir, 'a.conf')])).toThrow(/a\.conf:2:3: cannot read rule file .*missing\.txt: ENOENT/);
    writeFileSync(join(dir, 'bad.txt'), '001 : "a" += 1 ;\nabc : "b" += 1 ;\n');
    writeFileSync(join(dir, 'b.conf'), 'prefixes "bad.txt" ;\n');
    expect(() => loadRuleFiles([join(dir, 'b.conf')])).toThrow(/bad\.txt:2:1: expected a digit prefix/);
  });
});

describe('set_realm (inter-realm and MVNO realm rewriting)', () => {
  const roam = peer('dea.ipx.test', 'ipx.test', [0xffffffff]);
  const home = peer('hss1.realm-b.test', 'realm-b.test');
  it('rewrites Destination-Realm by rule (first match) or by the longest IMSI prefix, never with a Destination-Host', () => {
    const table = parsePrefixTable('20801 : set_realm "epc.mnc001.mcc208.3gppnetwork.org" ;\n208011 : set_realm "mvno.example.org" ;\n20801 : "dea.ipx.test" += 5 ;\n', 'p.txt');
    const rs: RuleSet = { files: [], rules: parseRules('un=["^99"] : set_realm "lab.test" ;\nun=["^9"] : set_realm "other.test" ;', 't.conf').rules, prefixTables: [table] };
    expect(realmRewrite(rs, req({ userName: '99123' }))).toEqual({ realm: 'lab.test', source: 't.conf:1:1: un=["^99"] : set_realm "lab.test" ;' });
    expect(realmRewrite(rs, req({ userName: '208010000000001' }))?.realm).toBe('epc.mnc001.mcc208.3gppnetwork.org');
    expect(realmRewrite(rs, req({ userName: '208011000000001' }))?.realm).toBe('mvno.example.org');
    expect(realmRewrite(rs, req({ userName: '208011000000001', destinationHost: 'hss1.realm-b.test' }))).toBeUndefined();
    expect(realmRewrite(rs, req({ userName: '001010000000001' }))).toBeUndefined();
    // The rewritten realm is what the core scores look at.
    const e = explainRoute(req({ userName: '208010000000001' }), [roam, home], rules('* : rlm="epc.mnc001.mcc208.3gppnetwork.org" += 0 ;'));
    expect(e.rewrittenRealm).toBeUndefined(); // this rule set has no set_realm
    const e2 = explainRoute(req({ userName: '208010000000001' }), [roam, home], { ...rs, rules: [...rs.rules, ...rules('* : "dea.ipx.test" += DEFAULT ;').rules] });
    expect(e2.rewrittenRealm?.realm).toBe('epc.mnc001.mcc208.3gppnetwork.org');
    expect(e2.winners).toEqual(['dea.ipx.test']);
  });
  it('rejects a set_realm that is not a realm', () => {
    expect(errorOf('* : set_realm "not a realm" ;')).toMatch(/^t\.conf:1:15: expected a realm/);
    expect(errorOf('* : set_realm ;')).toMatch(/expected a "realm" after set_realm/);
  });
});

describe('the relay path scores exactly as the explained path', () => {
  it('agrees on every score and weight over mixed rule sets, requests and candidates', () => {
    const texts = [
      '* : "hss1.realm-b.test" += DEFAULT ;\nun=["^00101"] : rlm="realm-b.test" += 10 weight=3 ;\ndr="REALM-B.test" : ["^hss2"] += 7 ;',
      'app=16777251 : "ims-hss.realm-b.test" += NO_DELIVERY ;\n* : "hss2.realm-b.test" += 50 weight=75 ;\n* : "hss1.realm-b.test" += 50 weight=25 ;\n* : "hss2.realm-b.test" += 1 weight=9 ;',
      'oh="mme.realm-a.test" : rlm=["b\\\\.test$"] += 3 ;\nsi=["^mme"] : "HSS1.realm-b.test" += 4 ;\ncc=316 : "hss9.realm-z.test" += 200 ;',
    ];
    const cands = [peer('hss1.realm-b.test', 'realm-b.test'), peer('hss2.realm-b.test', 'realm-b.test'), peer('ims-hss.realm-b.test', 'realm-b.test', [CX]), peer('hss9.realm-z.test', 'realm-z.test')];
    const table = parsePrefixTable('00101 : "hss2.realm-b.test" += 30 weight=2 ;\n001012 : rlm="realm-z.test" += 5 ;\n', 'p.txt');
    const reqs = [req(), req({ userName: '001012999', destinationHost: 'hss9.realm-z.test' }), req({ userName: undefined, sessionId: 'x', commandCode: 318 }), req({ applicationId: CX })];
    for (const t of texts) {
      for (const prefixTables of [[], [table]]) {
        const rs: RuleSet = { files: [], rules: parseRules(t, 't.conf').rules, prefixTables };
        for (const r of reqs) {
          const fast = scoreCandidates(r, cands, rs, false).map((s) => [s.candidate.identity, s.score, s.weight]);
          const slow = scoreCandidates(r, cands, rs, true).map((s) => [s.candidate.identity, s.score, s.weight]);
          expect(fast).toEqual(slow);
        }
      }
    }
  });
});
