/**
 * Float32 LIF charge: u = decay*u + x, element-wise over `count` values (the seed codes' `v*decay + x`).
 */
export function lifCharge(u: Float32Array, x: Float32Array, offset: number, count: number, decay: number): void {
  for (let i = offset, end = offset + count; i < end; i++) u[i] = Math.fround(u[i]! * decay) + x[i]!;
}

/**
 * Fire and reset: s = (u - theta >= 0); subtract reset u -= s*theta, or zero reset u = 0.
 * Writes spikes (0/1) to `spikes` and returns how many fired.
 */
export function lifFire(
  u: Float32Array,
  spikes: Float32Array,
  offset: number,
  count: number,
  theta: number,
  reset: 'subtract' | 'zero',
): number {
  let fired = 0;
  for (let i = offset, end = offset + count; i < end; i++) {
    const v = u[i]!;
    if (v >= theta) {
      spikes[i] = 1;
      u[i] = reset === 'subtract' ? v - theta : 0;
      fired++;
    } else {
      spikes[i] = 0;
    }
  }
  return fired;
}

/** Mean and unbiased standard deviation (torch.std) of `count` values, in float64. */
export function meanAndUnbiasedStd(u: Float32Array, offset: number, count: number): { mean: number; std: number } {
  let sum = 0;
  for (let i = offset, end = offset + count; i < end; i++) sum += u[i]!;
  const mean = sum / count;
  let sq = 0;
  for (let i = offset, end = offset + count; i < end; i++) {
    const d = u[i]! - mean;
    sq += d * d;
  }
  return { mean, std: Math.sqrt(sq / (count - 1)) };
}
