// Picks the file reader by magic number, not by file name: some ".pcap" files are pcapng.
import { captureError, CaptureErrorCode } from './capture-errors.js';
import type { CaptureError } from './capture-errors.js';
import type { CaptureFrame, FrameSource } from './capture-frame.js';
import { isPcapMagic, PcapReader } from './pcap-file.js';
import { isPcapngMagic, PcapngReader } from './pcapng-file.js';

class UnreadableSource implements FrameSource {
  readonly error: CaptureError;
  constructor(error: CaptureError) {
    this.error = error;
  }
  next(): CaptureFrame | undefined {
    return undefined;
  }
}

export function openFrameSource(buf: Buffer): FrameSource {
  if (isPcapngMagic(buf)) return new PcapngReader(buf);
  if (isPcapMagic(buf)) return new PcapReader(buf);
  const magic = buf.length >= 4 ? `0x${buf.readUInt32BE(0).toString(16).padStart(8, '0')}` : `${buf.length} bytes`;
  return new UnreadableSource(captureError(
    CaptureErrorCode.UNKNOWN_FORMAT, 'file header', 0, 0,
    `not a pcap or pcapng file (starts with ${magic})`,
  ));
}
