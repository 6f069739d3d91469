// The relay path's small data structures against plain references: the in-flight table
// (in-flight.ts) against a Map under seeded random inserts, lookups and deletes (consecutive ids as
// a peer's hop-by-hop ids are, random ids, and ids that collide in the table), and the lazily read
// RouteRequest (relay-request.ts) against the RelayView's own decoding.
import { describe, expect, it } from 'vitest';
import { avp } from '../../src/diameter/codec/builder.js';
import { encodeMessage } from '../../src/diameter/codec/encode.js';
import { RelayView, SCAN_OK, readU32, setMessageLength, writeU32 } from '../../src/diameter/codec/relay-view.js';
import { defaultDictionary } from '../../src/diameter/dictionary/load.js';
import { InFlight } from '../../src/routing/in-flight.js';
import { NameCache, ViewRouteRequest } from '../../src/routing/relay-request.js';
import { prng } from '../support/prng.js';

function check(table: InFlight<number>, ref: Map<number, number>): void {
  expect(table.size).toBe(ref.size);
  for (const [k, v] of ref) expect(table.get(k)).toBe(v);
  expect(table.values().sort((a, b) => a - b)).toEqual([...ref.values()].sort((a, b) => a - b));
}

describe('InFlight', () => {
  const keyKinds: [string, (r: () => number, i: number) => number][] = [
    ['consecutive from a random start (hop-by-hop ids)', (r, i) => (0xfffffff0 + i) >>> 0],
    ['random 32-bit', (r) => Math.floor(r() * 0x1_0000_0000)],
    ['few distinct, many repeats', (r) => Math.floor(r() * 40)],
    ['multiples of 2^20 (same low bits)', (r) => (Math.floor(r() * 4096) * 0x100000) >>> 0],
  ];
  for (const [name, key] of keyKinds) {
    it(`behaves as a Map: ${name}`, () => {
      for (let seed = 1; seed <= 20; seed++) {
        const r = prng(seed);
        const table = new InFlight<number>();
        const ref = new Map<number, number>();
        const live: number[] = [];
        for (let i = 0; i < 3000; i++) {
          const op = r();
          if (op < 0.55 || live.length === 0) {
            const k = key(r, i);
            table.set(k, i);
            ref.set(k, i);
            live.push(k);
          } else if (op < 0.9) {
            const k = live.splice(Math.floor(r() * live.length), 1)[0]!;
            expect(table.delete(k)).toBe(ref.delete(k));
          } else {
            const k = Math.floor(r() * 0x1_0000_0000);
            expect(table.get(k)).toBe(ref.get(k));
            expect(table.delete(k)).toBe(ref.delete(k));
          }
          if (i % 250 === 0) check(table, ref);
        }
        check(table, ref);
        // Empty it again: nothing is left behind.
        for (const k of [...ref.keys()]) expect(table.delete(k)).toBe(true);
        expect(table.size).toBe(0);
        expect(table.values()).toEqual([]);
      }
    });
  }

  it('keeps ids whose probe chains collide and wrap around the end of the table', () => {
    // Ids whose home slot in the initial 16-slot table (Fibonacci hash, top 4 bits) is 14 or 15:
    // their chains run into each other and past the last slot to the first.
    const home = (k: number): number => Math.imul(k, 0x9e3779b1) >>> 28;
    const keys: number[] = [];
    for (let k = 1; keys.length < 7; k++) if (home(k) >= 14) keys.push(k);
    const orders = [
      [0, 1, 2, 3, 4, 5, 6],
      [6, 5, 4, 3, 2, 1, 0],
      [3, 0, 6, 1, 5, 2, 4],
    ];
    for (const order of orders) {
      const table = new InFlight<number>();
      keys.forEach((k, i) => table.set(k, i));
      const left = new Set(keys.map((_, i) => i));
      for (const i of order) {
        expect(table.delete(keys[i]!)).toBe(true);
        left.delete(i);
        keys.forEach((k, j) => expect(table.get(k)).toBe(left.has(j) ? j : undefined));
      }
      expect(table.size).toBe(0);
    }
  });
});

