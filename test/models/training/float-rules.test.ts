import { describe, expect, it } from 'vitest';
import { learnSample, type Readout } from '../../../models/training/layer-rules/float-rules.js';

/** A readout of 2 classes over 3 features, T = 4 steps of per-step features: small enough to check by hand. */
const T = 4;
const F = 3;
const C = 2;
const steps = Float32Array.from([1, 0, 0.5, 0, 1, 1, 1, 1, 0, 0.25, 0, 1]);
const label = 1;
const rate = 0.4;
const lambda = 0.5;

function readout(): Readout {
  return { weights: Float64Array.from([0.3, -0.2, 0.1, -0.4, 0.5, 0.2]), bias: Float64Array.from([0.05, -0.05]), classes: C, features: F };
}

const scratch = () => ({ a: new Float64Array(F), o: new Float64Array(C), e: new Float64Array(C), grad: new Float64Array(C * F) });

/** softmax(W x[t] + b) - onehot, with the weights held: DESIGN.md section 2's delta of each step. */
function stepError(r: Readout, t: number): number[] {
  const o = [0, 1].map((c) => r.bias[c]! + [0, 1, 2].reduce((sum, f) => sum + r.weights[c * F + f]! * steps[t * F + f]!, 0));
  const max = Math.max(...o);
  const exp = o.map((v) => Math.exp(v - max));
  const total = exp[0]! + exp[1]!;
  return exp.map((v, c) => v / total - (c === label ? 1 : 0));
}

describe('float reference of OTTT accumulated over T', () => {
  it('applies once, after step T, the sum over t of -(rate/T) * delta[t] (x) a[t], all with the weights of the sample start', () => {
    const start = readout();
    const expected = Float64Array.from(start.weights);
    const a = new Float64Array(F);
    for (let t = 0; t < T; t++) {
      for (let f = 0; f < F; f++) a[f] = lambda * a[f]! + steps[t * F + f]!;
      const e = stepError(start, t);
      for (let c = 0; c < C; c++) for (let f = 0; f < F; f++) expected[c * F + f] = expected[c * F + f]! - (rate / T) * e[c]! * a[f]!;
    }
    const r = readout();
    learnSample('ottt-accumulated', r, steps, 0, T, label, rate, lambda, scratch());
    r.weights.forEach((w, i) => expect(w).toBeCloseTo(expected[i]!, 12));
  });

  it('agrees with the online rule to first order in the rate: they differ only as the weights move inside the sample', () => {
    const gap = (r: number): number => {
      const online = readout();
      const accumulated = readout();
      learnSample('ottt', online, steps, 0, T, label, r, lambda, scratch());
      learnSample('ottt-accumulated', accumulated, steps, 0, T, label, r, lambda, scratch());
      return Math.max(...online.weights.map((w, i) => Math.abs(w - accumulated.weights[i]!)));
    };
    // halving the rate halves each update but quarters the gap between the two rules
    expect(gap(0.02)).toBeGreaterThan(0);
    expect(gap(0.04) / gap(0.02)).toBeGreaterThan(3.8);
    expect(gap(0.04) / gap(0.02)).toBeLessThan(4.2);
  });
});
