// freeDiameter.conf -> diamond.yaml. Converts what has a Diamond equivalent and reports, with
// line numbers, everything it could not convert. Behaviour follows freeDiameter 1.2.1
// (specs/rt-default.md §5, specs/freediameter-peer.md): peers use TLS at connect unless No_TLS,
// in-band TLS with TLS_old_method; SCTP is tried before TCP unless Prefer_TCP or No_SCTP.
import { basename } from 'node:path';
import { ErrorCode, FileError } from '../errors.js';
import { parseFreeDiameterConf } from './freediameter-conf.js';
import type { FdStatement, FdValue } from './freediameter-conf.js';
import type { TlsMode, TransportKind } from './model.js';
import { dumpYaml } from './to-yaml.js';
import type { DiamondYaml, YamlListen, YamlPeer } from './to-yaml.js';

export interface Unconverted {
  /** 1-based line of the statement; 0 for behaviour freeDiameter has by default (no line to point at). */
  line: number;
  text: string;
  reason: string;
}

export interface ImportResult {
  yaml: string;
  config: DiamondYaml;
  unconverted: Unconverted[];
  errors: FileError[];
}

/** freeDiameter 1.2.1 defaults (libfdcore/config.c). */
const FD_PORT = 3868;
const FD_SEC_PORT = 5868;

/** Statements read but with no Diamond equivalent, and why. */
const NOT_CONVERTED: Record<string, string> = {
  sctp_streams: 'Diamond uses its own SCTP stream count',
  appservthreads: 'Diamond runs on one event loop; there are no thread pools to size',
  threadsperserver: 'Diamond runs on one event loop; there are no thread pools to size',
  routinginthreads: 'Diamond runs on one event loop; there are no thread pools to size',
  routingoutthreads: 'Diamond runs on one event loop; there are no thread pools to size',
  incomingqueuelimit: 'see limits.maxPendingPerPeer and limits.maxQueuedBytesPerPeer',
  outgoingqueuelimit: 'see limits.maxPendingPerPeer and limits.maxQueuedBytesPerPeer',
  localqueuelimit: 'see limits.maxPendingPerPeer',
  tls_crl: 'certificate revocation lists are not supported',
  tls_prio: 'GnuTLS priority strings have no Node.js equivalent; Node uses its default TLS 1.2/1.3 ciphers',
  tls_dh_bits: 'Diffie-Hellman parameters are not configurable (Node uses ECDHE)',
  tls_dh_file: 'Diffie-Hellman parameters are not configurable (Node uses ECDHE)',
  sctpsec3436: 'TLS over SCTP (RFC 3436) is not supported',
  include: 'included files are not read: convert each one and merge it by hand',
};

function extensionAdvice(file: string, conf: string | undefined): string {
  const name = basename(file).replace(/\.(fdx|so)$/, '');
  if (name === 'rt_default') {
    return conf ? `routing rules: copy ${conf} to rules/ (rt_default syntax is read as is)` : 'rt_default without a rules file: nothing to copy';
  }
  if (name === 'acl_wl') {
    return `acl_wl admits peers listed in ${conf ?? 'its file'} without a ConnectPeer: set allowUnknownPeers: true to accept any peer, or list them under peers: with connect: false`;
  }
  if (name === 'rt_redirect') return 'Diamond honours Redirect answers (3006) itself, with a cache';
  if (name === 'dbg_msg_dumps') return 'message dumps: set log.messageDump: true (and log.level)';
  if (name.startsWith('dict_')) return 'dictionary extension: Diamond loads dictionaries/*.dict; list extra dictionary files under dictionaries:';
  if (name.startsWith('dbg_')) return `debugging extension ${name} has no Diamond equivalent`;
  if (name.startsWith('rt_')) return `routing extension ${name}: express it as rules in rules/*.conf`;
  return `extension ${name} is not converted (Diamond's own applications are listed under applications:)`;
}

interface Ctx {
  file: string;
  errors: FileError[];
  unconverted: Unconverted[];
}

