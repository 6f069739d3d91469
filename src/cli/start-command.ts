// `diamond start`: runs the node until SIGTERM/SIGINT, then DPR to every peer and exit.
// With no -c, ./diamond.yaml is used when present, else the embedded defaults (loopback, no peers).
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { pino } from 'pino';
import { embeddedDefaults } from '../config/defaults.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/model.js';
import { DiamondError, ErrorCode } from '../errors.js';
import { DiameterNode } from '../node/node.js';
import type { FastifyInstance } from 'fastify';
import { cxRoutes } from '../api/cx-routes.js';
import { registerRoutingRoutes } from '../api/routing-routes.js';
import { s6aRoutes } from '../api/s6a-routes.js';
import { startApi } from '../api/server.js';
import type { CxApplication } from '../hss/cx/index.js';
import type { S6aApplication } from '../hss/s6a/index.js';
import { openSqliteStore, storeFile } from '../store/index.js';
import { hssApplications } from '../hss/applications.js';

/** The configuration `start` and `peers` use: -c FILE, else ./diamond.yaml, else the defaults. */
export function resolveConfig(file: string | undefined): Config {
  const path = file ?? (existsSync('diamond.yaml') ? 'diamond.yaml' : undefined);
  if (path === undefined) return embeddedDefaults();
  const { config, errors } = loadConfig(path);
  if (!config || errors.length > 0) {
    throw new DiamondError(ErrorCode.CONFIG_INVALID, `${path} is not valid; the node does not start:\n${errors.map((e) => e.message).join('\n')}`);
  }
  return config;
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('start the Diameter node (config: -c FILE, ./diamond.yaml, or embedded defaults)')
    .option('-c, --config <file>', 'diamond.yaml to use')
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace')
    .option('--message-dump', 'log every message decoded, secrets masked')
    .action(async (opts: { config?: string; logLevel?: string; messageDump?: boolean }) => {
      const config = resolveConfig(opts.config);
      if (opts.logLevel) config.log.level = opts.logLevel as Config['log']['level'];
      if (opts.messageDump) config.log.messageDump = true;
      const log = pino({ level: config.log.level });
      // The subscriber store: migrations run here, at start (HSS issue; <dataDir>/diamond.sqlite).
      const store = openSqliteStore(storeFile(config.dataDir));
      log.info({ store: store.file, schemaVersion: store.schemaVersion }, `subscriber store ${store.file} (schema ${store.schemaVersion})`);
      // The HSS role (config `hss`): S6a, Cx and Sh answered here from the store.
      const applications = hssApplications(config, store);
      const node = new DiameterNode({ config, logger: log, applications });
      await node.start();
      const s6a = applications.find((a): a is S6aApplication => a.name === 's6a');
      const cx = applications.find((a): a is CxApplication => a.name === 'cx');
      const routes = (app: FastifyInstance): void => {
        registerRoutingRoutes(app, node);
        if (s6a) s6aRoutes(app, s6a, store);
        if (cx) cxRoutes(app, cx, store);
      };
      const api = config.api.enabled ? await startApi(node, config.api, log, { store, routes }) : undefined;
      const where = node.listeners.map((l) => `${l.kind}://${l.address.includes(':') ? `[${l.address}]` : l.address}:${l.port}`).join(', ');
      process.stdout.write(
        `Diamond ${config.identity} (realm ${config.realm}) listening on ${where || 'no transport'}` +
          `${applications.length ? `; HSS: ${applications.map((a) => a.name).join(', ')}` : ''}` +
          `${api ? `; admin API ${api.url}` : ''}; config: ${config.source ?? 'embedded defaults'}\n`,
      );
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        log.info(`${signal}: shutting down`);
        void (async () => {
          await node.stop();
          await api?.app.close();
          store.close();
          process.exit(0);
        })();
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      // Rule files reload without a restart; a broken file leaves the running rules in force.
      process.on('SIGHUP', () => void node.reloadRules());
    });
}
