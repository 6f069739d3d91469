// Requests in flight towards one peer, by the hop-by-hop id this node gave them (RFC 6733 §6.2:
// the answer carries it back). An open-addressing table of 32-bit keys: a Map keyed by numbers
// hashes every key with SipHash on each set, get and delete, which showed in the relay's profile;
// here a key costs one multiply. Linear probing with backward-shift deletion (no tombstones), so a
// table that sees millions of inserts and deletes stays as short as what is in flight.

const MIN_CAPACITY = 16;

export class InFlight<T> {
  private keys = new Int32Array(MIN_CAPACITY);
  private vals: (T | undefined)[] = new Array<T | undefined>(MIN_CAPACITY).fill(undefined);
  private shift = 32 - Math.log2(MIN_CAPACITY);
  private mask = MIN_CAPACITY - 1;
  size = 0;

  /** Fibonacci hashing: consecutive ids (as a peer's hop-by-hop ids are) spread evenly. */
  private slot(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  get(key: number): T | undefined {
    const k = key | 0;
    const keys = this.keys;
    const vals = this.vals;
    for (let i = this.slot(k); ; i = (i + 1) & this.mask) {
      const v = vals[i];
      if (v === undefined) return undefined;
      if (keys[i] === k) return v;
    }
  }

  set(key: number, value: T): void {
    if ((this.size + 1) * 2 > this.vals.length) this.grow();
    const k = key | 0;
    const keys = this.keys;
    const vals = this.vals;
    for (let i = this.slot(k); ; i = (i + 1) & this.mask) {
      if (vals[i] === undefined) {
        keys[i] = k;
        vals[i] = value;
        this.size++;
        return;
      }
      if (keys[i] === k) {
        vals[i] = value;
        return;
      }
    }
  }

  delete(key: number): boolean {
    const k = key | 0;
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = this.slot(k);
    for (; ; i = (i + 1) & mask) {
      if (vals[i] === undefined) return false;
      if (keys[i] === k) break;
    }
    // Backward shift: entries after the hole that may live there move up, so no probe chain breaks.
    for (let j = (i + 1) & mask; vals[j] !== undefined; j = (j + 1) & mask) {
      const home = this.slot(keys[j]!);
      // Keep entry j where it is when its home slot lies cyclically in (i, j].
      if (i <= j ? home > i && home <= j : home > i || home <= j) continue;
      keys[i] = keys[j]!;
      vals[i] = vals[j];
      i = j;
    }
    vals[i] = undefined;
    this.size--;
    return true;
  }

  /** The values (a snapshot: the table may change while the caller walks it). */
  values(): T[] {
    const out: T[] = [];
    for (const v of this.vals) if (v !== undefined) out.push(v);
    return out;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const capacity = oldVals.length * 2;
    this.keys = new Int32Array(capacity);
    this.vals = new Array<T | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    this.size = 0;
    for (let i = 0; i < oldVals.length; i++) {
      const v = oldVals[i];
      if (v !== undefined) this.set(oldKeys[i]!, v);
    }
  }
}
