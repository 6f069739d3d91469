// Benchmark: S6a AIR (1 E-UTRAN vector, SQN durably committed) and ULR (full Subscription-Data,
// serving MME durably written) answered by a DiameterNode with a SQLite store, over one TCP
// connection on 127.0.0.1 from a client in its own process (bench/support/load-client.ts).
// Targets (issue 7): >= 20,000 answers/s each with 64 outstanding; p99 <= 2 ms at half that rate.
// Run: npx tsx bench/s6a.ts [seconds-per-phase] [air|ulr] (both by default; one for a CPU profile)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { avp } from '../src/diameter/codec/builder.js';
import type { Avp } from '../src/diameter/codec/message.js';
import { defaultDictionary } from '../src/diameter/dictionary/load.js';
import { createS6aApplication } from '../src/hss/s6a/index.js';
import { DiameterNode } from '../src/node/node.js';
import { openSqliteStore } from '../src/store/index.js';
import { testConfig } from '../test/support/node-config.js';
import { forkClient, runClient, template, type ClientIdentity, type LoadPhase } from './support/load-client.js';

const seconds = Number(process.argv[2] ?? '3');
const only = process.argv[3]?.toUpperCase() || undefined;
const SUBSCRIBERS = 1000;
const dict = defaultDictionary();
const imsis = Array.from({ length: SUBSCRIBERS }, (_, i) => `00101${String(i).padStart(10, '0')}`);
const MME: ClientIdentity = { host: 'mme.bench', realm: 'bench', application: { vendorId: 10415, id: 16777251 } };

if (process.argv[4] === 'client') {
  const phases: LoadPhase[] = [];
  const head = (imsi: string): Avp[] => [
    avp(dict, 'Auth-Session-State', 1),
    avp(dict, 'Origin-Host', MME.host),
    avp(dict, 'Origin-Realm', MME.realm),
    avp(dict, 'Destination-Realm', 'bench'),
    avp(dict, 'User-Name', imsi),
  ];
  const plmn = avp(dict, 'Visited-PLMN-Id', { mcc: '001', mnc: '01' });
  if (!only || only === 'AIR') {
    phases.push({ name: 'AIR', templates: imsis.map((imsi) => template(dict, MME, 318, [...head(imsi), avp(dict, 'Requested-EUTRAN-Authentication-Info', [avp(dict, 'Number-Of-Requested-Vectors', 1)]), plmn])) });
  }
  if (!only || only === 'ULR') {
    phases.push({ name: 'ULR', templates: imsis.map((imsi) => template(dict, MME, 316, [...head(imsi), avp(dict, 'RAT-Type', 1004), avp(dict, 'ULR-Flags', 2), plmn])) });
  }
  await runClient(dict, MME, Number(process.argv[5]), phases, seconds);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'diamond-bench-s6a-'));
  const store = openSqliteStore(join(dir, 'diamond.sqlite'));
  store.apns.create({ name: 'internet' }, 'bench');
  store.importSubscribers(
    imsis.map((imsi, i) => ({ imsi, msisdn: `3361${String(i).padStart(7, '0')}`, apns: ['internet'], k: '465b5ce8b199b49faa5f0a2ee238a6bc', opc: 'cd63cb71954a9f4e48a5994e37a02baf' })),
    { actor: 'bench', source: 'bench' },
  );
  const app = createS6aApplication({ store, options: { cancelOnChange: false } });
  const node = new DiameterNode({ config: testConfig('hss.bench', 'bench', { allowUnknownPeers: true, limits: { maxMessageSize: 65536, maxPendingPerPeer: 10000, maxQueuedBytesPerPeer: 16 << 20 } }), applications: [app], logger: pino({ level: 'silent' }) });
  await node.start(false);
  await forkClient(fileURLToPath(import.meta.url), [String(seconds), only ?? ''], node.listeners[0]!.port);
  if (!only || only === 'ULR') {
    const registered = imsis.filter((imsi) => store.servingNodes.get(imsi)?.mmeHost === MME.host).length;
    console.log(`${registered}/${SUBSCRIBERS} subscribers have ${MME.host} as serving MME`);
  }
  await node.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
