// Positioned YAML tree -> Config. Checks every key, type and range, fills defaults, and collects
// every error (FILE:LINE:COL: path: what was expected, what was found) instead of stopping at the first.
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ErrorCode, FileError } from '../errors.js';
import { applicationByName, RELAY_APPLICATION_ID, WELL_KNOWN_APPLICATIONS } from './applications.js';
import * as D from './defaults.js';
import type {
  ApiConfig,
  CaptureConfig,
  ApplicationRef,
  Config,
  LimitsConfig,
  ListenConfig,
  LogConfig,
  PeerConfig,
  RoutingConfig,
  HssApplicationName,
  HssConfig,
  TimersConfig,
  TlsConfig,
  TlsMode,
  TransportKind,
} from './model.js';
import { isHostOrIp, isIdentity, isIpAddress, isLoopback, isRealm, isWildcard } from './names.js';
import type { Pos, YEntry, YMap, YNode, YSeq } from './yaml-tree.js';

export const TOP_KEYS = [
  'identity',
  'realm',
  'hostIpAddresses',
  'productName',
  'vendorId',
  'firmwareRevision',
  'listen',
  'tls',
  'peers',
  'applications',
  'relay',
  'allowUnknownPeers',
  'dataDir',
  'dictionaries',
  'limits',
  'timers',
  'log',
  'api',
  'routing',
  'hss',
  'capture',
] as const;
export const LISTEN_KEYS = ['transport', 'address', 'addresses', 'port'] as const;
export const TLS_KEYS = ['cert', 'key', 'ca', 'verifyPeer', 'checkIdentity'] as const;
export const PEER_KEYS = ['identity', 'realm', 'address', 'addresses', 'port', 'transport', 'prefer', 'tls', 'connect', 'tc', 'tw'] as const;
export const APPLICATION_KEYS = ['id', 'vendorId', 'kind'] as const;
export const TIMER_KEYS = ['tc', 'tw', 'ceTimeout', 'dpaTimeout', 'shutdownGrace', 'requestTimeout'] as const;
export const LIMIT_KEYS = ['maxMessageSize', 'maxPendingPerPeer', 'maxQueuedBytesPerPeer'] as const;
export const LOG_KEYS = ['level', 'messageDump'] as const;
export const API_KEYS = ['enabled', 'address', 'port', 'token'] as const;
export const CAPTURE_KEYS = ['file', 'rotateMb', 'peers', 'mask', 'enabled'] as const;
export const ROUTING_KEYS = ['rules', 'retryOn'] as const;
export const HSS_KEYS = ['enabled', 'applications', 'indBits', 'sqnDelta', 'shMaxRepositoryDataBytes', 'shMaxSubscriptionSeconds', 'scscfPool', 'serverCapabilities'] as const;
const SERVER_CAPABILITY_KEYS = ['mandatory', 'optional', 'serverNames'] as const;
/** A SIP or SIPS URI, as Server-Name carries it (TS 29.229 §6.3.2). */
const SIP_URI = /^sips?:[^\s]+$/;
const HSS_APPLICATIONS: readonly HssApplicationName[] = ['s6a', 'cx', 'sh'];

const TRANSPORTS: readonly TransportKind[] = ['tcp', 'tls', 'sctp'];
const TLS_MODES: readonly TlsMode[] = ['none', 'connect', 'inband'];
const LOG_LEVELS: readonly LogConfig['level'][] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
const UINT32_MAX = 0xffffffff;
/** Diameter's Message Length is 24 bits (RFC 6733 §3). */
const MAX_DIAMETER_LENGTH = 0xffffff;
/** Timers above an hour are almost surely milliseconds typed where seconds are expected. */
const MAX_TIMER_S = 3600;

export interface ValidateOptions {
  /** Name used in error messages. */
  file: string;
  /** Relative paths (TLS files, dataDir, dictionaries) are resolved against this directory. */
  baseDir: string;
  /** Host name for the generated identity; default os.hostname(). */
  host?: string;
}

function describe(node: YNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  const v = node.value;
  if (v === null) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of allowed) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return bestD <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/** A mapping whose keys were checked against the allowed set; null values count as absent. */
class Section {
  constructor(
    readonly path: string,
    readonly pos: Pos,
    private readonly entries: Map<string, YEntry>,
  ) {}
  get(key: string): YNode | undefined {
    const e = this.entries.get(key);
    if (!e || (e.value.kind === 'scalar' && e.value.value === null)) return undefined;
    return e.value;
  }
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }
  keyPos(key: string): Pos | undefined {
    return this.entries.get(key)?.keyPos;
  }
}

