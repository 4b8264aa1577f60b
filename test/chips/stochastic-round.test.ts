import { describe, expect, it } from 'vitest';
import { Xoshiro128StarStar, type RandomSource } from '../../chips/fixed-point/prng.js';
import { stochasticRound, stochasticShiftRight } from '../../chips/fixed-point/stochastic-round.js';

/** A random source that replays fixed draws, to test the rounding decision itself. */
function replay(uint32s: readonly number[]): RandomSource & { draws: number } {
  let index = 0;
  const source = {
    draws: 0,
    nextUint32: () => {
      source.draws++;
      return uint32s[index++ % uint32s.length]!;
    },
    nextFloat: () => source.nextUint32() / 2 ** 32,
  };
  return source;
}

describe('stochasticRound', () => {
  it('rounds up exactly when the draw is below the fraction', () => {
    expect(stochasticRound(2.25, replay([0.2 * 2 ** 32]))).toBe(3);
    expect(stochasticRound(2.25, replay([0.3 * 2 ** 32]))).toBe(2);
    expect(stochasticRound(-2.25, replay([0.7 * 2 ** 32]))).toBe(-2); // fraction of -2.25 above -3 is 0.75
    expect(stochasticRound(-2.25, replay([0.8 * 2 ** 32]))).toBe(-3);
  });

  it('leaves integers alone but still draws once', () => {
    const source = replay([0]);
    expect(stochasticRound(5, source)).toBe(5);
    expect(Object.is(stochasticRound(-0, source), 0)).toBe(true);
    expect(source.draws).toBe(2);
  });

  it('is unbiased: the mean of many roundings is the value (fixed seed, deterministic)', () => {
    const generator = new Xoshiro128StarStar(2024);
    const draws = 200_000;
    for (const x of [0.3, -1.7, 12.5, 0.01]) {
      let sum = 0;
      for (let i = 0; i < draws; i++) sum += stochasticRound(x, generator);
      // Standard error is at most 0.5 / sqrt(200000) = 0.0011; allow 5 standard errors.
      expect(Math.abs(sum / draws - x)).toBeLessThan(0.0056);
    }
  });
});

describe('stochasticShiftRight', () => {
  it('rounds x / 2^shift up with probability remainder / 2^shift, judged on the top bits', () => {
    // 13 / 4 = 3 remainder 1: up iff the top 2 bits of the draw are < 1, i.e. are 0.
    expect(stochasticShiftRight(13, 2, replay([0x3fffffff]))).toBe(4);
    expect(stochasticShiftRight(13, 2, replay([0x40000000]))).toBe(3);
    // -13 / 4 = -4 remainder 3 (floor division): up unless the top bits are 3.
    expect(stochasticShiftRight(-13, 2, replay([0xbfffffff]))).toBe(-3);
    expect(stochasticShiftRight(-13, 2, replay([0xc0000000]))).toBe(-4);
  });

  it('shift 0 returns x; shift 32 uses the whole draw', () => {
    expect(stochasticShiftRight(-7, 0, replay([0]))).toBe(-7);
    expect(stochasticShiftRight(2 ** 32 + 1, 32, replay([0]))).toBe(2);
    expect(stochasticShiftRight(2 ** 32 + 1, 32, replay([1]))).toBe(1);
  });

  it('is exactly unbiased on average (fixed seed, deterministic)', () => {
    const generator = new Xoshiro128StarStar(99);
    const draws = 200_000;
    for (const [x, shift] of [
      [5, 3],
      [-1001, 7],
      [123_456, 12],
    ] as const) {
      let sum = 0;
      for (let i = 0; i < draws; i++) sum += stochasticShiftRight(x, shift, generator);
      expect(Math.abs(sum / draws - x / 2 ** shift)).toBeLessThan(0.0056);
    }
  });
});
