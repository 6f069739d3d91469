// Kernel SCTP one-to-one associations as node:net sockets (RFC 6733 §2.1.1 Diameter over SCTP).
// The addon creates, binds (bindx) and connects (connectx) the descriptor; libuv then drives it as
// it drives TCP, so the peer layer sees a plain byte-stream Socket. The SCTP differences are
// handled here: each Diameter message is sent as one SCTP message with PPID 46 on a chosen stream,
// bursts go through sendmmsg/recvmmsg (one SCTP message per read otherwise costs an event-loop
// turn each), and closing is destroy() once our writes are flushed (SCTP has no half-close).
import { lookup } from 'node:dns/promises';
import { isIP, type Server, Socket, createServer } from 'node:net';
import { constants } from 'node:os';
import { DiamondError, ErrorCode } from '../../../errors.js';
import { type SctpAddon, type SctpAddress, type SctpStatus, NO_KERNEL_SCTP, isNoSctpErrno, sctpAddon } from './addon.js';

/** freeDiameter's default; the kernel negotiates down to what the peer offers. */
export const DEFAULT_SCTP_STREAMS = 30;

export interface SctpListenOptions {
  /** Local addresses; several are bound to one endpoint (multi-homing, sctp_bindx). */
  addresses: string[];
  port: number;
  streams?: number;
  backlog?: number;
}

export interface SctpConnectOptions {
  /** Peer addresses (IP literals or names), the first one primary (sctp_connectx). */
  addresses: string[];
  port: number;
  /** Local addresses to bind first, if any. */
  localAddresses?: string[];
  streams?: number;
  timeoutMs: number;
}

function addon(): SctpAddon {
  const l = sctpAddon();
  if ('reason' in l) throw new DiamondError(ErrorCode.SCTP_UNAVAILABLE, l.reason);
  return l.addon;
}

/** An addon error (errno + syscall) as an operator-facing DiamondError. */
function sctpError(err: unknown, what: string): DiamondError {
  const e = err as Error & { errno?: number; syscall?: string };
  if (isNoSctpErrno(e.errno)) return new DiamondError(ErrorCode.SCTP_UNAVAILABLE, NO_KERNEL_SCTP);
  let hint = '';
  if (e.errno === constants.errno.ENOSYS && e.syscall === 'listen') hint = ' (the kernel cannot load hmac(md5) for SCTP cookies: load the hmac module)';
  return new DiamondError(ErrorCode.SCTP_SOCKET, `${what}: ${e.message}${hint}`);
}

interface HandleWithFd {
  fd?: number;
  writeQueueSize?: number;
}
type WriteCb = (err?: Error | null) => void;
interface WritableInternals {
  _handle: HandleWithFd | null;
  _write(chunk: Buffer, encoding: BufferEncoding, cb: WriteCb): void;
  _writev: ((chunks: { chunk: Buffer; encoding: BufferEncoding }[], cb: WriteCb) => void) | null;
}

function fdOf(socket: Socket): number {
  const h = (socket as unknown as WritableInternals)._handle;
  return typeof h?.fd === 'number' ? h.fd : -1;
}

/** recvMany's room: 64 slots of 4 KiB (a longer message runs on into the next slots). */
const DRAIN_BYTES = 256 * 1024;
/** Shared by every association: each drain is copied out (Buffer.concat) before the next. */
let drainRoom: Buffer | undefined;

/** A whole Diameter message we can route to a stream (header read at offset 8). */
function isMessage(chunk: unknown): chunk is Buffer {
  return Buffer.isBuffer(chunk) && chunk.length >= 20;
}

function sendError(n: number, of: number): Error {
  return n < 0 ? Object.assign(new Error(`sendmsg: errno ${-n}`), { errno: -n, code: errnoName(-n), syscall: 'sendmsg' }) : new Error(`sendmsg sent ${n} of ${of} bytes`);
}

