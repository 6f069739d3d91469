// The reader's output: one Diameter message as seen on the wire, with where and when.
import type { PcapTime } from './timestamp.js';

export type Transport = 'tcp' | 'sctp';

export interface DiameterPdu {
  /** 1-based number of the frame that completed the PDU, as Wireshark numbers frames. */
  readonly frame: number;
  /** Capture time of that frame. */
  readonly time: PcapTime;
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly transport: Transport;
  /** SCTP stream identifier; absent for TCP. */
  readonly stream?: number | undefined;
  /** The whole message, header included. A view into the capture when it sat in one packet. */
  readonly data: Buffer;
}

/** Where a packet came from; shared by every PDU the packet completes. */
export interface PacketMeta {
  readonly frame: number;
  readonly time: PcapTime;
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
}