const EMPTY_POS: Pos = { line: 1, col: 1 };

class Checker {
  readonly errors: FileError[] = [];
  constructor(readonly file: string) {}

  error(pos: Pos, path: string, message: string, code: ErrorCode = ErrorCode.CONFIG_INVALID): void {
    this.errors.push(new FileError(code, { file: this.file, line: pos.line, col: pos.col }, path ? `${path}: ${message}` : message));
  }

  expected(node: YNode, path: string, what: string): undefined {
    this.error(node.pos, path, `expected ${what}, found ${describe(node)}`);
    return undefined;
  }

  section(node: YNode | undefined, path: string, allowed: readonly string[], at: Pos = EMPTY_POS): Section | undefined {
    if (node === undefined) return new Section(path, at, new Map());
    if (node.kind !== 'map') return this.expected(node, path, `a mapping with keys ${allowed.join(', ')}`);
    return this.mapping(node, path, allowed);
  }

  mapping(node: YMap, path: string, allowed: readonly string[]): Section {
    const entries = new Map<string, YEntry>();
    for (const e of node.entries) {
      if (!allowed.includes(e.key)) {
        const hint = closest(e.key, allowed);
        this.error(
          e.keyPos,
          join(path, e.key),
          `unknown key${hint ? ` (did you mean ${hint}?)` : ''}; allowed: ${allowed.join(', ')}`,
          ErrorCode.CONFIG_UNKNOWN_KEY,
        );
        continue;
      }
      entries.set(e.key, e);
    }
    return new Section(path, node.pos, entries);
  }

  list(node: YNode, path: string, what: string): YNode[] | undefined {
    if (node.kind !== 'seq') return this.expected(node, path, `a list of ${what}`);
    return (node as YSeq).items;
  }

  string(node: YNode, path: string, what = 'a string'): string | undefined {
    if (node.kind === 'scalar' && typeof node.value === 'string' && node.value !== '') return node.value;
    return this.expected(node, path, what);
  }

  bool(node: YNode, path: string): boolean | undefined {
    if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
    return this.expected(node, path, 'true or false');
  }

  int(node: YNode, path: string, min: number, max: number): number | undefined {
    if (node.kind === 'scalar' && typeof node.value === 'number' && Number.isInteger(node.value) && node.value >= min && node.value <= max) {
      return node.value;
    }
    return this.expected(node, path, `an integer ${min}-${max}`);
  }

  /** Seconds in YAML (floats allowed) -> whole milliseconds. */
  secondsToMs(node: YNode, path: string, allowZero: boolean): number | undefined {
    const min = allowZero ? 0 : 0.001;
    if (node.kind === 'scalar' && typeof node.value === 'number' && Number.isFinite(node.value) && node.value >= min && node.value <= MAX_TIMER_S) {
      return Math.round(node.value * 1000);
    }
    return this.expected(node, path, `a number of seconds from ${min} to ${MAX_TIMER_S}`);
  }

  oneOf<T extends string>(node: YNode, path: string, values: readonly T[]): T | undefined {
    if (node.kind === 'scalar' && typeof node.value === 'string' && (values as readonly string[]).includes(node.value)) return node.value as T;
    return this.expected(node, path, `one of ${values.join(', ')}`);
  }

  /** `address: X` or `addresses: [X, Y]`, each checked by `ok`. */
  addresses(s: Section, ok: (a: string) => boolean, what: string): string[] | undefined {
    const one = s.get('address');
    const many = s.get('addresses');
    if (one && many) {
      this.error(s.keyPos('addresses') ?? many.pos, join(s.path, 'addresses'), 'give either address or addresses, not both');
      return undefined;
    }
    if (one) {
      const a = this.string(one, join(s.path, 'address'), what);
      if (a === undefined) return undefined;
      return ok(a) ? [a] : this.expected(one, join(s.path, 'address'), what);
    }
    if (!many) return undefined;
    const items = this.list(many, join(s.path, 'addresses'), 'addresses');
    if (!items) return undefined;
    if (items.length === 0) return this.expected(many, join(s.path, 'addresses'), `at least one address (${what})`);
    const out: string[] = [];
    items.forEach((item, i) => {
      const p = `${join(s.path, 'addresses')}[${i}]`;
      const a = this.string(item, p, what);
      if (a === undefined) return;
      if (ok(a)) out.push(a);
      else this.expected(item, p, what);
    });
    return out.length === items.length ? out : undefined;
  }