function fdError(ctx: Ctx, v: { pos: { line: number; col: number } }, message: string): void {
  ctx.errors.push(new FileError(ErrorCode.IMPORT_SYNTAX, { file: ctx.file, ...v.pos }, message));
}

function note(ctx: Ctx, st: FdStatement, reason: string): void {
  ctx.unconverted.push({ line: st.pos.line, text: st.text, reason });
}

/** The statement's values must match `shape` ('s' string, 'i' integer), as fdd.y requires. */
function values(ctx: Ctx, st: FdStatement, shape: string): FdValue[] | undefined {
  const kinds = [...shape].map((k) => (k === 's' ? 'string' : 'integer'));
  const ok = st.values.length === kinds.length && st.values.every((v, i) => v.kind === kinds[i]) && st.block === undefined;
  if (ok && (st.extConf === undefined || st.key.toLowerCase() === 'loadextension')) return st.values;
  const want = kinds.map((k) => (k === 'string' ? '"string"' : 'integer')).join(', ');
  const found = st.values.length === 0 ? 'no value' : st.values.map((v) => (v.kind === 'string' ? `"${v.value}"` : String(v.value))).join(', ');
  fdError(ctx, st.values[0] ?? st, `${st.key}: expected = ${want}; found ${found}`);
  return undefined;
}

function str(ctx: Ctx, st: FdStatement): string | undefined {
  return values(ctx, st, 's')?.[0]?.value as string | undefined;
}

function int(ctx: Ctx, st: FdStatement, min: number, max: number): number | undefined {
  const v = values(ctx, st, 'i')?.[0];
  if (!v) return undefined;
  const n = v.value as number;
  if (n < min || n > max) {
    fdError(ctx, v, `${st.key}: invalid value ${n} (freeDiameter accepts ${max >= 2 ** 31 ? `${min} or more` : `${min}-${max}`})`);
    return undefined;
  }
  return n;
}

function flag(ctx: Ctx, st: FdStatement): boolean {
  if (st.values.length > 0 || st.block !== undefined) {
    fdError(ctx, st, `${st.key} is a flag: write ${st.key};`);
    return false;
  }
  return true;
}

interface PeerDraft {
  st: FdStatement;
  identity: string;
  realm?: string;
  connectTo: string[];
  port?: number;
  tc?: number;
  tw?: number;
  noTls: boolean;
  oldTls: boolean;
  noTcp: boolean;
  noSctp: boolean;
  preferTcp: boolean;
}

function readPeer(ctx: Ctx, st: FdStatement): PeerDraft | undefined {
  if (st.values.length !== 1 || st.values[0]!.kind !== 'string' || st.extConf) {
    fdError(ctx, st, 'ConnectPeer expects = "diameter.identity" [ { parameters } ];');
    return undefined;
  }
  const peer: PeerDraft = {
    st,
    identity: st.values[0]!.value as string,
    connectTo: [],
    noTls: false,
    oldTls: false,
    noTcp: false,
    noSctp: false,
    preferTcp: false,
  };
  for (const p of st.block ?? []) {
    const key = p.key.toLowerCase();
    switch (key) {
      case 'connectto': {
        const a = str(ctx, p);
        if (a !== undefined) peer.connectTo.push(a);
        break;
      }
      case 'realm':
        peer.realm = str(ctx, p) ?? peer.realm;
        break;
      case 'port':
        peer.port = int(ctx, p, 1, 65535) ?? peer.port;
        break;
      case 'tctimer':
        peer.tc = int(ctx, p, 0, 2 ** 31) ?? peer.tc;
        break;
      case 'twtimer':
        peer.tw = int(ctx, p, 0, 2 ** 31) ?? peer.tw;
        break;
      case 'no_tls':
        peer.noTls = flag(ctx, p) || peer.noTls;
        break;
      case 'tls_old_method':
        peer.oldTls = flag(ctx, p) || peer.oldTls;
        break;
      case 'no_tcp':
        peer.noTcp = flag(ctx, p) || peer.noTcp;
        break;
      case 'no_sctp':
        peer.noSctp = flag(ctx, p) || peer.noSctp;
        break;
      case 'prefer_tcp':
        peer.preferTcp = flag(ctx, p) || peer.preferTcp;
        break;
      case 'no_ip':
      case 'no_ipv6':
        if (flag(ctx, p)) note(ctx, p, `ConnectPeer ${peer.identity}: ${p.key} is not converted; list only the addresses to use with ConnectTo`);
        break;
      case 'tls_prio':
        note(ctx, p, `ConnectPeer ${peer.identity}: ${NOT_CONVERTED.tls_prio}`);
        break;
      case 'sctp_streams':
        note(ctx, p, `ConnectPeer ${peer.identity}: ${NOT_CONVERTED.sctp_streams}`);
        break;
      case 'sctpsec3436':
        note(ctx, p, `ConnectPeer ${peer.identity}: ${NOT_CONVERTED.sctpsec3436}`);
        break;
      default:
        fdError(ctx, p, `unknown ConnectPeer parameter ${p.key}`);
    }
  }
  return peer;
}

