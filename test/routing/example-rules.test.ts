// The seed examples from the routing issue, as shipped in rules/example.conf, decide as written.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainRoute } from '../../src/routing/explain.js';
import { loadRuleFiles } from '../../src/routing/rules-loader.js';
import type { Candidate, RouteRequest } from '../../src/routing/scoring.js';

const REALM = 'epc.mnc001.mcc001.3gppnetwork.org';
const rules = loadRuleFiles([path.resolve(import.meta.dirname, '../../rules/example.conf')]);
const all = ['hss01', 'hss02', 'hss03', 'hss04', 'hss-lab', 'hss-mvno-x', 'hss-ims'];
const peers = (names: string[]): Candidate[] => names.map((n) => ({ identity: `${n}.${REALM}`, realm: REALM, applications: new Set([16777251]) }));
const short = (ids: string[]): string[] => ids.map((i) => i.slice(0, i.indexOf('.')));
const req = (userName: string): RouteRequest => ({
  applicationId: 16777251,
  commandCode: 318,
  originHost: 'mme01',
  originRealm: REALM,
  destinationHost: undefined,
  destinationRealm: REALM,
  userName,
  sessionId: 'mme01;1',
});

describe('rules/example.conf', () => {
  it('shares ordinary subscribers between hss03 and hss04, never the IMS HSS', () => {
    const e = explainRoute(req('001010000000001'), peers(all), rules);
    expect(short(e.winners).sort()).toEqual(['hss03', 'hss04']);
    expect(short(e.order).slice(2)).toEqual(['hss01', 'hss02', 'hss-lab', 'hss-mvno-x']);
    expect(e.candidates.find((c) => c.identity.startsWith('hss-ims.'))).toMatchObject({ eligible: false, score: -2 + 15 - 70 });
  });
  it('falls back to hss01, then hss02', () => {
    expect(short(explainRoute(req('001010000000001'), peers(['hss01', 'hss02', 'hss-ims']), rules).winners)).toEqual(['hss01']);
    expect(short(explainRoute(req('001010000000001'), peers(['hss02', 'hss-ims']), rules).winners)).toEqual(['hss02']);
  });
  it('sends the lab SIM to hss-lab and the MVNO range to hss-mvno-x', () => {
    expect(short(explainRoute(req('001019999999999999'), peers(all), rules).winners)).toEqual(['hss-lab']);
    expect(short(explainRoute(req('001012000000077'), peers(all), rules).winners)).toEqual(['hss-mvno-x']);
    expect(short(explainRoute(req('0010199999'), peers(all), rules).winners)).not.toContain('hss-lab');
  });
  it('explains each score with the rule that gave it', () => {
    const lab = explainRoute(req('001019999999999999'), peers(all), rules).candidates.find((c) => c.identity.startsWith('hss-lab.'))!;
    expect(lab.score).toBe(-2 + 15 + 200);
    expect(lab.reasons.map((r) => r.source)).toEqual([
      'core: start (INI)',
      'core: Destination-Realm (REALM)',
      expect.stringMatching(/example\.conf:17:1: un="001019999999999999" : dh="hss-lab\.epc\.mnc001\.mcc001\.3gppnetwork\.org" \+= 200 ;$/),
    ]);
  });
});