  /** A path relative to the config file's directory. */
  path(node: YNode, path: string, baseDir: string): string | undefined {
    const p = this.string(node, path, 'a file path');
    return p === undefined ? undefined : resolve(baseDir, p);
  }

  requireFile(node: YNode, path: string, resolved: string): void {
    const given = node.kind === 'scalar' ? String(node.value) : resolved;
    const shown = given === resolved ? resolved : `${given} (${resolved})`;
    try {
      if (!statSync(resolved).isFile()) this.error(node.pos, path, `not a regular file: ${shown}`, ErrorCode.CONFIG_MISSING_FILE);
    } catch {
      this.error(node.pos, path, `file not found: ${shown}`, ErrorCode.CONFIG_MISSING_FILE);
    }
  }
}

/** Reads `key` of a section through `read` if present, else gives the default. */
function opt<T>(s: Section, key: string, read: (node: YNode, path: string) => T | undefined, fallback: T): T {
  const node = s.get(key);
  if (node === undefined) return fallback;
  return read(node, join(s.path, key)) ?? fallback;
}

interface TlsUser {
  path: string;
  pos: Pos;
}

function readTimers(c: Checker, s: Section): TimersConfig {
  const t = (key: keyof TimersConfig, fallback: number, allowZero = false): number =>
    opt(s, key, (n, p) => c.secondsToMs(n, p, allowZero), fallback);
  return {
    tc: t('tc', D.DEFAULT_TC_MS),
    tw: t('tw', D.DEFAULT_TW_MS),
    ceTimeout: t('ceTimeout', D.DEFAULT_CE_TIMEOUT_MS),
    dpaTimeout: t('dpaTimeout', D.DEFAULT_DPA_TIMEOUT_MS),
    shutdownGrace: t('shutdownGrace', D.DEFAULT_SHUTDOWN_GRACE_MS, true),
    requestTimeout: t('requestTimeout', D.DEFAULT_REQUEST_TIMEOUT_MS),
  };
}

function readLimits(c: Checker, s: Section): LimitsConfig {
  return {
    // 20 bytes is a bare header; anything below a few KB would refuse ordinary CERs, so 1024 is the floor.
    maxMessageSize: opt(s, 'maxMessageSize', (n, p) => c.int(n, p, 1024, MAX_DIAMETER_LENGTH), D.DEFAULT_MAX_MESSAGE_SIZE),
    maxPendingPerPeer: opt(s, 'maxPendingPerPeer', (n, p) => c.int(n, p, 1, 10_000_000), D.DEFAULT_MAX_PENDING_PER_PEER),
    maxQueuedBytesPerPeer: opt(s, 'maxQueuedBytesPerPeer', (n, p) => c.int(n, p, 1024, 2 ** 31), D.DEFAULT_MAX_QUEUED_BYTES_PER_PEER),
  };
}

function readLog(c: Checker, s: Section): LogConfig {
  return {
    level: opt(s, 'level', (n, p) => c.oneOf(n, p, LOG_LEVELS), D.DEFAULT_LOG_LEVEL),
    messageDump: opt(s, 'messageDump', (n, p) => c.bool(n, p), false),
  };
}

function readHss(c: Checker, s: Section, base: HssConfig): HssConfig {
  let applications = base.applications;
  const appsNode = s.get('applications');
  if (appsNode) {
    applications = [];
    c.list(appsNode, join(s.path, 'applications'), 'HSS applications (s6a, cx, sh)')?.forEach((n, i) => {
      const v = c.oneOf(n, `${join(s.path, 'applications')}[${i}]`, HSS_APPLICATIONS);
      if (v !== undefined) applications.push(v);
    });
  }
  return {
    enabled: opt(s, 'enabled', (n, p) => c.bool(n, p), base.enabled),
    applications,
    // TS 33.102 C.3.2: IND is a few bits; 0 turns the array scheme off.
    indBits: opt(s, 'indBits', (n, p) => c.int(n, p, 0, 10), base.indBits),
    sqnDelta: opt(s, 'sqnDelta', (n, p) => c.int(n, p, 1, 2 ** 43), base.sqnDelta),
    shMaxRepositoryDataBytes: opt(s, 'shMaxRepositoryDataBytes', (n, p) => c.int(n, p, 1, 16 << 20), base.shMaxRepositoryDataBytes),
    shMaxSubscriptionSeconds: opt(s, 'shMaxSubscriptionSeconds', (n, p) => c.int(n, p, 0, 10 * 365 * 86400), base.shMaxSubscriptionSeconds),
    scscfPool: s.get('scscfPool') ? sipUris(c, s.get('scscfPool')!, join(s.path, 'scscfPool')) : base.scscfPool,
    serverCapabilities: s.get('serverCapabilities') ? readServerCapabilities(c, s, base.serverCapabilities) : base.serverCapabilities,
  };
}

