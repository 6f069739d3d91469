// The transport seam: every transport hands the peer layer a byte-stream socket (net.Socket or a
// TLS socket over it). TCP and TLS use node:net/node:tls; SCTP will hand over a net.Socket made
// from a kernel SCTP descriptor (issue: SCTP transport), so the peer layer does not change.
import { type Server, type Socket, createServer, connect as netConnect } from 'node:net';
import { type ConnectionOptions, type TLSSocket, type SecureContextOptions, connect as tlsConnect, createServer as createTlsServer } from 'node:tls';

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
}

export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransportError';
  }
}

/** Opens a connection; resolves once it is established (and the TLS handshake done, for tls). */
export function connect(target: ConnectTarget): Promise<Socket> {
  if (target.kind === 'sctp') {
    return Promise.reject(new TransportError('SCTP is not available in this build: use TCP or TLS'));
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
}

/** Starts a listener; resolves with the server once it is bound (port 0 picks a free port). */
export function listen(target: ListenTarget, onSocket: (socket: Socket) => void): Promise<Server> {
  if (target.kind === 'sctp') {
    return Promise.reject(new TransportError('SCTP is not available in this build: use TCP or TLS'));
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
