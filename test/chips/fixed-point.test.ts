import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundHalfAwayFromZero, saturate, saturateSymmetric, shiftLeftSigned, trunc12, truncateShiftRight, wrapOnceLavaStyle, wrapSigned } from '../../chips/fixed-point/index.js';
import { STATE_BITS } from '../../chips/loihi/spec.js';

const HALF = 2 ** (STATE_BITS - 1); // 2^23
const FULL = 2 ** STATE_BITS; // 2^24

/** sign(x) * (|x| >> 12) in BigInt, straight from DESIGN.md. */
function trunc12Reference(x: bigint): bigint {
  const magnitude = (x < 0n ? -x : x) >> 12n;
  return x < 0n ? -magnitude : magnitude;
}

describe('trunc12', () => {
  it('truncates towards zero, not towards -infinity', () => {
    expect(trunc12(8192 * 2048)).toBe(4096);
    expect(trunc12(-8192 * 2048)).toBe(-4096);
    expect(trunc12(4097)).toBe(1);
    expect(trunc12(-4097)).toBe(-1); // floor would give -2
    expect(trunc12(-1)).toBe(0); // floor would give -1
  });

  it('never returns -0', () => {
    expect(Object.is(trunc12(-4095), 0)).toBe(true);
    expect(Object.is(truncateShiftRight(-3, 2), 0)).toBe(true);
  });

  it('matches the BigInt definition for every 24-bit state times 13-bit decay factor', () => {
    fc.assert(
      fc.property(fc.integer({ min: -HALF, max: HALF }), fc.integer({ min: 0, max: 4096 }), (state, factor) => {
        expect(trunc12(state * factor)).toBe(Number(trunc12Reference(BigInt(state) * BigInt(factor))));
      }),
      { seed: 1, numRuns: 2000 },
    );
  });

  it('extreme products are still exact (2^23 * 4096 = 2^35)', () => {
    expect(trunc12(HALF * 4096)).toBe(HALF);
    expect(trunc12(-(HALF - 1) * 4095)).toBe(Number(trunc12Reference(-BigInt(HALF - 1) * 4095n)));
  });

  it('truncateShiftRight generalises the shift', () => {
    expect(truncateShiftRight(-7, 1)).toBe(-3);
    expect(truncateShiftRight(7, 1)).toBe(3);
    expect(truncateShiftRight(2 ** 40 + 5, 40)).toBe(1);
  });
});

describe("wrapSigned (two's complement)", () => {
  it('wraps at both 24-bit edges', () => {
    expect(wrapSigned(HALF - 1, STATE_BITS)).toBe(HALF - 1);
    expect(wrapSigned(HALF, STATE_BITS)).toBe(-HALF);
    expect(wrapSigned(-HALF, STATE_BITS)).toBe(-HALF);
    expect(wrapSigned(-HALF - 1, STATE_BITS)).toBe(HALF - 1);
    expect(wrapSigned(FULL, STATE_BITS)).toBe(0);
    expect(Object.is(wrapSigned(-FULL, STATE_BITS), 0)).toBe(true);
  });

  it('agrees with BigInt.asIntN for any safe integer', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.integer({ min: 1, max: 52 }), (x, bits) => {
        expect(wrapSigned(x, bits)).toBe(Number(BigInt.asIntN(bits, BigInt(x))));
      }),
      { seed: 2, numRuns: 2000 },
    );
  });

  it('rejects a width it cannot represent', () => {
    expect(() => wrapSigned(1, 0)).toThrow(RangeError);
    expect(() => wrapSigned(1, 53)).toThrow(RangeError);
  });
});