function sipUris(c: Checker, node: YNode, path: string): string[] {
  const out: string[] = [];
  c.list(node, path, 'S-CSCF SIP URIs (e.g. [sip:scscf1.ims.test:6060])')?.forEach((n, i) => {
    const v = c.string(n, `${path}[${i}]`, 'a SIP URI (sip:host[:port])');
    if (v === undefined) return;
    if (SIP_URI.test(v)) out.push(v);
    else c.expected(n, `${path}[${i}]`, 'a SIP URI (sip:host[:port])');
  });
  return out;
}

function readServerCapabilities(c: Checker, hss: Section, base: HssConfig['serverCapabilities']): HssConfig['serverCapabilities'] {
  const path = join(hss.path, 'serverCapabilities');
  const s = c.section(hss.get('serverCapabilities'), path, SERVER_CAPABILITY_KEYS, hss.keyPos('serverCapabilities'));
  if (!s) return base;
  const numbers = (key: 'mandatory' | 'optional'): number[] => {
    const node = s.get(key);
    if (!node) return base[key];
    const out: number[] = [];
    c.list(node, join(path, key), 'capability numbers (Unsigned32)')?.forEach((n, i) => {
      const v = c.int(n, `${join(path, key)}[${i}]`, 0, UINT32_MAX);
      if (v !== undefined) out.push(v);
    });
    return out;
  };
  return { mandatory: numbers('mandatory'), optional: numbers('optional'), serverNames: s.get('serverNames') ? sipUris(c, s.get('serverNames')!, join(path, 'serverNames')) : base.serverNames };
}

function readRouting(c: Checker, s: Section, baseDir: string): RoutingConfig {
  const rules: string[] = [];
  const rulesNode = s.get('rules');
  if (rulesNode) {
    c.list(rulesNode, join(s.path, 'rules'), 'rule file paths (freeDiameter rt_default syntax)')?.forEach((n, i) => {
      const key = `${join(s.path, 'rules')}[${i}]`;
      const p = c.path(n, key, baseDir);
      if (p === undefined) return;
      c.requireFile(n, key, p);
      rules.push(p);
    });
  }
  const retryOn: number[] = [];
  const retryNode = s.get('retryOn');
  if (retryNode) {
    c.list(retryNode, join(s.path, 'retryOn'), 'Result-Codes (e.g. [3004, 3002])')?.forEach((n, i) => {
      const v = c.int(n, `${join(s.path, 'retryOn')}[${i}]`, 3000, 3999);
      if (v !== undefined) retryOn.push(v);
    });
  }
  return { rules, retryOn };
}

function readCapture(c: Checker, s: Section, baseDir: string): CaptureConfig | undefined {
  const fileNode = s.get('file');
  const path = join(s.path, 'file');
  if (fileNode === undefined) {
    c.error(s.pos, path, 'required: the pcapng file to write (e.g. /var/lib/diamond/diamond.pcapng)');
    return undefined;
  }
  const file = c.path(fileNode, path, baseDir);
  if (file !== undefined) {
    const dir = dirname(file);
    let isDir: boolean;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) c.error(fileNode.pos, path, `directory not found: ${dir}`, ErrorCode.CONFIG_MISSING_FILE);
  }
  const peers: string[] = [];
  const peersNode = s.get('peers');
  if (peersNode) {
    c.list(peersNode, join(s.path, 'peers'), 'peer Diameter identities')?.forEach((n, i) => {
      const key = `${join(s.path, 'peers')}[${i}]`;
      const id = c.string(n, key, 'a Diameter identity');
      if (id === undefined) return;
      if (isIdentity(id)) peers.push(id);
      else c.expected(n, key, 'a Diameter identity (FQDN, e.g. mme1.realm.test)');
    });
  }
  return {
    file: file ?? '',
    rotateMb: opt(s, 'rotateMb', (n, p) => c.int(n, p, 0, 1_000_000), D.DEFAULT_CAPTURE_ROTATE_MB),
    peers,
    mask: opt(s, 'mask', (n, p) => c.bool(n, p), D.DEFAULT_CAPTURE_MASK),
    enabled: opt(s, 'enabled', (n, p) => c.bool(n, p), true),
  };
}

