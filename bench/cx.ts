// Benchmark: Cx MAR (1 Digest-AKAv1-MD5 item, SQN durably committed) and SAR (REGISTRATION, answered
// with ~4 kB of User-Data rendered from an iFC template) answered by a DiameterNode with a SQLite
// store, over one TCP connection on 127.0.0.1 from an S-CSCF client in its own process
// (bench/support/load-client.ts). Targets (issue 8): >= 15,000 answers/s each.
// Run: npx tsx bench/cx.ts [seconds-per-phase] [mar|sar] (both by default)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { avp } from '../src/diameter/codec/builder.js';
import type { Avp } from '../src/diameter/codec/message.js';
import { defaultDictionary } from '../src/diameter/dictionary/load.js';
import { createCxApplication } from '../src/hss/cx/index.js';
import { DiameterNode } from '../src/node/node.js';
import { openSqliteStore } from '../src/store/index.js';
import { testConfig } from '../test/support/node-config.js';
import { forkClient, runClient, template, type ClientIdentity, type LoadPhase } from './support/load-client.js';

const seconds = Number(process.argv[2] ?? '3');
const only = process.argv[3]?.toUpperCase() || undefined;
const USERS = 1000;
const dict = defaultDictionary();
const SCSCF: ClientIdentity = { host: 'scscf.bench', realm: 'ims.bench', application: { vendorId: 10415, id: 16777216 } };
const SERVER_NAME = 'sip:scscf.bench:6060';
const user = (i: number): { imsi: string; impi: string; impu: string } => {
  const imsi = `00101${String(i).padStart(10, '0')}`;
  return { imsi, impi: `${imsi}@ims.bench`, impu: `sip:${imsi}@ims.bench` };
};

/** Twelve iFCs with long AS names: the User-Data of a SAA is about 4 kB. */
function ifcTemplate(): string {
  const ifc = (p: number): string =>
    `<InitialFilterCriteria><Priority>${p}</Priority><TriggerPoint><ConditionTypeCNF>1</ConditionTypeCNF>` +
    `<SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>INVITE</Method></SPT>` +
    `<SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><SessionCase>${p % 4}</SessionCase></SPT></TriggerPoint>` +
    `<ApplicationServer><ServerName>sip:application-server-${p}.services.ims.bench:5060</ServerName><DefaultHandling>0</DefaultHandling></ApplicationServer></InitialFilterCriteria>`;
  return Array.from({ length: 12 }, (_, i) => ifc(i + 1)).join('');
}

if (process.argv[4] === 'client') {
  const head = (impi: string, impu: string): Avp[] => [
    avp(dict, 'Vendor-Specific-Application-Id', [avp(dict, 'Vendor-Id', 10415), avp(dict, 'Auth-Application-Id', 16777216)]),
    avp(dict, 'Auth-Session-State', 1),
    avp(dict, 'Origin-Host', SCSCF.host),
    avp(dict, 'Origin-Realm', SCSCF.realm),
    avp(dict, 'Destination-Realm', 'ims.bench'),
    avp(dict, 'User-Name', impi),
    avp(dict, 'Public-Identity', impu),
  ];
  const users = Array.from({ length: USERS }, (_, i) => user(i));
  const phases: LoadPhase[] = [];
  if (!only || only === 'MAR') {
    const mar = ({ impi, impu }: { impi: string; impu: string }): Avp[] => [
      ...head(impi, impu),
      avp(dict, '3GPP-SIP-Number-Auth-Items', 1),
      avp(dict, '3GPP-SIP-Auth-Data-Item', [avp(dict, '3GPP-SIP-Authentication-Scheme', 'Digest-AKAv1-MD5')]),
      avp(dict, 'Server-Name', SERVER_NAME),
    ];
    phases.push({ name: 'MAR', templates: users.map((u) => template(dict, SCSCF, 303, mar(u))) });
  }
  if (!only || only === 'SAR') {
    // REGISTRATION (1) with User-Data-Already-Available 0: every answer carries the User-Data.
    const sar = ({ impi, impu }: { impi: string; impu: string }): Avp[] => [
      ...head(impi, impu),
      avp(dict, 'Server-Name', SERVER_NAME),
      avp(dict, 'Server-Assignment-Type', 1),
      avp(dict, 'User-Data-Already-Available', 0),
    ];
    phases.push({ name: 'SAR', templates: users.map((u) => template(dict, SCSCF, 301, sar(u))) });
  }
  await runClient(dict, SCSCF, Number(process.argv[5]), phases, seconds);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'diamond-bench-cx-'));
  const store = openSqliteStore(join(dir, 'diamond.sqlite'));
  const t = store.ifcTemplates.create({ name: 'bench', xml: ifcTemplate() }, 'bench');
  store.importSubscribers(
    Array.from({ length: USERS }, (_, i) => ({ imsi: user(i).imsi, k: '465b5ce8b199b49faa5f0a2ee238a6bc', opc: 'cd63cb71954a9f4e48a5994e37a02baf' })),
    { actor: 'bench', source: 'bench' },
  );
  for (let i = 0; i < USERS; i++) {
    const u = user(i);
    store.imsSubscribers.create({ impi: u.impi, imsi: u.imsi, authScheme: 'aka', ifcTemplateId: t.id, impus: [{ impu: u.impu }, { impu: `tel:+3361${String(i).padStart(7, '0')}` }] }, 'bench');
  }
  const app = createCxApplication({ store });
  const node = new DiameterNode({ config: testConfig('hss.ims.bench', 'ims.bench', { allowUnknownPeers: true, limits: { maxMessageSize: 65536, maxPendingPerPeer: 10000, maxQueuedBytesPerPeer: 16 << 20 } }), applications: [app], logger: pino({ level: 'silent' }) });
  await node.start(false);
  await forkClient(fileURLToPath(import.meta.url), [String(seconds), only ?? ''], node.listeners[0]!.port);
  if (!only || only === 'SAR') {
    const registered = Array.from({ length: USERS }, (_, i) => store.imsSubscribers.get(user(i).impi)).filter((s) => s?.scscfName === SERVER_NAME).length;
    console.log(`${registered}/${USERS} IMS users have ${SERVER_NAME} as their S-CSCF`);
  }
  await node.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
