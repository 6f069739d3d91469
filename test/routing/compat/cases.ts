// Decision-compatibility cases: rule files (rt_default syntax) and requests for which Diamond must
// pick the same next hop, or the same set of peers tied at the top score, as freeDiameter 1.2.1's
// core + rt_default (shared/specs/rt-default.md §2, §3, §8). Each group is one rule file, loaded
// once by each side. The scores in the notes are freeDiameter's: INI -2, NO_DELIVERY -70, REALM 15,
// FINALDEST 100; a case lists every peer tied at the top. `freeDiameter`/`diamond` replace
// `winners` only where Diamond deliberately differs (docs/routing.md "Where Diamond differs").
import { S6A } from '../../support/scripted-peer.js';

export const CX = 16777216;

export const CLIENT = { identity: 'mme.realm-a.test', realm: 'realm-a.test', applications: [S6A] } as const;

export interface Server {
  identity: string;
  realm: string;
  /** Applications it advertises in its CER. */
  applications: number[];
}

export const H1 = 'hss1.realm-b.test';
export const H2 = 'hss2.realm-b.test';
export const H3 = 'hss3.realm-b.test';
export const HCX = 'hss-cx.realm-b.test';
export const H9 = 'hss9.realm-c.test';

/** The relay's peers besides the client: the same five for every rule file. */
export const SERVERS: readonly Server[] = [
  { identity: H1, realm: 'realm-b.test', applications: [S6A] },
  { identity: H2, realm: 'realm-b.test', applications: [S6A] },
  { identity: H3, realm: 'realm-b.test', applications: [S6A] },
  // Cx only: NO_DELIVERY (-70) for S6a requests.
  { identity: HCX, realm: 'realm-b.test', applications: [CX] },
  { identity: H9, realm: 'realm-c.test', applications: [S6A] },
];

/** What the client puts in its S6a ULR (Origin-Host/Realm are always the client's). */
export interface CaseRequest {
  destinationRealm: string;
  destinationHost?: string;
  userName?: string;
  /** Default: `mme.realm-a.test;compat;N`. */
  sessionId?: string;
}

export interface CompatCase {
  name: string;
  request: CaseRequest;
  /** The peer, or the set tied at the top score, that both pick. */
  winners: string[];
  /** A documented difference: what each one picks instead of `winners` (freeDiameter may not answer at all). */
  difference?: { freeDiameter: string[] | 'no answer'; diamond: string[]; why: string };
  note: string;
}

export interface RuleFileGroup {
  name: string;
  rules: string;
  cases: CompatCase[];
}

const B = 'realm-b.test';
const C = 'realm-c.test';

