import { describe, expect, it } from 'vitest';
import { Xoshiro128StarStar } from '../../../chips/fixed-point/prng.js';
import { parseLearningRule } from '../../../chips/learning/parse-rule.js';
import { accumulate, accumulatorFractionBits, updateWeight } from '../../../chips/learning/product-series.js';
import { draws, synapseState } from '../../helpers/learning.js';
import { ruleLimits } from '../../../chips/learning/rule-limits.js';
import { stepTrace, stepTraceFloat } from '../../../chips/learning/traces.js';
import { loihi2Spec } from '../../../chips/loihi2/spec.js';

const engine = loihi2Spec.learning!;
const F = accumulatorFractionBits(engine.scaleExponentMin);

const state = synapseState;

describe('traces in fixed point', () => {
  it('decays by (4096 - d)/4096 and adds impulses in 2^-7 steps, rounding stochastically', () => {
    // 37 * 2048 / 4096 = 18.5: a draw below half (top bit 0) rounds up, above rounds down.
    expect(stepTrace(37, 0, { impulse: 0, decay: 2048 }, 7, 127, draws(0x00000000))).toBe(19);
    expect(stepTrace(37, 0, { impulse: 0, decay: 2048 }, 7, 127, draws(0xffffffff))).toBe(18);
    // impulse 200/128 = 1.5625 per spike, 2 spikes = 3.125: 3 plus one with probability 1/8.
    expect(stepTrace(0, 2, { impulse: 200, decay: 0 }, 7, 127, draws(0x0fffffff))).toBe(4);
    expect(stepTrace(0, 2, { impulse: 200, decay: 0 }, 7, 127, draws(0x20000000))).toBe(3);
    // saturates at the 7-bit maximum
    expect(stepTrace(120, 1, { impulse: 16 * 128, decay: 0 }, 7, 127, draws(0))).toBe(127);
  });

  it('is unbiased: the mean of many fixed-point runs matches the float trace within the rounding bound', () => {
    const random = new Xoshiro128StarStar(7);
    const trace = { impulse: 16 * 128 + 40, decay: 2048 };
    const spikes = [1, 0, 2, 1, 0, 0, 3, 1];
    const runs = 4000;
    const sums = new Float64Array(spikes.length);
    for (let r = 0; r < runs; r++) {
      let x = 0;
      spikes.forEach((s, t) => {
        x = stepTrace(x, s, trace, 7, 127, random);
        sums[t] = sums[t]! + x;
      });
    }
    let exact = 0;
    spikes.forEach((s, t) => {
      exact = stepTraceFloat(exact, s, trace, 7);
      // each run's value is within 2 grid steps of the float value per step (one rounding per decay and impulse);
      // the mean over 4000 runs is within 0.1 (standard error of a variance <= 1 per rounding).
      expect(Math.abs(sums[t]! / runs - exact)).toBeLessThan(0.1);
    });
  });
});

describe('product series and weight update', () => {
  it('evaluates products in 2^-7 weight steps, gated by their dependency', () => {
    const rule = parseLearningRule('dw = 2^-4*x1*y0 - 2^-7*x0*y1 + 3*2^-7*u0*x1*y2', ruleLimits(engine));
    const s = state({ x0: 1, y0: 0, x1: 10, y1: 5, y2: -2 });
    // y0 = 0: first product off; -1*5 + 3*10*(-2) = -65 (in 2^-7 steps)
    expect(accumulate(rule, s, 0, F, engine.accumulatorBits)).toBe(-65);
    // y0 = 1: + 2^3 * 10 = 80
    expect(accumulate(rule, { ...s, y0: 1 }, 0, F, engine.accumulatorBits)).toBe(15);
    // saturates to 16 bits
    const big = parseLearningRule('dw = 7*2^8*u0*x1*y1', ruleLimits(engine));
    expect(accumulate(big, state({ x1: 127, y1: 127 }), 0, F, engine.accumulatorBits)).toBe(32767);
  });

  it('re-rounds the weight stochastically and saturates it to its precision', () => {
    // -65 / 128 = -0.5078: floor -1, remainder 63/128; a draw of 62/128 rounds up to 0, 63/128 stays -1.
    expect(updateWeight(10, -65, F, 8, draws(62 << 25))).toBe(10);
    expect(updateWeight(10, -65, F, 8, draws(63 << 25))).toBe(9);
    expect(updateWeight(126, 3 * 128, F, 8, draws(0))).toBe(127);
    expect(updateWeight(-126, -3 * 128, F, 8, draws(0))).toBe(-127);
    expect(updateWeight(5, 0, F, 8, draws(0))).toBe(5);
  });

  it('gives identical weights for identical seeds', () => {
    const run = (seed: number) => {
      const random = new Xoshiro128StarStar(seed);
      let w = 0;
      for (let i = 0; i < 200; i++) w = updateWeight(w, ((i * 37) % 200) - 90, F, 8, random);
      return w;
    };
    expect(run(3)).toBe(run(3));
  });
});
