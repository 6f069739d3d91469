// A fresh Cx HSS for replaying public captures: the identity and realm of the HSS the capture talked
// to (so Destination-Realm is ours and Origin-Host compares as captured), the Cx application with the
// operator options the capture's deployment implies (S-CSCF capabilities, charging names), a SQLite
// store in a temp dir, the admin API for `diamond replay --provision`, and the node's own pcapng
// capture of everything it answers (secrets not masked: test keys only).
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { startApi } from '../../src/api/server.js';
import { embeddedDefaults } from '../../src/config/defaults.js';
import { createCxApplication, type CxOptions } from '../../src/hss/cx/index.js';
import { DiameterNode } from '../../src/node/node.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.js';
import { testConfig } from '../support/node-config.js';
import { dict, tempDir } from './traffic.js';

export interface CxHss {
  node: DiameterNode;
  store: SqliteStore;
  /** Diameter port (TCP, 127.0.0.1). */
  port: number;
  /** Admin API base URL. */
  api: string;
  /** The node's own capture (pcapng); complete once stop() resolved. */
  capture: string;
  /** Stops the node and the API (once; later calls do nothing); the temp dir (store, capture) stays until remove(). */
  stop(): Promise<void>;
  remove(): void;
}

export async function startCxHss(identity: string, realm: string, cx: CxOptions): Promise<CxHss> {
  const dir = tempDir('diamond-public-cx-');
  const capture = path.join(dir, 'hss.pcapng');
  const config = testConfig(identity, realm, {
    allowUnknownPeers: true,
    hss: { ...embeddedDefaults().hss, applications: ['cx'] },
    api: { enabled: true, address: '127.0.0.1', port: 0, token: undefined },
    capture: { file: capture, rotateMb: 0, peers: [], mask: false, enabled: true },
  });
  const store = openSqliteStore(path.join(dir, 'diamond.sqlite'));
  const app = createCxApplication({ store, options: cx });
  const node = new DiameterNode({ config, dictionary: dict, applications: [app] });
  await node.start(false);
  let api: FastifyInstance | undefined;
  let stopped = false;
  const cleanup = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    app.close();
    await node.stop();
    await api?.close();
    store.close();
  };
  try {
    const started = await startApi(node, config.api, pino({ level: 'silent' }), { store });
    api = started.app;
    return {
      node,
      store,
      port: node.listeners[0]!.port,
      api: started.url,
      capture,
      async stop() {
        await cleanup();
      },
      remove() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
