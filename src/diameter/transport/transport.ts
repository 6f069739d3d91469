// The transport seam: every transport hands the peer layer a byte-stream socket (net.Socket or a
// TLS socket over it). TCP and TLS use node:net/node:tls; SCTP hands over a net.Socket made from a
// kernel SCTP descriptor (sctp/sctp-socket.ts), so the peer layer does not change.
import { type Server, type Socket, createServer, connect as netConnect } from 'node:net';
import { type ConnectionOptions, type TLSSocket, type SecureContextOptions, connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { sctpConnect, sctpListen } from './sctp/sctp-socket.js';

export { sctpUnavailableReason } from './sctp/addon.js';

export type TransportKind = 'tcp' | 'tls' | 'sctp';

export interface TlsMaterial extends SecureContextOptions {
  /** Verify the peer's chain against ca. */
  rejectUnauthorized: boolean;
}

export interface ConnectTarget {
  kind: TransportKind;
  host: string;
  port: number;
  /** Local address to bind, if any. */
  localAddress?: string | undefined;
  timeoutMs: number;
  tls?: TlsMaterial | undefined;
  /** SCTP: every address of the peer (multi-homing, sctp_connectx); host is tried as primary. */
  addresses?: string[] | undefined;
  /** Tried when `kind` fails to connect (freeDiameter-style "SCTP first, then TCP"). */
  fallback?: TransportKind | undefined;
}

export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransportError';
  }
}

const usedKind = new WeakMap<Socket, TransportKind>();

/** The transport a socket from connect() really uses (the fallback one, after a fallback). */
export function transportOf(socket: Socket, asked: TransportKind): TransportKind {
  return usedKind.get(socket) ?? asked;
}

/** Opens a connection; resolves once it is established (and the TLS handshake done, for tls). */
export async function connect(target: ConnectTarget): Promise<Socket> {
  if (!target.fallback || target.fallback === target.kind) return connectOne(target);
  try {
    return await connectOne(target);
  } catch (err) {
    try {
      const socket = await connectOne({ ...target, kind: target.fallback, fallback: undefined });
      usedKind.set(socket, target.fallback);
      return socket;
    } catch (err2) {
      throw new TransportError(`${target.kind}: ${(err as Error).message}; then ${target.fallback}: ${(err2 as Error).message}`);
    }
  }
}

function connectOne(target: ConnectTarget): Promise<Socket> {
  if (target.kind === 'sctp') {
    // SCTP has no half-close: sockets from sctpConnect destroy themselves after end() flushes.
    const others = (target.addresses ?? []).filter((a) => a !== target.host);
    return sctpConnect({
      addresses: [target.host, ...others],
      port: target.port,
      localAddresses: target.localAddress ? [target.localAddress] : [],
      timeoutMs: target.timeoutMs,
    });
  }
  return new Promise((resolve, reject) => {
    let socket: Socket;
    const onError = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => onError(new TransportError(`connect to ${target.host}:${target.port} timed out after ${target.timeoutMs} ms`)), target.timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    };
    if (target.kind === 'tls') {
      const opts: ConnectionOptions & { localAddress?: string | undefined } = {
        host: target.host,
        port: target.port,
        localAddress: target.localAddress,
        ...target.tls,
        // The Diameter identity is checked after CER/CEA against the certificate; host names
        // of transport addresses (often IP literals) are not what the certificate names.
        checkServerIdentity: () => undefined,
      };
      socket = tlsConnect(opts, done);
    } else {
      socket = netConnect({ host: target.host, port: target.port, localAddress: target.localAddress }, done);
    }
    socket.once('error', onError);
  });
}

export interface ListenTarget {
  kind: TransportKind;
  address: string;
  port: number;
  tls?: TlsMaterial | undefined;
  /** SCTP: several local addresses bound to one endpoint (multi-homing); default [address]. */
  addresses?: string[] | undefined;
}

/** Starts a listener; resolves with the server once it is bound (port 0 picks a free port). */
export function listen(target: ListenTarget, onSocket: (socket: Socket) => void): Promise<Server> {
  if (target.kind === 'sctp') {
    // Rejects with DiamondError SCTP_UNAVAILABLE ("this kernel has no SCTP: ...") where it cannot work.
    return sctpListen({ addresses: target.addresses ?? [target.address], port: target.port }, onSocket);
  }
  const server =
    target.kind === 'tls'
      ? createTlsServer({ ...target.tls, requestCert: true }, (s) => onSocket(s))
      : createServer((s) => onSocket(s));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(target.port, target.address, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/**
 * In-band TLS (RFC 3588 / freeDiameter TLS_old_method): after a successful CER/CEA carrying
 * Inband-Security-Id TLS, the initiator starts a TLS handshake on the same socket.
 */
export function upgradeToTls(socket: Socket, role: 'client' | 'server', tls: TlsMaterial): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    if (role === 'client') {
      const s = tlsConnect({ socket, ...tls, checkServerIdentity: () => undefined }, () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    } else {
      // A bare `new TLSSocket(socket, {isServer: true})` never verifies the client certificate:
      // node sets `authorized`/`authorizationError` only for sockets a tls.Server creates. So the
      // raw socket is handed to an unbound tls.Server; it does not reject by itself, so that a
      // refused certificate ends here with its reason rather than as a silent close. A handshake
      // that fails (or a connection lost during it: "socket hang up") is a tlsClientError; the
      // caller closes the connection.
      const server = createTlsServer({ ...tls, requestCert: true, rejectUnauthorized: false });
      server.once('tlsClientError', reject);
      server.once('secureConnection', (s: TLSSocket) => {
        server.off('tlsClientError', reject);
        if (tls.rejectUnauthorized && !s.authorized) {
          s.destroy();
          reject(new TransportError(`peer certificate refused: ${String(s.authorizationError)}`));
          return;
        }
        resolve(s);
      });
      server.emit('connection', socket);
    }
  });
}
