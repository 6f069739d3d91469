// Frames in, Diameter PDUs out: link layer -> IP (+ fragment reassembly, IP-in-IP) -> TCP or
// SCTP -> PDUs. Push-based so the same code serves whole files and a live feed.
import type { CaptureFrame } from './capture-frame.js';
import { DEFAULT_MAX_PDU_LEN } from './diameter-header.js';
import type { DiameterPdu } from './diameter-pdu.js';
import { decodeIp, IpPacket, IPPROTO_IPIP, IPPROTO_IPV6, IPPROTO_SCTP, IPPROTO_TCP } from './ip.js';
import { IpReassembler } from './ip-reassembly.js';
import { decodeLinkLayer, LinkResult } from './link-layer.js';
import { SctpTracker } from './sctp.js';
import { TcpTracker } from './tcp-reassembly.js';

/** RFC 6733 §2.1: 3868 for TCP/SCTP, 5868 for TLS/TCP and DTLS/SCTP. */
export const DEFAULT_DIAMETER_PORTS: readonly number[] = [3868, 5868];

export interface ExtractOptions {
  /** Ports whose traffic is Diameter without looking (default 3868 and 5868). */
  readonly ports?: readonly number[];
  /**
   * Also recognise Diameter on other ports (TCP) and SCTP PPID 0 by the content: a strict
   * header and AVP-chain check (default true). Set false to see what Wireshark shows by default.
   */
  readonly heuristic?: boolean;
  /** Longest PDU accepted; a longer length field means the stream is out of step (default 1 MiB). */
  readonly maxPduLength?: number;
}

/** IP-in-IP nesting followed at most this deep. */
const MAX_TUNNEL_DEPTH = 2;

export class DiameterExtractor {
  private readonly queue: DiameterPdu[] = [];
  private readonly link = new LinkResult();
  private readonly ip = new IpPacket();
  private readonly fragments = new IpReassembler();
  private readonly tcp: TcpTracker;
  private readonly sctp: SctpTracker;

  constructor(options: ExtractOptions = {}) {
    const opts = {
      ports: new Set(options.ports ?? DEFAULT_DIAMETER_PORTS),
      heuristic: options.heuristic ?? true,
      maxPduLength: options.maxPduLength ?? DEFAULT_MAX_PDU_LEN,
    };
    this.tcp = new TcpTracker(opts, this.queue);
    this.sctp = new SctpTracker(opts, this.queue);
  }

  /** Feeds one captured frame; completed PDUs wait in take(). */
  frame(f: CaptureFrame): void {
    if (!decodeLinkLayer(f.linkType, f.data, this.link)) return;
    const ip = this.ip;
    if (!decodeIp(f.data, this.link.offset, ip)) return;
    for (let depth = 0; ; depth++) {
      if (ip.fragmented && !this.fragments.add(ip)) return;
      if (ip.protocol === IPPROTO_TCP) {
        this.tcp.segment(ip.payload, ip.missing, f.frame, f.time, ip.src, ip.dst);
        return;
      }
      if (ip.protocol === IPPROTO_SCTP) {
        this.sctp.packet(ip.payload, f.frame, f.time, ip.src, ip.dst);
        return;
      }
      if ((ip.protocol !== IPPROTO_IPIP && ip.protocol !== IPPROTO_IPV6) || depth >= MAX_TUNNEL_DEPTH) return;
      if (!decodeIp(ip.payload, 0, ip)) return;
    }
  }

  /** End of input: frames what waits behind TCP holes that were never filled. */
  finish(): void {
    this.tcp.finish();
  }

  /**
   * PDUs completed since the last call, in completion order. PDUs recovered when a TCP hole is
   * given up on carry their own (earlier) frame numbers; readCapture sorts them into place.
   */
  take(): DiameterPdu[] {
    return this.queue.splice(0, this.queue.length);
  }

  get pending(): number {
    return this.queue.length;
  }
}
