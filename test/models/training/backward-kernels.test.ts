import { describe, expect, it } from 'vitest';
import { conv2dSample, convTaps, reorderConvWeights, type Conv2dGeometry } from '../../../models/reference/kernels/conv2d.js';
import { linearSample, transposeLinearWeights } from '../../../models/reference/kernels/linear.js';
import { pool2dSample } from '../../../models/reference/kernels/pool.js';
import { addReorderedConvGrad, conv2dBackwardInput, conv2dWeightGrad, toChannelLast } from '../../../models/training/kernels/conv2d-backward.js';
import { addTransposedLinearGrad, linearBackwardInput, linearWeightGrad } from '../../../models/training/kernels/linear-backward.js';
import { addBackwardSums, applyNormBackward, osrBackwardCoefficients, rateBackwardCoefficients } from '../../../models/training/kernels/norm-training.js';
import { avgPool2dBackward } from '../../../models/training/kernels/pool-backward.js';
import { sigmoidSurrogate } from '../../../models/training/kernels/surrogate.js';
import { SeededRandom } from '../../../models/training/random.js';

/**
 * Each backward kernel against central finite differences of L = sum(r * f(x)) for a random r, so dL/dy = r.
 * The forward kernels round to float32, hence steps of 1e-2 on functions that are linear (or smooth) in x.
 */
const random = new SeededRandom(7);
const fill = (n: number, scale = 1) => Float32Array.from({ length: n }, () => random.uniform(-scale, scale));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

function finiteDifference(values: Float32Array, loss: () => number, h = 1e-2): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    values[i] = v + h;
    const up = loss();
    values[i] = v - h;
    const down = loss();
    values[i] = v;
    out[i] = (up - down) / (2 * h);
  }
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  expect(worst).toBeLessThan(tolerance);
}

describe('conv2d backward', () => {
  for (const [stride, padding] of [
    [1, 1],
    [2, 0],
    [2, 1],
  ] as const) {
    it(`matches finite differences for input and weights (stride ${stride}, padding ${padding})`, () => {
      const g: Conv2dGeometry = {
        inChannels: 5,
        inHeight: 7,
        inWidth: 6,
        outChannels: 3,
        kernelHeight: 3,
        kernelWidth: 3,
        outHeight: Math.floor((7 + 2 * padding - 3) / stride) + 1,
        outWidth: Math.floor((6 + 2 * padding - 3) / stride) + 1,
        strideY: stride,
        strideX: stride,
        padY: padding,
        padX: padding,
      };
      const taps = convTaps(g);
      const outSize = g.outChannels * g.outHeight * g.outWidth;
      const x = fill(g.inChannels * g.inHeight * g.inWidth);
      const w = fill(g.outChannels * g.inChannels * 9, 0.5);
      const bias = fill(g.outChannels);
      const r = fill(outSize);
      const y = new Float32Array(outSize);
      const acc = new Float64Array(outSize);
      const loss = () => {
        conv2dSample(x, 0, reorderConvWeights(w, g), taps, bias, g, acc, y, 0);
        return dot(y, r);
      };
      const rCL = new Float64Array(outSize);
      toChannelLast(Float64Array.from(r), 0, g.outChannels, g.outHeight * g.outWidth, rCL);
      const gradIn = new Float64Array(x.length);
      conv2dBackwardInput(rCL, reorderConvWeights(w, g), taps, g, gradIn, 0);
      expectClose(gradIn, finiteDifference(x, loss), 1e-4);
      const gradReordered = new Float64Array(w.length);
      const gradBias = new Float64Array(g.outChannels);
      conv2dWeightGrad(x, 0, rCL, taps, g, gradReordered, gradBias);
      const gradW = new Float64Array(w.length);
      addReorderedConvGrad(gradReordered, g, gradW);
      expectClose(gradW, finiteDifference(w, loss), 1e-4);
      expectClose(gradBias, finiteDifference(bias, loss), 1e-4);
    });
  }
});

describe('linear backward', () => {
  it('matches finite differences for input, weights and bias', () => {
    const inF = 7,
      outF = 4;
    const x = fill(inF),
      w = fill(outF * inF),
      b = fill(outF),
      r = fill(outF);
    const y = new Float32Array(outF);
    const loss = () => {
      linearSample(x, 0, transposeLinearWeights(w, outF, inF), b, inF, outF, new Float64Array(outF), y, 0);
      return dot(y, r);
    };
    const gradIn = new Float64Array(inF);
    linearBackwardInput(Float64Array.from(r), 0, transposeLinearWeights(w, outF, inF), inF, outF, gradIn, 0);
    expectClose(gradIn, finiteDifference(x, loss), 1e-4);
    const gt = new Float64Array(w.length),
      gb = new Float64Array(outF),
      gw = new Float64Array(w.length);
    linearWeightGrad(x, 0, Float64Array.from(r), 0, inF, outF, gt, gb);
    addTransposedLinearGrad(gt, outF, inF, gw);
    expectClose(gw, finiteDifference(w, loss), 1e-4);
    expectClose(gb, finiteDifference(b, loss), 1e-4);
  });
});

