// Test and lab certificates for Diameter over TLS (RFC 6733 §13): a small CA and one certificate
// per Diameter identity, in the shape freeDiameter (GnuTLS) accepts — CN and subjectAltName DNS =
// the identity, RSA-2048, PKCS#1 key PEM, extendedKeyUsage serverAuth+clientAuth (both, because
// every node both accepts and initiates connections and the acceptor demands a client certificate).
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import forge from 'node-forge';
import { DiamondError, ErrorCode } from '../errors.js';

export interface PemPair {
  certPem: string;
  /** PKCS#1 ("-----BEGIN RSA PRIVATE KEY-----"), unencrypted. */
  keyPem: string;
}

export interface CaOptions {
  cn: string;
  /** Validity in days from now. */
  days: number;
}

export interface NodeCertOptions {
  /** The node's Diameter identity (Origin-Host): the CN and the first subjectAltName. */
  cn: string;
  /** Extra subjectAltNames: IPv4/IPv6 literals become iPAddress entries, the rest dNSName. */
  altNames?: string[];
  ca: PemPair;
  days: number;
}

/** Days a node certificate lasts by default: the CA/Browser limit that some TLS stacks enforce. */
export const DEFAULT_NODE_DAYS = 825;
/** A lab CA outlives the node certificates it signs. */
export const DEFAULT_CA_DAYS = 3650;

const RSA_BITS = 2048;
/** notBefore is set this far in the past so peers with a slightly slow clock accept a fresh cert. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * RSA-2048 via node:crypto (OpenSSL, ~100 ms) rather than forge's JavaScript generator (seconds).
 * Node exports PKCS#1 directly — the same PEM forge.pki.privateKeyToPem would write.
 */
function newRsaKey(): { keyPem: string; key: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: RSA_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return {
    keyPem: privateKey,
    key: forge.pki.privateKeyFromPem(privateKey),
    publicKey: forge.pki.publicKeyFromPem(publicKey),
  };
}

/**
 * A random positive serial of 16 bytes (RFC 5280 §4.1.2.2: positive, at most 20 octets). forge
 * writes the hex as the INTEGER's bytes unchanged, so the first byte is kept in 0x01..0x7f:
 * below 0x80 keeps it positive, non-zero keeps the DER encoding minimal.
 */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  if (!Number.isInteger(days) || days < 1) {
    throw new DiamondError(ErrorCode.CLI_INPUT, `days: expected a positive whole number of days, got ${days}`);
  }
  const now = Date.now();
  cert.validity.notBefore = new Date(now - CLOCK_SKEW_MS);
  cert.validity.notAfter = new Date(now + days * DAY_MS);
}