describe('ViewRouteRequest', () => {
  const dict = defaultDictionary();
  const message = (avps: ReturnType<typeof avp>[]): Buffer =>
    encodeMessage({ version: 1, flags: 0xc0, commandCode: 316, applicationId: 16777251, hopByHopId: 7, endToEndId: 9, avps });

  it('reads the routing AVPs as the view does, and only on demand', () => {
    const names = new NameCache(2);
    const v = new RelayView();
    const frames = [
      message([avp(dict, 'Session-Id', 'mme.a;1;2'), avp(dict, 'Origin-Host', 'mme.a'), avp(dict, 'Origin-Realm', 'realm-a'), avp(dict, 'Destination-Realm', 'realm-b'), avp(dict, 'User-Name', '001010000000001')]),
      message([avp(dict, 'Session-Id', 'mme.b;1;2'), avp(dict, 'Origin-Host', 'MME.b'), avp(dict, 'Origin-Realm', 'réalm-ü'), avp(dict, 'Destination-Host', 'hss.b'), avp(dict, 'Destination-Realm', 'realm-b')]),
      message([avp(dict, 'Session-Id', 'x'), avp(dict, 'Origin-Host', 'mme.c'), avp(dict, 'Origin-Realm', 'realm-c')]),
      message([avp(dict, 'Session-Id', 'mme.a;1;3'), avp(dict, 'Origin-Host', 'mme.a'), avp(dict, 'Origin-Realm', 'realm-a'), avp(dict, 'Destination-Realm', 'realm-b')]),
    ];
    for (let round = 0; round < 3; round++) {
      for (const f of frames) {
        expect(v.scan(f)).toBe(SCAN_OK);
        const expected = {
          applicationId: v.applicationId,
          commandCode: v.commandCode,
          originHost: v.originHost,
          originRealm: v.originRealm,
          destinationHost: v.destinationHost,
          destinationRealm: v.destinationRealm,
          userName: v.userName,
          sessionId: v.sessionId,
        };
        const req = new ViewRouteRequest(v, f, names);
        // The relay rewrites the header in place (length, hop-by-hop id): the AVPs still read right.
        setMessageLength(f, f.length + 64);
        writeU32(f, 12, 0xdeadbeef);
        expect(readU32(f, 12)).toBe(0xdeadbeef);
        expect({
          applicationId: req.applicationId,
          commandCode: req.commandCode,
          originHost: req.originHost,
          originRealm: req.originRealm,
          destinationHost: req.destinationHost,
          destinationRealm: req.destinationRealm,
          userName: req.userName,
          sessionId: req.sessionId,
        }).toEqual(expected);
        expect(req.hasDestinationHost).toBe(expected.destinationHost !== undefined);
        req.destinationRealm = 'rewritten.realm';
        expect(req.destinationRealm).toBe('rewritten.realm');
        setMessageLength(f, f.length);
      }
    }
  });

  it('a cached name is the same string, and a different name of the same length is not confused with it', () => {
    const names = new NameCache(4);
    const a = Buffer.from('xxrealm-aaxx');
    const b = Buffer.from('xxrealm-abxx');
    const first = names.get(a, 2, 10);
    expect(first).toBe('realm-aa');
    expect(names.get(Buffer.from('realm-aa'), 0, 8)).toBe(first);
    expect(names.get(b, 2, 10)).toBe('realm-ab');
    // More names than it holds: the oldest are replaced, every answer stays right.
    for (let i = 0; i < 20; i++) expect(names.get(Buffer.from(`name-${i}`), 0, `name-${i}`.length)).toBe(`name-${i}`);
    expect(names.get(a, 2, 10)).toBe('realm-aa');
  });
});