function readApi(c: Checker, s: Section): ApiConfig {
  const api: ApiConfig = {
    enabled: opt(s, 'enabled', (n, p) => c.bool(n, p), D.DEFAULT_API_ENABLED),
    address: opt(s, 'address', (n, p) => ipString(c, n, p), D.DEFAULT_API_ADDRESS),
    port: opt(s, 'port', (n, p) => c.int(n, p, 0, 65535), D.DEFAULT_API_PORT),
    token: opt<string | undefined>(s, 'token', (n, p) => c.string(n, p, 'a non-empty string (the bearer token) or null'), undefined),
  };
  // The API can provision subscriber keys: off loopback it must not be open to anyone who can connect.
  // DIAMOND_API_TOKEN (read by the API at start) counts as a token too.
  if (api.enabled && !isLoopback(api.address) && api.token === undefined && !process.env.DIAMOND_API_TOKEN) {
    c.error(s.get('address')?.pos ?? s.pos, join(s.path, 'token'), `required when the API listens on ${api.address} (not loopback)`);
  }
  return api;
}

function ipString(c: Checker, node: YNode, path: string): string | undefined {
  const a = c.string(node, path, 'an IP address');
  if (a === undefined) return undefined;
  return isIpAddress(a) ? a : c.expected(node, path, 'an IP address');
}

function readListen(c: Checker, node: YNode | undefined, tlsUsers: TlsUser[]): ListenConfig[] {
  if (node === undefined) return [{ transport: 'tcp', addresses: [D.DEFAULT_LISTEN_ADDRESS], port: D.DEFAULT_PORT }];
  const items = c.list(node, 'listen', 'listeners ({transport, address(es), port})');
  if (!items) return [];
  const out: ListenConfig[] = [];
  const bound: { family: string; address: string; port: number; path: string }[] = [];
  items.forEach((item, i) => {
    const path = `listen[${i}]`;
    const s = c.section(item, path, LISTEN_KEYS);
    if (!s) return;
    const transport = opt(s, 'transport', (n, p) => c.oneOf(n, p, TRANSPORTS), 'tcp');
    if (transport === 'tls') tlsUsers.push({ path, pos: s.get('transport')?.pos ?? s.pos });
    const addresses = c.addresses(s, isIpAddress, 'an IP address') ?? ['0.0.0.0'];
    const port = opt(s, 'port', (n, p) => c.int(n, p, 0, 65535), transport === 'tls' ? D.DEFAULT_TLS_PORT : D.DEFAULT_PORT);
    // TCP and TLS share the kernel's TCP port space; SCTP has its own. Port 0 lets the kernel choose.
    const family = transport === 'sctp' ? 'sctp' : 'tcp';
    for (const address of port === 0 ? [] : addresses) {
      const clash = bound.find((b) => b.family === family && b.port === port && overlaps(b.address, address));
      if (clash) c.error(s.get('port')?.pos ?? s.pos, path, `${address} port ${port} is already used by ${clash.path}`);
      bound.push({ family, address, port, path });
    }
    out.push({ transport, addresses, port });
  });
  return out;
}

/** Two bind addresses collide if equal, or if one is the wildcard of the other's IP version. */
function overlaps(a: string, b: string): boolean {
  if (a === b) return true;
  const v6 = (x: string): boolean => x.includes(':');
  return v6(a) === v6(b) && (isWildcard(a) || isWildcard(b));
}

function readTls(c: Checker, s: Section, baseDir: string): TlsConfig {
  return {
    cert: opt<string | undefined>(s, 'cert', (n, p) => c.path(n, p, baseDir), undefined),
    key: opt<string | undefined>(s, 'key', (n, p) => c.path(n, p, baseDir), undefined),
    ca: opt<string | undefined>(s, 'ca', (n, p) => c.path(n, p, baseDir), undefined),
    verifyPeer: opt(s, 'verifyPeer', (n, p) => c.bool(n, p), D.DEFAULT_TLS_VERIFY_PEER),
    checkIdentity: opt(s, 'checkIdentity', (n, p) => c.bool(n, p), D.DEFAULT_TLS_CHECK_IDENTITY),
  };
}

