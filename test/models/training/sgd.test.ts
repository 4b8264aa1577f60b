import { describe, expect, it } from 'vitest';
import type { ParamSlot } from '../../../models/training/network.js';
import { cosineLearningRate, Sgd } from '../../../models/training/sgd.js';

const slots: ParamSlot[] = [
  { name: 'w', shape: [2], offset: 0, length: 2, isWeight: true },
  { name: 'b', shape: [1], offset: 2, length: 1, isWeight: false },
];

describe('SGD with momentum and weight decay (torch.optim.SGD)', () => {
  it('takes d = g + wd*p, buf = d at the first step, then buf = m*buf + d, p -= lr*buf', () => {
    const p = Float32Array.from([1, -2, 0.5]);
    const sgd = new Sgd(p, slots, { momentum: 0.9, weightDecay: 0.1, decay: 'all' });
    sgd.step(Float64Array.from([0.2, 0.4, -1]), 0.5);
    const d1 = [0.2 + 0.1, 0.4 - 0.2, -1 + 0.05];
    const p1 = [1 - 0.5 * d1[0]!, -2 - 0.5 * d1[1]!, 0.5 - 0.5 * d1[2]!];
    p1.forEach((v, i) => expect(p[i]).toBeCloseTo(v, 6));
    sgd.step(Float64Array.from([0, 0, 0]), 0.25);
    p1.forEach((v, i) => expect(p[i]).toBeCloseTo(v - 0.25 * (0.9 * d1[i]! + 0.1 * v), 6));
  });

  it("decays only conv/linear weights with decay 'weights' (paper B)", () => {
    const p = Float32Array.from([1, 1, 1]);
    new Sgd(p, slots, { momentum: 0.9, weightDecay: 0.5, decay: 'weights' }).step(new Float64Array(3), 1);
    expect([...p]).toEqual([0.5, 0.5, 1]);
  });
});

describe('cosine learning rate', () => {
  it('starts at the base rate, halves at the middle and nears 0 at the end', () => {
    expect(cosineLearningRate(0.1, 0, 100)).toBe(0.1);
    expect(cosineLearningRate(0.1, 50, 100)).toBeCloseTo(0.05, 12);
    expect(cosineLearningRate(0.1, 99, 100)).toBeLessThan(1e-4);
  });
});
