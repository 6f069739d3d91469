// TS 29.328 §7.6.1 — Sequence number of repository data (0..65535). The AS creating data for a
// Service-Indication sends 0; every later update or deletion carries the stored number + 1, and
// after 65535 the next number is 1 (0 only ever means "new"). Anything else is
// DIAMETER_ERROR_TRANSPARENT_DATA_OUT_OF_SYNC: the AS must read the data again (UDR) first.

export const MAX_SEQUENCE_NUMBER = 65535;

/** The number that follows `n`. */
export function nextSequenceNumber(n: number): number {
  return n >= MAX_SEQUENCE_NUMBER ? 1 : n + 1;
}

/** Whether a PUR carrying `requested` may replace what is stored (`current`, undefined: nothing). */
export function acceptsSequenceNumber(requested: number, current: number | undefined): boolean {
  if (current === undefined) return requested === 0;
  return requested === nextSequenceNumber(current);
}
