// One Diameter connection: a byte-stream socket with framing (RFC 6733 §3) and an explicit write
// backlog. The owner (a Peer, or the manager before CER) receives frames and close events through
// a sink it can re-point — incoming connections change owner once the CER names the peer.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { DiamondError } from '../../errors.js';
import { FrameDecoder } from '../codec/frame-decoder.js';
import { upgradeToTls, type TlsMaterial, type TransportKind } from '../transport/transport.js';

export interface PeerSocketSink {
  onFrame(sock: PeerSocket, frame: Buffer): void;
  /** The connection is gone; reason says why (peer closed, reset, framing lost, ...). */
  onClosed(sock: PeerSocket, reason: string): void;
}

let nextSocketId = 1;

/**
 * Sockets with queued messages. One setImmediate per event-loop turn flushes them all: a relay
 * answering a chunk of requests hands the kernel one buffer per connection per turn, and the
 * stream layer sees one write() per turn instead of one per message (its bookkeeping per write
 * cost more than copying a 150-byte message into the batch).
 */
const dirty: (PeerSocket | undefined)[] = [];
let dirtyCount = 0;
let flushScheduled = false;
function flushDirty(): void {
  flushScheduled = false;
  // A flush does not call back into write() synchronously, so the list does not grow meanwhile.
  // Entries are cleared one by one: setting an array's length to 0 is a runtime call in V8 that
  // also drops its storage, which the next push then grows again.
  for (let i = 0; i < dirtyCount; i++) {
    dirty[i]!.flush();
    dirty[i] = undefined;
  }
  dirtyCount = 0;
}

/** A zero-length buffer to overwrite flushed queue slots with (same element kind, nothing held). */
const NONE = Buffer.alloc(0);

export class PeerSocket {
  readonly id = nextSocketId++;
  socket: Socket;
  readonly kind: TransportKind;
  private sink: PeerSocketSink;
  private decoder: FrameDecoder;
  private closed = false;
  private closeReason: string | undefined = undefined;
  /** Reading is paused while our answers to this peer back up (see write()). */
  private readPaused = false;
  /**
   * When the chunk being decoded was read (epoch ms): one clock read per read, not per message,
   * for the owner's per-message timers (the watchdog).
   */
  readAt = 0;
  /** Messages written this turn, not yet handed to the socket (see flush()): queue[0, queued). */
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private queueBytes = 0;
  /** A batch buffer free for the next batch (see flush()). */
  private spare: Buffer | undefined = undefined;
  /** Batch buffers handed to the socket, oldest first (writes complete in order). */
  private readonly writing: Buffer[] = [];
  /** A batch write completed: its buffer may take the next batch. */
  private readonly batchWritten = (err?: Error | null): void => {
    const b = this.writing.shift();
    if (b !== undefined && !err && (this.spare === undefined || b.length > this.spare.length)) this.spare = b;
  };
  private inDirty = false;
  /** In-band TLS is starting: nothing may go out until the TLS socket replaces the raw one. */
  private upgrading = false;
  private readonly maxQueuedBytes: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;

  constructor(socket: Socket, kind: TransportKind, sink: PeerSocketSink, maxMessageSize: number, maxQueuedBytes = 8 << 20) {
    this.socket = socket;
    this.maxQueuedBytes = maxQueuedBytes;
    this.kind = kind;
    this.sink = sink;
    this.remoteAddress = socket.remoteAddress ?? '?';
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = socket.localAddress ?? '127.0.0.1';
    this.decoder = new FrameDecoder(
      {
        onFrame: (f) => {
          if (!this.closed) this.sink.onFrame(this, f);
        },
        // The stable error code goes into the reason, so logs (and tests) can tell why.
        onError: (e: DiamondError) => this.destroy(`framing lost (${e.code}): ${e.message}`),
      },
      maxMessageSize,
    );
    socket.setNoDelay(true);
    this.attach(socket);
  }

  private attach(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    // Diameter has its own watchdog; TCP half-close is treated as the end of the connection.
    socket.on('end', this.onEnd);
    socket.on('drain', this.onDrain);
  }

  private detach(socket: Socket): void {
    socket.off('data', this.onData);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
    socket.off('end', this.onEnd);
    socket.off('drain', this.onDrain);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.readAt = Date.now();
    this.decoder.push(chunk);
  };
  private readonly onError = (err: Error): void => {
    this.closeReason ??= `socket error: ${err.message}`;
  };
  private readonly onEnd = (): void => {
    this.closeReason ??= 'peer closed the connection';
    this.socket.end();
  };
  private readonly onDrain = (): void => {
    if (this.readPaused) {
      this.readPaused = false;
      this.socket.resume();
    }
  };
  private readonly onClose = (): void => {
    if (this.closed) return;
    this.closed = true;
    this.sink.onClosed(this, this.closeReason ?? 'connection closed');
  };

