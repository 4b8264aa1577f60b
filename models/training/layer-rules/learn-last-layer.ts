// Reference: DESIGN.md sections 2 and 5: the float reference of the chip's learning presets on the same layer.
import type { LifNode, Model } from '../../graph/model.js';
import type { LabelledSamples } from '../../reference/evaluate.js';
import { learnSample, predict, type FloatRule, type Readout } from './float-rules.js';
import { splitAtLastLayer, stepFeatures } from './step-features.js';

export interface FloatLearningOptions {
  readonly rule: FloatRule;
  /** Model units, as the chip preset's learning rate. */
  readonly learningRate: number;
  /** Start from zero weights and bias (as `spikechip learn --reset`). */
  readonly reset: boolean;
  readonly batch?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface FloatLearning {
  readonly accuracyBefore: number;
  readonly accuracyAfter: number;
  readonly readout: Readout;
  readonly seconds: number;
}

/**
 * Learns the model's last linear layer in float over `train` in order, one sample at a time (the chip's
 * schedule), with the frozen layers before it run by the float reference executor (frozen thresholds), and
 * evaluates test accuracy before and after.
 */
export function learnLastLayerFloat(model: Model, train: LabelledSamples, test: LabelledSamples, options: FloatLearningOptions): FloatLearning {
  const started = performance.now();
  const batch = options.batch ?? 64;
  const split = splitAtLastLayer(model, batch);
  const { features: F, classes: C, timesteps: T } = split;
  const lif = [...model.nodes].reverse().find((n): n is LifNode => n.kind === 'lif');
  const lambda = lif?.decay ?? 0;
  const readout: Readout = {
    weights: options.reset ? new Float64Array(C * F) : Float64Array.from(split.last.weight.data),
    bias: options.reset ? new Float64Array(C) : Float64Array.from(split.last.bias?.data ?? new Float32Array(C)),
    classes: C,
    features: F,
  };
  const inputSize = model.input.shape.reduce((a, b) => a * b, 1);
  const input = new Float32Array(batch * inputSize);
  const steps = new Float32Array(batch * T * F);
  const scratch = { a: new Float64Array(F), o: new Float64Array(C), e: new Float64Array(C), grad: new Float64Array(C * F) };
  const initial: Readout = { ...readout, weights: Float64Array.from(readout.weights), bias: Float64Array.from(readout.bias) };
  const total = train.count + test.count;
  let done = 0;
  for (let first = 0; first < train.count; first += batch) {
    const n = Math.min(batch, train.count - first);
    stepFeatures(split, train, first, n, input, steps);
    for (let s = 0; s < n; s++) learnSample(options.rule, readout, steps, s * T * F, T, train.labels[first + s]!, options.learningRate, lambda, scratch);
    done += n;
    options.onProgress?.(done, total);
  }
  // One pass over the test set scores the readout before (a copy) and after learning.
  let correctBefore = 0;
  let correctAfter = 0;
  for (let first = 0; first < test.count; first += batch) {
    const n = Math.min(batch, test.count - first);
    stepFeatures(split, test, first, n, input, steps);
    for (let s = 0; s < n; s++) {
      const label = test.labels[first + s];
      if (predict(initial, steps, s * T * F, T, scratch) === label) correctBefore++;
      if (predict(readout, steps, s * T * F, T, scratch) === label) correctAfter++;
    }
    done += n;
    options.onProgress?.(done, total);
  }
  const accuracyBefore = correctBefore / Math.max(1, test.count);
  const accuracyAfter = correctAfter / Math.max(1, test.count);
  return { accuracyBefore, accuracyAfter, readout, seconds: (performance.now() - started) / 1000 };
}
