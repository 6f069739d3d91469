// Makes pcaps/diamond-s6a-cx.pcapng: an MME's S6a attach (AIR, ULR in one session), a purge, and an
// S-CSCF's Cx UAR, against a Diamond node (hss1.epc.test) with capture on. The node is what writes
// the file. Regenerate: npx tsx test/replay/regression-capture.ts (after a deliberate change of
// answers); replay.test.ts replays it against a fresh node and expects every answer to match.
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { converse, request, startNode, tempDir } from './traffic.js';

export const REGRESSION = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../pcaps/diamond-s6a-cx.pcapng');
export const REGRESSION_NODE = 'hss1.epc.test';

/** Runs the session against a fresh node with capture on; returns the capture file. */
export async function captureSession(file: string): Promise<{ file: string; port: number }> {
  const { node, port } = await startNode(REGRESSION_NODE, { capture: { file, rotateMb: 0, peers: [], mask: true, enabled: true } });
  await converse(port, [
    request('AIR', 'mme1.epc.test;1700000000;1', '001010000000001'),
    request('ULR', 'mme1.epc.test;1700000000;1', '001010000000001'),
    request('AIR', 'mme1.epc.test;1700000000;2', '001010000000002'),
    request('PUR', 'mme1.epc.test;1700000000;3', '001010000000001'),
  ], 'mme1.epc.test');
  await converse(port, [request('UAR', 'scscf.ims.test;1700000000;1', '001010000000001', 'scscf.ims.test')], 'scscf.ims.test');
  await node.stop();
  return { file, port };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { file } = await captureSession(path.join(tempDir('diamond-regression-'), 'session.pcapng'));
  copyFileSync(file, REGRESSION);
  process.stdout.write(`wrote ${REGRESSION}\n`);
}
