// Named defaults for every option of diamond.yaml (docs/configuration.md lists them in a table).
// Timers are milliseconds here; the YAML gives them in seconds.
import { hostname } from 'node:os';
import type { Config } from './model.js';

/** RFC 6733 §2.1: Tc, the reconnect interval, SHOULD be 30 s. */
export const DEFAULT_TC_MS = 30_000;
/** RFC 3539 §3.4.1: Tw defaults to 30 s (and should not be below 6 s in production). */
export const DEFAULT_TW_MS = 30_000;
/** Wait for CER on an accepted connection, or for CEA after our CER (freeDiameter: 10 s). */
export const DEFAULT_CE_TIMEOUT_MS = 10_000;
/** Wait for DPA after sending DPR before closing anyway. */
export const DEFAULT_DPA_TIMEOUT_MS = 5_000;
/** Time given to pending answers at shutdown before connections are closed. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;
/** Answer wait for requests this node sends or relays; then 3002 UNABLE_TO_DELIVER. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** RFC 6733 sets no limit below the 24-bit length; 1 MiB is our choice (S6a/Cx answers are KBs). */
export const DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024;
/** Requests awaiting an answer per peer before new ones get 3004 TOO_BUSY. */
export const DEFAULT_MAX_PENDING_PER_PEER = 10_000;
/** Bytes queued for a slow peer's socket before it counts as busy. */
export const DEFAULT_MAX_QUEUED_BYTES_PER_PEER = 8 * 1024 * 1024;

/** Product-Name, Vendor-Id, Firmware-Revision sent in CER/CEA. */
export const DEFAULT_PRODUCT_NAME = 'Diamond';
export const DEFAULT_VENDOR_ID = 0;
export const DEFAULT_FIRMWARE_REVISION = 1;

/** RFC 6733 §11.4: 3868 for TCP/SCTP, 5868 for TLS/DTLS at connect. */
export const DEFAULT_PORT = 3868;
export const DEFAULT_TLS_PORT = 5868;

/** Embedded listener when there is no config file: loopback only, so nothing is exposed by accident. */
export const DEFAULT_LISTEN_ADDRESS = '127.0.0.1';

export const DEFAULT_API_ENABLED = true;
export const DEFAULT_API_ADDRESS = '127.0.0.1';
export const DEFAULT_API_PORT = 8080;

export const DEFAULT_LOG_LEVEL = 'info';
export const DEFAULT_DATA_DIR = './data';
/** RFC 6733 §5.3: unknown peers are refused unless the operator says otherwise. */
export const DEFAULT_ALLOW_UNKNOWN_PEERS = false;
/** Advertise the Relay application (0xffffffff) in CER/CEA; off because Kamailio's cdp ignores it. */
export const DEFAULT_RELAY = false;
/** TLS peers are authenticated by default: chain against `ca`, and identity in the certificate. */
export const DEFAULT_TLS_VERIFY_PEER = true;
export const DEFAULT_TLS_CHECK_IDENTITY = true;

/** Capture files rotate after this many MiB (capture.rotateMb). */
export const DEFAULT_CAPTURE_ROTATE_MB = 100;
/** Secrets are zeroed in capture files unless capture.mask is false. */
export const DEFAULT_CAPTURE_MASK = true;

/** Realm used when neither the file nor the identity gives one. */
export const DEFAULT_REALM = 'diamond.local';

/** A host name reduced to one valid DNS label (lower case, [a-z0-9-], at most 63 characters). */
export function hostLabel(name: string): string {
  const first = name.split('.')[0] ?? '';
  const label = first
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
  return label === '' ? 'diamond' : label;
}

/** `<host>.<realm>`: the identity generated when the file does not give one. */
export function generatedIdentity(realm: string, host: string = hostname()): string {
  return `${hostLabel(host)}.${realm}`;
}

/** The configuration with no file at all: TCP on 127.0.0.1:3868, a generated identity, no peers. */
export function embeddedDefaults(host: string = hostname()): Config {
  return {
    source: undefined,
    identity: generatedIdentity(DEFAULT_REALM, host),
    realm: DEFAULT_REALM,
    hostIpAddresses: [DEFAULT_LISTEN_ADDRESS],
    productName: DEFAULT_PRODUCT_NAME,
    vendorId: DEFAULT_VENDOR_ID,
    firmwareRevision: DEFAULT_FIRMWARE_REVISION,
    listen: [{ transport: 'tcp', addresses: [DEFAULT_LISTEN_ADDRESS], port: DEFAULT_PORT }],
    tls: {
      cert: undefined,
      key: undefined,
      ca: undefined,
      verifyPeer: DEFAULT_TLS_VERIFY_PEER,
      checkIdentity: DEFAULT_TLS_CHECK_IDENTITY,
    },
    peers: [],
    applications: [],
    relay: DEFAULT_RELAY,
    allowUnknownPeers: DEFAULT_ALLOW_UNKNOWN_PEERS,
    dataDir: DEFAULT_DATA_DIR,
    dictionaries: [],
    limits: {
      maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
      maxPendingPerPeer: DEFAULT_MAX_PENDING_PER_PEER,
      maxQueuedBytesPerPeer: DEFAULT_MAX_QUEUED_BYTES_PER_PEER,
    },
    timers: {
      tc: DEFAULT_TC_MS,
      tw: DEFAULT_TW_MS,
      ceTimeout: DEFAULT_CE_TIMEOUT_MS,
      dpaTimeout: DEFAULT_DPA_TIMEOUT_MS,
      shutdownGrace: DEFAULT_SHUTDOWN_GRACE_MS,
      requestTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
    },
    log: { level: DEFAULT_LOG_LEVEL, messageDump: false },
    api: { enabled: DEFAULT_API_ENABLED, address: DEFAULT_API_ADDRESS, port: DEFAULT_API_PORT, token: undefined },
    // No rule files: relay by freeDiameter's core scores only (Destination-Host, then realm).
    routing: { rules: [], retryOn: [] },
    // The HSS answers S6a, Cx and Sh from the store; `hss.enabled: false` makes a pure DRA.
    hss: { enabled: true, applications: ['s6a', 'cx', 'sh'], indBits: 5, sqnDelta: 2 ** 28, shMaxRepositoryDataBytes: 65536, shMaxSubscriptionSeconds: 0, scscfPool: [], serverCapabilities: { mandatory: [], optional: [], serverNames: [] } },
  };
}
