// The HSS applications a node answers, from the configuration (`hss`): S6a/S6d, Cx and Sh over the
// subscriber store. `diamond start` passes them to the node, which advertises them in CER/CEA.
import type { Config } from '../config/model.js';
import type { LocalApplication } from '../node/local-application.js';
import type { Store } from '../store/index.js';
import { createCxApplication } from './cx/index.js';
import { createS6aApplication } from './s6a/index.js';
import { createShApplication } from './sh/index.js';

export function hssApplications(config: Config, store: Store): LocalApplication[] {
  if (!config.hss.enabled) return [];
  const out: LocalApplication[] = [];
  for (const name of config.hss.applications) {
    if (name === 's6a') out.push(createS6aApplication({ store, options: { indBits: config.hss.indBits, sqnDelta: config.hss.sqnDelta } }));
    else if (name === 'cx') {
      const h = config.hss;
      const caps = h.serverCapabilities;
      const hasCaps = caps.mandatory.length + caps.optional.length + caps.serverNames.length > 0;
      out.push(createCxApplication({ store, options: { indBits: h.indBits, sqnDelta: h.sqnDelta, scscfPool: h.scscfPool, ...(hasCaps ? { serverCapabilities: caps } : {}) } }));
    }
    else {
      const sh = config.hss;
      out.push(
        createShApplication({
          store,
          options: { maxRepositoryDataBytes: sh.shMaxRepositoryDataBytes, ...(sh.shMaxSubscriptionSeconds > 0 ? { maxSubscriptionSeconds: sh.shMaxSubscriptionSeconds } : {}) },
        }),
      );
    }
  }
  return out;
}
