// A fresh HSS node for capture and replay, wired as `diamond start` wires it: a SQLite store in a
// temp dir, the HSS applications of `hssApplications`, the node on 127.0.0.1:0 and the admin API
// on 127.0.0.1:0 over the same store. Optionally with the node's own capture on.
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { startApi } from '../../src/api/server.js';
import { embeddedDefaults } from '../../src/config/defaults.js';
import type { CaptureConfig } from '../../src/config/model.js';
import { hssApplications } from '../../src/hss/applications.js';
import { DiameterNode } from '../../src/node/node.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/index.js';
import { testConfig } from '../support/node-config.js';
import { dict, tempDir } from './traffic.js';

export const HSS_NODE = 'hss.epc.test';
export const HSS_REALM = 'epc.test';

export interface HssNode {
  node: DiameterNode;
  store: SqliteStore;
  /** Diameter port (TCP, 127.0.0.1). */
  port: number;
  /** Admin API base URL. */
  api: string;
  stop(): Promise<void>;
}

export async function startHssNode(opts: { capture?: CaptureConfig; token?: string } = {}): Promise<HssNode> {
  const dir = tempDir('diamond-hss-replay-');
  const config = testConfig(HSS_NODE, HSS_REALM, {
    allowUnknownPeers: true,
    // The embedded defaults, as `diamond start` with no hss section: S6a, Cx and Sh.
    hss: embeddedDefaults().hss,
    api: { enabled: true, address: '127.0.0.1', port: 0, token: opts.token },
    ...(opts.capture ? { capture: opts.capture } : {}),
  });
  const store = openSqliteStore(path.join(dir, 'diamond.sqlite'));
  const node = new DiameterNode({ config, dictionary: dict, applications: hssApplications(config, store) });
  await node.start(false);
  let app: FastifyInstance | undefined;
  try {
    const api = await startApi(node, config.api, pino({ level: 'silent' }), { store });
    app = api.app;
    return {
      node,
      store,
      port: node.listeners[0]!.port,
      api: api.url,
      async stop() {
        await node.stop();
        await app?.close();
        store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await node.stop();
    store.close();
    throw err;
  }
}
