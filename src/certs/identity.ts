// Does a peer's certificate name its Diameter identity? RFC 6733 §13 leaves the check to policy;
// freeDiameter requires the certificate (CN or subjectAltName) to carry the peer's Origin-Host, and
// so does Diamond when `tls.checkIdentity` is on.
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';

/** PEM text (first certificate used), DER bytes, a node X509Certificate, or tls getPeerCertificate(). */
export type CertificateInput = string | Buffer | X509Certificate | PeerCertificate;

/** Undefined for the empty object getPeerCertificate() returns when the peer sent no certificate. */
function toX509(cert: CertificateInput): X509Certificate | undefined {
  if (cert instanceof X509Certificate) return cert;
  if (typeof cert === 'string' || Buffer.isBuffer(cert)) return new X509Certificate(cert);
  const raw = (cert as Partial<PeerCertificate>).raw;
  return raw && raw.length > 0 ? new X509Certificate(raw) : undefined;
}

/**
 * Splits node's subjectAltName text ("DNS:a, DNS:b, IP Address:1.2.3.4"). Since the CVE-2021-44532
 * fix node writes a value holding "," or quotes as a JSON string (DNS:"a,b"), so values are
 * tokenised rather than split on ", ".
 */
function parseSubjectAltName(text: string): Array<{ type: string; value: string }> {
  const out: Array<{ type: string; value: string }> = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon);
    let value: string;
    let end: number;
    if (text[colon + 1] === '"') {
      // A JSON string: find the closing quote that is not escaped.
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      end = j + 1;
      value = JSON.parse(text.slice(colon + 1, end)) as string;
    } else {
      const comma = text.indexOf(', ', colon + 1);
      end = comma < 0 ? text.length : comma;
      value = text.slice(colon + 1, end);
    }
    out.push({ type, value });
    i = end + 2; // skip ", "
  }
  return out;
}

/** The names a certificate is issued to: subject CN(s) first, then subjectAltName DNS names. */
export function certificateNames(cert: CertificateInput): string[] {
  const x509 = toX509(cert);
  if (!x509) return [];
  const names: string[] = [];
  // The legacy object parses the subject into fields, sparing us node's RFC 2253 escaping.
  const cn: unknown = x509.toLegacyObject().subject?.CN;
  for (const n of Array.isArray(cn) ? cn : [cn]) if (typeof n === 'string') names.push(n);
  for (const { type, value } of parseSubjectAltName(x509.subjectAltName ?? '')) {
    if (type === 'DNS') names.push(value);
  }
  return [...new Set(names)];
}

/**
 * True when the certificate names `identity`, compared case-insensitively and exactly, or through a
 * wildcard `*.rest` that stands for one whole leftmost label.
 *
 * X509Certificate.checkHost is OpenSSL's X509_check_host, which implements exactly those rules
 * (RFC 6125 §6.4), so no matcher of our own: `wildcards: true` with `partialWildcards: false`
 * (no "hss*.realm") and `multiLabelWildcards: false` ("*.realm" does not match "a.b.realm").
 * OpenSSL also refuses a wildcard directly over a single-label name ("*.test"), which is wanted.
 * `subject: 'always'` makes the CN count even when subjectAltNames exist — the "CN or
 * subjectAltName" rule freeDiameter peers are configured for, and what certificateNames lists.
 */
export function certificateMatchesIdentity(cert: CertificateInput, identity: string): boolean {
  if (identity === '') return false;
  const x509 = toX509(cert);
  if (!x509) return false;
  return (
    x509.checkHost(identity, {
      subject: 'always',
      wildcards: true,
      partialWildcards: false,
      multiLabelWildcards: false,
    }) !== undefined
  );
}