export const GROUPS: readonly RuleFileGroup[] = [
  {
    name: 'core',
    rules: '# No rules: freeDiameter core scores only.\n',
    cases: [
      { name: 'Destination-Realm peers tie', request: { destinationRealm: B }, winners: [H1, H2, H3], note: 'hss1-3 13; hss-cx -57 (no S6a); hss9 -2' },
      { name: 'Destination-Host peer wins', request: { destinationRealm: B, destinationHost: H2 }, winners: [H2], note: 'hss2 98 (FINALDEST, not also REALM); hss1, hss3 13' },
      { name: 'Destination-Host in another realm beats the realm peers', request: { destinationRealm: B, destinationHost: H9 }, winners: [H9], note: 'hss9 98; realm-b peers 13' },
      { name: 'Destination-Host without the application still wins', request: { destinationRealm: B, destinationHost: HCX }, winners: [HCX], note: 'hss-cx -2-70+100 = 28 > 13' },
      { name: 'a short Destination-Host matches nobody: realm fallback', request: { destinationRealm: B, destinationHost: 'hss1' }, winners: [H1, H2, H3], note: 'identities compare whole; 13 each' },
      { name: 'Destination-Host compares case-insensitively', request: { destinationRealm: B, destinationHost: 'HSS2.Realm-B.TEST' }, winners: [H2], note: 'hss2 98' },
      { name: 'Destination-Realm compares case-insensitively', request: { destinationRealm: 'REALM-B.Test' }, winners: [H1, H2, H3], note: '13 each' },
      { name: 'the only peer of a realm', request: { destinationRealm: C }, winners: [H9], note: 'hss9 13; the rest -2 or -72' },
    ],
  },
  {
    name: 'seed',
    rules: [
      '# A ban, a default bonus, an exact IMSI, a range, a forced route, rules adding up',
      'dr="realm-b.test" : "hss2.realm-b.test" += NO_DELIVERY ;',
      '* : "hss9.realm-c.test" += DEFAULT ;   # 3: never beats a realm peer',
      'un="001019999999999" : "hss1.realm-b.test" += 200 ;',
      'un=["^001012"] : "hss3.realm-b.test" += 200 ;',
      'un=["99999"] : rlm="realm-c.test" += FINALDEST ;',
      'un=["^lab-"] : "hss2.realm-b.test" += 200 ;',
      '',
    ].join('\n'),
    cases: [
      { name: 'NO_DELIVERY bans; `* += DEFAULT` does not beat a realm peer', request: { destinationRealm: B }, winners: [H1, H3], note: 'hss1, hss3 13; hss9 3; hss2 -57' },
      { name: 'Destination-Host wins even with NO_DELIVERY', request: { destinationRealm: B, destinationHost: H2 }, winners: [H2], note: 'hss2 -2+100-70 = 28 > 13' },
      { name: 'exact IMSI', request: { destinationRealm: B, userName: '001019999999999' }, winners: [H1], note: 'hss1 213; hss9 3+100 = 103 (the unanchored "99999" matches too)' },
      { name: 'anchored IMSI range', request: { destinationRealm: B, userName: '001012000000042' }, winners: [H3], note: 'hss3 213' },
      { name: 'unanchored regex + rlm= FINALDEST forces another realm', request: { destinationRealm: B, userName: '001010000999990' }, winners: [H9], note: 'hss9 -2+5+100 = 103 > 13' },
      { name: 'a bonus outweighs a ban (scores add up)', request: { destinationRealm: B, userName: 'lab-0001' }, winners: [H2], note: 'hss2 13-70+200 = 143' },
      { name: 'regexes are case-sensitive', request: { destinationRealm: B, userName: 'LAB-0001' }, winners: [H1, H3], note: '"^lab-" does not match; as without User-Name' },
    ],
  },
  {
    name: 'integers',
    rules: [
      "# C's %i: 010 is 8, 020 is 16, 08 is 0; expressions left to right; keywords in any case",
      '* : "hss1.realm-b.test" += 010 ;',
      '* : "hss2.realm-b.test" += 9 ;',
      '* : "hss3.realm-b.test" += 08 ;',
      'dr="realm-c.test" : "hss3.realm-b.test" += REALM + 020 - 1 ;',
      'DR="realm-b.test" : RLM="realm-c.test" += default + Default_Realm ;',
      '',
    ].join('\n'),
    cases: [
      { name: 'octal 010 = 8 loses to 9', request: { destinationRealm: B }, winners: [H2], note: 'hss2 22 > hss1 21 (23 if 010 were ten); hss3 13; hss9 -2+15 = 13' },
      { name: 'a rule routes another realm to a realm-b peer', request: { destinationRealm: C }, winners: [H3], note: 'hss3 -2+0+30 = 28 > hss9 13; hss1 6, hss2 7' },
    ],
  },
  {
    name: 'criteria',
    rules: [
      '# Every criterion key, regex targets, and scores adding up over rules',
      'oh="mme.realm-a.test" : "hss1.realm-b.test" += 3 ;',
      'or=["^realm-a\\."] : "hss1.realm-b.test" += 3 ;',
      'or="realm-x.test" : "hss2.realm-b.test" += 50 ;',
      'si=["^mme\\.realm-a\\.test;vip;"] : ["^hss[23]\\."] += 20 ;',
      'si=["gold"] : "hss3.realm-b.test" += 1 ;',
      'dh="hss2.realm-b.test" : "hss3.realm-b.test" += FINALDEST ;',
      'dr=["^realm-c"] : rlm=["^realm-b\\.test$"] += -70 ;',
      'un="IMSI-ABC" : "hss2.realm-b.test" += 40 ;',
      '',
    ].join('\n'),
    cases: [
      { name: 'oh= and or= add up', request: { destinationRealm: B }, winners: [H1], note: 'hss1 13+3+3 = 19; hss2, hss3 13' },
      { name: 'a regex target ties two peers', request: { destinationRealm: B, sessionId: 'mme.realm-a.test;vip;1' }, winners: [H2, H3], note: 'hss2, hss3 33; hss1 19' },
      { name: 'one more point breaks the tie', request: { destinationRealm: B, sessionId: 'mme.realm-a.test;vip;gold' }, winners: [H3], note: 'hss3 34; hss2 33' },
      { name: 'a dh= rule outbids the Destination-Host peer', request: { destinationRealm: B, destinationHost: H2 }, winners: [H3], note: 'hss3 13+100 = 113 > hss2 98' },
      { name: 'the Destination-Host peer wins despite a realm-wide -70', request: { destinationRealm: C, destinationHost: H1 }, winners: [H1], note: 'hss1 -2+100+6-70 = 34 > hss9 13' },
      { name: 'plain strings compare case-insensitively', request: { destinationRealm: B, userName: 'imsi-abc' }, winners: [H2], note: 'hss2 13+40 = 53' },
    ],
  },
  {
    name: 'differences',
    rules: [
      '# Plain strings: freeDiameter also matches when the value is a prefix of the configured string',
      'un="001019999999999" : "hss1.realm-b.test" += 200 ;',
      'dr="realm-c.test" : "hss3.realm-b.test.retired" += 200 ;',
      '',
    ].join('\n'),
    cases: [
      { name: 'the whole IMSI', request: { destinationRealm: B, userName: '001019999999999' }, winners: [H1], note: 'hss1 213' },
      { name: 'a longer IMSI matches neither', request: { destinationRealm: B, userName: '0010199999999999999' }, winners: [H1, H2, H3], note: '13 each' },
      {
        name: 'a short IMSI that is a prefix of the configured one',
        request: { destinationRealm: B, userName: '0010199999' },
        winners: [],
        difference: { freeDiameter: [H1], diamond: [H1, H2, H3], why: 'plain strings match whole in Diamond' },
        note: 'freeDiameter: hss1 213; Diamond: 13 each',
      },
      {
        name: 'a peer whose identity is a prefix of the configured target',
        request: { destinationRealm: C },
        winners: [],
        difference: { freeDiameter: [H3], diamond: [H9], why: 'plain strings match whole in Diamond' },
        note: 'freeDiameter: hss3 -2+200 = 198; Diamond: hss9 13, hss3 -2',
      },
      {
        name: 'an empty User-Name while un= rules exist',
        request: { destinationRealm: B, userName: '' },
        winners: [],
        difference: { freeDiameter: 'no answer', diamond: [H1, H2, H3], why: 'Diamond never leaves a request unanswered' },
        note: 'freeDiameter drops the request silently; Diamond: the empty value matches no plain string, 13 each',
      },
    ],
  },
  {
    name: 'mixed-case',
    rules: [
      "# freeDiameter sorts plain targets case-sensitively but stops its lookup case-insensitively:",
      '# "HSS3..." sorts before "hss1...", and the lookup for peer hss1 stops there.',
      'un="mixed" : "HSS3.realm-b.test" += 1 ;',
      'un="mixed" : "hss1.realm-b.test" += 2 ;',
      '',
    ].join('\n'),
    cases: [
      { name: 'no criterion: the realm tie', request: { destinationRealm: B }, winners: [H1, H2, H3], note: '13 each' },
      {
        name: 'a lower-case target after a mixed-case one',
        request: { destinationRealm: B, userName: 'mixed' },
        winners: [],
        difference: { freeDiameter: [H3], diamond: [H1], why: 'Diamond matches every plain string case-insensitively' },
        note: 'freeDiameter: hss3 14, hss1 13 (its +2 missed); Diamond: hss1 15, hss3 14',
      },
    ],
  },
];

/** What each side is expected to pick for a case. */
export function expected(c: CompatCase, side: 'freeDiameter' | 'diamond'): string[] | 'no answer' {
  const want = c.difference ? c.difference[side] : c.winners;
  return want === 'no answer' ? want : [...want].sort();
}
