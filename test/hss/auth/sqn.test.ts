// TS 33.102 Annex C: SQN = SEQ || IND, IND cycling (C.3.4), the USIM array check with Δ and L (C.2.2).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AuthErrorCode, DEFAULT_IND_BITS, SQN_MAX, initialUsimState, isInUsimRange, joinSqn, nextSqn,
  nextSqnAfterResync, reserve, splitSqn, sqnFromBytes, sqnToBytes, usimCheckSqn, type UsimSqnState,
} from '../../../src/hss/auth/index.js';

const indBitsArb = fc.integer({ min: 0, max: 8 });
const sqnArb = (indBits: number) =>
  fc.tuple(fc.integer({ min: 0, max: 2 ** (48 - indBits) - 64 }), fc.integer({ min: 0, max: 2 ** indBits - 1 })).map(([s, i]) => s * 2 ** indBits + i);

describe('nextSqn / reserve', () => {
  it('SEQ increases by exactly 1 and IND cycles mod 2^indBits', () => {
    fc.assert(
      fc.property(indBitsArb.chain((b) => fc.tuple(fc.constant(b), sqnArb(b))), ([indBits, cur]) => {
        const a = splitSqn(cur, { indBits });
        const n = nextSqn(cur, { indBits });
        const b = splitSqn(n, { indBits });
        expect(b.seq).toBe(a.seq + 1);
        expect(b.ind).toBe((a.ind + 1) % 2 ** indBits);
        expect(n).toBeGreaterThan(cur);
      }),
    );
  });

  it('default IND length is 5 bits', () => {
    expect(DEFAULT_IND_BITS).toBe(5);
    expect(nextSqn(0)).toBe(32 + 1);
    expect(nextSqn(31)).toBe(32); // SEQ 0 -> 1, IND 31 -> 0
  });

  it('reserve(n) equals n nextSqn steps, is strictly increasing, and stores the last', () => {
    fc.assert(
      fc.property(sqnArb(5), fc.integer({ min: 0, max: 40 }), (cur, n) => {
        const { sqns, stored } = reserve(cur, n);
        expect(sqns).toHaveLength(n);
        let s = cur;
        for (const x of sqns) {
          s = nextSqn(s);
          expect(x).toBe(s);
        }
        expect(stored).toBe(s);
        for (let i = 1; i < sqns.length; i++) expect(sqns[i]!).toBeGreaterThan(sqns[i - 1]!);
      }),
    );
  });

  it('a node-specific IND (C.3.4) is honoured', () => {
    const n = nextSqn(joinSqn(7, 3), { ind: 9 });
    expect(splitSqn(n)).toEqual({ seq: 8, ind: 9 });
    expect(() => nextSqn(0, { ind: 32 })).toThrow(expect.objectContaining({ code: AuthErrorCode.BAD_PARAMETER }));
  });

  it('SEQ never wraps: exhaustion is a stable error', () => {
    expect(() => nextSqn(SQN_MAX)).toThrow(expect.objectContaining({ code: AuthErrorCode.SQN_EXHAUSTED }));
    expect(() => reserve(SQN_MAX - 40, 2)).toThrow(expect.objectContaining({ code: AuthErrorCode.SQN_EXHAUSTED }));
    expect(() => nextSqn(-1)).toThrow(expect.objectContaining({ code: AuthErrorCode.BAD_PARAMETER }));
    expect(() => nextSqn(0, { indBits: 17 })).toThrow(expect.objectContaining({ code: AuthErrorCode.BAD_PARAMETER }));
  });

  it('after resync the next SQN is SEQ_MS + 1 with IND_MS + 1', () => {
    fc.assert(
      fc.property(sqnArb(5), (sqnMs) => {
        const n = nextSqnAfterResync(sqnMs);
        expect(splitSqn(n).seq).toBe(splitSqn(sqnMs).seq + 1);
        expect(splitSqn(n).ind).toBe((splitSqn(sqnMs).ind + 1) % 32);
        expect(isInUsimRange(n, sqnMs)).toBe(true);
      }),
    );
  });

  it('6-octet encoding round-trips', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: SQN_MAX }), (s) => {
      expect(sqnFromBytes(sqnToBytes(s))).toBe(s);
    }));
    expect(sqnToBytes(0x22).toString('hex')).toBe('000000000022');
  });
});

function useAll(state: UsimSqnState, sqns: readonly number[]): { state: UsimSqnState; rejected: number } {
  let rejected = 0;
  for (const s of sqns) {
    const r = usimCheckSqn(state, s);
    if (r.accepted) state = r.state;
    else rejected++;
  }
  return { state, rejected };
}

describe('USIM acceptance (C.2.2) of the SQNs we issue', () => {
  it('any batch of <= 32 vectors is accepted in any order (the point of cycling IND)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 32 }).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }))),
        (warmup, [n, order]) => {
          // Warm the USIM up with some earlier vectors, then hand out one batch in shuffled order.
          const w = reserve(0, warmup);
          let { state } = useAll(initialUsimState(), w.sqns);
          const batch = reserve(w.stored, n).sqns;
          const r = useAll(state, order.map((i) => batch[i]!));
          expect(r.rejected).toBe(0);
          state = r.state;
          expect(state.sqnMs).toBe(Math.max(...batch, ...w.sqns));
        },
      ),
    );
  });

  it('contrast: a constant IND (Open5GS "+32") makes out-of-order use fail', () => {
    const batch = [1, 2].map((seq) => joinSqn(seq, 0));
    expect(useAll(initialUsimState(), [batch[1]!, batch[0]!]).rejected).toBe(1);
    const ours = reserve(0, 2).sqns;
    expect(useAll(initialUsimState(), [ours[1]!, ours[0]!]).rejected).toBe(0);
  });

  it('a replayed SQN is not fresh; jumps beyond Δ and falls below L are rejected', () => {
    const s1 = nextSqn(0);
    const r = usimCheckSqn(initialUsimState(), s1);
    if (!r.accepted) throw new Error('first vector must be accepted');
    expect(usimCheckSqn(r.state, s1)).toEqual({ accepted: false, reason: 'not-fresh' });
    expect(usimCheckSqn(r.state, joinSqn(1 + 2 ** 28 + 1, 0))).toEqual({ accepted: false, reason: 'delta' });
    expect(usimCheckSqn(r.state, joinSqn(2 + 2 ** 10, 0), { delta: 2 ** 10 })).toEqual({ accepted: false, reason: 'delta' });
    const far = usimCheckSqn(r.state, joinSqn(100, 5));
    if (!far.accepted) throw new Error('jump within Δ must be accepted');
    expect(usimCheckSqn(far.state, joinSqn(100 - 32, 7))).toEqual({ accepted: false, reason: 'limit' });
    expect(usimCheckSqn(far.state, joinSqn(100 - 31, 7)).accepted).toBe(true);
    expect(usimCheckSqn(far.state, joinSqn(100 - 32, 7), { limit: Infinity }).accepted).toBe(true);
  });

  it('HE range check (§6.3.5): fresh iff 0 < SEQ - SEQ_MS <= Δ', () => {
    const ms = joinSqn(1000, 4);
    expect(isInUsimRange(joinSqn(1000, 5), ms)).toBe(false);
    expect(isInUsimRange(joinSqn(1001, 0), ms)).toBe(true);
    expect(isInUsimRange(joinSqn(1000 + 2 ** 28, 0), ms)).toBe(true);
    expect(isInUsimRange(joinSqn(1001 + 2 ** 28, 0), ms)).toBe(false);
    expect(isInUsimRange(joinSqn(999, 0), ms)).toBe(false);
  });
});
