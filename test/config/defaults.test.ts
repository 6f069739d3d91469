import { describe, it, expect } from 'vitest';
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  embeddedDefaults,
  generatedIdentity,
  hostLabel,
} from '../../src/config/defaults.js';
import { isIdentity } from '../../src/config/names.js';

describe('embeddedDefaults', () => {
  it('listens on TCP 127.0.0.1:3868 with a generated identity, realm diamond.local and no peers', () => {
    const c = embeddedDefaults('Build-Box_7.corp.example');
    expect(c.source).toBeUndefined();
    expect(c.identity).toBe('build-box-7.diamond.local');
    expect(c.realm).toBe('diamond.local');
    expect(c.listen).toEqual([{ transport: 'tcp', addresses: ['127.0.0.1'], port: 3868 }]);
    expect(c.peers).toEqual([]);
    expect(c.hostIpAddresses).toEqual(['127.0.0.1']);
  });

  it('has the documented values', () => {
    const c = embeddedDefaults('h');
    expect(c.timers).toEqual({ tc: 30_000, tw: 30_000, ceTimeout: 10_000, dpaTimeout: 5_000, shutdownGrace: 5_000, requestTimeout: 10_000 });
    expect(c.limits).toEqual({ maxMessageSize: 1_048_576, maxPendingPerPeer: 10_000, maxQueuedBytesPerPeer: 8_388_608 });
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(1024 * 1024);
    expect([c.productName, c.vendorId, c.firmwareRevision]).toEqual(['Diamond', 0, 1]);
    expect(c.api).toEqual({ enabled: true, address: '127.0.0.1', port: 8080, token: undefined });
    expect(c.log).toEqual({ level: 'info', messageDump: false });
    expect([c.dataDir, c.allowUnknownPeers, c.relay]).toEqual(['./data', false, false]);
    expect(c.tls).toEqual({ cert: undefined, key: undefined, ca: undefined, verifyPeer: true, checkIdentity: true });
  });

  it('sanitises any host name into one valid DNS label', () => {
    for (const h of ['', '---', 'ÜBER_host', 'a'.repeat(80), 'x..y', '-lead.trail-']) {
      const id = generatedIdentity('diamond.local', h);
      expect(isIdentity(id), `${h} -> ${id}`).toBe(true);
      expect(id).toBe(id.toLowerCase());
    }
    expect(hostLabel('---')).toBe('diamond');
    expect(hostLabel('a'.repeat(80))).toHaveLength(63);
  });

  it('uses the real host name by default', () => {
    expect(isIdentity(embeddedDefaults().identity)).toBe(true);
  });
});
