// TBCD-STRING (TS 29.002 §17.7.8, used for MSISDN in TS 29.272 / TS 29.329): two digits per
// octet, low nibble first; 0xF fills the last high nibble of an odd-length string.
// Digits 0-9 plus '*', '#', 'a', 'b', 'c' for nibbles 0xA-0xE.

const NIBBLE_TO_CHAR = '0123456789*#abc';

/** Digits of a TBCD octet string; undefined when a filler appears anywhere but last. */
export function decodeTbcd(b: Buffer, start: number, end: number): string | undefined {
  let out = '';
  for (let i = start; i < end; i++) {
    const byte = b[i] as number;
    const lo = byte & 0x0f;
    const hi = byte >> 4;
    if (lo === 0x0f) return undefined;
    out += NIBBLE_TO_CHAR[lo];
    if (hi === 0x0f) {
      if (i !== end - 1) return undefined;
    } else out += NIBBLE_TO_CHAR[hi];
  }
  return out;
}

export function tbcdLength(digits: string): number {
  return (digits.length + 1) >> 1;
}

/** Writes TBCD digits; returns bytes written or -1 for a character outside the alphabet. */
export function writeTbcd(digits: string, b: Buffer, off: number): number {
  const n = tbcdLength(digits);
  for (let i = 0; i < n; i++) {
    const lo = NIBBLE_TO_CHAR.indexOf(digits[2 * i] ?? '');
    const hiChar = digits[2 * i + 1];
    const hi = hiChar === undefined ? 0x0f : NIBBLE_TO_CHAR.indexOf(hiChar);
    if (lo < 0 || hi < 0) return -1;
    b[off + i] = (hi << 4) | lo;
  }
  return n;
}
