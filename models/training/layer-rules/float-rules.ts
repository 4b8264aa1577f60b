// Reference: DESIGN.md section 2: OTTT (a[t] = lambda*a[t-1] + s[t], grad W[t] = delta[t] (x) a[t], online or
// summed over T) and the rate-based rule of paper B (rates over T, one update at T); cross-entropy error
// softmax(o) - onehot as the chip's error unit computes it (simulator/learning/output-error.ts).

export type FloatRule = 'ottt' | 'ottt-accumulated' | 'rate';
export const FLOAT_RULES: readonly FloatRule[] = ['ottt', 'ottt-accumulated', 'rate'];

/** A linear readout learned in float: weights [classes][features] and bias, in model units. */
export interface Readout {
  readonly weights: Float64Array;
  readonly bias: Float64Array;
  readonly classes: number;
  readonly features: number;
}

function softmaxError(o: Float64Array, label: number, e: Float64Array): void {
  let max = -Infinity;
  for (const v of o) if (v > max) max = v;
  let sum = 0;
  for (let i = 0; i < o.length; i++) sum += e[i] = Math.exp(o[i]! - max);
  for (let i = 0; i < o.length; i++) e[i] = e[i]! / sum - (i === label ? 1 : 0);
}

function forward(r: Readout, x: Float32Array | Float64Array, offset: number, o: Float64Array): void {
  for (let c = 0; c < r.classes; c++) {
    let sum = r.bias[c]!;
    const row = c * r.features;
    for (let f = 0; f < r.features; f++) sum += r.weights[row + f]! * x[offset + f]!;
    o[c] = sum;
  }
}

/**
 * One training sample, the same schedule as the chip preset: `ottt` updates after every step with rate/T, from
 * the error of that step's output and the eligibility trace (lambda = the source neurons' decay);
 * `ottt-accumulated` sums the same T products with the weights held, and applies the sum once after step T
 * (`grad` collects the change); `rate` updates once at T from the error of the mean output and the mean input rate.
 */
export function learnSample(
  rule: FloatRule,
  r: Readout,
  steps: Float32Array,
  offset: number,
  T: number,
  label: number,
  rate: number,
  lambda: number,
  scratch: { a: Float64Array; o: Float64Array; e: Float64Array; grad: Float64Array },
): void {
  const { a, o, e, grad } = scratch;
  const F = r.features;
  a.fill(0);
  if (rule === 'ottt' || rule === 'ottt-accumulated') {
    // Online, each step's product goes into the weights at once; accumulated, into `grad` until step T.
    const into = rule === 'ottt' ? r.weights : grad.fill(0);
    for (let t = 0; t < T; t++) {
      const at = offset + t * F;
      for (let f = 0; f < F; f++) a[f] = lambda * a[f]! + steps[at + f]!;
      forward(r, steps, at, o);
      softmaxError(o, label, e);
      for (let c = 0; c < r.classes; c++) {
        const g = (rate / T) * e[c]!;
        const row = c * F;
        for (let f = 0; f < F; f++) into[row + f] = into[row + f]! - g * a[f]!;
      }
    }
    if (rule === 'ottt-accumulated') for (let i = 0; i < grad.length; i++) r.weights[i] = r.weights[i]! + grad[i]!;
    return;
  }
  for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) a[f] = a[f]! + steps[offset + t * F + f]! / T;
  forward(r, a, 0, o);
  softmaxError(o, label, e);
  for (let c = 0; c < r.classes; c++) {
    const g = rate * e[c]!;
    const row = c * F;
    for (let f = 0; f < F; f++) r.weights[row + f] = r.weights[row + f]! - g * a[f]!;
  }
}

/** The readout's prediction for one sample: argmax of W * mean_t x[t] + b (the model's mean-over-time output). */
export function predict(r: Readout, steps: Float32Array, offset: number, T: number, scratch: { a: Float64Array; o: Float64Array }): number {
  const { a, o } = scratch;
  a.fill(0);
  for (let t = 0; t < T; t++) for (let f = 0; f < r.features; f++) a[f] = a[f]! + steps[offset + t * r.features + f]! / T;
  forward(r, a, 0, o);
  let best = 0;
  for (let c = 1; c < r.classes; c++) if (o[c]! > o[best]!) best = c;
  return best;
}