/**
 * Makes a net.Socket over an SCTP descriptor behave as Diameter over SCTP wants:
 * - one Diameter message per SCTP message, both ways (freeDiameter parses each SCTP message as
 *   one Diameter message): never a writev of several messages, which would make them one;
 * - base protocol (application 0: CER/CEA, DWR/DWA, DPR/DPA) on stream 0, other applications
 *   spread round-robin over streams 1..n-1 (no application message goes before the peer is OPEN,
 *   so "stream 0 until OPEN" follows), PPID 46, through a direct sendmsg/sendmmsg; when the kernel
 *   buffer is full the message is queued by libuv instead and goes out on stream 0 with PPID 46
 *   (SCTP_DEFAULT_SNDINFO) — order is kept, only the stream differs under backpressure;
 * - few syscalls per message (each is dear where the kernel is far, as under User-Mode Linux):
 *   writes within one tick are corked and leave in one sendmmsg; each read libuv makes (one SCTP
 *   message: one-to-one sockets return one message per read) is followed by one recvmmsg of
 *   whatever else is queued, so a burst costs one readable event instead of one per message;
 * - end() is followed by destroy(): the side that ends never sees 'end' or 'close' otherwise.
 */
function adopt(socket: Socket, sctp: SctpAddon): Socket {
  const s = socket as unknown as WritableInternals;
  const fd = fdOf(socket);
  let outStreams = 1;
  try {
    outStreams = sctp.status(fd).outStreams;
  } catch {
    outStreams = 1;
  }
  let next = 0;
  const streamOf = (chunk: Buffer): number => {
    if (outStreams <= 1 || chunk.readUInt32BE(8) === 0) return 0;
    return 1 + (next++ % (outStreams - 1));
  };
  /** The descriptor, when nothing is queued in libuv (else writes must queue behind it). */
  const directFd = (): number => {
    const h = s._handle;
    return h && (h.writeQueueSize ?? 0) === 0 && typeof h.fd === 'number' && h.fd >= 0 ? h.fd : -1;
  };
  const queued = s._write.bind(socket);
  /** libuv's queue, one write (one SCTP message) per buffer; cb once all are done. */
  const queueEach = (bufs: Buffer[], cb: WriteCb): void => {
    let left = bufs.length;
    let failed: Error | undefined;
    for (const b of bufs) {
      queued(b, 'buffer' as BufferEncoding, (err) => {
        failed ??= err ?? undefined;
        if (--left === 0) cb(failed);
      });
    }
  };

  s._write = (chunk, encoding, cb) => {
    const wfd = directFd();
    if (wfd >= 0 && isMessage(chunk)) {
      const n = sctp.send(wfd, chunk, streamOf(chunk));
      if (n === chunk.length) return cb();
      // Partial sends do not happen on SCTP (a message is accepted whole); anything else is an error.
      if (n !== -constants.errno.EAGAIN) return cb(sendError(n, chunk.length));
    }
    queued(chunk, encoding, cb);
  };
  s._writev = (chunks, cb) => {
    const bufs = chunks.map((c) => c.chunk);
    let sent = 0;
    const wfd = directFd();
    if (wfd >= 0 && bufs.every(isMessage)) {
      const n = sctp.sendMany(wfd, bufs, bufs.map(streamOf));
      if (n === bufs.length) return cb();
      if (n < 0 && n !== -constants.errno.EAGAIN) return cb(sendError(n, bufs.length));
      sent = Math.max(n, 0);
    }
    queueEach(bufs.slice(sent), cb);
  };
  // Cork each tick's writes; Writable then hands them to _writev together.
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  const write = socket.write;
  socket.write = function (this: Socket, ...args: Parameters<Socket['write']>): boolean {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return write.apply(this, args);
  } as Socket['write'];

  const push = socket.push;
  socket.push = function (this: Socket, chunk: unknown, encoding?: BufferEncoding): boolean {
    const h = s._handle;
    if (!Buffer.isBuffer(chunk) || !h || typeof h.fd !== 'number' || h.fd < 0) return push.call(this, chunk, encoding);
    drainRoom ??= Buffer.allocUnsafe(DRAIN_BYTES);
    const n = sctp.recvMany(h.fd, drainRoom);
    if (n === 0) return push.call(this, chunk);
    if (n > 0) return push.call(this, Buffer.concat([chunk, drainRoom.subarray(0, n)]));
    // The association failed under us (e.g. ABORT): what was read counts, then the error, as libuv would.
    push.call(this, chunk);
    socket.destroy(Object.assign(new Error(`recvmmsg: ${errnoName(-n)}`), { errno: -n, code: errnoName(-n), syscall: 'read' }));
    return false;
  };
  socket.once('finish', () => socket.destroy());
  return socket;
}

