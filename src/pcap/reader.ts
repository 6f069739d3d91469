// Public entry of the capture reader: the Diameter PDUs in a pcap or pcapng file, in the order
// Wireshark lists them (by the frame that completed each PDU, then by byte order within it).
// A damaged file is not an exception: the PDUs before the damage come back with the error.
import { readFileSync } from 'node:fs';
import { captureError, CaptureErrorCode } from './capture-errors.js';
import type { CaptureError } from './capture-errors.js';
import { openFrameSource } from './capture-file.js';
import { DiameterExtractor } from './diameter-extract.js';
import type { ExtractOptions } from './diameter-extract.js';
import type { DiameterPdu } from './diameter-pdu.js';

export type { CaptureError } from './capture-errors.js';
export { CaptureErrorCode } from './capture-errors.js';
export type { DiameterPdu, Transport } from './diameter-pdu.js';
export type { ExtractOptions } from './diameter-extract.js';
export { DEFAULT_DIAMETER_PORTS, DiameterExtractor } from './diameter-extract.js';
export type { PcapTime } from './timestamp.js';
export { timeToDate } from './timestamp.js';

export interface CaptureResult {
  readonly pdus: DiameterPdu[];
  /** Frames read (the last frame number reached). */
  readonly frames: number;
  /** Why reading stopped early; absent when the whole file was read. */
  readonly error?: CaptureError | undefined;
}

/** Reads a whole capture held in memory. */
export function readCapture(buf: Buffer, options: ExtractOptions = {}): CaptureResult {
  const source = openFrameSource(buf);
  const extractor = new DiameterExtractor(options);
  let frames = 0;
  for (let f = source.next(); f !== undefined; f = source.next()) {
    extractor.frame(f);
    frames = f.frame;
  }
  extractor.finish();
  const pdus = extractor.take();
  // Nearly always sorted already (TimSort makes that a linear pass); only PDUs recovered behind a
  // TCP hole that was never filled arrive late. Array.prototype.sort is stable, so PDUs of one
  // frame keep their byte order.
  pdus.sort((a, b) => a.frame - b.frame);
  return { pdus, frames, error: source.error };
}

/** Reads a capture file; an unreadable file is reported like a damaged one. */
export function readCaptureFile(path: string, options: ExtractOptions = {}): CaptureResult {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { pdus: [], frames: 0, error: captureError(CaptureErrorCode.IO, 'file header', 0, 0, `${path}: ${why}`) };
  }
  const r = readCapture(buf, options);
  if (r.error === undefined) return r;
  return { ...r, error: { ...r.error, message: `${path}: ${r.error.message}` } };
}

/**
 * Yields PDUs as frames complete them, then returns the error that stopped reading (if any).
 * Order is completion order: a PDU recovered behind a TCP hole that was never filled comes when
 * the hole is given up on, possibly after PDUs of later frames. readCapture sorts those.
 */
export function* iterateCapture(buf: Buffer, options: ExtractOptions = {}): Generator<DiameterPdu, CaptureError | undefined, void> {
  const source = openFrameSource(buf);
  const extractor = new DiameterExtractor(options);
  for (let f = source.next(); f !== undefined; f = source.next()) {
    extractor.frame(f);
    if (extractor.pending > 0) yield* extractor.take();
  }
  extractor.finish();
  yield* extractor.take();
  return source.error;
}
