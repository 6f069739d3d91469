// What the pcap and pcapng readers hand to the dissectors: one captured packet, as a view.
import type { CaptureError } from './capture-errors.js';
import type { PcapTime } from './timestamp.js';

export interface CaptureFrame {
  /** 1-based packet number, counted the way Wireshark numbers frames. */
  readonly frame: number;
  /** LINKTYPE_* value (https://www.tcpdump.org/linktypes.html). */
  readonly linkType: number;
  /** Capture time; the same object is handed on to every PDU the frame completes. */
  readonly time: PcapTime;
  /** The captured bytes: a view into the file buffer, never a copy. */
  readonly data: Buffer;
  /** Length of the packet on the wire (data may be shorter when the snaplen cut it). */
  readonly originalLength: number;
}

/** Pull-based frame reader: next() until undefined, then look at error. */
export interface FrameSource {
  next(): CaptureFrame | undefined;
  readonly error: CaptureError | undefined;
}