function errnoName(n: number): string {
  for (const [name, value] of Object.entries(constants.errno)) if (value === n) return name;
  return `E${n}`;
}

async function resolveAll(hosts: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const h of hosts) {
    if (isIP(h)) out.push(h);
    else for (const r of await lookup(h, { all: true })) out.push(r.address);
  }
  return [...new Set(out)];
}

/** Opens an association; resolves with a connected socket. */
export async function sctpConnect(opts: SctpConnectOptions): Promise<Socket> {
  const sctp = addon();
  const addresses = await resolveAll(opts.addresses);
  if (addresses.length === 0) throw new DiamondError(ErrorCode.SCTP_SOCKET, `no address for ${opts.addresses.join(', ')}`);
  let fd: number;
  try {
    fd = await sctp.connect(addresses, opts.port, opts.localAddresses ?? [], opts.streams ?? DEFAULT_SCTP_STREAMS, opts.timeoutMs);
  } catch (err) {
    throw sctpError(err, `SCTP connect to ${addresses.join(',')} port ${opts.port}`);
  }
  return adopt(new Socket({ fd, readable: true, writable: true }), sctp);
}

/** Starts an SCTP listener; onSocket gets each accepted association as a socket. */
export async function sctpListen(opts: SctpListenOptions, onSocket: (socket: Socket) => void): Promise<Server> {
  const sctp = addon();
  let fd: number;
  try {
    fd = sctp.listen(opts.addresses, opts.port, opts.streams ?? DEFAULT_SCTP_STREAMS, opts.backlog ?? 511);
  } catch (err) {
    throw sctpError(err, `SCTP listen on ${opts.addresses.join(',')} port ${opts.port}`);
  }
  const server = createServer((socket) => {
    const afd = fdOf(socket);
    try {
      sctp.setup(afd);
    } catch {
      // The association may already be gone; its socket reports that itself.
    }
    onSocket(adopt(socket, sctp));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ fd }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** The association behind a socket from sctpConnect/sctpListen (streams, addresses, primary path). */
export function sctpStatus(socket: Socket): SctpStatus {
  const st = addon().status(fdOf(socket));
  // An IPv6 endpoint reports IPv4 peers as v4-mapped (::ffff:a.b.c.d): show them as IPv4.
  const plain = (a: SctpAddress): SctpAddress => (a.address.startsWith('::ffff:') && a.address.includes('.') ? { ...a, address: a.address.slice(7), family: 'IPv4' } : a);
  return { ...st, primary: plain(st.primary), peerAddresses: st.peerAddresses.map(plain), localAddresses: st.localAddresses.map(plain) };
}

/** Makes one of the peer's addresses the primary path. */
export function sctpSetPrimary(socket: Socket, address: string): void {
  addon().setPrimary(fdOf(socket), address);
}

/** Heartbeat interval and per-path retransmissions (failover speed between the peer's addresses). */
export function sctpTunePaths(socket: Socket, hbIntervalMs: number, pathMaxRetrans: number): void {
  addon().tunePaths(fdOf(socket), hbIntervalMs, pathMaxRetrans);
}
