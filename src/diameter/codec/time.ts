// Time type (RFC 6733 §4.3.1): seconds since 1900-01-01 UTC in 32 bits, as NTP (RFC 5905).
// The field wraps on 2036-02-07 06:28:16 UTC; like NTP era handling (RFC 4330 §3), values with
// the top bit clear are read as the era after the wrap, so the range is 1968-01-20 .. 2104-02-26.

const NTP_TO_UNIX = 2_208_988_800; // seconds from 1900-01-01 to 1970-01-01
const ERA = 0x1_0000_0000;

export function ntpToDate(seconds: number): Date {
  const unix = seconds >= 0x8000_0000 ? seconds - NTP_TO_UNIX : seconds + ERA - NTP_TO_UNIX;
  return new Date(unix * 1000);
}

/** NTP seconds for a date; undefined outside the representable window. */
export function dateToNtp(d: Date): number | undefined {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) return undefined;
  const unix = Math.floor(ms / 1000);
  const ntp = unix + NTP_TO_UNIX;
  if (ntp >= 0x8000_0000 && ntp < ERA) return ntp; // era 0, 1968..2036
  if (ntp >= ERA && ntp < ERA + 0x8000_0000) return ntp - ERA; // era 1, 2036..2104
  return undefined;
}
