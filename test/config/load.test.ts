import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '../../src/errors.js';
import { loadConfig, loadConfigText } from '../../src/config/load.js';
import { configToYaml } from '../../src/config/to-yaml.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'diamond-config-'));
  mkdirSync(join(dir, 'certs'));
  for (const f of ['dra.pem', 'dra.key', 'ca.pem']) writeFileSync(join(dir, 'certs', f), '-----BEGIN PLACEHOLDER-----\n');
  writeFileSync(join(dir, 'extra.dict'), '# extra\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FULL = `# A DRA with a local HSS
identity: dra.realm-a.test
realm: realm-a.test
listen:
  - { transport: tcp, address: 127.0.0.1, port: 3868 }
  - { transport: sctp, addresses: [127.0.0.1, 127.0.0.2], port: 3868 }
  - { transport: tls, address: 127.0.0.1 }
tls: { cert: certs/dra.pem, key: certs/dra.key, ca: certs/ca.pem, verifyPeer: true, checkIdentity: true }
peers:
  - { identity: hss1.realm-a.test, realm: realm-a.test, address: 127.0.0.2, port: 3868, transport: tcp, tls: none, connect: true, tc: 30, tw: 30 }
  - identity: hss2.realm-a.test
    addresses: [hss2.example.net, 10.0.0.2]
    tls: connect
    tw: 0.5
  - { identity: mme1.realm-b.test, transport: sctp, connect: false }
  - { identity: pcrf.realm-a.test, transport: tls }
applications: [s6a, s6d, cx, { id: 16777238, vendorId: 10415 }, { id: 3, kind: acct }]
allowUnknownPeers: false
timers: { tc: 30, tw: 6, ceTimeout: 10, dpaTimeout: 5, shutdownGrace: 0, requestTimeout: 2.5 }
limits: { maxMessageSize: 1048576, maxPendingPerPeer: 10000, maxQueuedBytesPerPeer: 8388608 }
log: { level: debug, messageDump: true }
api: { enabled: true, address: 0.0.0.0, port: 8080, token: s3cret-token }
dataDir: ./data
dictionaries: [extra.dict]
productName: Diamond-test
vendorId: 10415
firmwareRevision: 7
relay: true
`;

/** Errors as 'LINE:COL: message' (the file name is fixed) with their codes. */
function errorsOf(text: string): { code: string; at: string }[] {
  const r = loadConfigText(text, join(dir, 'diamond.yaml'), { host: 'node1' });
  expect(r.config).toBeUndefined();
  return r.errors.map((e) => ({ code: e.code, at: `${e.pos.line}:${e.pos.col}: ${e.message.slice(e.message.indexOf(': ') + 2)}` }));
}

function ok(text: string) {
  const r = loadConfigText(text, join(dir, 'diamond.yaml'), { host: 'node1' });
  expect(r.errors.map((e) => e.message)).toEqual([]);
  return r.config!;
}

describe('a full valid file', () => {
  it('loads with every option converted', () => {
    const c = ok(FULL);
    expect(c.source).toBe(join(dir, 'diamond.yaml'));
    expect([c.identity, c.realm]).toEqual(['dra.realm-a.test', 'realm-a.test']);
    expect(c.listen).toEqual([
      { transport: 'tcp', addresses: ['127.0.0.1'], port: 3868 },
      { transport: 'sctp', addresses: ['127.0.0.1', '127.0.0.2'], port: 3868 },
      { transport: 'tls', addresses: ['127.0.0.1'], port: 5868 },
    ]);
    expect(c.hostIpAddresses).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(c.tls).toEqual({
      cert: join(dir, 'certs/dra.pem'),
      key: join(dir, 'certs/dra.key'),
      ca: join(dir, 'certs/ca.pem'),
      verifyPeer: true,
      checkIdentity: true,
    });
    expect(c.peers).toEqual([
      {
        identity: 'hss1.realm-a.test',
        realm: 'realm-a.test',
        addresses: ['127.0.0.2'],
        port: 3868,
        transport: 'tcp',
        prefer: 'tcp',
        tls: 'none',
        connect: true,
        tc: 30_000,
        tw: 30_000,
      },
      // TLS at connect: port 5868; tc from the top-level timers, tw given as 0.5 s.
      {
        identity: 'hss2.realm-a.test',
        realm: undefined,
        addresses: ['hss2.example.net', '10.0.0.2'],
        port: 5868,
        transport: 'tcp',
        prefer: 'tcp',
        tls: 'connect',
        connect: true,
        tc: 30_000,
        tw: 500,
      },
      // No address: the identity is resolved by DNS.
      {
        identity: 'mme1.realm-b.test',
        realm: undefined,
        addresses: ['mme1.realm-b.test'],
        port: 3868,
        transport: 'sctp',
        prefer: 'sctp',
        tls: 'none',
        connect: false,
        tc: 30_000,
        tw: 6_000,
      },
      // transport: tls is stored as TCP with TLS at connect.
      expect.objectContaining({ identity: 'pcrf.realm-a.test', transport: 'tcp', tls: 'connect', port: 5868 }),
    ]);
    expect(c.applications).toEqual([
      { id: 16777251, vendorId: 10415, kind: 'auth' },
      { id: 16777216, vendorId: 10415, kind: 'auth' },
      { id: 16777238, vendorId: 10415, kind: 'auth' },
      { id: 3, vendorId: 0, kind: 'acct' },
    ]);
    expect(c.timers).toEqual({ tc: 30_000, tw: 6_000, ceTimeout: 10_000, dpaTimeout: 5_000, shutdownGrace: 0, requestTimeout: 2_500 });
    expect(c.limits).toEqual({ maxMessageSize: 1_048_576, maxPendingPerPeer: 10_000, maxQueuedBytesPerPeer: 8_388_608 });
    expect(c.log).toEqual({ level: 'debug', messageDump: true });
    expect(c.api).toEqual({ enabled: true, address: '0.0.0.0', port: 8080, token: 's3cret-token' });
    expect(c.dataDir).toBe(join(dir, 'data'));
    expect(c.dictionaries).toEqual([join(dir, 'extra.dict')]);
    expect([c.productName, c.vendorId, c.firmwareRevision, c.relay, c.allowUnknownPeers]).toEqual(['Diamond-test', 10415, 7, true, false]);
  });

  it('reads the Cx S-CSCF pool and Server-Capabilities, and refuses what is not a SIP URI with line:col', () => {
    const c = ok('hss:\n  scscfPool: [sip:scscf1.ims.test:6060, sip:scscf2.ims.test]\n  serverCapabilities: { mandatory: [1], optional: [2, 3], serverNames: [sip:scscf3.ims.test] }\n');
    expect(c.hss.scscfPool).toEqual(['sip:scscf1.ims.test:6060', 'sip:scscf2.ims.test']);
    expect(c.hss.serverCapabilities).toEqual({ mandatory: [1], optional: [2, 3], serverNames: ['sip:scscf3.ims.test'] });
    expect(ok(configToYaml(c))).toEqual(c);
    expect(errorsOf('hss:\n  scscfPool: [scscf1.ims.test]\n  serverCapabilities: { mandatory: [-1] }\n').map((e) => e.at)).toEqual([
      '2:15: hss.scscfPool[0]: expected a SIP URI (sip:host[:port]), found "scscf1.ims.test"',
      '3:37: hss.serverCapabilities.mandatory[0]: expected an integer 0-4294967295, found -1',
    ]);
  });

  it('prints as YAML that loads back to the same configuration, token masked on request', () => {
    const c = ok(FULL);
    expect(ok(configToYaml(c))).toEqual(c);
    const masked = configToYaml(c, { maskSecrets: true });
    expect(masked).not.toContain('s3cret-token');
    expect(masked).toContain("token: '********'");
  });

  it('loads from disk with loadConfig', () => {
    writeFileSync(join(dir, 'diamond.yaml'), FULL);
    const r = loadConfig(join(dir, 'diamond.yaml'));
    expect(r.errors).toEqual([]);
    expect(r.config?.peers).toHaveLength(4);
  });
});

describe('defaults in a file', () => {
  it('an empty file is the built-in defaults', () => {
    const c = ok('# nothing yet\n');
    expect(c.identity).toBe('node1.diamond.local');
    expect(c.listen).toEqual([{ transport: 'tcp', addresses: ['127.0.0.1'], port: 3868 }]);
    expect(c.peers).toEqual([]);
  });

  it('takes the realm from the identity, like freeDiameter, and makes an identity from the realm', () => {
    expect(ok('identity: dra.mnc001.mcc001.3gppnetwork.org\n').realm).toBe('mnc001.mcc001.3gppnetwork.org');
    expect(ok('realm: localdomain\n').identity).toBe('node1.localdomain');
  });

  it('peers take tc and tw from the top-level timers; null values mean the default', () => {
    const c = ok('timers: { tc: 0.25, tw: 1.5 }\npeers:\n  - identity: a.b.test\n    tc:\n');
    expect(c.peers[0]).toMatchObject({ tc: 250, tw: 1500, port: 3868, addresses: ['a.b.test'] });
  });

  it('a listener without an address listens on every IPv4 address; port 0 lets the kernel choose', () => {
    const c = ok('listen: [{ port: 0 }, { transport: sctp }]\n');
    expect(c.listen).toEqual([
      { transport: 'tcp', addresses: ['0.0.0.0'], port: 0 },
      { transport: 'sctp', addresses: ['0.0.0.0'], port: 3868 },
    ]);
    expect(c.hostIpAddresses).toEqual([]);
  });

  it('follows YAML anchors and aliases', () => {
    const c = ok('peers:\n  - &p { identity: a.b.test, tw: 3 }\ntimers: { tc: 1 }\nhostIpAddresses: &ips [10.0.0.1]\n');
    expect(c.peers[0]!.tw).toBe(3000);
    expect(c.hostIpAddresses).toEqual(['10.0.0.1']);
  });
});

describe('errors name the line and column', () => {
  it('of a value in a block mapping inside a sequence', () => {
    const text = 'identity: dra.realm-a.test\npeers:\n  - identity: hss1.realm-a.test\n  - identity: hss2.realm-a.test\n    port: abc\n';
    expect(errorsOf(text)).toEqual([
      { code: ErrorCode.CONFIG_INVALID, at: '5:11: peers[1].port: expected an integer 1-65535, found "abc"' },
    ]);
  });

  it('of a value in a flow mapping inside a sequence', () => {
    const text = 'peers:\n  - { identity: hss1.realm-a.test, port: 70000, tls: tcp }\n';
    expect(errorsOf(text)).toEqual([
      { code: ErrorCode.CONFIG_INVALID, at: '2:42: peers[0].port: expected an integer 1-65535, found 70000' },
      { code: ErrorCode.CONFIG_INVALID, at: '2:54: peers[0].tls: expected one of none, connect, inband, found "tcp"' },
    ]);
  });

  it('of an item in a flow sequence inside a flow mapping', () => {
    const text = 'listen:\n  - { transport: sctp, addresses: [127.0.0.1, "300.1.1.1"], port: 3868 }\n';
    expect(errorsOf(text)).toEqual([
      { code: ErrorCode.CONFIG_INVALID, at: '2:47: listen[0].addresses[1]: expected an IP address, found "300.1.1.1"' },
    ]);
  });

  it('of nested block mappings', () => {
    const text = 'timers:\n  tc: 30\n  tw: fast\nlimits:\n    maxMessageSize: 10\nlog:\n  level: verbose\n';
    expect(errorsOf(text)).toEqual([
      { code: ErrorCode.CONFIG_INVALID, at: '3:7: timers.tw: expected a number of seconds from 0.001 to 3600, found "fast"' },
      { code: ErrorCode.CONFIG_INVALID, at: '5:21: limits.maxMessageSize: expected an integer 1024-16777215, found 10' },
      { code: ErrorCode.CONFIG_INVALID, at: '7:10: log.level: expected one of fatal, error, warn, info, debug, trace, found "verbose"' },
    ]);
  });

  it('of unknown keys, naming the key and the allowed ones', () => {
    const text = 'identity: dra.realm-a.test\npeer:\n  - identity: x.y.test\npeers:\n  - { identity: a.b.test, conect: false }\n';
    expect(errorsOf(text)).toEqual([
      {
        code: ErrorCode.CONFIG_UNKNOWN_KEY,
        at:
          '2:1: peer: unknown key (did you mean peers?); allowed: identity, realm, hostIpAddresses, productName, vendorId, firmwareRevision, ' +
          'listen, tls, peers, applications, relay, allowUnknownPeers, dataDir, dictionaries, limits, timers, log, api, routing, hss, capture',
      },
      {
        code: ErrorCode.CONFIG_UNKNOWN_KEY,
        at: '5:27: peers[0].conect: unknown key (did you mean connect?); allowed: identity, realm, address, addresses, port, transport, prefer, tls, connect, tc, tw',
      },
    ]);
  });

  it('of identities and realms that are not FQDNs, and of a quoted value (at its quote)', () => {
    const text = 'identity: "dra"\nrealm: realm_a.test\npeers:\n  - identity: "-bad-.test"\n';
    expect(errorsOf(text)).toEqual([
      { code: ErrorCode.CONFIG_INVALID, at: '1:11: identity: expected a Diameter identity (FQDN, e.g. dra.realm.test), found "dra"' },
      { code: ErrorCode.CONFIG_INVALID, at: '2:8: realm: expected a Diameter realm (e.g. realm.test), found "realm_a.test"' },
      { code: ErrorCode.CONFIG_INVALID, at: '4:15: peers[0].identity: expected a Diameter identity (FQDN), found "-bad-.test"' },
    ]);
  });

  it('of a wrong type for a section', () => {
    expect(errorsOf('peers: { identity: a.b.test }\ntimers: [30]\n')).toEqual([
      { code: ErrorCode.CONFIG_INVALID, at: '1:8: peers: expected a list of peers ({identity, address, port, ...}), found a mapping' },
      { code: ErrorCode.CONFIG_INVALID, at: '2:9: timers: expected a mapping with keys tc, tw, ceTimeout, dpaTimeout, shutdownGrace, requestTimeout, found a list' },
    ]);
    expect(errorsOf('- a\n- b\n')[0]!.at).toMatch(/^1:1: expected a mapping with keys identity, realm/);
  });

  it('of duplicate peers (case-insensitive), a missing identity, the own identity, address and addresses together', () => {
    const text = [
      'identity: dra.realm-a.test',
      'peers:',
      '  - { identity: hss1.realm-a.test }',
      '  - { identity: HSS1.Realm-A.test }',
      '  - { address: 10.0.0.1 }',
      '  - { identity: DRA.realm-a.test }',
      '  - { identity: x.realm-a.test, address: 10.0.0.1, addresses: [10.0.0.2] }',
      '',
    ].join('\n');
    expect(errorsOf(text)).toEqual([
      { code: ErrorCode.CONFIG_INVALID, at: '4:17: peers[1].identity: duplicate peer HSS1.Realm-A.test (also peers[0], line 3)' },
      { code: ErrorCode.CONFIG_INVALID, at: "5:5: peers[2]: missing identity (the peer's Diameter identity, e.g. hss1.realm.test)" },
      { code: ErrorCode.CONFIG_INVALID, at: "6:17: peers[3].identity: DRA.realm-a.test is this node's own identity" },
      { code: ErrorCode.CONFIG_INVALID, at: '7:52: peers[4].addresses: give either address or addresses, not both' },
    ]);
  });

  it('of bad transports, TLS over SCTP and a conflicting transport: tls', () => {
    const text = 'listen:\n  - { transport: udp }\npeers:\n  - { identity: a.b.test, transport: sctp, tls: inband }\n  - { identity: c.b.test, transport: tls, tls: none }\n';
    expect(errorsOf(text)).toEqual([
      { code: ErrorCode.CONFIG_INVALID, at: '2:18: listen[0].transport: expected one of tcp, tls, sctp, found "udp"' },
      { code: ErrorCode.CONFIG_INVALID, at: '4:49: peers[0].tls: TLS over SCTP (DTLS, RFC 6083) is not supported; use transport: tcp for TLS peers' },
      // A TLS peer makes the TLS files required; with no tls section the error points at the first TLS user.
      { code: ErrorCode.CONFIG_MISSING_FILE, at: '4:49: tls.cert: required because peers[0] uses TLS' },
      { code: ErrorCode.CONFIG_MISSING_FILE, at: '4:49: tls.key: required because peers[0] uses TLS' },
      { code: ErrorCode.CONFIG_MISSING_FILE, at: '4:49: tls.ca: required because peers[0] uses TLS and tls.verifyPeer is true' },
      { code: ErrorCode.CONFIG_INVALID, at: '5:48: peers[1].tls: tls: none conflicts with transport: tls (TLS at connect); use transport: tcp' },
    ]);
  });

  it('of listeners bound twice (TCP and TLS share ports; SCTP does not)', () => {
    const tls = 'tls: { cert: certs/dra.pem, key: certs/dra.key, ca: certs/ca.pem }\n';
    const text = `${tls}listen:\n  - { address: 0.0.0.0, port: 3868 }\n  - { transport: tls, address: 127.0.0.1, port: 3868 }\n  - { transport: sctp, port: 3868 }\n`;
    expect(errorsOf(text)).toEqual([
      { code: ErrorCode.CONFIG_INVALID, at: '4:49: listen[1]: 127.0.0.1 port 3868 is already used by listen[0]' },
    ]);
    expect(ok(`${tls}listen:\n  - { address: 0.0.0.0, port: 3868 }\n  - { address: '::', port: 3868 }\n`).listen).toHaveLength(2);
  });

  it('of applications', () => {
    const text = 'applications:\n  - s6a\n  - diameter-sip\n  - { id: 4294967295 }\n  - { vendorId: 10415 }\n  - { id: 1, kind: both }\n';
    expect(errorsOf(text)).toEqual([
      {
        code: ErrorCode.CONFIG_INVALID,
        at: '3:5: applications[1]: unknown application "diameter-sip"; known names: s6a, s6d, cx, sh, gx, rx, gy, ro, s13, slh, swx, base-accounting, or give {id, vendorId}',
      },
      { code: ErrorCode.CONFIG_INVALID, at: '4:11: applications[2].id: 0xffffffff is the Relay application: set relay: true instead' },
      { code: ErrorCode.CONFIG_INVALID, at: '5:5: applications[3]: missing id (the Application-Id, e.g. 16777251)' },
      { code: ErrorCode.CONFIG_INVALID, at: '6:20: applications[4].kind: expected one of auth, acct, found "both"' },
    ]);
  });

  it('of an API open beyond loopback without a token', () => {
    expect(errorsOf('api: { address: 10.1.2.3 }\n')).toEqual([
      { code: ErrorCode.CONFIG_INVALID, at: '1:17: api.token: required when the API listens on 10.1.2.3 (not loopback)' },
    ]);
  });

  it('of timers out of range (seconds, not milliseconds)', () => {
    expect(errorsOf('timers: { tc: 30000, tw: 0, shutdownGrace: -1 }\n').map((e) => e.at)).toEqual([
      '1:15: timers.tc: expected a number of seconds from 0.001 to 3600, found 30000',
      '1:26: timers.tw: expected a number of seconds from 0.001 to 3600, found 0',
      '1:44: timers.shutdownGrace: expected a number of seconds from 0 to 3600, found -1',
    ]);
  });

  it('of YAML syntax, with the parser position', () => {
    expect(errorsOf('identity: dra.realm-a.test\npeers:\n  - { identity: a.b.test\nrealm: x\n')).toEqual([
      { code: ErrorCode.CONFIG_SYNTAX, at: expect.stringMatching(/^4:\d+: /) as unknown as string },
    ]);
    expect(errorsOf('realm: a.test\nrealm: b.test\n')).toEqual([
      { code: ErrorCode.CONFIG_SYNTAX, at: '2:1: duplicate key realm (first at line 1, column 1)' },
    ]);
    expect(errorsOf('realm: a.test\n---\nrealm: b.test\n')).toEqual([
      { code: ErrorCode.CONFIG_SYNTAX, at: '3:1: a second YAML document; the configuration is one document' },
    ]);
    expect(errorsOf('port: !!int abc\n')[0]!.code).toBe(ErrorCode.CONFIG_SYNTAX);
  });

  it('accumulates every error of a file, in file order', () => {
    const text = 'identity: x\ntimers: { tc: a }\npeers:\n  - { identity: a.b.test, port: 0 }\nbogus: 1\n';
    expect(errorsOf(text).map((e) => e.at.split(': ')[0])).toEqual(['1:11', '2:15', '4:33', '5:1']);
  });
});

describe('TLS files', () => {
  it('are only required when a listener or peer uses TLS', () => {
    expect(ok('tls: { cert: nowhere.pem }\n').tls.cert).toBe(join(dir, 'nowhere.pem'));
  });

  it('are checked for existence and named when missing', () => {
    const text = 'tls:\n  cert: certs/dra.pem\n  key: certs/missing.key\n  ca: /nonexistent/ca.pem\npeers:\n  - { identity: a.b.test, tls: inband }\n';
    expect(errorsOf(text)).toEqual([
      { code: ErrorCode.CONFIG_MISSING_FILE, at: `3:8: tls.key: file not found: certs/missing.key (${join(dir, 'certs/missing.key')})` },
      { code: ErrorCode.CONFIG_MISSING_FILE, at: '4:7: tls.ca: file not found: /nonexistent/ca.pem' },
    ]);
  });

  it('ca is not required when verifyPeer is false; a directory is not a file', () => {
    expect(ok('tls: { cert: certs/dra.pem, key: certs/dra.key, verifyPeer: false }\nlisten: [{ transport: tls }]\n').listen[0]!.port).toBe(5868);
    expect(errorsOf('tls: { cert: certs, key: certs/dra.key, verifyPeer: false }\nlisten: [{ transport: tls }]\n')).toEqual([
      { code: ErrorCode.CONFIG_MISSING_FILE, at: `1:14: tls.cert: not a regular file: certs (${join(dir, 'certs')})` },
    ]);
  });

  it('missing tls section names the first user; a missing dictionary file is reported too', () => {
    expect(errorsOf('dictionaries: [nope.dict]\n')).toEqual([
      { code: ErrorCode.CONFIG_MISSING_FILE, at: `1:16: dictionaries[0]: file not found: nope.dict (${join(dir, 'nope.dict')})` },
    ]);
  });
});

describe('loadConfig I/O', () => {
  it('reports an unreadable file as CONFIG_IO at 1:1', () => {
    const r = loadConfig(join(dir, 'absent.yaml'));
    expect(r.config).toBeUndefined();
    expect(r.errors.map((e) => [e.code, e.message])).toEqual([
      [ErrorCode.CONFIG_IO, `${join(dir, 'absent.yaml')}:1:1: cannot read the configuration: file not found`],
    ]);
  });
});

describe('docs/configuration.md', () => {
  it('its example file loads with no errors', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../docs/configuration.md', import.meta.url)), 'utf8');
    const example = /## Example\n+```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const c = ok(example!);
    expect(c.peers.map((p) => [p.identity, p.port, p.tls])).toEqual([
      ['hss1.realm-a.test', 3868, 'none'],
      ['hss2.realm-a.test', 5868, 'connect'],
      ['mme1.realm-b.test', 3868, 'none'],
    ]);
  });
});
