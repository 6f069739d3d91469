// Config -> diamond.yaml text (the shape operators write: timers in seconds), for `config show`
// and for the freeDiameter importer. Loading the output again gives the same Config.
import { dump } from 'js-yaml';
import { applicationName } from './applications.js';
import type { Config, TlsMode, TransportKind } from './model.js';

/** The YAML file's shape; every key optional, as operators may leave any out. */
export interface YamlListen {
  transport?: TransportKind;
  address?: string;
  addresses?: string[];
  port?: number;
}
export interface YamlPeer {
  identity: string;
  realm?: string;
  address?: string;
  addresses?: string[];
  port?: number;
  transport?: TransportKind;
  tls?: TlsMode;
  connect?: boolean;
  tc?: number;
  tw?: number;
}
export type YamlApplication = string | { id: number; vendorId?: number; kind?: 'auth' | 'acct' };
export interface DiamondYaml {
  identity?: string;
  realm?: string;
  hostIpAddresses?: string[];
  productName?: string;
  vendorId?: number;
  firmwareRevision?: number;
  listen?: YamlListen[];
  tls?: { cert?: string; key?: string; ca?: string; verifyPeer?: boolean; checkIdentity?: boolean };
  peers?: YamlPeer[];
  applications?: YamlApplication[];
  relay?: boolean;
  allowUnknownPeers?: boolean;
  dataDir?: string;
  dictionaries?: string[];
  limits?: { maxMessageSize?: number; maxPendingPerPeer?: number; maxQueuedBytesPerPeer?: number };
  timers?: { tc?: number; tw?: number; ceTimeout?: number; dpaTimeout?: number; shutdownGrace?: number; requestTimeout?: number };
  log?: { level?: string; messageDump?: boolean };
  api?: { enabled?: boolean; address?: string; port?: number; token?: string | null };
  capture?: { file?: string; rotateMb?: number; peers?: string[]; mask?: boolean; enabled?: boolean };
  routing?: { rules?: string[]; retryOn?: number[] };
  hss?: Partial<Omit<Config['hss'], 'serverCapabilities'>> & { serverCapabilities?: Partial<Config['hss']['serverCapabilities']> };
}

export const MASK = '********';

const seconds = (ms: number): number => ms / 1000;

/** The whole effective configuration in YAML form; `maskSecrets` hides api.token. */
export function configToDocument(config: Config, options: { maskSecrets?: boolean } = {}): DiamondYaml {
  const t = config.timers;
  return {
    identity: config.identity,
    realm: config.realm,
    hostIpAddresses: config.hostIpAddresses,
    productName: config.productName,
    vendorId: config.vendorId,
    firmwareRevision: config.firmwareRevision,
    listen: config.listen.map((l) => ({ transport: l.transport, addresses: l.addresses, port: l.port })),
    tls: {
      ...(config.tls.cert !== undefined && { cert: config.tls.cert }),
      ...(config.tls.key !== undefined && { key: config.tls.key }),
      ...(config.tls.ca !== undefined && { ca: config.tls.ca }),
      verifyPeer: config.tls.verifyPeer,
      checkIdentity: config.tls.checkIdentity,
    },
    peers: config.peers.map((p) => ({
      identity: p.identity,
      ...(p.realm !== undefined && { realm: p.realm }),
      addresses: p.addresses,
      port: p.port,
      transport: p.transport,
      tls: p.tls,
      connect: p.connect,
      tc: seconds(p.tc),
      tw: seconds(p.tw),
    })),
    applications: config.applications.map((a) => applicationName(a) ?? { id: a.id, vendorId: a.vendorId, kind: a.kind }),
    relay: config.relay,
    allowUnknownPeers: config.allowUnknownPeers,
    dataDir: config.dataDir,
    dictionaries: config.dictionaries,
    limits: { ...config.limits },
    timers: {
      tc: seconds(t.tc),
      tw: seconds(t.tw),
      ceTimeout: seconds(t.ceTimeout),
      dpaTimeout: seconds(t.dpaTimeout),
      shutdownGrace: seconds(t.shutdownGrace),
      requestTimeout: seconds(t.requestTimeout),
    },
    log: { ...config.log },
    api: {
      enabled: config.api.enabled,
      address: config.api.address,
      port: config.api.port,
      token: config.api.token === undefined ? null : options.maskSecrets ? MASK : config.api.token,
    },
    routing: { rules: [...config.routing.rules], retryOn: [...config.routing.retryOn] },
    hss: {
      ...config.hss,
      applications: [...config.hss.applications],
      scscfPool: [...config.hss.scscfPool],
      serverCapabilities: { mandatory: [...config.hss.serverCapabilities.mandatory], optional: [...config.hss.serverCapabilities.optional], serverNames: [...config.hss.serverCapabilities.serverNames] },
    },
    ...(config.capture && { capture: { ...config.capture, peers: [...config.capture.peers] } }),
  };
}

/** YAML text: top-level sections in block style, each listener/peer on one line. */
export function dumpYaml(doc: DiamondYaml): string {
  return dump(doc, { flowLevel: 2, lineWidth: -1, flowBracketPadding: true, noRefs: true, skipInvalid: true });
}

export function configToYaml(config: Config, options: { maskSecrets?: boolean } = {}): string {
  return dumpYaml(configToDocument(config, options));
}
