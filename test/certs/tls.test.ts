// Real mutual-TLS handshakes over 127.0.0.1 with the generated files, set up as a Diameter node
// would be: the acceptor demands a client certificate from the CA, each side checks the other's
// certificate names its Diameter identity.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import type { SecureVersion } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, createNodeCert, generateCertificates } from '../../src/certs/generate.js';
import type { PemPair } from '../../src/certs/generate.js';
import { certificateMatchesIdentity } from '../../src/certs/identity.js';

const SERVER_ID = 'dra.realm-dra.test';
const CLIENT_ID = 'hss.realm-a.test';

interface Outcome {
  /** Server side: a secure connection with an authorised client certificate. */
  serverAccepted: boolean;
  serverError: Error | undefined;
  clientError: Error | undefined;
  /** What the client read: "ok" when the server accepted it. */
  clientRead: string;
  serverPeer: X509Certificate | undefined;
}

interface Side {
  certPem?: string;
  keyPem?: string;
  /** Trusted CA certificates. */
  caPem: string | string[];
}

/** One connection from client to server; resolves when both sides have finished with it. */
async function handshake(server: Side, client: Side, version: SecureVersion, expectServer = SERVER_ID): Promise<Outcome> {
  const out: Outcome = { serverAccepted: false, serverError: undefined, clientError: undefined, clientRead: '', serverPeer: undefined };
  const srv = createServer({
    ...(server.certPem !== undefined ? { cert: server.certPem } : {}),
    ...(server.keyPem !== undefined ? { key: server.keyPem } : {}),
    ca: server.caPem,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: version,
    maxVersion: version,
  });
  const serverDone = new Promise<void>((resolve) => {
    srv.on('secureConnection', (s) => {
      out.serverAccepted = s.authorized;
      out.serverPeer = s.getPeerX509Certificate();
      s.end('ok');
      s.on('close', () => resolve());
    });
    srv.on('tlsClientError', (err) => {
      out.serverError = err;
      resolve();
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  const clientDone = new Promise<void>((resolve) => {
    const c = connect({
      host: '127.0.0.1',
      port,
      ...(client.certPem !== undefined ? { cert: client.certPem } : {}),
      ...(client.keyPem !== undefined ? { key: client.keyPem } : {}),
      ca: client.caPem,
      minVersion: version,
      maxVersion: version,
      // The peer layer's check: the server certificate must name the identity we dialled.
      checkServerIdentity: (_host, cert) =>
        certificateMatchesIdentity(cert, expectServer) ? undefined : new Error(`certificate does not name ${expectServer}`),
    });
    c.setEncoding('utf8');
    c.on('data', (d: string) => (out.clientRead += d));
    c.on('error', (err) => (out.clientError = err));
    c.on('close', () => resolve());
  });
  await Promise.all([serverDone, clientDone]);
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return out;
}

let tmp: string;
let ca: string;
let server: PemPair;
let client: PemPair;
let stranger: PemPair;
let strangerCa: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'diamond-tls-'));
  const s = generateCertificates({ cn: SERVER_ID, dir: tmp });
  const c = generateCertificates({ cn: CLIENT_ID, dir: tmp, altNames: ['127.0.0.1'] });
  ca = readFileSync(s.caCert, 'utf8');
  server = { certPem: readFileSync(s.cert, 'utf8'), keyPem: readFileSync(s.key, 'utf8') };
  client = { certPem: readFileSync(c.cert, 'utf8'), keyPem: readFileSync(c.key, 'utf8') };
  // Same identity, another CA: must be refused.
  const other = createCa({ cn: 'Diamond test CA', days: 1 });
  strangerCa = other.certPem;
  stranger = createNodeCert({ cn: CLIENT_ID, ca: other, days: 1 });
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe.each(['TLSv1.2', 'TLSv1.3'] as const)('mutual TLS over %s', (version) => {
  it('succeeds with certificates from the same CA', async () => {
    const r = await handshake({ ...server, caPem: ca }, { ...client, caPem: ca }, version);
    expect(r.serverError).toBeUndefined();
    expect(r.clientError).toBeUndefined();
    expect(r.serverAccepted).toBe(true);
    expect(r.clientRead).toBe('ok');
    expect(r.serverPeer && certificateMatchesIdentity(r.serverPeer, CLIENT_ID)).toBe(true);
    expect(r.serverPeer && certificateMatchesIdentity(r.serverPeer, SERVER_ID)).toBe(false);
  });

  it('refuses a client certificate from another CA', async () => {
    const r = await handshake({ ...server, caPem: ca }, { ...stranger, caPem: ca }, version);
    expect(r.serverAccepted).toBe(false);
    expect(r.serverError).toBeDefined();
    expect(r.clientRead).toBe('');
  });

  it('refuses a client without a certificate', async () => {
    const r = await handshake({ ...server, caPem: ca }, { caPem: ca }, version);
    expect(r.serverAccepted).toBe(false);
    expect(r.serverError).toBeDefined();
    expect(r.clientRead).toBe('');
  });

  // The client verifies after its side of the handshake, so the server may well have accepted by
  // then (TLS 1.2): what counts is that the client drops the connection before reading anything.
  it('refuses a server certificate from another CA', async () => {
    // The server trusts both CAs, so the only failure is the client's.
    const r = await handshake({ ...stranger, caPem: [strangerCa, ca] }, { ...client, caPem: ca }, version, CLIENT_ID);
    // The server sends its CA along (node builds the chain from `ca`), hence "self-signed in chain".
    expect((r.clientError as NodeJS.ErrnoException | undefined)?.code).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    expect(r.clientRead).toBe('');
  });

  it('refuses a server whose certificate names another identity', async () => {
    const r = await handshake({ ...server, caPem: ca }, { ...client, caPem: ca }, version, 'hss.realm-b.test');
    expect(r.clientError?.message).toContain('does not name hss.realm-b.test');
    expect(r.clientRead).toBe('');
  });
});
