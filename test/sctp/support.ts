// Helpers for the SCTP tests, which run inside the UML guest (`npm run test:sctp`): fixed ports
// are fine there (the guest has its own network stack), the Python peer is an independent SCTP
// implementation of the sending side, and the messages come from the codec.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { avp, message } from '../../src/diameter/codec/builder.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import { defaultDictionary } from '../../src/diameter/dictionary/load.js';
import { sctpUnavailableReason } from '../../src/diameter/transport/transport.js';
import type { DiameterNode } from '../../src/node/node.js';

export const dict = defaultDictionary();

/** Fails loudly when run where SCTP does not work: these tests are meant for the guest. */
export function requireSctp(): void {
  const why = sctpUnavailableReason();
  if (why) throw new Error(`SCTP tests need kernel SCTP (run them with npm run test:sctp): ${why}`);
}

export function cer(originHost: string, originRealm: string): Buffer {
  return encodeMessage(
    message(
      dict,
      'CER',
      [
        avp(dict, 'Origin-Host', originHost),
        avp(dict, 'Origin-Realm', originRealm),
        avp(dict, 'Host-IP-Address', '127.0.0.1'),
        avp(dict, 'Vendor-Id', 0),
        avp(dict, 'Product-Name', 'sctp-peer.py'),
        avp(dict, 'Auth-Application-Id', 0xffffffff),
      ],
      { hopByHopId: 1, endToEndId: 1 },
    ),
  );
}

/** An S6a AIR (application 16777251): a Diamond node with no route answers it with an error. */
export function air(originHost: string, originRealm: string, destRealm: string): Buffer {
  return encodeMessage(
    message(
      dict,
      'AIR',
      [
        avp(dict, 'Session-Id', `${originHost};1;1`),
        avp(dict, 'Auth-Session-State', 1),
        avp(dict, 'Origin-Host', originHost),
        avp(dict, 'Origin-Realm', originRealm),
        avp(dict, 'Destination-Realm', destRealm),
        avp(dict, 'User-Name', '001010123456789'),
      ],
      { hopByHopId: 1, endToEndId: 2 },
      16777251,
    ),
  );
}

export interface PyEvent {
  event: 'recv' | 'open' | 'done' | 'closed';
  sid?: number;
  ppid?: number;
  code?: number;
  flags?: number;
  app?: number;
  hbh?: number;
  /** Bytes in the SCTP message, and the Diameter length its header gives. */
  len?: number;
  dlen?: number;
  eor?: boolean;
}

export interface PyPeer {
  child: ChildProcess;
  events: PyEvent[];
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts test/sctp/sctp-peer.py (the guest's /usr/bin/python3, not a pyenv shim). */
export function pythonPeer(args: string[]): PyPeer {
  const child = spawn('/usr/bin/python3', [join(import.meta.dirname, 'sctp-peer.py'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: PyEvent[] = [];
  let err = '';
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      events.push(JSON.parse(buf.slice(0, i)) as PyEvent);
      buf = buf.slice(i + 1);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, events, stderr: () => err, exited };
}

export function peerState(n: DiameterNode, id: string): string | undefined {
  return n.peerStatus().find((p) => p.identity === id)?.state;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