function readPeers(c: Checker, node: YNode | undefined, timers: TimersConfig, own: string, tlsUsers: TlsUser[]): PeerConfig[] {
  if (node === undefined) return [];
  const items = c.list(node, 'peers', 'peers ({identity, address, port, ...})');
  if (!items) return [];
  const out: PeerConfig[] = [];
  const seen = new Map<string, { path: string; pos: Pos }>();
  items.forEach((item, i) => {
    const path = `peers[${i}]`;
    const s = c.section(item, path, PEER_KEYS);
    if (!s) return;
    const idNode = s.get('identity');
    let identity: string | undefined;
    if (!idNode) {
      c.error(s.pos, path, 'missing identity (the peer\'s Diameter identity, e.g. hss1.realm.test)');
    } else {
      identity = c.string(idNode, join(path, 'identity'), 'a Diameter identity (FQDN)');
      if (identity !== undefined && !isIdentity(identity)) identity = c.expected(idNode, join(path, 'identity'), 'a Diameter identity (FQDN)');
      if (identity !== undefined) {
        // DiameterIdentity compares case-insensitively (RFC 6733 §4.3.1 is DNS names).
        const lower = identity.toLowerCase();
        const first = seen.get(lower);
        if (first) c.error(idNode.pos, join(path, 'identity'), `duplicate peer ${identity} (also ${first.path}, line ${first.pos.line})`);
        else seen.set(lower, { path, pos: idNode.pos });
        if (lower === own.toLowerCase()) c.error(idNode.pos, join(path, 'identity'), `${identity} is this node's own identity`);
      }
    }
    const realm = opt<string | undefined>(s, 'realm', (n, p) => realmString(c, n, p), undefined);
    const transportGiven = opt<TransportKind | undefined>(s, 'transport', (n, p) => c.oneOf(n, p, TRANSPORTS), undefined);
    const tlsNode = s.get('tls');
    let tls: TlsMode = opt(s, 'tls', (n, p) => c.oneOf(n, p, TLS_MODES), transportGiven === 'tls' ? 'connect' : 'none');
    // `transport: tls` is TCP with TLS at connect; it is stored that way so the peer layer sees one form.
    if (transportGiven === 'tls' && tlsNode && tls !== 'connect') {
      c.error(tlsNode.pos, join(path, 'tls'), `tls: ${tls} conflicts with transport: tls (TLS at connect); use transport: tcp`);
      tls = 'connect';
    }
    // `prefer: sctp|tcp`: both SCTP and TCP, this one first (freeDiameter tries SCTP first).
    const preferNode = s.get('prefer');
    const prefer = opt<'sctp' | 'tcp' | undefined>(s, 'prefer', (n, p) => c.oneOf(n, p, ['sctp', 'tcp'] as const), undefined);
    if (prefer !== undefined && transportGiven !== undefined) {
      c.error(preferNode?.pos ?? s.pos, join(path, 'prefer'), 'give transport (one transport) or prefer (SCTP and TCP, this one first), not both');
    }
    if (prefer !== undefined && tls !== 'none') {
      c.error(preferNode?.pos ?? s.pos, join(path, 'prefer'), `prefer tries SCTP, which cannot carry TLS; use transport: tcp with tls: ${tls}`);
    }
    const transport: TransportKind = (prefer ?? transportGiven) === 'sctp' ? 'sctp' : 'tcp';
    if (transport === 'sctp' && tls !== 'none' && prefer === undefined) {
      c.error(tlsNode?.pos ?? s.pos, join(path, 'tls'), 'TLS over SCTP (DTLS, RFC 6083) is not supported; use transport: tcp for TLS peers');
    }
    if (tls !== 'none') tlsUsers.push({ path, pos: tlsNode?.pos ?? s.get('transport')?.pos ?? s.pos });
    const addresses = c.addresses(s, isHostOrIp, 'an IP address or host name');
    out.push({
      identity: identity ?? '',
      realm,
      // No address: the identity is resolved by DNS, as freeDiameter does.
      addresses: addresses ?? (identity !== undefined ? [identity] : []),
      port: opt(s, 'port', (n, p) => c.int(n, p, 1, 65535), tls === 'connect' ? D.DEFAULT_TLS_PORT : D.DEFAULT_PORT),
      transport,
      prefer: transport === 'sctp' ? 'sctp' : 'tcp',
      ...(prefer !== undefined ? { fallback: true } : {}),
      tls,
      connect: opt(s, 'connect', (n, p) => c.bool(n, p), true),
      tc: opt(s, 'tc', (n, p) => c.secondsToMs(n, p, false), timers.tc),
      tw: opt(s, 'tw', (n, p) => c.secondsToMs(n, p, false), timers.tw),
    });
  });
  return out;
}