  setSink(sink: PeerSocketSink): void {
    this.sink = sink;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes accepted by write() but not yet handed to the kernel. */
  get queuedBytes(): number {
    return this.queueBytes + this.socket.writableLength;
  }

  /** Over the bound: new requests for this peer get 3004 TOO_BUSY instead of queueing. */
  get isBusy(): boolean {
    return this.queueBytes + this.socket.writableLength > this.maxQueuedBytes;
  }

  /**
   * Queues one message; it leaves with the others of this event-loop turn (flush()). Nothing is
   * dropped: past the bound, reading from this peer pauses until its socket drains, so a peer that
   * sends requests but does not read our answers is slowed down (TCP backpressure) instead of
   * growing our memory. The buffers must not change until the turn ends (they are copied then).
   * `tail`, when given, is the rest of the same message (the relay's appended Route-Record).
   */
  write(buf: Buffer, tail?: Buffer): boolean {
    if (this.closed || this.socket.destroyed) return false;
    if (this.kind === 'sctp') {
      // One Diameter message per SCTP message: the SCTP socket batches a turn's writes itself
      // (sctp-socket.ts, one sendmmsg), and concatenating messages here would merge them.
      this.socket.write(tail === undefined ? buf : Buffer.concat([buf, tail]));
      this.checkBackpressure();
    } else {
      this.queue[this.queued++] = buf;
      this.queueBytes += buf.length;
      if (tail !== undefined) {
        this.queue[this.queued++] = tail;
        this.queueBytes += tail.length;
      }
      if (!this.inDirty) {
        this.inDirty = true;
        dirty[dirtyCount++] = this;
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flushDirty);
        }
      }
      if (!this.readPaused && this.queueBytes + this.socket.writableLength > this.maxQueuedBytes) this.pauseReading();
    }
    return true;
  }

  private pauseReading(): void {
    this.readPaused = true;
    this.socket.pause();
  }

  /**
   * After a write to the socket: reading stays paused (or pauses) while more than the bound waits
   * in the socket, until 'drain'. 'drain' follows only a write() that returned false
   * (writableNeedDrain); a write the kernel takes at once returns true however large it is, and
   * then reading resumes here (the pause came from this turn's queue, which is now gone).
   */
  private checkBackpressure(): void {
    const s = this.socket;
    if (s.writableNeedDrain) {
      if (!this.readPaused && s.writableLength > this.maxQueuedBytes) this.pauseReading();
    } else if (this.readPaused) {
      this.readPaused = false;
      s.resume();
    }
  }

  /**
   * Hands this turn's messages to the socket as one buffer: one write() and one syscall per
   * connection per turn, and one TLS record over TLS, however many messages the turn produced.
   */
  flush(): void {
    this.inDirty = false;
    const q = this.queue;
    const n = this.queued;
    if (n === 0 || this.upgrading) return;
    const total = this.queueBytes;
    this.queueBytes = 0;
    this.queued = 0;
    if (this.closed || this.socket.destroyed) {
      this.clearQueue(n);
      return;
    }
    if (n === 1) {
      this.socket.write(q[0]!);
      q[0] = NONE;
      this.checkBackpressure();
      return;
    }
    // Batch buffers are reused once their write has completed (over TCP usually at once, over TLS a
    // little later): a fresh buffer per batch cost an allocation, its zero-fill, and external
    // memory that made V8 run major collections.
    let out = this.spare;
    this.spare = undefined;
    if (out === undefined || out.length < total) out = Buffer.allocUnsafeSlow(Math.max(total, 8192));
    let at = 0;
    for (let i = 0; i < n; i++) {
      const b = q[i]!;
      out.set(b, at);
      at += b.length;
      q[i] = NONE;
    }
    this.writing.push(out);
    this.socket.write(out.subarray(0, total), this.batchWritten);
    this.checkBackpressure();
  }

  /** Graceful close: flush what is queued, then FIN; destroy if the peer does not follow. */
  close(reason: string, lingerMs = 2000): void {
    if (this.closed) return;
    this.closeReason ??= reason;
    this.flush();
    this.socket.end();
    const t = setTimeout(() => this.socket.destroy(), lingerMs);
    t.unref();
  }

  destroy(reason: string): void {
    this.closeReason ??= reason;
    this.clearQueue(this.queued);
    this.queued = 0;
    this.queueBytes = 0;
    this.socket.destroy();
  }

  private clearQueue(n: number): void {
    for (let i = 0; i < n; i++) this.queue[i] = NONE;
  }

  /** Starts in-band TLS on this connection (RFC 3588 §2.1 / TLS_old_method). */
  async startTls(role: 'client' | 'server', tls: TlsMaterial): Promise<TLSSocket> {
    const raw = this.socket;
    // What was written before (the CEA) goes out in clear; what is written from now on waits
    // for the TLS socket.
    this.flush();
    this.upgrading = true;
    // Bytes now belong to TLS. 'error' and 'close' stay on the raw socket: a connection lost or
    // destroyed during the handshake must still reach the owner, and its 'close' fires only once.
    raw.off('data', this.onData);
    raw.off('end', this.onEnd);
    raw.off('drain', this.onDrain);
    try {
      const secure = await upgradeToTls(raw, role, tls);
      if (this.closed) {
        secure.destroy();
        throw new Error('connection closed during the TLS handshake');
      }
      this.socket = secure;
      this.attach(secure);
      this.upgrading = false;
      this.flush();
      return secure;
    } catch (err) {
      this.upgrading = false;
      this.destroy(`in-band TLS failed: ${(err as Error).message}`);
      throw err;
    }
  }

  /** The peer's certificate (TLS only). */
  peerCertificate(): ReturnType<TLSSocket['getPeerX509Certificate']> {
    const s = this.socket as Partial<TLSSocket>;
    return typeof s.getPeerX509Certificate === 'function' ? s.getPeerX509Certificate() : undefined;
  }
}
