// Where a peer's messages travel: the addresses and ports of its open connection.
import type { Peer } from '../diameter/peer/peer.js';
import type { PeerSocket } from '../diameter/peer/peer-socket.js';
import type { Endpoints } from './traffic-capture.js';

/**
 * The peer's active connection, or undefined when it has none. Peer keeps the socket private and
 * its status() names only the remote side, so this reads Peer's `active` getter directly; a
 * public accessor on Peer would replace this cast.
 */
export function peerEndpoints(peer: Peer): Endpoints | undefined {
  return socketEndpoints((peer as unknown as { readonly active: PeerSocket | undefined }).active);
}

/** The addresses and ports of one connection (base messages: CER/CEA before the peer is open). */
export function socketEndpoints(sock: PeerSocket | undefined): Endpoints | undefined {
  if (!sock || sock.remoteAddress === '?') return undefined;
  return {
    localAddress: sock.localAddress,
    localPort: sock.socket.localPort ?? 0,
    remoteAddress: sock.remoteAddress,
    remotePort: sock.remotePort,
  };
}