function realmString(c: Checker, node: YNode, path: string): string | undefined {
  const r = c.string(node, path, 'a Diameter realm (e.g. realm.test)');
  if (r === undefined) return undefined;
  return isRealm(r) ? r : c.expected(node, path, 'a Diameter realm (e.g. realm.test)');
}

function readApplications(c: Checker, node: YNode | undefined): ApplicationRef[] {
  if (node === undefined) return [];
  const items = c.list(node, 'applications', 'application names or {id, vendorId, kind}');
  if (!items) return [];
  const out: ApplicationRef[] = [];
  const names = Object.keys(WELL_KNOWN_APPLICATIONS).join(', ');
  items.forEach((item, i) => {
    const path = `applications[${i}]`;
    let app: ApplicationRef | undefined;
    if (item.kind === 'scalar' && typeof item.value === 'string') {
      app = applicationByName(item.value);
      if (!app) c.error(item.pos, path, `unknown application ${JSON.stringify(item.value)}; known names: ${names}, or give {id, vendorId}`);
    } else if (item.kind === 'map') {
      const s = c.mapping(item, path, APPLICATION_KEYS);
      const idNode = s.get('id');
      if (!idNode) {
        c.error(item.pos, path, 'missing id (the Application-Id, e.g. 16777251)');
        return;
      }
      const id = c.int(idNode, join(path, 'id'), 1, UINT32_MAX);
      if (id === RELAY_APPLICATION_ID) {
        c.error(idNode.pos, join(path, 'id'), '0xffffffff is the Relay application: set relay: true instead');
        return;
      }
      const vendorId = opt(s, 'vendorId', (n, p) => c.int(n, p, 0, UINT32_MAX), 0);
      const kind = opt(s, 'kind', (n, p) => c.oneOf(n, p, ['auth', 'acct'] as const), 'auth');
      if (id !== undefined) app = { id, vendorId, kind };
    } else {
      c.expected(item, path, `an application name (${names}) or {id, vendorId, kind}`);
    }
    if (app && !out.some((a) => a.id === app.id && a.vendorId === app.vendorId && a.kind === app.kind)) out.push(app);
  });
  return out;
}

function requireTlsFiles(c: Checker, tlsSection: Section, tls: TlsConfig, users: TlsUser[], tlsNodeGiven: boolean): void {
  const first = users[0];
  if (!first) return; // files are only checked when something uses TLS
  for (const key of ['cert', 'key', 'ca'] as const) {
    const node = tlsSection.get(key);
    const value = tls[key];
    if (node !== undefined) {
      if (value !== undefined) c.requireFile(node, `tls.${key}`, value);
      continue; // else already reported as a bad value
    }
    if (key === 'ca' && !tls.verifyPeer) continue;
    const why = key === 'ca' ? `${first.path} uses TLS and tls.verifyPeer is true` : `${first.path} uses TLS`;
    c.error(tlsNodeGiven ? tlsSection.pos : first.pos, `tls.${key}`, `required because ${why}`, ErrorCode.CONFIG_MISSING_FILE);
  }
}

