/**
 * An independent, deliberately naive BigInt transcription of DESIGN.md section 3's Loihi 1 LIF equations, used
 * only by the tests to check the kernels bit for bit. (Not a test file itself: no `.test.ts` suffix.)
 */
const HALF = 1n << 23n;

function trunc12(x: bigint): bigint {
  return x < 0n ? -(-x >> 12n) : x >> 12n;
}

export interface ReferenceNeuron {
  u: bigint;
  v: bigint;
}

export interface ReferenceParameters {
  du: number;
  dv: number;
  vthMantissa: number;
  biasMantissa: number;
  biasExponent: number;
  resetMode?: 'zero' | 'subtract';
}

/** One step of one neuron; returns whether it spiked. `graded` is added to u unshifted (Loihi 2 kernel). */
export function referenceStep(neuron: ReferenceNeuron, p: ReferenceParameters, aIn: number, graded = 0): boolean {
  let u = trunc12(neuron.u * BigInt(4096 - (p.du + 1))) + (BigInt(aIn) << 6n) + BigInt(graded);
  if (u > HALF) u -= 2n * HALF;
  else if (u <= -HALF) u += 2n * HALF;
  const bias = p.biasExponent >= 0 ? BigInt(p.biasMantissa) << BigInt(p.biasExponent) : BigInt(p.biasMantissa) >> BigInt(-p.biasExponent);
  let v = trunc12(neuron.v * BigInt(4096 - p.dv)) + u + bias;
  const vMax = HALF - 1n;
  if (v > vMax) v = vMax;
  if (v < -vMax) v = -vMax;
  const threshold = BigInt(p.vthMantissa) << 6n;
  const spiked = v > threshold;
  if (spiked) v = p.resetMode === 'subtract' ? v - threshold : 0n;
  neuron.u = u;
  neuron.v = v;
  return spiked;
}
