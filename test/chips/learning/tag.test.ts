import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Xoshiro128StarStar, type RandomSource } from '../../../chips/fixed-point/prng.js';
import { parseLearningRule } from '../../../chips/learning/parse-rule.js';
import { accumulate, accumulatorFractionBits, uHolds, updateTag, updateWeight } from '../../../chips/learning/product-series.js';
import { draws, synapseState } from '../../helpers/learning.js';
import { ruleLimits } from '../../../chips/learning/rule-limits.js';
import { getChip } from '../../../chips/registry.js';
import { compile } from '../../../compiler/compile.js';
import { CompileError } from '../../../compiler/errors.js';
import { configureLearning } from '../../../compiler/passes/configure-learning.js';
import { loadModel } from '../../../models/load-model.js';
import { PROJECT_ROOT } from '../../helpers/fixtures.js';

/**
 * Loihi's synaptic tag in fixed point (lava-nc/lava connection.py, LearningConnectionModelBitApproximate): 9 bits
 * with sign, its rule `dt` through the same 16-bit accumulator and stochastic rounding as `dw`, both rules reading
 * w and t as they were before the epoch, and u<k> holding in the epochs (from 1) that are multiples of 2^k.
 */
const spec = getChip('loihi2');
const engine = spec.learning!;
const limits = ruleLimits(engine);
const F = accumulatorFractionBits(engine.scaleExponentMin);

const state = synapseState;

describe('the synaptic tag in fixed point', () => {
  it('is 9 bits with sign on Loihi: rounds stochastically as the weight does and saturates to -256..255', () => {
    expect(engine.tagBits).toBe(9);
    // 200/128 = 1.5625: floor 1, remainder 72/128; draws below 72/128 round up
    expect(updateTag(10, 200, F, 9, draws(71 << 25))).toBe(12);
    expect(updateTag(10, 200, F, 9, draws(72 << 25))).toBe(11);
    expect(updateTag(250, 10 * 128, F, 9, draws(0))).toBe(255);
    expect(updateTag(-250, -10 * 128, F, 9, draws(0))).toBe(-256);
    expect(updateTag(7, 0, F, 9, draws(0))).toBe(7);
  });

  it('u<k> holds at the end of epochs 2^k, 2*2^k, ... counted from 1', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].filter((e) => uHolds(2, e))).toEqual([4, 8]);
    expect([1, 2, 3].every((e) => uHolds(0, e))).toBe(true);
    const rule = parseLearningRule('dw = u1*x1', limits);
    expect([1, 2, 3, 4].map((e) => accumulate(rule, state({ x1: 3 }), e, F, engine.accumulatorBits))).toEqual([0, 3 * 128, 0, 3 * 128]);
  });

  it('accumulates dt within the rounding bound of the float sum on every seed, unbiased over seeds', () => {
    const dt = parseLearningRule('dt = 3*2^-5*u0*x1*y2', limits, 'dt');
    const x1 = [17, 40, 3, 127, 66, 9, 100, 51];
    const y2 = [2, -1, 5, -3, 1, 0, -2, 4];
    let exact = 0;
    x1.forEach((x, i) => (exact += (3 / 32) * x * y2[i]!));
    const runs = 3000;
    let sum = 0;
    for (let seed = 0; seed < runs; seed++) {
      const random = new Xoshiro128StarStar(seed);
      let t = 0;
      x1.forEach((x, i) => {
        t = updateTag(t, accumulate(dt, state({ x1: x, y2: y2[i]!, t }), i + 1, F, engine.accumulatorBits), F, engine.tagBits, random);
      });
      // each epoch's rounding moves the tag by less than one unit
      expect(Math.abs(t - exact)).toBeLessThan(x1.length);
      sum += t;
    }
    // standard error of 8 roundings of variance <= 1/4 each, over 3000 runs: about 0.026
    expect(Math.abs(sum / runs - exact)).toBeLessThan(0.1);
  });

  it('dw reads the tag as it was before the epoch, not after this epoch dt', () => {
    const dw = parseLearningRule('dw = u0*t', limits);
    const dt = parseLearningRule('dt = u0*x1 - u0*t', limits, 'dt');
    // one epoch: t = 5 before, x1 = 20; dt makes the tag 20, dw adds the old 5 to the weight
    const s = state({ x1: 20, t: 5, w: 1 });
    const w = updateWeight(s.w, accumulate(dw, s, 1, F, engine.accumulatorBits), F, 8, draws(0));
    const t = updateTag(s.t, accumulate(dt, s, 1, F, engine.accumulatorBits), F, engine.tagBits, draws(0));
    expect([w, t]).toEqual([6, 20]);
  });
});

