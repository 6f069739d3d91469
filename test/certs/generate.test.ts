import { X509Certificate, createPrivateKey } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, createNodeCert, generateCertificates } from '../../src/certs/generate.js';
import type { GeneratedFiles, PemPair } from '../../src/certs/generate.js';
import { DiamondError, ErrorCode } from '../../src/errors.js';

const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const OPENSSL = '/usr/bin/openssl';
const DAY_MS = 86_400_000;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'diamond-certs-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Catches the DiamondError `fn` throws, so tests can assert its code. */
function thrown(fn: () => unknown): DiamondError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DiamondError);
    return err as DiamondError;
  }
  throw new Error('expected a DiamondError');
}

function keyUsage(certPem: string): Record<string, unknown> {
  return forge.pki.certificateFromPem(certPem).getExtension('keyUsage') as Record<string, unknown>;
}

describe('createCa / createNodeCert', () => {
  let ca: PemPair;
  let hss: PemPair;
  let mme: PemPair;
  beforeAll(() => {
    ca = createCa({ cn: 'Diamond test CA', days: 30 });
    hss = createNodeCert({ cn: 'hss.realm-a.test', altNames: ['hss-alias.realm-a.test', '127.0.0.11', '::1'], ca, days: 10 });
    mme = createNodeCert({ cn: 'mme.realm-a.test', ca, days: 10 });
  });

  it('makes a self-signed CA with CA:TRUE and keyCertSign+cRLSign', () => {
    const x = new X509Certificate(ca.certPem);
    expect(x.ca).toBe(true);
    expect(x.subject).toBe('CN=Diamond test CA');
    expect(x.issuer).toBe(x.subject);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(keyUsage(ca.certPem)).toMatchObject({ critical: true, keyCertSign: true, cRLSign: true, digitalSignature: false });
    const bc = forge.pki.certificateFromPem(ca.certPem).getExtension('basicConstraints') as Record<string, unknown>;
    expect(bc).toMatchObject({ critical: true, cA: true });
  });

  it('signs node certificates that chain to the CA', () => {
    const caX = new X509Certificate(ca.certPem);
    for (const n of [hss, mme]) {
      const x = new X509Certificate(n.certPem);
      expect(x.verify(caX.publicKey)).toBe(true);
      expect(x.checkIssued(caX)).toBe(true);
      expect(x.ca).toBe(false);
      expect(x.checkPrivateKey(createPrivateKey(n.keyPem))).toBe(true);
      expect(forge.pki.certificateFromPem(n.certPem).siginfo.algorithmOid).toBe(OID_SHA256_WITH_RSA);
    }
  });

  it('names the Diameter identity in CN and subjectAltName, with the extra DNS and IP names', () => {
    const x = new X509Certificate(hss.certPem);
    expect(x.subject).toBe('CN=hss.realm-a.test');
    expect(x.subjectAltName).toBe('DNS:hss.realm-a.test, DNS:hss-alias.realm-a.test, IP Address:127.0.0.11, IP Address:0:0:0:0:0:0:0:1');
    expect(x.checkIP('127.0.0.11')).toBe('127.0.0.11');
    expect(new X509Certificate(mme.certPem).subjectAltName).toBe('DNS:mme.realm-a.test');
  });

  it('allows serverAuth and clientAuth, digitalSignature and keyEncipherment', () => {
    const x = new X509Certificate(hss.certPem);
    expect([...(x.keyUsage ?? [])].sort()).toEqual([OID_SERVER_AUTH, OID_CLIENT_AUTH]); // node's keyUsage is the EKU
    expect(keyUsage(hss.certPem)).toMatchObject({
      critical: true,
      digitalSignature: true,
      keyEncipherment: true,
      keyCertSign: false,
    });
  });

  it('uses RSA-2048 keys written as PKCS#1', () => {
    for (const pair of [ca, hss]) {
      expect(pair.keyPem.startsWith('-----BEGIN RSA PRIVATE KEY-----\n')).toBe(true);
      const key = createPrivateKey(pair.keyPem);
      expect(key.asymmetricKeyType).toBe('rsa');
      expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    }
  });

  it('gives random positive serials and the requested validity', () => {
    const serials = [ca, hss, mme].map((p) => new X509Certificate(p.certPem).serialNumber);
    expect(new Set(serials).size).toBe(3);
    for (const s of serials) {
      expect(s).toMatch(/^[0-7][0-9A-F]{31}$/); // 16 bytes, top bit clear
      expect(s.startsWith('00')).toBe(false); // minimal DER
    }
    const x = new X509Certificate(hss.certPem);
    const from = Date.parse(x.validFrom);
    const to = Date.parse(x.validTo);
    expect(from).toBeLessThanOrEqual(Date.now());
    expect(Math.abs(to - (Date.now() + 10 * DAY_MS))).toBeLessThan(60_000);
  });

  it('refuses a CA key that does not belong to the CA certificate, and bad day counts', () => {
    const other = createCa({ cn: 'Other CA', days: 30 });
    const mixed = { certPem: ca.certPem, keyPem: other.keyPem };
    expect(thrown(() => createNodeCert({ cn: 'x.test', ca: mixed, days: 1 })).code).toBe(ErrorCode.CLI_INPUT);
    expect(thrown(() => createNodeCert({ cn: 'x.test', ca, days: 0 })).code).toBe(ErrorCode.CLI_INPUT);
    expect(thrown(() => createCa({ cn: 'x', days: 1.5 })).code).toBe(ErrorCode.CLI_INPUT);
  });

  it('signs with a CA whose key is PKCS#8 (an operator-supplied CA)', () => {
    const pkcs8 = createPrivateKey(ca.keyPem).export({ type: 'pkcs8', format: 'pem' }).toString();
    const n = createNodeCert({ cn: 'pcrf.realm-a.test', ca: { certPem: ca.certPem, keyPem: pkcs8 }, days: 1 });
    expect(new X509Certificate(n.certPem).verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
  });
});

describe('generateCertificates', () => {
  let dir: string;
  let first: GeneratedFiles;
  let second: GeneratedFiles;
  beforeAll(() => {
    dir = join(tmp, 'gen');
    first = generateCertificates({ cn: 'dra.realm-dra.test', dir, days: 30 });
    second = generateCertificates({ cn: 'hss.realm-b.test', dir, altNames: ['127.0.0.13'] });
  });

  it('creates the CA once in dir, then reuses it', () => {
    expect(first.caCreated).toBe(true);
    expect(second.caCreated).toBe(false);
    expect(first.caCert).toBe(join(dir, 'ca.pem'));
    expect(first.caKey).toBe(join(dir, 'ca.key'));
    expect(first.cert).toBe(join(dir, 'dra.realm-dra.test.pem'));
    expect(first.key).toBe(join(dir, 'dra.realm-dra.test.key'));
    const caX = new X509Certificate(readFileSync(first.caCert));
    for (const f of [first, second]) {
      expect(new X509Certificate(readFileSync(f.cert)).verify(caX.publicKey)).toBe(true);
    }
    expect(Date.parse(new X509Certificate(readFileSync(second.cert)).validTo)).toBeGreaterThan(Date.now() + 824 * DAY_MS);
  });

  it('writes PKCS#1 keys with mode 0600', () => {
    for (const f of [first.caKey, first.key, second.key]) {
      expect(readFileSync(f, 'utf8').startsWith('-----BEGIN RSA PRIVATE KEY-----')).toBe(true);
      expect(statSync(f).mode & 0o777).toBe(0o600);
    }
    expect(statSync(first.cert).mode & 0o777).toBe(0o644);
  });

  it('never overwrites an existing certificate or key without force', () => {
    const before = readFileSync(first.cert, 'utf8');
    const err = thrown(() => generateCertificates({ cn: 'dra.realm-dra.test', dir }));
    expect(err.code).toBe(ErrorCode.CLI_INPUT);
    expect(err.message).toContain(first.cert);
    expect(readFileSync(first.cert, 'utf8')).toBe(before);

    // Only the key present: still refused, and nothing written.
    const loneKey = join(dir, 'lone.realm.test.key');
    writeFileSync(loneKey, 'x');
    expect(thrown(() => generateCertificates({ cn: 'lone.realm.test', dir })).message).toContain(loneKey);
    expect(existsSync(join(dir, 'lone.realm.test.pem'))).toBe(false);
  });

  it('overwrites with force, keeps the CA, and restores mode 0600 on the key', () => {
    const caBefore = readFileSync(first.caCert, 'utf8');
    const certBefore = readFileSync(first.cert, 'utf8');
    chmodSync(first.key, 0o644);
    const again = generateCertificates({ cn: 'dra.realm-dra.test', dir, force: true });
    expect(again.caCreated).toBe(false);
    expect(readFileSync(first.caCert, 'utf8')).toBe(caBefore);
    expect(readFileSync(first.cert, 'utf8')).not.toBe(certBefore);
    expect(statSync(first.key).mode & 0o777).toBe(0o600);
  });

  it('keeps the CA in its own directory when caDir is given', () => {
    const caDir = join(tmp, 'ca');
    const nodeDir = join(tmp, 'nodes');
    const a = generateCertificates({ cn: 'a.realm.test', dir: nodeDir, caDir });
    const b = generateCertificates({ cn: 'b.realm.test', dir: nodeDir, caDir });
    expect(a.caCreated).toBe(true);
    expect(b.caCreated).toBe(false);
    expect(a.caCert).toBe(join(caDir, 'ca.pem'));
    expect(existsSync(join(nodeDir, 'ca.pem'))).toBe(false);
    expect(existsSync(b.cert)).toBe(true);
  });

  it('refuses half a CA and identities that are not FQDNs', () => {
    const half = join(tmp, 'half');
    generateCertificates({ cn: 'x.realm.test', dir: half });
    rmSync(join(half, 'ca.key'));
    expect(thrown(() => generateCertificates({ cn: 'y.realm.test', dir: half })).message).toContain(join(half, 'ca.key'));
    for (const cn of ['../evil', 'a/b', '', 'a..b', '-a.test', 'a b']) {
      expect(thrown(() => generateCertificates({ cn, dir: half })).code).toBe(ErrorCode.CLI_INPUT);
    }
  });

  if (!existsSync(OPENSSL)) console.warn(`skipping the openssl checks: ${OPENSSL} not installed`);
  it.skipIf(!existsSync(OPENSSL))('passes openssl verify for TLS server and client purposes', () => {
    for (const f of [first, second]) {
      for (const purpose of ['sslserver', 'sslclient']) {
        const out = execFileSync(OPENSSL, ['verify', '-x509_strict', '-purpose', purpose, '-CAfile', f.caCert, f.cert], { encoding: 'utf8' });
        expect(out.trim()).toBe(`${f.cert}: OK`);
      }
      expect(execFileSync(OPENSSL, ['rsa', '-in', f.key, '-check', '-noout'], { encoding: 'utf8' }).trim()).toBe('RSA key ok');
    }
    const text = execFileSync(OPENSSL, ['x509', '-in', second.cert, '-noout', '-ext', 'subjectAltName,extendedKeyUsage'], { encoding: 'utf8' });
    expect(text).toContain('DNS:hss.realm-b.test, IP Address:127.0.0.13');
    expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
  });
});