describe('wrapOnceLavaStyle (Loihi u overflow, DESIGN.md section 3)', () => {
  it("keeps +2^23 (one past the two's complement maximum)", () => {
    expect(wrapOnceLavaStyle(HALF, STATE_BITS)).toBe(HALF);
  });
  it('wraps just above +2^23', () => {
    expect(wrapOnceLavaStyle(HALF + 1, STATE_BITS)).toBe(-HALF + 1);
  });
  it('maps -2^23 to +2^23 (the `<=` edge)', () => {
    expect(wrapOnceLavaStyle(-HALF, STATE_BITS)).toBe(HALF);
  });
  it('keeps -2^23 + 1', () => {
    expect(wrapOnceLavaStyle(-HALF + 1, STATE_BITS)).toBe(-HALF + 1);
  });
  it('wraps just below -2^23', () => {
    expect(wrapOnceLavaStyle(-HALF - 1, STATE_BITS)).toBe(HALF - 1);
  });
  it("equals two's complement wrap everywhere else in its single-wrap range", () => {
    fc.assert(
      fc.property(fc.integer({ min: -HALF - FULL + 1, max: HALF + FULL - 1 }), (x) => {
        fc.pre(x !== HALF && x !== -HALF);
        expect(wrapOnceLavaStyle(x, STATE_BITS)).toBe(wrapSigned(x, STATE_BITS));
      }),
      { seed: 3, numRuns: 2000 },
    );
  });
});

describe('saturate', () => {
  it('clamps into [lo, hi] and passes values inside', () => {
    expect(saturate(5, 0, 3)).toBe(3);
    expect(saturate(-5, 0, 3)).toBe(0);
    expect(saturate(2, 0, 3)).toBe(2);
  });
  it('saturateSymmetric uses ±(2^(bits-1) - 1), never -2^(bits-1)', () => {
    expect(saturateSymmetric(HALF, STATE_BITS)).toBe(HALF - 1);
    expect(saturateSymmetric(-HALF, STATE_BITS)).toBe(-(HALF - 1));
    expect(saturateSymmetric(HALF - 1, STATE_BITS)).toBe(HALF - 1);
    expect(saturateSymmetric(-(HALF - 1), STATE_BITS)).toBe(-(HALF - 1));
  });
});

describe('roundHalfAwayFromZero', () => {
  it('rounds ties away from zero', () => {
    expect(roundHalfAwayFromZero(2.5)).toBe(3);
    expect(roundHalfAwayFromZero(-2.5)).toBe(-3);
    expect(roundHalfAwayFromZero(0.5)).toBe(1);
    expect(roundHalfAwayFromZero(-0.5)).toBe(-1);
    expect(roundHalfAwayFromZero(1.5)).toBe(2);
    expect(roundHalfAwayFromZero(-1.5)).toBe(-2);
  });
  it('rounds non-ties to nearest', () => {
    expect(roundHalfAwayFromZero(1.4999)).toBe(1);
    expect(roundHalfAwayFromZero(-1.5001)).toBe(-2);
    expect(roundHalfAwayFromZero(0.49999999999999994)).toBe(0); // floor(x + 0.5) gets this wrong
  });
  it('never returns -0', () => {
    expect(Object.is(roundHalfAwayFromZero(-0.2), 0)).toBe(true);
    expect(Object.is(roundHalfAwayFromZero(-0), 0)).toBe(true);
  });
  it('is within 0.5 and odd-symmetric', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (x) => {
        const r = roundHalfAwayFromZero(x);
        expect(Math.abs(r - x)).toBeLessThanOrEqual(0.5);
        expect(roundHalfAwayFromZero(-x)).toBe(-r + 0);
      }),
      { seed: 4, numRuns: 2000 },
    );
  });
});

describe('shiftLeftSigned', () => {
  it('shifts left for a non-negative shift, beyond 32 bits', () => {
    expect(shiftLeftSigned(2, 6)).toBe(128);
    expect(shiftLeftSigned(-4095, 7)).toBe(-4095 * 128);
    expect(shiftLeftSigned(1, 40)).toBe(2 ** 40);
  });
  it('shifts right arithmetically (floor) for a negative shift, like numpy right_shift', () => {
    expect(shiftLeftSigned(3, -1)).toBe(1);
    expect(shiftLeftSigned(-3, -1)).toBe(-2);
    expect(shiftLeftSigned(-1, -5)).toBe(-1);
    expect(Object.is(shiftLeftSigned(1, -5), 0)).toBe(true);
  });
  it('matches BigInt shifts', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 20), max: 2 ** 20 }), fc.integer({ min: -20, max: 30 }), (x, s) => {
        const expected = s >= 0 ? BigInt(x) << BigInt(s) : BigInt(x) >> BigInt(-s);
        expect(shiftLeftSigned(x, s)).toBe(Number(expected));
      }),
      { seed: 5, numRuns: 2000 },
    );
  });
});
