import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '../../src/errors.js';
import { parseCInteger, parseFreeDiameterConf } from '../../src/config/freediameter-conf.js';
import { importFreeDiameter } from '../../src/config/import-freediameter.js';
import { loadConfigText } from '../../src/config/load.js';

/** A DRA's freeDiameter.conf as written for freeDiameter 1.2.1 (specs/freediameter-peer.md). */
export const DRA_CONF = `# freeDiameter DRA in front of two HSSes
Identity = "dra.realm-a.test";
Realm = "realm-a.test";
Port = 3868;
SecPort = 5868;
No_SCTP;
No_IPv6;
ListenOn = "127.0.0.1";
TcTimer = 5;
TwTimer = 6;
SCTP_streams = 30;
AppServThreads = 4;
TLS_Cred = "certs/dra.pem",
           "certs/dra.key";
TLS_CA = "certs/ca.pem";
LoadExtension = "/usr/lib/freeDiameter/dbg_msg_dumps.fdx" : "0x1111";   # quiet
LoadExtension = "/usr/lib/freeDiameter/rt_default.fdx" : "rt_default.conf";
LoadExtension = "acl_wl.fdx" : "acl_wl.conf";
ConnectPeer = "hss1.realm-a.test" { ConnectTo = "127.0.0.2"; No_TLS; Port = 3868; Realm = "realm-a.test"; };
connectpeer = "hss2.realm-a.test" {
   ConnectTo = "127.0.0.3";
   ConnectTo = "127.0.0.4";
   TLS_old_method;
   TcTimer = 10;
   TwTimer = 12;
   TLS_Prio = "NORMAL";
};
ConnectPeer = "mme.realm-b.test" { ConnectTo = "127.0.0.9"; Port = 3873; } ;
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'diamond-import-'));
  mkdirSync(join(dir, 'certs'));
  for (const f of ['dra.pem', 'dra.key', 'ca.pem']) writeFileSync(join(dir, 'certs', f), 'placeholder\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('importFreeDiameter', () => {
  it('converts a realistic DRA config into YAML that loads with no errors', () => {
    const r = importFreeDiameter(DRA_CONF, join(dir, 'freeDiameter.conf'));
    expect(r.errors).toEqual([]);
    const loaded = loadConfigText(r.yaml, join(dir, 'diamond.yaml'));
    expect(loaded.errors.map((e) => e.message)).toEqual([]);
    const c = loaded.config!;
    expect([c.identity, c.realm, c.relay]).toEqual(['dra.realm-a.test', 'realm-a.test', true]);
    expect(c.listen).toEqual([
      { transport: 'tcp', addresses: ['127.0.0.1'], port: 3868 },
      { transport: 'tls', addresses: ['127.0.0.1'], port: 5868 },
    ]);
    expect(c.tls.cert).toBe(join(dir, 'certs/dra.pem'));
    expect(c.tls.ca).toBe(join(dir, 'certs/ca.pem'));
    expect([c.timers.tc, c.timers.tw]).toEqual([5_000, 6_000]);
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
        tc: 5_000,
        tw: 6_000,
      },
      // TLS_old_method: in-band TLS after CER/CEA, on the plain port.
      {
        identity: 'hss2.realm-a.test',
        realm: undefined,
        addresses: ['127.0.0.3', '127.0.0.4'],
        port: 3868,
        transport: 'tcp',
        prefer: 'tcp',
        tls: 'inband',
        connect: true,
        tc: 10_000,
        tw: 12_000,
      },
      // freeDiameter's default is TLS at connect (port 5868 unless given).
      {
        identity: 'mme.realm-b.test',
        realm: undefined,
        addresses: ['127.0.0.9'],
        port: 3873,
        transport: 'tcp',
        prefer: 'tcp',
        tls: 'connect',
        connect: true,
        tc: 5_000,
        tw: 6_000,
      },
    ]);
  });

  it('reports what it could not convert, with line numbers', () => {
    const r = importFreeDiameter(DRA_CONF, 'freeDiameter.conf');
    expect(r.unconverted.map((u) => [u.line, u.text])).toEqual([
      [11, 'SCTP_streams = 30;'],
      [12, 'AppServThreads = 4;'],
      [16, 'LoadExtension = "/usr/lib/freeDiameter/dbg_msg_dumps.fdx" : "0x1111";'],
      [17, 'LoadExtension = "/usr/lib/freeDiameter/rt_default.fdx" : "rt_default.conf";'],
      [18, 'LoadExtension = "acl_wl.fdx" : "acl_wl.conf";'],
      [26, 'TLS_Prio = "NORMAL";'],
    ]);
    const reasons = new Map(r.unconverted.map((u) => [u.line, u.reason]));
    expect(reasons.get(17)).toBe('routing rules: copy rt_default.conf to rules/ (rt_default syntax is read as is)');
    expect(reasons.get(18)).toContain('allowUnknownPeers: true');
    expect(r.yaml).toContain('# not converted: line 17: LoadExtension');
    // acl_wl is advice only: unknown peers stay refused.
    expect(r.config.allowUnknownPeers).toBeUndefined();
  });

  it('without No_SCTP, says that freeDiameter would try SCTP first, and keeps TLS on TCP', () => {
    const conf = 'Identity = "a.realm.test";\nTLS_Cred = "c.pem", "k.pem";\nConnectPeer = "b.realm.test" { No_TLS; };\nConnectPeer = "c.realm.test" { No_TCP; };\n';
    const r = importFreeDiameter(conf, 'fd.conf');
    expect(r.errors).toEqual([]);
    expect(r.config.listen).toEqual([
      { transport: 'tcp', addresses: ['0.0.0.0'], port: 3868 },
      { transport: 'tls', addresses: ['0.0.0.0'], port: 5868 },
      { transport: 'sctp', addresses: ['0.0.0.0'], port: 3868 },
    ]);
    expect(r.config.peers).toEqual([
      { identity: 'b.realm.test', transport: 'tcp', tls: 'none' },
      { identity: 'c.realm.test', transport: 'tcp', tls: 'connect' },
    ]);
    expect(r.unconverted.map((u) => [u.line, u.reason])).toEqual([
      [0, expect.stringContaining('TLS-over-SCTP listener on SecPort is not converted')],
      [3, expect.stringContaining('freeDiameter tries SCTP first, then TCP')],
      [4, expect.stringContaining('TLS over SCTP is not supported; converted to transport: tcp')],
    ]);
  });

  it('maps global Prefer_TCP, TLS_old_method, NoRelay, No_TCP and disabled ports', () => {
    const conf = 'Prefer_TCP;\nTLS_old_method;\nNoRelay;\nSecPort = 0;\nNo_TCP;\nConnectPeer = "b.realm.test" { No_TLS; ConnectTo = "10.0.0.1"; TcTimer = 0; };\nConnectPeer = "c.realm.test";\n';
    const r = importFreeDiameter(conf, 'fd.conf');
    expect(r.errors).toEqual([]);
    expect(r.config.relay).toBe(false);
    expect(r.config.listen).toEqual([{ transport: 'sctp', addresses: ['0.0.0.0'], port: 3868 }]);
    expect(r.config.peers).toEqual([
      { identity: 'b.realm.test', address: '10.0.0.1', transport: 'sctp', tls: 'none' },
      // In-band TLS over SCTP has no Diamond equivalent: TCP, and a note.
      { identity: 'c.realm.test', transport: 'tcp', tls: 'inband' },
    ]);
    expect(r.unconverted.map((u) => u.line)).toEqual([7]);
  });

  it('names file:line:col for syntax errors and values freeDiameter refuses, and goes on after each', () => {
    const conf = [
      'Identity = dra.realm.test;',
      'Port = "3868";',
      'ConnectPeer = "a.realm.test" { Port = ; };',
      'TwTimer = 5;',
      'Realm = "realm.test"',
      'ListenOn = "127.0.0.1;',
      'ConnectPeer = "b.realm.test" { Bogus = 1; };',
      'Identity = "x.realm.test" @',
      '',
    ].join('\n');
    const r = importFreeDiameter(conf, 'fd.conf');
    expect(r.errors.map((e) => [e.code, e.message])).toEqual([
      [ErrorCode.IMPORT_SYNTAX, `fd.conf:1:12: expected a "string" or an integer, found 'dra'`],
      [ErrorCode.IMPORT_SYNTAX, 'fd.conf:2:8: Port: expected = integer; found "3868"'],
      [ErrorCode.IMPORT_SYNTAX, "fd.conf:3:39: expected a \"string\" or an integer, found ';'"],
      [ErrorCode.IMPORT_SYNTAX, 'fd.conf:4:11: TwTimer: invalid value 5 (freeDiameter accepts 6 or more)'],
      [ErrorCode.IMPORT_SYNTAX, `fd.conf:5:21: expected ';' after "realm.test"`],
      [ErrorCode.IMPORT_SYNTAX, 'fd.conf:6:12: unterminated string (strings end on the same line)'],
      [ErrorCode.IMPORT_SYNTAX, 'fd.conf:7:32: unknown ConnectPeer parameter Bogus'],
      [ErrorCode.IMPORT_SYNTAX, `fd.conf:8:26: expected ';' after "x.realm.test"`],
    ]);
  });
});

describe('parseFreeDiameterConf', () => {
  it('reads integers like sscanf %i, keywords in any case, include and comments', () => {
    expect(['010', '08', '0', '03873', '3868'].map(parseCInteger)).toEqual([8, 0, 0, 3, 3868]);
    const { statements, errors } = parseFreeDiameterConf('# c\ninclude "/etc/fd/*.conf"\nNO_SCTP; # x\nPort=010;\n', 'fd.conf');
    expect(errors).toEqual([]);
    expect(statements.map((s) => [s.key, s.pos.line, s.values.map((v) => v.value)])).toEqual([
      ['include', 2, ['/etc/fd/*.conf']],
      ['NO_SCTP', 3, []],
      ['Port', 4, [8]],
    ]);
  });

  it('reports an include and unknown directives as not converted', () => {
    const r = importFreeDiameter('include "/etc/fd/peers.conf"\nThreadsPerServer = 4;\nFancyOption = 1;\n', 'fd.conf');
    expect(r.errors).toEqual([]);
    expect(r.unconverted.map((u) => [u.line, u.reason])).toEqual([
      [1, expect.stringContaining('included files are not read')],
      [2, expect.stringContaining('one event loop')],
      [3, 'unknown freeDiameter directive FancyOption (not in the 1.2.1 grammar)'],
    ]);
  });
});
