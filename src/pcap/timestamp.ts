// Capture timestamps kept as whole seconds + nanoseconds: a Date would drop the ns resolution
// of pcap (magic 0xa1b23c4d) and pcapng (if_tsresol) files.

export interface PcapTime {
  readonly seconds: number;
  readonly nanos: number;
}

export function timeToDate(t: PcapTime): Date {
  return new Date(t.seconds * 1000 + Math.floor(t.nanos / 1e6));
}

export function dateToTime(d: Date): PcapTime {
  const ms = d.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1e6 };
}

const TWO_POW_32 = 4294967296;

/**
 * Converts pcapng 64-bit timestamps of one interface: if_tsresol (pcapng §4.2: high bit clear
 * means 10^-n s, set means 2^-n s) and if_tsoffset (seconds) are resolved once per interface,
 * so the per-packet path is plain number arithmetic for the usual µs and ns resolutions.
 */
export class TimestampScale {
  readonly unitsPerSecond: bigint;
  private readonly offsetSeconds: number;
  /** unitsPerSecond as a number when it divides 1e9 (10^0..10^-9), else 0 (BigInt path). */
  private readonly fastUnits: number;

  constructor(tsresol: number, offsetSeconds = 0) {
    const n = BigInt(tsresol & 0x7f);
    this.unitsPerSecond = (tsresol & 0x80) === 0 ? 10n ** n : 2n ** n;
    this.offsetSeconds = offsetSeconds;
    this.fastUnits = 1_000_000_000n % this.unitsPerSecond === 0n ? Number(this.unitsPerSecond) : 0;
  }

  /** Splits a 64-bit timestamp (hi:lo) into seconds + ns. */
  toTime(hi: number, lo: number): PcapTime {
    const ups = this.fastUnits;
    if (ups === 1e9) {
      // ns since 1970 exceed 2^53, so split hi into 16-bit halves: 2^48 = 281474e9 + 976710656
      // and 2^32 = 4e9 + 294967296, which leaves a remainder term below 2^47 (exact in a double).
      const h1 = Math.floor(hi / 65536);
      const h0 = hi & 0xffff;
      const r = h1 * 976710656 + h0 * 294967296 + lo;
      const carry = Math.floor(r / 1e9);
      return { seconds: h1 * 281474 + h0 * 4 + carry + this.offsetSeconds, nanos: r - carry * 1e9 };
    }
    if (ups !== 0) {
      const v = hi * TWO_POW_32 + lo;
      if (v <= Number.MAX_SAFE_INTEGER) {
        const seconds = Math.floor(v / ups);
        return { seconds: seconds + this.offsetSeconds, nanos: (v - seconds * ups) * (1e9 / ups) };
      }
    }
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    const seconds = v / this.unitsPerSecond;
    const nanos = ((v % this.unitsPerSecond) * 1_000_000_000n) / this.unitsPerSecond;
    return { seconds: Number(seconds) + this.offsetSeconds, nanos: Number(nanos) };
  }
}
