import { describe, expect, it } from 'vitest';
import { splitMix64, Xoshiro128StarStar } from '../../chips/fixed-point/prng.js';

// Expected values computed with an independent Python transcription of the reference C code
// (prng.di.unimi.it/xoshiro128starstar.c and splitmix64.c).
describe('Xoshiro128StarStar', () => {
  it('matches the reference algorithm from state [1, 2, 3, 4]', () => {
    const generator = Xoshiro128StarStar.fromState([1, 2, 3, 4]);
    const outputs = Array.from({ length: 6 }, () => generator.nextUint32());
    expect(outputs).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('pins the first outputs for seeds 0 and 42 (SplitMix64 seeding)', () => {
    const zero = new Xoshiro128StarStar(0);
    expect(Array.from({ length: 5 }, () => zero.nextUint32())).toEqual([3737715805, 2584255861, 2876756834, 3286328325, 1553311962]);
    const fortyTwo = new Xoshiro128StarStar(42);
    expect(Array.from({ length: 5 }, () => fortyTwo.nextUint32())).toEqual([1776835114, 4165204688, 17111135, 2317295270, 2792088233]);
  });

  it('same seed, same sequence; different seed, different sequence', () => {
    const a = new Xoshiro128StarStar(123);
    const b = new Xoshiro128StarStar(123n);
    const c = new Xoshiro128StarStar(124);
    const seqA = Array.from({ length: 100 }, () => a.nextUint32());
    const seqB = Array.from({ length: 100 }, () => b.nextUint32());
    const seqC = Array.from({ length: 100 }, () => c.nextUint32());
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
  });

  it('resumes bit for bit from a captured state', () => {
    const original = new Xoshiro128StarStar(7);
    for (let i = 0; i < 10; i++) original.nextUint32();
    const resumed = Xoshiro128StarStar.fromState(original.getState());
    expect(Array.from({ length: 20 }, () => resumed.nextUint32())).toEqual(Array.from({ length: 20 }, () => original.nextUint32()));
  });

  it('nextFloat is in [0, 1) and nextBelow in [0, bound)', () => {
    const generator = new Xoshiro128StarStar(9);
    for (let i = 0; i < 10_000; i++) {
      const f = generator.nextFloat();
      expect(f >= 0 && f < 1).toBe(true);
      const k = generator.nextBelow(10);
      expect(Number.isInteger(k) && k >= 0 && k < 10).toBe(true);
    }
    expect(generator.nextBelow(1)).toBe(0);
  });

  it('nextBelow covers every value roughly evenly', () => {
    const generator = new Xoshiro128StarStar(11);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[generator.nextBelow(6)]!++;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500); // > 5 sigma
  });

  it('rejects bad seeds, bounds and the all-zero state', () => {
    expect(() => new Xoshiro128StarStar(-1)).toThrow(RangeError);
    expect(() => new Xoshiro128StarStar(1.5)).toThrow(RangeError);
    expect(() => new Xoshiro128StarStar(2n ** 64n)).toThrow(RangeError);
    expect(() => Xoshiro128StarStar.fromState([0, 0, 0, 0])).toThrow(RangeError);
    expect(() => new Xoshiro128StarStar(1).nextBelow(0)).toThrow(RangeError);
    expect(() => new Xoshiro128StarStar(1).nextBelow(2 ** 32 + 1)).toThrow(RangeError);
  });
});

describe('splitMix64', () => {
  it('first output for state 0 is the reference 0xe220a8397b1dcdaf', () => {
    expect(splitMix64(0n).output).toBe(0xe220a8397b1dcdafn);
  });
});