/** A self-signed CA: basicConstraints CA:TRUE, keyUsage keyCertSign+cRLSign (both critical). */
export function createCa(opts: CaOptions): PemPair {
  const { keyPem, key, publicKey } = newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerial();
  validity(cert, opts.days);
  const name = [{ shortName: 'CN', value: opts.cn }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** Loads a CA pair (ours or the operator's); forge signs with RSA only, so other keys are refused. */
function loadCa(ca: PemPair): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  let nodeKey;
  try {
    nodeKey = createPrivateKey(ca.keyPem);
  } catch (err) {
    throw new DiamondError(ErrorCode.CLI_INPUT, `CA key: not a readable unencrypted PEM private key (${(err as Error).message})`);
  }
  if (nodeKey.asymmetricKeyType !== 'rsa') {
    throw new DiamondError(ErrorCode.CLI_INPUT, `CA key: expected an RSA key, got ${nodeKey.asymmetricKeyType ?? 'unknown'}`);
  }
  const key = forge.pki.privateKeyFromPem(nodeKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  let cert;
  try {
    cert = forge.pki.certificateFromPem(ca.certPem);
  } catch (err) {
    throw new DiamondError(ErrorCode.CLI_INPUT, `CA certificate: not a readable RSA certificate PEM (${(err as Error).message})`);
  }
  const certKey = cert.publicKey as forge.pki.rsa.PublicKey;
  if (certKey.n.compareTo(key.n) !== 0 || certKey.e.compareTo(key.e) !== 0) {
    throw new DiamondError(ErrorCode.CLI_INPUT, 'CA key does not belong to the CA certificate');
  }
  return { cert, key };
}

/**
 * A node certificate signed by `ca`: RSA-2048, SHA-256, CN = SAN DNS[0] = the Diameter identity,
 * EKU serverAuth+clientAuth, keyUsage digitalSignature+keyEncipherment (RSA key exchange in TLS 1.2).
 */
export function createNodeCert(opts: NodeCertOptions): PemPair {
  const ca = loadCa(opts.ca);
  const { keyPem, publicKey } = newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerial();
  validity(cert, opts.days);
  cert.setSubject([{ shortName: 'CN', value: opts.cn }]);
  cert.setIssuer(ca.cert.subject.attributes);

  const seen = new Set<string>();
  const altNames: Array<{ type: 2; value: string } | { type: 7; ip: string }> = [];
  for (const n of [opts.cn, ...(opts.altNames ?? [])]) {
    const k = n.toLowerCase();
    if (n === '' || seen.has(k)) continue;
    seen.add(k);
    // GeneralName tags (RFC 5280 §4.2.1.6): 2 = dNSName, 7 = iPAddress.
    altNames.push(isIP(n) ? { type: 7, ip: n } : { type: 2, value: n });
  }

  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    // Lets verifiers pick the right CA when several share a name.
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

export interface GenerateOptions {
  /** Diameter identity; also the file name stem (`<cn>.pem`, `<cn>.key`). */
  cn: string;
  /** Output directory for the node files; default `./certs`. */
  dir?: string;
  /** Directory holding (or to receive) `ca.pem` + `ca.key`; default `dir`. */
  caDir?: string;
  /** Node certificate validity; default 825. */
  days?: number;
  /** CA validity when a CA is created; default 3650. */
  caDays?: number;
  altNames?: string[];
  /** Overwrite existing `<cn>.pem` / `<cn>.key`. An existing CA is always reused, never replaced. */
  force?: boolean;
}

export interface GeneratedFiles {
  caCert: string;
  caKey: string;
  /** True when the CA was created by this call, false when an existing one was reused. */
  caCreated: boolean;
  cert: string;
  key: string;
}

/** A Diameter identity is a DiamIdent FQDN (RFC 6733 §4.3.1); this also keeps it a safe file name. */
const IDENTITY_RE = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;

function refuseExisting(paths: string[], force: boolean | undefined): void {
  if (force) return;
  for (const p of paths) {
    if (existsSync(p)) throw new DiamondError(ErrorCode.CLI_INPUT, `${p} exists; not overwriting it (use --force)`);
  }
}

/** Writes `data`; `wx` makes "never overwrite" atomic, and chmod fixes the mode of a forced overwrite. */
function writeFile(path: string, data: string, mode: number, force: boolean | undefined): void {
  try {
    writeFileSync(path, data, { mode, flag: force ? 'w' : 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new DiamondError(ErrorCode.CLI_INPUT, `${path} exists; not overwriting it (use --force)`);
    }
    throw new DiamondError(ErrorCode.CLI_INPUT, `cannot write ${path}: ${(err as Error).message}`);
  }
  chmodSync(path, mode);
}

function readPem(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new DiamondError(ErrorCode.CLI_INPUT, `cannot read ${path}: ${(err as Error).message}`);
  }
}

/**
 * Writes `<cn>.pem` and `<cn>.key` (0600) into `dir`, signed by the CA in `caDir` (ca.pem + ca.key),
 * creating that CA first when neither file is there. Checks every target before writing any.
 */
export function generateCertificates(opts: GenerateOptions): GeneratedFiles {
  if (!IDENTITY_RE.test(opts.cn)) {
    throw new DiamondError(ErrorCode.CLI_INPUT, `cn: expected a Diameter identity (FQDN such as hss.example.net), got ${JSON.stringify(opts.cn)}`);
  }
  const dir = resolve(opts.dir ?? 'certs');
  const caDir = resolve(opts.caDir ?? dir);
  const caCert = join(caDir, 'ca.pem');
  const caKey = join(caDir, 'ca.key');
  const cert = join(dir, `${opts.cn}.pem`);
  const key = join(dir, `${opts.cn}.key`);

  const haveCert = existsSync(caCert);
  const haveKey = existsSync(caKey);
  if (haveCert !== haveKey) {
    throw new DiamondError(ErrorCode.CLI_INPUT, `${haveCert ? caCert : caKey} exists but ${haveCert ? caKey : caCert} does not; a CA needs both`);
  }
  const caCreated = !haveCert;
  refuseExisting([cert, key], opts.force);

  let ca: PemPair;
  if (caCreated) {
    ca = createCa({ cn: `Diamond test CA ${new Date().toISOString().slice(0, 10)}`, days: opts.caDays ?? DEFAULT_CA_DAYS });
  } else {
    ca = { certPem: readPem(caCert), keyPem: readPem(caKey) };
  }
  const node = createNodeCert({ cn: opts.cn, altNames: opts.altNames ?? [], ca, days: opts.days ?? DEFAULT_NODE_DAYS });

  mkdirSync(dir, { recursive: true });
  if (caCreated) {
    mkdirSync(caDir, { recursive: true });
    writeFile(caKey, ca.keyPem, 0o600, false);
    writeFile(caCert, ca.certPem, 0o644, false);
  }
  writeFile(key, node.keyPem, 0o600, opts.force);
  writeFile(cert, node.certPem, 0o644, opts.force);
  return { caCert, caKey, caCreated, cert, key };
}