/** Converts freeDiameter.conf text; `path` names the file in errors. */
export function importFreeDiameter(text: string, path: string): ImportResult {
  const { statements, errors } = parseFreeDiameterConf(text, path);
  const ctx: Ctx = { file: path, errors, unconverted: [] };
  let identity: string | undefined;
  let realm: string | undefined;
  let port = FD_PORT;
  let secPort = FD_SEC_PORT;
  const listenOn: string[] = [];
  let cert: string | undefined;
  let key: string | undefined;
  let ca: string | undefined;
  let tc: number | undefined;
  let tw: number | undefined;
  let noRelay = false;
  let noIp = false;
  let noIpv6 = false;
  let noTcp = false;
  let noSctp = false;
  let preferTcp = false;
  let oldTls = false;
  const peers: PeerDraft[] = [];
  let secPortSt: FdStatement | undefined;

  for (const st of statements) {
    const k = st.key.toLowerCase();
    switch (k) {
      case 'identity':
        identity = str(ctx, st) ?? identity;
        break;
      case 'realm':
        realm = str(ctx, st) ?? realm;
        break;
      case 'port':
        port = int(ctx, st, 0, 65535) ?? port;
        break;
      case 'secport':
        secPort = int(ctx, st, 0, 65535) ?? secPort;
        secPortSt = st;
        break;
      case 'listenon': {
        const a = str(ctx, st);
        if (a !== undefined) listenOn.push(a);
        break;
      }
      case 'tls_cred': {
        const v = values(ctx, st, 'ss');
        if (v) [cert, key] = [v[0]!.value as string, v[1]!.value as string];
        break;
      }
      case 'tls_ca':
        ca = str(ctx, st) ?? ca;
        break;
      case 'tctimer':
        tc = int(ctx, st, 1, 2 ** 31) ?? tc;
        break;
      case 'twtimer':
        tw = int(ctx, st, 6, 2 ** 31) ?? tw; // fdd.y: Tw > 5
        break;
      case 'norelay':
        noRelay = flag(ctx, st) || noRelay;
        break;
      case 'no_ip':
        noIp = flag(ctx, st) || noIp;
        break;
      case 'no_ipv6':
        noIpv6 = flag(ctx, st) || noIpv6;
        break;
      case 'no_tcp':
        noTcp = flag(ctx, st) || noTcp;
        break;
      case 'no_sctp':
        noSctp = flag(ctx, st) || noSctp;
        break;
      case 'prefer_tcp':
        preferTcp = flag(ctx, st) || preferTcp;
        break;
      case 'tls_old_method':
        oldTls = flag(ctx, st) || oldTls;
        break;
      case 'loadextension': {
        const v = values(ctx, st, 's');
        if (v) note(ctx, st, extensionAdvice(v[0]!.value as string, st.extConf?.value as string | undefined));
        break;
      }
      case 'connectpeer': {
        const p = readPeer(ctx, st);
        if (p) peers.push(p);
        break;
      }
      default:
        note(ctx, st, NOT_CONVERTED[k] ?? `unknown freeDiameter directive ${st.key} (not in the 1.2.1 grammar)`);
    }
  }
  if (noTcp && noSctp) fdError(ctx, statements.find((s) => s.key.toLowerCase() === 'no_sctp')!, 'No_SCTP conflicts with No_TCP');

  const doc: DiamondYaml = {};
  if (identity !== undefined) doc.identity = identity;
  if (realm !== undefined) doc.realm = realm;

  // freeDiameter listens on every address unless ListenOn is given.
  const addresses = listenOn.length > 0 ? listenOn : [noIp ? '::' : '0.0.0.0'];
  const listen: YamlListen[] = [];
  const haveTls = cert !== undefined && key !== undefined;
  if (!noTcp) {
    if (port !== 0) listen.push({ transport: 'tcp', addresses, port });
    if (secPort !== 0 && haveTls) listen.push({ transport: 'tls', addresses, port: secPort });
  }
  if (!noSctp) {
    if (port !== 0) listen.push({ transport: 'sctp', addresses, port });
    if (secPort !== 0 && haveTls) {
      ctx.unconverted.push({
        line: secPortSt?.pos.line ?? 0,
        text: secPortSt?.text ?? `SecPort = ${secPort}; (default)`,
        reason: 'the TLS-over-SCTP listener on SecPort is not converted: DTLS/SCTP is not supported (add No_SCTP, or use TCP for TLS)',
      });
    }
  }
  doc.listen = listen;
  if (cert !== undefined || ca !== undefined) {
    doc.tls = { ...(cert !== undefined && { cert }), ...(key !== undefined && { key }), ...(ca !== undefined && { ca }) };
  }

  doc.peers = peers.map((p) => {
    const tls: TlsMode = p.noTls ? 'none' : p.oldTls || oldTls ? 'inband' : 'connect';
    const tcpOk = !p.noTcp && !noTcp;
    const sctpOk = !p.noSctp && !noSctp;
    let transport: TransportKind = tcpOk ? 'tcp' : 'sctp';
    if (tcpOk && sctpOk && !p.preferTcp && !preferTcp) {
      note(ctx, p.st, `ConnectPeer ${p.identity}: freeDiameter tries SCTP first, then TCP; Diamond uses one transport: tcp (write transport: sctp for SCTP)`);
    }
    if (transport === 'sctp' && tls !== 'none') {
      note(ctx, p.st, `ConnectPeer ${p.identity}: TLS over SCTP is not supported; converted to transport: tcp`);
      transport = 'tcp';
    }
    const peer: YamlPeer = { identity: p.identity };
    if (p.realm !== undefined) peer.realm = p.realm;
    if (p.connectTo.length === 1) peer.address = p.connectTo[0]!;
    else if (p.connectTo.length > 1) peer.addresses = p.connectTo;
    if (p.port !== undefined) peer.port = p.port;
    peer.transport = transport;
    peer.tls = tls;
    // A peer timer of 0 means "the global value" in freeDiameter.
    if (p.tc) peer.tc = p.tc;
    if (p.tw) peer.tw = p.tw;
    return peer;
  });
  // freeDiameter relays unless NoRelay, and then advertises the Relay application.
  doc.relay = !noRelay;
  if (tc !== undefined || tw !== undefined) doc.timers = { ...(tc !== undefined && { tc }), ...(tw !== undefined && { tw }) };

  ctx.unconverted.sort((a, b) => a.line - b.line);
  errors.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
  const header = [`# diamond.yaml converted from ${basename(path)} by \`diamond import freediameter\`.`];
  for (const u of ctx.unconverted) header.push(`# not converted: ${u.line > 0 ? `line ${u.line}` : 'default'}: ${u.text} -- ${u.reason}`);
  return { yaml: `${header.join('\n')}\n${dumpYaml(doc)}`, config: doc, unconverted: ctx.unconverted, errors };
}
