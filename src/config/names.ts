// Syntax checks for Diameter identities, realms, host names and IP addresses in the config.
import { isIP } from 'node:net';

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** DNS labels separated by dots (RFC 1035 §2.3.1 preferred syntax), at most 255 characters. */
export function isDnsName(name: string, minLabels: number): boolean {
  if (name.length === 0 || name.length > 255) return false;
  const labels = name.replace(/\.$/, '').split('.');
  return labels.length >= minLabels && labels.every((l) => LABEL.test(l));
}

/** DiameterIdentity (RFC 6733 §4.3.1) is an FQDN: at least a host label and a domain. */
export function isIdentity(name: string): boolean {
  return isDnsName(name, 2);
}

/** A realm may be a single label in labs (`localdomain`), so one label is enough. */
export function isRealm(name: string): boolean {
  return isDnsName(name, 1);
}

export function isIpAddress(s: string): boolean {
  return isIP(s) !== 0;
}

/** Where a peer may be reached: an IP address or a DNS name. */
export function isHostOrIp(s: string): boolean {
  return isIpAddress(s) || isDnsName(s, 1);
}

export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || address === 'localhost';
}
