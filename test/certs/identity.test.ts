import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCa, createNodeCert } from '../../src/certs/generate.js';
import type { PemPair } from '../../src/certs/generate.js';
import { certificateMatchesIdentity, certificateNames } from '../../src/certs/identity.js';

let plain: PemPair;
let wildSan: PemPair;
let wildCn: PemPair;
let oddName: PemPair;
beforeAll(() => {
  const ca = createCa({ cn: 'Identity CA', days: 1 });
  plain = createNodeCert({ cn: 'hss.realm-a.test', ca, days: 1 });
  wildSan = createNodeCert({ cn: 'dra.realm-dra.test', altNames: ['*.realm-b.test', '*.test', '10.0.0.1'], ca, days: 1 });
  wildCn = createNodeCert({ cn: '*.realm-c.test', ca, days: 1 });
  // A name node prints JSON-quoted in subjectAltName ("DNS:\"a,b.test\"").
  oddName = createNodeCert({ cn: 'x.test', altNames: ['a,b.test', 'y.test'], ca, days: 1 });
});

describe('certificateNames', () => {
  it('lists CN then subjectAltName DNS names, without duplicates or IPs', () => {
    expect(certificateNames(plain.certPem)).toEqual(['hss.realm-a.test']);
    expect(certificateNames(wildSan.certPem)).toEqual(['dra.realm-dra.test', '*.realm-b.test', '*.test']);
    expect(certificateNames(oddName.certPem)).toEqual(['x.test', 'a,b.test', 'y.test']);
  });

  it('accepts PEM, DER, X509Certificate and a getPeerCertificate() object', () => {
    const x = new X509Certificate(wildSan.certPem);
    const expected = certificateNames(wildSan.certPem);
    expect(certificateNames(x)).toEqual(expected);
    expect(certificateNames(x.raw)).toEqual(expected);
    expect(certificateNames(x.toLegacyObject())).toEqual(expected);
  });

  it('gives nothing for the empty object of a peer that sent no certificate', () => {
    expect(certificateNames({} as never)).toEqual([]);
    expect(certificateMatchesIdentity({} as never, 'hss.realm-a.test')).toBe(false);
  });
});

describe('certificateMatchesIdentity', () => {
  const cases: Array<[string, string, boolean, () => PemPair]> = [
    ['exact', 'hss.realm-a.test', true, () => plain],
    ['case-insensitive', 'HSS.Realm-A.TEST', true, () => plain],
    ['other host', 'mme.realm-a.test', false, () => plain],
    ['prefix is not enough', 'hss.realm-a', false, () => plain],
    ['suffix is not enough', 'realm-a.test', false, () => plain],
    ['longer name', 'x.hss.realm-a.test', false, () => plain],
    ['empty identity', '', false, () => plain],
    ['SAN wildcard, one label', 'hss.realm-b.test', true, () => wildSan],
    ['SAN wildcard, case-insensitive', 'HSS.REALM-B.TEST', true, () => wildSan],
    ['SAN wildcard, two labels', 'a.hss.realm-b.test', false, () => wildSan],
    ['SAN wildcard, no label', 'realm-b.test', false, () => wildSan],
    ['wildcard over a single-label name is refused', 'anything.test', false, () => wildSan],
    ['IP SAN is not an identity', '10.0.0.1', false, () => wildSan],
    ['CN itself', 'dra.realm-dra.test', true, () => wildSan],
    ['CN wildcard', 'pcrf.realm-c.test', true, () => wildCn],
    ['CN wildcard, two labels', 'a.b.realm-c.test', false, () => wildCn],
    ['JSON-quoted SAN', 'y.test', true, () => oddName],
  ];
  it.each(cases)('%s: %s -> %s', (_label, identity, expected, cert) => {
    expect(certificateMatchesIdentity(cert().certPem, identity)).toBe(expected);
    expect(certificateMatchesIdentity(new X509Certificate(cert().certPem), identity)).toBe(expected);
  });
});
