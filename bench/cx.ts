// Benchmark: Cx MAR (1 Digest-AKAv1-MD5 item, SQN durably committed) and SAR (REGISTRATION, answered
// with ~4 kB of User-Data rendered from an iFC template) answered by a DiameterNode with a SQLite
// store, over one TCP connection on 127.0.0.1 from an S-CSCF client in its own process
// (bench/support/load-client.ts). Targets (issue 8): >= 15,000 answers/s each.
// The warm-up pass of each phase makes the first MAR (Server-Name recorded) and SAR (registered) of
// every user, so the measured MAR and SAR phases are re-authentications and re-registrations that
// write no state. SAR-MOVE measures state writes: each SAR REGISTRATION names the other of two
// S-CSCFs than the user's last one, so every answer waits for its group-committed write.
// Run: npx tsx bench/cx.ts [seconds-per-phase] [mar|sar|sar-move] (all three by default)
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
const OTHER_SERVER_NAME = 'sip:scscf-2.bench:6060';
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
  // REGISTRATION (1) with User-Data-Already-Available 0: every answer carries the User-Data.
  const sar = ({ impi, impu }: { impi: string; impu: string }, serverName: string): Avp[] => [
    ...head(impi, impu),
    avp(dict, 'Server-Name', serverName),
    avp(dict, 'Server-Assignment-Type', 1),
    avp(dict, 'User-Data-Already-Available', 0),
  ];
  if (!only || only === 'SAR') phases.push({ name: 'SAR', templates: users.map((u) => template(dict, SCSCF, 301, sar(u, SERVER_NAME))) });
  if (!only || only === 'SAR-MOVE') {
    // Every user at the other S-CSCF, then back: each SAR changes the user's S-CSCF (a write).
    const round = (name: string) => users.map((u) => template(dict, SCSCF, 301, sar(u, name)));
    phases.push({ name: 'SAR-MOVE', templates: [...round(OTHER_SERVER_NAME), ...round(SERVER_NAME)] });
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
  if (!only || only.startsWith('SAR')) {
    const subs = Array.from({ length: USERS }, (_, i) => store.imsSubscribers.get(user(i).impi));
    const registered = subs.filter((s) => s?.registrationState === 'registered' && (s.scscfName === SERVER_NAME || s.scscfName === OTHER_SERVER_NAME)).length;
    console.log(`${registered}/${USERS} IMS users are registered at one of the benchmark's S-CSCFs`);
  }
  await node.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
