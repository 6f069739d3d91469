// RFC 2617 §3.5 example, RFC 3310 AKA password = raw XRES, 3GPP SIP Digest and Digest-MD5 items;
// secrets never printed.
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  Redacted, akaV1Ha1, digestHa1, digestHa1Sess, digestHa2, digestMd5Item, digestResponse, fixedRandSource,
  sipDigestAuthenticate,
} from '../../../src/hss/auth/index.js';
import { AuthErrorCode } from '../../../src/hss/auth/errors.js';
import { h, hex } from './hex.js';

const md5 = (...parts: (string | Buffer)[]) => {
  const x = createHash('md5');
  parts.forEach((p, i) => {
    if (i) x.update(':');
    x.update(p);
  });
  return x.digest('hex');
};

describe('RFC 2617 §3.5 example', () => {
  const ha1 = digestHa1('Mufasa', 'testrealm@host.com', 'Circle Of Life');
  const ha2 = digestHa2('GET', '/dir/index.html', 'auth');
  it('HA1, HA2, response', () => {
    expect(ha1).toBe('939e7578ed9e3c518a452acee763bce9');
    expect(ha2).toBe('39aff3a2bab6126f332b942af96d3366');
    expect(
      digestResponse({ ha1, nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', nc: '00000001', cnonce: '0a4f113b', qop: 'auth', ha2 }),
    ).toBe('6629fae49393a05397450978507c4ef1');
  });
  it('no-qop (RFC 2069) form, auth-int HA2 and MD5-sess HA1', () => {
    expect(digestResponse({ ha1, nonce: 'n', ha2 })).toBe(md5(ha1, 'n', ha2));
    expect(digestHa2('INVITE', 'sip:a@b', 'auth-int', 'body')).toBe(md5('INVITE', 'sip:a@b', md5('body')));
    expect(digestHa2('INVITE', 'sip:a@b', 'auth-int')).toBe(md5('INVITE', 'sip:a@b', md5('')));
    expect(digestHa1Sess(ha1, 'n', 'c')).toBe(md5(ha1, 'n', 'c'));
  });
  it('qop without nc/cnonce is a coded error', () => {
    expect(() => digestResponse({ ha1, nonce: 'n', ha2, qop: 'auth' })).toThrow(
      expect.objectContaining({ code: AuthErrorCode.BAD_PARAMETER }),
    );
    expect(() => digestResponse({ ha1, nonce: 'n', ha2, qop: 'auth', nc: '1', cnonce: 'c' })).toThrow(
      expect.objectContaining({ code: AuthErrorCode.BAD_PARAMETER }),
    );
  });
});

describe('Digest-AKAv1-MD5 (RFC 3310): password = raw XRES octets', () => {
  it('HA1 over the binary XRES, not its hex', () => {
    const xres = h('e9fc88ccc8a35381');
    const user = '001010000000001@ims.mnc001.mcc001.3gppnetwork.org';
    const realm = 'ims.mnc001.mcc001.3gppnetwork.org';
    expect(akaV1Ha1(user, realm, xres)).toBe(md5(user, realm, xres));
    expect(akaV1Ha1(user, realm, xres)).toBe(digestHa1(user, realm, xres));
    expect(akaV1Ha1(user, realm, xres)).not.toBe(md5(user, realm, hex(xres)));
  });
});

describe('3GPP SIP Digest and Digest-MD5 items', () => {
  const password = 'Circle Of Life';
  it('SIP-Digest-Authenticate carries HA1 hex, realm, qop', () => {
    const s = sipDigestAuthenticate('Mufasa', 'testrealm@host.com', new Redacted(password), 'auth');
    expect(s.digestHa1.reveal()).toBe('939e7578ed9e3c518a452acee763bce9');
    expect(s.digestRealm).toBe('testrealm@host.com');
    expect(s.digestQop).toBe('auth');
    expect(s.digestAlgorithm).toBe('MD5');
    expect('digestQop' in sipDigestAuthenticate('Mufasa', 'r', password)).toBe(false);
  });
  it('Digest-MD5: fresh 16-octet nonce + clear password', () => {
    const a = digestMd5Item(password);
    const b = digestMd5Item(password);
    expect(a.sipAuthenticate).toHaveLength(16);
    expect(a.sipAuthenticate.equals(b.sipAuthenticate)).toBe(false);
    expect(Buffer.from(a.sipAuthorization.reveal()).toString('utf8')).toBe(password);
    const pinned = digestMd5Item(password, fixedRandSource(h('00112233445566778899aabbccddeeff')));
    expect(hex(pinned.sipAuthenticate)).toBe('00112233445566778899aabbccddeeff');
  });
  it('secrets never appear in String/JSON/inspect', () => {
    const item = digestMd5Item(password);
    const sd = sipDigestAuthenticate('Mufasa', 'testrealm@host.com', password);
    for (const s of [String(item.sipAuthorization), JSON.stringify(item), inspect(item, { depth: 9 }), JSON.stringify(sd), inspect(sd), `${sd.digestHa1}`]) {
      expect(s).not.toContain('Circle');
      expect(s).not.toContain(Buffer.from(password).toString('hex'));
      expect(s).not.toContain('939e7578');
    }
  });
});
