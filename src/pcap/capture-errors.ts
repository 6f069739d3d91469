// Errors found while reading a capture file. They are data (returned beside the PDUs read so
// far), not exceptions: a damaged capture still yields everything before the damage.
// Codes follow src/errors.ts naming so the catalog owner can fold them in unchanged.

export const CaptureErrorCode = {
  /** The first bytes are neither a pcap nor a pcapng magic number. */
  UNKNOWN_FORMAT: 'DIAMOND_ERR_PCAP_UNKNOWN_FORMAT',
  /** The pcap file header or pcapng section header is cut short or inconsistent. */
  BAD_FILE_HEADER: 'DIAMOND_ERR_PCAP_BAD_FILE_HEADER',
  /** A record (pcap) or block (pcapng) header is cut short by the end of the file. */
  TRUNCATED_RECORD_HEADER: 'DIAMOND_ERR_PCAP_TRUNCATED_RECORD_HEADER',
  /** A record's or block's body runs past the end of the file. */
  TRUNCATED_RECORD: 'DIAMOND_ERR_PCAP_TRUNCATED_RECORD',
  /** A length field is impossible (too large, too small, not a multiple of 4, trailer differs). */
  BAD_RECORD_LENGTH: 'DIAMOND_ERR_PCAP_BAD_RECORD_LENGTH',
  /** A pcapng packet block names an interface no IDB has described. */
  UNKNOWN_INTERFACE: 'DIAMOND_ERR_PCAP_UNKNOWN_INTERFACE',
  /** The file could not be read at all. */
  IO: 'DIAMOND_ERR_PCAP_IO',
  /** The writer was given a record it cannot encode (bad address, port, family mix). */
  BAD_WRITE_RECORD: 'DIAMOND_ERR_PCAP_BAD_WRITE_RECORD',
} as const;
export type CaptureErrorCode = (typeof CaptureErrorCode)[keyof typeof CaptureErrorCode];

/** Where and why reading stopped. `message` already names the record and the byte offset. */
export interface CaptureError {
  readonly code: CaptureErrorCode;
  /** 1-based record number: the packet record in pcap, the block in pcapng (0: file header). */
  readonly record: number;
  /** Byte offset of the start of that record in the file. */
  readonly offset: number;
  readonly message: string;
}

export function captureError(
  code: CaptureErrorCode,
  kind: 'pcap record' | 'pcapng block' | 'file header',
  record: number,
  offset: number,
  what: string,
): CaptureError {
  const where = kind === 'file header' ? 'file header' : `${kind} ${record}`;
  return { code, record, offset, message: `${where} at byte offset ${offset}: ${what}` };
}

/** Thrown by the writer for a record that cannot be encoded: a caller's mistake, not data. */
export class PcapWriteError extends Error {
  readonly code: CaptureErrorCode;
  constructor(message: string) {
    super(message);
    this.name = 'PcapWriteError';
    this.code = CaptureErrorCode.BAD_WRITE_RECORD;
  }
}
