// The node's own traffic as pcapng (config `capture:`): every Diameter message the node sends or
// receives, on synthesised Ethernet/IP/TCP headers carrying the connection's real addresses and
// ports, so Wireshark/tshark reassemble and dissect it. Files rotate by size; secrets are masked
// unless `mask: false`. Writes are synchronous but batched (one write per 64 KiB or 250 ms).
import { closeSync, openSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Dictionary } from '../diameter/dictionary/dictionary.js';
import type { Peer } from '../diameter/peer/peer.js';
import { DiamondError, ErrorCode } from '../errors.js';
import { PcapngEncoder } from '../pcap/writer.js';
import { maskFrameSecrets } from './mask-secrets.js';
import { peerEndpoints, socketEndpoints } from './peer-endpoints.js';
import type { PeerSocket } from '../diameter/peer/peer-socket.js';

export interface CaptureSettings {
  /** Path of the first file; rotated files are `<name>-1.pcapng`, `<name>-2.pcapng`, ... */
  file: string;
  /** Start a new file after this many MiB (0: never). */
  rotateMb: number;
  /** Only traffic with these peers (Diameter identities); empty: every peer. */
  peers: string[];
  /** Replace secret AVP values (KASME, CK, IK, XRES, HA1, ...) by zeros. */
  mask: boolean;
  /** Recording at start-up (the admin API can switch it). */
  enabled: boolean;
}

/** Both ends of a connection as the node sees them. */
export interface Endpoints {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
}

const FLUSH_BYTES = 64 * 1024;
const FLUSH_MS = 250;

/** IPv4-mapped IPv6 (::ffff:a.b.c.d, as dual-stack sockets report) back to plain IPv4. */
function plainAddress(a: string): string {
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

/** The n-th file of a rotation: n 0 is the configured file itself. */
export function rotatedName(file: string, n: number): string {
  if (n === 0) return file;
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}-${n}${ext || '.pcapng'}`);
}

export class TrafficCapture {
  private readonly settings: CaptureSettings;
  private readonly dict: Dictionary;
  private readonly peers: Set<string>;
  private readonly limit: number;
  private encoder: PcapngEncoder;
  private fd: number | undefined;
  private fileIndex = 0;
  private fileBytes = 0;
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined = undefined;
  private on: boolean;
  /** Messages written since start. */
  messages = 0;
  /** Every file written, in order. */
  readonly files: string[] = [];

  constructor(settings: CaptureSettings, dict: Dictionary) {
    this.settings = settings;
    this.dict = dict;
    this.peers = new Set(settings.peers.map((p) => p.toLowerCase()));
    this.limit = settings.rotateMb > 0 ? settings.rotateMb * 1024 * 1024 : Infinity;
    this.on = settings.enabled;
    this.encoder = new PcapngEncoder({ application: 'Diamond capture' });
    this.open();
  }

  get enabled(): boolean {
    return this.on;
  }

  get currentFile(): string {
    return rotatedName(this.settings.file, this.fileIndex);
  }

  setEnabled(on: boolean): void {
    this.on = on;
    if (!on) this.flush();
  }

  /** Whether messages with this peer are recorded (cheap: check before building Endpoints). */
  wants(peerIdentity: string): boolean {
    return this.on && this.fd !== undefined && (this.peers.size === 0 || this.peers.has(peerIdentity.toLowerCase()));
  }

  /** Records a message exchanged with a peer, if that peer is captured and connected. */
  recordPeer(direction: 'sent' | 'received', peer: Peer, frame: Buffer): void {
    if (!this.wants(peer.identity)) return;
    const ends = peerEndpoints(peer);
    if (ends) this.record(direction, ends, frame);
  }

  /** Records a base message (CER/CEA, DWR/DWA, DPR/DPA) on one of a peer's connections. */
  recordSocket(direction: 'sent' | 'received', peerIdentity: string, sock: PeerSocket, frame: Buffer): void {
    if (!this.wants(peerIdentity)) return;
    const ends = socketEndpoints(sock);
    if (ends) this.record(direction, ends, frame);
  }

  /** Records one message. `sent`: from the node to the peer; else from the peer to the node. */
  record(direction: 'sent' | 'received', ends: Endpoints, frame: Buffer): void {
    if (!this.on || this.fd === undefined) return;
    const local = plainAddress(ends.localAddress);
    const remote = plainAddress(ends.remoteAddress);
    const data = this.settings.mask ? maskFrameSecrets(frame, this.dict) : frame;
    const out = direction === 'sent';
    const blocks = this.encoder.encode({
      time: new Date(),
      src: out ? local : remote,
      srcPort: out ? ends.localPort : ends.remotePort,
      dst: out ? remote : local,
      dstPort: out ? ends.remotePort : ends.localPort,
      data,
    });
    for (const b of blocks) {
      this.queued.push(b);
      this.queuedBytes += b.length;
    }
    this.messages++;
    if (this.queuedBytes >= FLUSH_BYTES || this.fileBytes + this.queuedBytes >= this.limit) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes out what is queued; rotates when the file reached its size. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd === undefined || this.queuedBytes === 0) return;
    const all = Buffer.concat(this.queued, this.queuedBytes);
    this.queued = [];
    this.queuedBytes = 0;
    for (let off = 0; off < all.length; ) off += writeSync(this.fd, all, off);
    this.fileBytes += all.length;
    if (this.fileBytes >= this.limit) {
      closeSync(this.fd);
      this.fd = undefined;
      this.fileIndex++;
      // A new file needs its own headers and TCP handshakes: a fresh encoder gives both.
      this.encoder = new PcapngEncoder({ application: 'Diamond capture' });
      this.open();
    }
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    const file = this.currentFile;
    try {
      this.fd = openSync(file, 'w');
    } catch (err) {
      throw new DiamondError(ErrorCode.CAPTURE_IO, `capture.file: cannot write ${file}: ${(err as Error).message}`);
    }
    const header = this.encoder.header();
    writeSync(this.fd, header);
    this.fileBytes = header.length;
    this.files.push(file);
  }
}