describe('ottt-accumulated: the tag sums the online products and the weight takes them at step T', () => {
  const model = loadModel(join(PROJECT_ROOT, 'models', 'bundled', 'osr-fmnist-conv.snnmodel'), {}).model;
  const base = compile(model, spec, { chips: 1, threshold: 'auto' }).program!;
  const online = configureLearning(base, spec, { rule: 'ottt', layers: 'last' }).learning.layerConfigs![0]!;
  const accumulated = configureLearning(base, spec, { rule: 'ottt-accumulated', layers: 'last' }).learning.layerConfigs![0]!;
  const T = base.timesteps;
  const ottt = parseLearningRule(online.rule, limits);
  const dw = parseLearningRule(accumulated.rule, limits);
  const dt = parseLearningRule(accumulated.tagRule!, limits, 'dt');

  /** One synapse over one sample of T epochs: the weight change under each preset, from the same x1 and y2. */
  function sample(x1: readonly number[], y2: readonly number[], random: RandomSource): { online: number; accumulated: number; tagAfter: number } {
    let wOnline = 0;
    let w = 0;
    let t = 0;
    for (let step = 0; step < T; step++) {
      const epoch = step + 1;
      wOnline = updateWeight(wOnline, accumulate(ottt, state({ x1: x1[step]!, y2: y2[step]!, w: wOnline }), epoch, F, engine.accumulatorBits), F, 8, random);
      const s = state({ x1: x1[step]!, y2: y2[step]!, w, t });
      const dW = accumulate(dw, s, epoch, F, engine.accumulatorBits);
      const dT = accumulate(dt, s, epoch, F, engine.accumulatorBits);
      w = updateWeight(w, dW, F, 8, random);
      t = updateTag(t, dT, F, engine.tagBits, random);
      if (step < T - 1) expect(w).toBe(0);
    }
    return { online: wOnline, accumulated: w, tagAfter: t };
  }

  it('compiles to epoch 1, u2 = every T = 4 steps, the online scale, and a tag unit that holds the largest sum', () => {
    expect(online.rule).toBe('dw = -2^-7*u0*x1*y2');
    expect(accumulated).toMatchObject({ epochSteps: 1, errorTiming: 'ERROR_PER_STEP', errorScale: online.errorScale, x1: online.x1 });
    expect(accumulated.rule).toBe('dw = 2^-4*u2*t - 2^-7*u2*x1*y2');
    expect(accumulated.tagRule).toBe('dt = -2^-3*u0*x1*y2 + 2^-3*u2*x1*y2 - u2*t');
    // largest sum: T steps of x1 = 127 and |y2| <= ceil(2.03) = 3, 1524 accumulator units; 2^-4 weight steps = 8
    // units a tag step: 190 tag steps, within 255; 2^-5 (4 units) would need 381.
    expect(Math.ceil(online.errorScale)).toBe(3);
    expect((T * 127 * 3) / 8).toBeLessThanOrEqual(255);
    expect((T * 127 * 3) / 4).toBeGreaterThan(255);
  });

  it('equals the online preset sum over T exactly when the products sit on the weight grid, and clears the tag', () => {
    // x1*y2 = 128, -128, 256, 128 accumulator units: whole weight steps, no rounding on either path
    const result = sample([64, 32, 128, 16], [2, -4, 2, 8], new Xoshiro128StarStar(9));
    const exact = -3;
    expect(result).toEqual({ online: exact, accumulated: exact, tagAfter: 0 });
  });

  it('has the online preset mean over seeds, within its rounding bound, and the tag ends each sample at zero', () => {
    const x1 = [37, 90, 127, 11];
    const y2 = [3, -2, 3, 1];
    const exact = -(x1.reduce((sum, x, i) => sum + x * y2[i]!, 0) / 128);
    const runs = 3000;
    let online = 0;
    let accumulated = 0;
    for (let seed = 0; seed < runs; seed++) {
      const result = sample(x1, y2, new Xoshiro128StarStar(seed));
      // T - 1 tag roundings of less than 2^-4 weight steps each, then one weight rounding of less than one
      expect(Math.abs(result.accumulated - exact)).toBeLessThan((T - 1) / 16 + 1);
      expect(Math.abs(result.online - exact)).toBeLessThan(T);
      expect(result.tagAfter).toBe(0);
      online += result.online;
      accumulated += result.accumulated;
    }
    expect(Math.abs(accumulated / runs - exact)).toBeLessThan(0.05);
    expect(Math.abs(online / runs - exact)).toBeLessThan(0.1);
  });

  it('refuses a T that is not a power of two, naming T', () => {
    const three = { ...base, timesteps: 3 };
    expect(() => configureLearning(three, spec, { rule: 'ottt-accumulated', layers: 'last' })).toThrow(CompileError);
    expect(() => configureLearning(three, spec, { rule: 'ottt-accumulated', layers: 'last' })).toThrow(/every T = 3 steps .* T must be a power of two/);
  });
});
