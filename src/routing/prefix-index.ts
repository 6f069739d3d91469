// An IMSI-prefix table (rule-set.ts PrefixTable) compiled for the relay path: one open-addressing
// hash per prefix length, keyed by the prefix's digits read as two int32 halves, all in typed
// arrays. A lookup reads the User-Name's digits with charCodeAt, so it makes no substring, hashes
// no string and allocates nothing; each probe touches one 16-byte slot, and a hit one score record.
// PrefixTable and its string map stay the reference (the explained path uses them); this index
// must answer the same: the longest prefix with score entries, the longest with a set_realm.
import type { PrefixTable, RealmEntry, Target } from './rule-set.js';

/** Slot layout: hi digits, lo digits, offset of the score record (-1: none), realm index (-1: none). */
const STRIDE = 4;
const EMPTY = -1;
/** Two halves of 9 digits each fit an int32; longer prefixes use the string fallback. */
const MAX_HASHED = 18;

/**
 * A compiled score entry: `target` is a name id from the caller's interning (>= 0), or
 * -1 - i for the caller's i-th regex target.
 */
export interface CompiledEntry {
  target: number;
  score: number;
  /** 0: no weight (weights are positive). */
  weight: number;
}

interface LengthTable {
  len: number;
  mask: number;
  slots: Int32Array;
}

function hash(hi: number, lo: number): number {
  let h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi ^ 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 12);
}

/** Digits [from, to) of s as a number (at most 9 digits: an int32). */
function digits(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (s.charCodeAt(i) - 48);
  return v;
}

export class PrefixIndex {
  /**
   * Score records, one per prefix with score entries: [count, (target, score, weight) x count].
   * Public for the scorer, which walks a record without a callback.
   */
  readonly records: Float64Array;
  private readonly tables: LengthTable[] = [];
  /** Prefixes longer than MAX_HASHED digits: prefix → [record offset, realm index]. */
  private readonly long = new Map<string, [number, number]>();
  /** Every distinct prefix length, longest first (hashed and long ones together). */
  private readonly lengths: Int32Array;
  private readonly realms: RealmEntry[] = [];
  private readonly maxLen: number;
  readonly hasRealms: boolean;
  readonly hasEntries: boolean;

  constructor(table: PrefixTable, compileTarget: (t: Target) => number) {
    let size = 1;
    for (const n of table.byPrefix.values()) if (n.entries) size += 1 + 3 * n.entries.length;
    const records = new Float64Array(size);
    let at = 1; // offset 0 is never a record, so the slot can use -1 alone for "none"
    const byLen = new Map<number, [string, number, number][]>();
    for (const [prefix, n] of table.byPrefix) {
      let rec = -1;
      if (n.entries) {
        rec = at;
        records[at++] = n.entries.length;
        for (const e of n.entries) {
          records[at++] = compileTarget(e.target);
          records[at++] = e.score;
          records[at++] = e.weight ?? 0;
        }
      }
      let realm = -1;
      if (n.realm) realm = this.realms.push(n.realm) - 1;
      if (rec < 0 && realm < 0) continue;
      if (prefix.length > MAX_HASHED || !/^[0-9]+$/.test(prefix)) {
        this.long.set(prefix, [rec, realm]);
        continue;
      }
      let list = byLen.get(prefix.length);
      if (!list) byLen.set(prefix.length, (list = []));
      list.push([prefix, rec, realm]);
    }
    this.records = records;
    for (const [len, list] of byLen) {
      let cap = 8;
      while (cap < list.length * 2) cap *= 2;
      const slots = new Int32Array(cap * STRIDE).fill(EMPTY);
      const mask = cap - 1;
      const split = len > 9 ? len - 9 : 0;
      for (const [prefix, rec, realm] of list) {
        const hi = digits(prefix, 0, split);
        const lo = digits(prefix, split, len);
        let i = hash(hi, lo) & mask;
        while (slots[i * STRIDE] !== EMPTY) i = (i + 1) & mask;
        const b = i * STRIDE;
        slots[b] = hi;
        slots[b + 1] = lo;
        slots[b + 2] = rec;
        slots[b + 3] = realm;
      }
      this.tables.push({ len, mask, slots });
    }
    this.tables.sort((a, b) => b.len - a.len);
    const lengths = new Set<number>(this.tables.map((t) => t.len));
    for (const p of this.long.keys()) lengths.add(p.length);
    this.lengths = Int32Array.from([...lengths].sort((a, b) => b - a));
    this.maxLen = this.lengths[0] ?? 0;
    this.hasRealms = this.realms.length > 0;
    this.hasEntries = size > 1;
  }

  /** Offset in `records` of the longest prefix of `value` with score entries; -1 if none. */
  longestEntries(value: string): number {
    return this.find(value, 2);
  }

  /** The set_realm line of the longest prefix of `value` that has one. */
  longestRealm(value: string): RealmEntry | undefined {
    const r = this.find(value, 3);
    return r < 0 ? undefined : this.realms[r];
  }

  /** Field `field` (2: record, 3: realm) of the longest prefix of `value` where it is set. */
  private find(value: string, field: 2 | 3): number {
    // Only leading digits can match a hashed prefix.
    const end = value.length < this.maxLen ? value.length : this.maxLen;
    let nd = 0;
    while (nd < end) {
      const c = value.charCodeAt(nd);
      if (c < 48 || c > 57) break;
      nd++;
    }
    const tables = this.tables;
    let t = 0;
    for (let k = 0; k < this.lengths.length; k++) {
      const len = this.lengths[k]!;
      if (len > value.length) continue;
      if (len > MAX_HASHED || this.long.size > 0) {
        const l = this.long.get(len === value.length ? value : value.slice(0, len));
        if (l && l[field - 2]! >= 0) return l[field - 2]!;
        if (len > MAX_HASHED) continue;
      }
      while (t < tables.length && tables[t]!.len > len) t++;
      const tab = tables[t];
      if (!tab || tab.len !== len || len > nd) continue;
      const split = len > 9 ? len - 9 : 0;
      const hi = digits(value, 0, split);
      const lo = digits(value, split, len);
      const slots = tab.slots;
      let i = hash(hi, lo) & tab.mask;
      for (;;) {
        const b = i * STRIDE;
        const h = slots[b]!;
        if (h === EMPTY) break;
        if (h === hi && slots[b + 1] === lo) {
          const v = slots[b + field]!;
          if (v >= 0) return v;
          break;
        }
        i = (i + 1) & tab.mask;
      }
    }
    return -1;
  }
}
