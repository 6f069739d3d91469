// Complete Config objects for tests, with short timers; each test overrides what it exercises.
import type { Config, PeerConfig } from '../../src/config/model.js';

export function testConfig(identity: string, realm: string, over: Partial<Config> = {}): Config {
  return {
    source: undefined,
    identity,
    realm,
    hostIpAddresses: [],
    productName: 'Diamond-test',
    vendorId: 0,
    firmwareRevision: 1,
    listen: [{ transport: 'tcp', addresses: ['127.0.0.1'], port: 0 }],
    tls: { cert: undefined, key: undefined, ca: undefined, verifyPeer: true, checkIdentity: true },
    peers: [],
    applications: [],
    relay: false,
    allowUnknownPeers: false,
    dataDir: './data',
    dictionaries: [],
    limits: { maxMessageSize: 65536, maxPendingPerPeer: 1000, maxQueuedBytesPerPeer: 1 << 20 },
    timers: { tc: 300, tw: 1000, ceTimeout: 2000, dpaTimeout: 1000, shutdownGrace: 2000, requestTimeout: 2000 },
    log: { level: 'silent' as Config['log']['level'], messageDump: false },
    api: { enabled: false, address: '127.0.0.1', port: 0, token: undefined },
    routing: { rules: [], retryOn: [] },
    hss: { enabled: false, applications: [], indBits: 5, sqnDelta: 2 ** 28, shMaxRepositoryDataBytes: 65536, shMaxSubscriptionSeconds: 0, scscfPool: [], serverCapabilities: { mandatory: [], optional: [], serverNames: [] } },
    ...over,
  };
}

export function testPeer(identity: string, port: number, over: Partial<PeerConfig> = {}): PeerConfig {
  return {
    identity,
    realm: undefined,
    addresses: ['127.0.0.1'],
    port,
    transport: 'tcp',
    prefer: 'tcp',
    tls: 'none',
    connect: true,
    tc: 300,
    tw: 1000,
    ...over,
  };
}

/** Resolves when cond() holds, polling; rejects with the description after timeoutMs. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
