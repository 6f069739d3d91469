// The node's configuration (diamond.yaml), after validation and defaults. Every timer, limit and
// size is a named option; defaults are in defaults.ts and documented in docs/configuration.md.

export type TransportKind = 'tcp' | 'tls' | 'sctp';
/** How TLS is used with a peer: none, TLS at connect (RFC 6733), or in-band after CER/CEA (RFC 3588). */
export type TlsMode = 'none' | 'connect' | 'inband';

export interface ListenConfig {
  transport: TransportKind;
  /** Local addresses (several for SCTP multi-homing). */
  addresses: string[];
  port: number;
}

export interface TlsConfig {
  /** PEM files. */
  cert: string | undefined;
  key: string | undefined;
  ca: string | undefined;
  /** Verify the peer's certificate chain against `ca`. */
  verifyPeer: boolean;
  /** The peer certificate must name the peer's Diameter identity (CN or subjectAltName). */
  checkIdentity: boolean;
}

export interface ApplicationRef {
  /** Application id (e.g. 16777251 for S6a). */
  id: number;
  /** Vendor-Id for a Vendor-Specific-Application-Id; 0 for a plain Auth-Application-Id. */
  vendorId: number;
  kind: 'auth' | 'acct';
}

export interface PeerConfig {
  identity: string;
  /** Expected realm; a CER/CEA from another realm is refused. Undefined: any. */
  realm: string | undefined;
  addresses: string[];
  port: number;
  transport: TransportKind;
  /** SCTP first then TCP, like freeDiameter, or the other way round. */
  prefer: 'tcp' | 'sctp';
  /** Set by `prefer`: when `transport` (= prefer) cannot connect, the other one is tried. */
  fallback?: boolean;
  tls: TlsMode;
  /** Whether we open connections to this peer (else we only accept). */
  connect: boolean;
  /** Reconnect interval Tc, milliseconds. */
  tc: number;
  /** Watchdog interval Tw, milliseconds (RFC 3539). */
  tw: number;
}

export interface LimitsConfig {
  /** Largest Diameter message accepted, bytes (checked before buffering). */
  maxMessageSize: number;
  /** Requests waiting for an answer per peer; beyond it new requests get 3004 TOO_BUSY. */
  maxPendingPerPeer: number;
  /** Bytes queued for a slow peer's socket before it counts as busy. */
  maxQueuedBytesPerPeer: number;
}

export interface TimersConfig {
  /** Default Tc, ms (RFC 6733 §2.1: 30 s). */
  tc: number;
  /** Default Tw, ms (RFC 3539 §3.4.1: 30 s). */
  tw: number;
  /** Wait for CER on an accepted connection / for CEA after our CER, ms. */
  ceTimeout: number;
  /** Wait for DPA after DPR, ms. */
  dpaTimeout: number;
  /** Time for pending answers at shutdown before closing, ms. */
  shutdownGrace: number;
  /** Answer-wait for requests this node sends or relays, ms (then 3002). */
  requestTimeout: number;
}

export interface LogConfig {
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Print decoded messages (secrets masked), like freeDiameter's dbg_msg_dumps. */
  messageDump: boolean;
}

export interface ApiConfig {
  /** Admin/provisioning HTTP listener; enabled by default on loopback. */
  enabled: boolean;
  address: string;
  port: number;
  /** Bearer token; required unless the API listens on loopback only. */
  token: string | undefined;
}

export type HssApplicationName = 's6a' | 'cx' | 'sh';

/** The HSS role: which applications this node answers itself (from the subscriber store). */
export interface HssConfig {
  /** false: a pure DRA (requests for S6a/Cx/Sh are relayed, never answered here). */
  enabled: boolean;
  applications: HssApplicationName[];
  /** IND length of SQN = SEQ||IND (TS 33.102 Annex C.3.2); the USIMs' value, default 5. */
  indBits: number;
  /** Δ of the USIMs (TS 33.102 C.2.2): on resync, SQN_HE is kept if the USIM would accept it. */
  sqnDelta: number;
  /** Sh: largest RepositoryData ServiceData accepted by PUR, bytes (beyond: 5008 TOO_MUCH_DATA). */
  shMaxRepositoryDataBytes: number;
  /** Sh: longest subscription an SNR is granted, seconds; 0: as asked. */
  shMaxSubscriptionSeconds: number;
  /** Cx: S-CSCF SIP URIs given as Server-Name to users with none assigned (stable per IMPI). */
  scscfPool: string[];
  /** Cx: Server-Capabilities in UAA/LIA when there is no pool (TS 29.229 §6.3.4). */
  serverCapabilities: { mandatory: number[]; optional: number[]; serverNames: string[] };
}

export interface RoutingConfig {
  /** Rule files (freeDiameter rt_default syntax plus Diamond's extensions, docs/routing.md). */
  rules: string[];
  /** Error Result-Codes from the next hop that make the relay try the next candidate (rt_busypeers). */
  retryOn: number[];
}

/** Capture of the node's own traffic as pcapng (docs/pcaps.md). */
export interface CaptureConfig {
  /** First file; rotation continues with <name>-1.pcapng, <name>-2.pcapng, ... */
  file: string;
  /** Start a new file after this many MiB; 0: never. */
  rotateMb: number;
  /** Only traffic with these peers (Diameter identities); empty: every peer. */
  peers: string[];
  /** Zero the values of secret AVPs (KASME, CK, IK, XRES, HA1, ...) in the file. */
  mask: boolean;
  /** Recording from start-up; the admin API switches it (POST /api/v1/capture). */
  enabled: boolean;
}

export interface Config {
  /** File the configuration came from; undefined for embedded defaults. */
  source: string | undefined;
  identity: string;
  realm: string;
  /** Host-IP-Address values for CER/CEA; default: the listen addresses. */
  hostIpAddresses: string[];
  productName: string;
  vendorId: number;
  firmwareRevision: number;
  listen: ListenConfig[];
  tls: TlsConfig;
  peers: PeerConfig[];
  /** Applications advertised in CER/CEA (plus the local ones). */
  applications: ApplicationRef[];
  /** Advertise the Relay application (0xffffffff). */
  relay: boolean;
  allowUnknownPeers: boolean;
  dataDir: string;
  /** Extra dictionary files loaded at start-up. */
  dictionaries: string[];
  limits: LimitsConfig;
  timers: TimersConfig;
  log: LogConfig;
  api: ApiConfig;
  routing: RoutingConfig;
  hss: HssConfig;
  /** Absent: no capture. */
  capture?: CaptureConfig | undefined;
}
