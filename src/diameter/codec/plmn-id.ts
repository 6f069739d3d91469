// PLMN identity in 3 octets (TS 24.008 §10.5.1.3, as Visited-PLMN-Id in TS 29.272 §7.3.9):
// MCC2 MCC1 | MNC3 MCC3 | MNC2 MNC1 — MNC3 is 0xF for a two-digit MNC.
import type { PlmnId } from './message.js';

export function decodePlmnId(b: Buffer, start: number, end: number): PlmnId | undefined {
  if (end - start !== 3) return undefined;
  const o0 = b[start] as number;
  const o1 = b[start + 1] as number;
  const o2 = b[start + 2] as number;
  const n = [o0 & 0x0f, o0 >> 4, o1 & 0x0f, o2 & 0x0f, o2 >> 4, o1 >> 4];
  const [mcc1, mcc2, mcc3, mnc1, mnc2, mnc3] = n as [number, number, number, number, number, number];
  if ([mcc1, mcc2, mcc3, mnc1, mnc2].some((d) => d > 9) || (mnc3 > 9 && mnc3 !== 0x0f)) return undefined;
  return { mcc: `${mcc1}${mcc2}${mcc3}`, mnc: mnc3 === 0x0f ? `${mnc1}${mnc2}` : `${mnc1}${mnc2}${mnc3}` };
}

/** Writes 3 octets; returns 3, or -1 when MCC is not 3 digits or MNC not 2-3 digits. */
export function writePlmnId(p: PlmnId, b: Buffer, off: number): number {
  if (!/^\d{3}$/.test(p.mcc) || !/^\d{2,3}$/.test(p.mnc)) return -1;
  const d = (s: string, i: number): number => s.charCodeAt(i) - 48;
  const mnc3 = p.mnc.length === 3 ? d(p.mnc, 2) : 0x0f;
  b[off] = (d(p.mcc, 1) << 4) | d(p.mcc, 0);
  b[off + 1] = (mnc3 << 4) | d(p.mcc, 2);
  b[off + 2] = (d(p.mnc, 1) << 4) | d(p.mnc, 0);
  return 3;
}

export function formatPlmnId(p: PlmnId): string {
  return `${p.mcc}-${p.mnc}`;
}