/** Validates a parsed diamond.yaml; `root` undefined means an empty file (all defaults). */
export function validateConfig(root: YNode | undefined, options: ValidateOptions): { config?: Config; errors: FileError[] } {
  const c = new Checker(options.file);
  const base = D.embeddedDefaults(options.host);
  const top =
    root === undefined || (root.kind === 'scalar' && root.value === null)
      ? new Section('', EMPTY_POS, new Map())
      : c.section(root, '', TOP_KEYS);
  if (!top) return { errors: c.errors };

  const timers = c.section(top.get('timers'), 'timers', TIMER_KEYS, top.keyPos('timers'));
  const limits = c.section(top.get('limits'), 'limits', LIMIT_KEYS, top.keyPos('limits'));
  const log = c.section(top.get('log'), 'log', LOG_KEYS, top.keyPos('log'));
  const api = c.section(top.get('api'), 'api', API_KEYS, top.keyPos('api'));
  const routing = c.section(top.get('routing'), 'routing', ROUTING_KEYS, top.keyPos('routing'));
  const hss = c.section(top.get('hss'), 'hss', HSS_KEYS, top.keyPos('hss'));
  const capture = c.section(top.get('capture'), 'capture', CAPTURE_KEYS, top.keyPos('capture'));
  const tlsNode = top.get('tls');
  const tls = c.section(tlsNode, 'tls', TLS_KEYS, top.keyPos('tls'));

  const realmGiven = opt<string | undefined>(top, 'realm', (n, p) => realmString(c, n, p), undefined);
  const idNode = top.get('identity');
  let identity = idNode ? c.string(idNode, 'identity', 'a Diameter identity (FQDN, e.g. dra.realm.test)') : undefined;
  if (idNode && identity !== undefined && !isIdentity(identity)) {
    identity = c.expected(idNode, 'identity', 'a Diameter identity (FQDN, e.g. dra.realm.test)');
  }
  // freeDiameter's rule: without Realm, the realm is the identity minus its first label.
  const realm = realmGiven ?? (identity !== undefined ? identity.slice(identity.indexOf('.') + 1) : D.DEFAULT_REALM);
  identity ??= D.generatedIdentity(realm, options.host);

  const timersCfg = timers ? readTimers(c, timers) : base.timers;
  const tlsUsers: TlsUser[] = [];
  const listen = readListen(c, top.get('listen'), tlsUsers);
  const tlsCfg = tls ? readTls(c, tls, options.baseDir) : base.tls;
  const peers = readPeers(c, top.get('peers'), timersCfg, identity, tlsUsers);
  if (tls) requireTlsFiles(c, tls, tlsCfg, tlsUsers, tlsNode !== undefined);

  const defaultHostIps = [...new Set(listen.flatMap((l) => l.addresses).filter((a) => !isWildcard(a)))];
  const hostIpNode = top.get('hostIpAddresses');
  let hostIpAddresses = defaultHostIps;
  if (hostIpNode) {
    const items = c.list(hostIpNode, 'hostIpAddresses', 'IP addresses');
    if (items) hostIpAddresses = items.flatMap((n, i) => ipString(c, n, `hostIpAddresses[${i}]`) ?? []);
  }

  const dictionaries: string[] = [];
  const dictNode = top.get('dictionaries');
  if (dictNode) {
    c.list(dictNode, 'dictionaries', 'dictionary file paths')?.forEach((n, i) => {
      const p = c.path(n, `dictionaries[${i}]`, options.baseDir);
      if (p === undefined) return;
      c.requireFile(n, `dictionaries[${i}]`, p);
      dictionaries.push(p);
    });
  }

  const config: Config = {
    source: options.file,
    identity,
    realm,
    hostIpAddresses,
    productName: opt(top, 'productName', (n, p) => c.string(n, p), D.DEFAULT_PRODUCT_NAME),
    vendorId: opt(top, 'vendorId', (n, p) => c.int(n, p, 0, UINT32_MAX), D.DEFAULT_VENDOR_ID),
    firmwareRevision: opt(top, 'firmwareRevision', (n, p) => c.int(n, p, 0, UINT32_MAX), D.DEFAULT_FIRMWARE_REVISION),
    listen,
    tls: tlsCfg,
    peers,
    applications: readApplications(c, top.get('applications')),
    relay: opt(top, 'relay', (n, p) => c.bool(n, p), D.DEFAULT_RELAY),
    allowUnknownPeers: opt(top, 'allowUnknownPeers', (n, p) => c.bool(n, p), D.DEFAULT_ALLOW_UNKNOWN_PEERS),
    dataDir: opt(top, 'dataDir', (n, p) => c.path(n, p, options.baseDir), resolve(options.baseDir, D.DEFAULT_DATA_DIR)),
    dictionaries,
    limits: limits ? readLimits(c, limits) : base.limits,
    timers: timersCfg,
    log: log ? readLog(c, log) : base.log,
    api: api ? readApi(c, api) : base.api,
    routing: routing ? readRouting(c, routing, options.baseDir) : base.routing,
    hss: hss ? readHss(c, hss, base.hss) : base.hss,
    capture: capture && top.get('capture') ? readCapture(c, capture, options.baseDir) : undefined,
  };
  c.errors.sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
  return c.errors.length > 0 ? { errors: c.errors } : { config, errors: [] };
}
