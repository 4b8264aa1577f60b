import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Xoshiro128StarStar } from '../../../chips/fixed-point/prng.js';
import { stochasticRound } from '../../../chips/fixed-point/stochastic-round.js';
import { parseLearningRule } from '../../../chips/learning/parse-rule.js';
import { accumulate, accumulatorFractionBits, updateWeight } from '../../../chips/learning/product-series.js';
import { ruleLimits } from '../../../chips/learning/rule-limits.js';
import { stepTrace, stepTraceFloat } from '../../../chips/learning/traces.js';
import { getChip } from '../../../chips/registry.js';
import { compile } from '../../../compiler/compile.js';
import { configureLearning } from '../../../compiler/passes/configure-learning.js';
import { loadModel } from '../../../models/load-model.js';
import { PROJECT_ROOT } from '../../helpers/fixtures.js';

/**
 * The presets' fixed-point traces and weight updates against the same rule in float (DESIGN.md section 5: traces in
 * the chip's fixed point with stochastic rounding). Each rounding (trace decay, trace impulse, error payload,
 * weight) moves a value by less than one grid step and is unbiased, so (1) every run stays within the bound those
 * roundings add up to, and (2) the mean over many seeds matches the float update.
 */
const spec = getChip('loihi2');
const engine = spec.learning!;
const model = loadModel(join(PROJECT_ROOT, 'models', 'bundled', 'osr-fmnist-conv.snnmodel'), {}).model;
const base = compile(model, spec, { chips: 1, threshold: 'auto' }).program!;
const F = accumulatorFractionBits(engine.scaleExponentMin);
const traceMax = 2 ** engine.traceBits - 1;

// Spikes arriving on one pooled axon (0..4 per step) and the error of one output neuron per step.
const SPIKES = [3, 0, 4, 1];
const ERRORS = [0.6, -0.35, 0.8, -0.9];

describe.each(['ottt', 'rate'] as const)('preset %s in fixed point vs float', (preset) => {
  const config = configureLearning(base, spec, { rule: preset, layers: 'last' }).learning.layerConfigs![0]!;
  const rule = parseLearningRule(config.rule, ruleLimits(engine));
  const product = rule.products[0]!;
  const coefficient = product.mantissa * 2 ** product.exponent;
  const T = base.timesteps;

  /** The float rule in the same units: weight steps, traces in trace steps, error times the payload scale. */
  function floatUpdate(): { change: number; bound: number } {
    let x = 0;
    let change = 0;
    let bound = 0;
    let traceError = 0;
    const lambda = 1 - config.x1.decay / 4096;
    for (let t = 0; t < T; t++) {
      x = stepTraceFloat(x, SPIKES[t]!, config.x1, engine.impulseFractionalBits);
      // each step: the decayed error shrinks, plus up to one step from the decay and one from the impulse
      traceError = traceError * lambda + 2;
      const epochEnd = config.epochSteps === 1 || t === T - 1;
      if (!epochEnd) continue;
      const error = config.errorTiming === 'ERROR_PER_STEP' ? ERRORS[t]! : ERRORS[T - 1]!;
      const y = error * config.errorScale;
      change += coefficient * y * x;
      // |y x - y' x'| <= |y| dx + |x| dy + dx dy with dy < 1, then the weight's own rounding (< 1 step)
      bound += Math.abs(coefficient) * (Math.abs(y) * traceError + x + traceError) + 1;
    }
    return { change, bound };
  }

  function chipUpdate(seed: number): number {
    const random = new Xoshiro128StarStar(seed);
    let x1 = 0;
    let w = 0;
    for (let t = 0; t < T; t++) {
      x1 = stepTrace(x1, SPIKES[t]!, config.x1, engine.impulseFractionalBits, traceMax, random);
      const epochEnd = config.epochSteps === 1 || t === T - 1;
      if (!epochEnd) continue;
      const error = config.errorTiming === 'ERROR_PER_STEP' ? ERRORS[t]! : ERRORS[T - 1]!;
      const y2 = stochasticRound(error * config.errorScale, random);
      const acc = accumulate(rule, { x0: 1, y0: 0, x1, x2: 0, y1: 0, y2, y3: 0, w, t: 0 }, t + 1, F, engine.accumulatorBits);
      w = updateWeight(w, acc, F, 8, random);
    }
    return w;
  }

  it('stays within the rounding bound on every seed and is unbiased over seeds', () => {
    const { change, bound } = floatUpdate();
    // an update is often below one weight step: stochastic rounding keeps it in expectation
    expect(Math.abs(change)).toBeGreaterThan(0.1);
    const runs = 3000;
    let sum = 0;
    let sumSquares = 0;
    for (let seed = 0; seed < runs; seed++) {
      const w = chipUpdate(seed);
      expect(Math.abs(w - change)).toBeLessThanOrEqual(bound);
      sum += w;
      sumSquares += w * w;
    }
    const mean = sum / runs;
    const sd = Math.sqrt(sumSquares / runs - mean * mean);
    expect(Math.abs(mean - change)).toBeLessThan(4 * (sd / Math.sqrt(runs)) + 1e-9);
  });

  it('scales the float learning rate exactly: scale * payload * trace steps = rate/T * K / area', () => {
    const layer = base.layers[2]!;
    const area = 4;
    const perSpike = config.x1.impulse / 2 ** engine.impulseFractionalBits;
    const expected = ((config.learningRate / T) * layer.scale) / (2 ** (6 + layer.connection.weightExponent) * area * area);
    expect(-coefficient * config.errorScale * perSpike).toBeCloseTo(expected, 12);
  });
});
