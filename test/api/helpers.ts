// A provisioning API over a real SQLite file and a real (not started) DiameterNode.
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApi } from '../../src/api/server.js';
import type { ApiConfig } from '../../src/config/model.js';
import { DiameterNode } from '../../src/node/node.js';
import { tempStore, type TempStore } from '../store/helpers.js';
import { testConfig } from '../support/node-config.js';

export interface TestApi extends TempStore {
  app: FastifyInstance;
  node: DiameterNode;
  close(): Promise<void>;
}

export async function testApi(api: Partial<ApiConfig> = {}, logDest?: NodeJS.WritableStream): Promise<TestApi> {
  const t = tempStore();
  const cfg: ApiConfig = { enabled: true, address: '127.0.0.1', port: 0, token: undefined, ...api };
  const node = new DiameterNode({ config: testConfig('hss.test', 'test', { api: cfg }) });
  const log = logDest ? pino({ level: 'trace' }, logDest) : pino({ level: 'silent' });
  const app = buildApi(node, cfg, log, { store: t.store });
  await app.ready();
  return {
    ...t,
    app,
    node,
    close: async () => {
      await app.close();
      t.cleanup();
    },
  };
}
