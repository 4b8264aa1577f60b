import { describe, expect, it } from 'vitest';
import type { LifNode, Model, ModelNode } from '../../../models/graph/model.js';
import { trainModel } from '../../../models/training/trainer.js';

/**
 * One SGD step of each rule on a network small enough to derive by hand: input x (2 values), linear 2 -> 1,
 * LIF (soft reset, theta 1), linear 1 -> 2 read out as the mean over T = 2 steps, one sample of label 0.
 * With these numbers the neuron stays silent at t = 1 and fires at t = 2.
 * The expected gradients are written out from the rules' equations; the step is SGD's first (momentum buffer = d).
 */
const W1 = [0.8, 0.6];
const B1 = -0.2;
const W2 = [1, -1];
const B2 = [0.1, 0];
const LR = 0.1;
const WD = 0.01;

function tinyModel(decay: number, source: Model['source']): Model {
  const tensor = (shape: number[], values: number[]) => ({ shape, data: Float32Array.from(values) });
  const lif: LifNode = { kind: 'lif', name: 'lif', prefix: null, decay, threshold: { kind: 'fixed', value: 1 }, reset: 'subtract' };
  const nodes: ModelNode[] = [
    { kind: 'linear', name: 'fc1', weight: tensor([1, 2], W1), bias: tensor([1], [B1]) },
    lif,
    { kind: 'linear', name: 'fc2', weight: tensor([2, 1], W2), bias: tensor([2], B2) },
  ];
  return { name: 'tiny', source, timesteps: 2, input: { shape: [2], scale: 1 / 255, encoding: 'direct' }, nodes, output: 'mean-over-time' };
}

// The trainer takes 8-bit images and divides them by 255.
const data = { images: Uint8Array.from([255, 128]), labels: Uint8Array.from([0]), count: 1, pixels: 2 };
const x = [1, Math.fround(128 / 255)];

const sig = (v: number) => 1 / (1 + Math.exp(-v));
const surrogate = (v: number) => 4 * sig(4 * v) * (1 - sig(4 * v));
const softmax = (o: number[]) => {
  const e = o.map(Math.exp);
  const s = e[0]! + e[1]!;
  return e.map((v) => v / s);
};

function weights(model: Model): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const n of model.nodes) {
    if (n.kind === 'linear') {
      out[`${n.name}.weight`] = [...n.weight.data];
      out[`${n.name}.bias`] = [...n.bias!.data];
    }
  }
  return out;
}

function expectStep(trained: Model, grads: Record<string, number[]>, decayAll: boolean): void {
  const before: Record<string, number[]> = { 'fc1.weight': W1, 'fc1.bias': [B1], 'fc2.weight': W2, 'fc2.bias': B2 };
  const after = weights(trained);
  for (const [name, g] of Object.entries(grads)) {
    const decays = decayAll || name.endsWith('.weight');
    const expected = before[name]!.map((p, i) => Math.fround(p - LR * (g[i]! + (decays ? WD * p : 0))));
    after[name]!.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  }
}

describe('one training step on a tiny network', () => {
  it("paper A's online rule: per-step loss (1-l)CE + l*MSE over T, gradient through each step's spikes only", async () => {
    const lambda = 0.05,
      T = 2,
      decay = 0.5;
    const I = W1[0]! * x[0]! + W1[1]! * x[1]! + B1;
    const g = { 'fc1.weight': [0, 0], 'fc1.bias': [0], 'fc2.weight': [0, 0], 'fc2.bias': [0, 0] };
    let u = 0;
    for (let t = 0; t < T; t++) {
      u = decay * u + I;
      const s = u >= 1 ? 1 : 0;
      const sg = surrogate(u - 1);
      u -= s;
      const o = [W2[0]! * s + B2[0]!, W2[1]! * s + B2[1]!];
      const p = softmax(o);
      const dOut = [0, 1].map((c) => ((1 - lambda) * (p[c]! - (c === 0 ? 1 : 0)) + (lambda * 2 * (o[c]! - (c === 0 ? 1 : 0))) / 2) / T);
      g['fc2.weight'] = g['fc2.weight'].map((v, c) => v + dOut[c]! * s);
      g['fc2.bias'] = g['fc2.bias'].map((v, c) => v + dOut[c]!);
      const dI = (W2[0]! * dOut[0]! + W2[1]! * dOut[1]!) * sg;
      g['fc1.weight'] = g['fc1.weight'].map((v, i) => v + dI * x[i]!);
      g['fc1.bias'] = [g['fc1.bias'][0]! + dI];
    }
    const result = await trainModel(tinyModel(decay, 'osr-ots'), data, {
      rule: 'osr',
      epochs: 1,
      batch: 1,
      lr: LR,
      momentum: 0.9,
      weightDecay: WD,
      lossLambda: lambda,
      seed: 1,
      threads: 1,
    });
    expect(result.steps).toBe(1);
    expectStep(result.model, g, true);
  });

  it("paper B's rate_M rule: rates and kappa from the spike pass, one backward, gradient scaled by 1/T", async () => {
    const T = 2,
      decay = 0.2;
    const I = W1[0]! * x[0]! + W1[1]! * x[1]! + B1;
    let u = 0,
      rate = 0,
      kappa = 0,
      eps = 1;
    for (let t = 0; t < T; t++) {
      u = decay * u + I;
      kappa += eps * surrogate(u - 1);
      const s = u >= 1 ? 1 : 0;
      rate += s;
      u -= s;
      eps = 1 + decay * eps;
    }
    rate /= T;
    kappa /= T;
    const o = [W2[0]! * rate + B2[0]!, W2[1]! * rate + B2[1]!];
    const p = softmax(o);
    const dOut = [(p[0]! - 1) / T, p[1]! / T];
    const dI = (W2[0]! * dOut[0]! + W2[1]! * dOut[1]!) * kappa;
    const g = {
      'fc2.weight': dOut.map((d) => d * rate),
      'fc2.bias': dOut,
      'fc1.weight': x.map((v) => dI * v),
      'fc1.bias': [dI],
    };
    const result = await trainModel(tinyModel(decay, 'rate-bp'), data, {
      rule: 'rate',
      epochs: 1,
      batch: 1,
      lr: LR,
      momentum: 0.9,
      weightDecay: WD,
      lossLambda: 0,
      seed: 1,
      threads: 1,
    });
    expectStep(result.model, g, false);
  });
});
