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
    this.decoder.push(chunk);
  };
  private readonly onError = (err: Error): void => {
    this.closeReason ??= `socket error: ${err.message}`;
  };
  private readonly onEnd = (): void => {
    this.closeReason ??= 'peer closed the connection';
    this.socket.end();
  };
  private corked: Socket | undefined = undefined;
  private readonly uncork = (): void => {
    const s = this.corked;
    this.corked = undefined;
    s?.uncork();
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
    return this.socket.writableLength;
  }

  /** Over the bound: new requests for this peer get 3004 TOO_BUSY instead of queueing. */
  get isBusy(): boolean {
    return this.socket.writableLength > this.maxQueuedBytes;
  }

  /**
   * Queues bytes. Nothing is dropped: past the bound, reading from this peer pauses until its
   * socket drains, so a peer that sends requests but does not read our answers is slowed down
   * (TCP backpressure) instead of growing our memory.
   */
  write(buf: Buffer): boolean {
    if (this.closed || this.socket.destroyed) return false;
    // Writes within one turn of the event loop go out together (one writev), not one syscall per
    // message: a relay answering a chunk of requests sends them in one go.
    if (this.corked === undefined) {
      // The socket itself is remembered: in-band TLS may replace this.socket before the tick ends.
      this.corked = this.socket;
      this.socket.cork();
      setImmediate(this.uncork);
    }
    this.socket.write(buf);
    if (!this.readPaused && this.socket.writableLength > this.maxQueuedBytes) {
      this.readPaused = true;
      this.socket.pause();
    }
    return true;
  }

  /** Graceful close: flush what is queued, then FIN; destroy if the peer does not follow. */
  close(reason: string, lingerMs = 2000): void {
    if (this.closed) return;
    this.closeReason ??= reason;
    this.socket.end();
    const t = setTimeout(() => this.socket.destroy(), lingerMs);
    t.unref();
  }

  destroy(reason: string): void {
    this.closeReason ??= reason;
    this.socket.destroy();
  }

  /** Starts in-band TLS on this connection (RFC 3588 §2.1 / TLS_old_method). */
  async startTls(role: 'client' | 'server', tls: TlsMaterial): Promise<TLSSocket> {
    const raw = this.socket;
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
      return secure;
    } catch (err) {
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