describe('avgpool2d backward', () => {
  for (const [kernel, stride] of [
    [2, 2],
    [3, 2],
    [2, 1],
  ] as const) {
    it(`matches finite differences (kernel ${kernel}, stride ${stride})`, () => {
      const c = 2,
        h = 7,
        w = 6;
      const oh = Math.floor((h - kernel) / stride) + 1,
        ow = Math.floor((w - kernel) / stride) + 1;
      const x = fill(c * h * w),
        r = fill(c * oh * ow);
      const y = new Float32Array(r.length);
      const loss = () => {
        pool2dSample('avg', x, 0, c, h, w, kernel, stride, oh, ow, y, 0);
        return dot(y, r);
      };
      const gradIn = new Float64Array(x.length);
      avgPool2dBackward(Float64Array.from(r), 0, c, h, w, kernel, stride, oh, ow, gradIn, 0);
      expectClose(gradIn, finiteDifference(x, loss), 1e-4);
    });
  }
});

describe('norm backward in training mode', () => {
  // Batch norm with batch statistics, in float64: y = gamma * (x - mean) / sqrt(var + eps) + beta per channel.
  const samples = 3,
    channels = 2,
    plane = 5,
    eps = 1e-4;
  const x = fill(samples * channels * plane, 2);
  const gamma = Float32Array.from([1.3, 0.7]);
  const r = fill(x.length);
  const stats = () => {
    const mean = new Float64Array(channels),
      variance = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      let s = 0,
        q = 0;
      for (let n = 0; n < samples; n++) for (let p = 0; p < plane; p++) s += x[(n * channels + c) * plane + p]!;
      const m = s / (samples * plane);
      for (let n = 0; n < samples; n++) for (let p = 0; p < plane; p++) q += (x[(n * channels + c) * plane + p]! - m) ** 2;
      mean[c] = m;
      variance[c] = q / (samples * plane);
    }
    return { mean, variance };
  };
  const loss = () => {
    const { mean, variance } = stats();
    let l = 0;
    for (let n = 0; n < samples; n++)
      for (let c = 0; c < channels; c++)
        for (let p = 0; p < plane; p++) {
          const i = (n * channels + c) * plane + p;
          l += (r[i]! * (gamma[c]! * (x[i]! - mean[c]!))) / Math.sqrt(variance[c]! + eps);
        }
    return l;
  };
  const expected = finiteDifference(x, loss, 1e-3);
  const count = samples * plane;

  it("paper A's OSR backward is the batch-norm gradient when the running variance equals the batch variance", () => {
    const { mean, variance } = stats();
    const g = Float64Array.from(r);
    const sums = new Float64Array(2 * channels);
    addBackwardSums(g, x, 0, samples, channels, plane, mean, sums, false);
    const k = osrBackwardCoefficients(sums, mean, variance, variance, gamma, eps, count);
    applyNormBackward(g, x, 0, samples, channels, plane, k.a, k.b, k.k, k.center);
    expectClose(g, expected, 1e-4);
  });

  it("paper B's rate backward is the batch-norm gradient when the spike statistics are the rate input's", () => {
    const { mean, variance } = stats();
    const g = Float64Array.from(r);
    const sums = new Float64Array(3 * channels);
    addBackwardSums(g, x, 0, samples, channels, plane, mean, sums, true);
    const k = rateBackwardCoefficients(sums, mean, variance, gamma, eps, count);
    applyNormBackward(g, x, 0, samples, channels, plane, k.a, k.b, k.k, k.center);
    expectClose(g, expected, 1e-4);
  });

  it('OSR scales the gradient by var / run_var', () => {
    const { mean, variance } = stats();
    const half = variance.map((v) => v * 2);
    const g = Float64Array.from(r);
    const sums = new Float64Array(2 * channels);
    addBackwardSums(g, x, 0, samples, channels, plane, mean, sums, false);
    const k = osrBackwardCoefficients(sums, mean, variance, half, gamma, eps, count);
    applyNormBackward(g, x, 0, samples, channels, plane, k.a, k.b, k.k, k.center);
    expectClose(
      g,
      expected.map((v) => v / 2),
      1e-4,
    );
  });
});

describe('LIF sigmoid surrogate', () => {
  it('is the derivative of sigmoid(4x)', () => {
    const sig = (x: number) => 1 / (1 + Math.exp(-4 * x));
    for (const x of [-2, -0.5, -0.1, 0, 0.05, 0.3, 1.7]) {
      const h = 1e-5;
      expect(sigmoidSurrogate(x)).toBeCloseTo((sig(x + h) - sig(x - h)) / (2 * h), 8);
    }
    expect(sigmoidSurrogate(0)).toBe(1);
  });
});
