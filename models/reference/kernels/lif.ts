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
export function lifFire(u: Float32Array, spikes: Float32Array, offset: number, count: number, theta: number, reset: 'subtract' | 'zero'): number {
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

/**
 * Mean and unbiased standard deviation (torch.std) of `samples` x `size` values, in float64, two passes, each sum
 * taken sample by sample (sampleSums) and then over the samples in order: so parts of a batch in other threads
 * give the same float64 sums when their per-sample sums are added in the same order (batch-statistics.ts).
 * `partials` is scratch of at least `samples` doubles.
 */
export function meanAndUnbiasedStd(u: Float32Array, samples: number, size: number, partials: Float64Array): { mean: number; std: number } {
  const count = samples * size;
  sampleSums(u, samples, size, null, partials, 0);
  const mean = sumInOrder(partials, samples) / count;
  sampleSums(u, samples, size, mean, partials, 0);
  return { mean, std: Math.sqrt(sumInOrder(partials, samples) / (count - 1)) };
}

/** Per sample, the sum of its values (mean null) or of their squared deviations from `mean`, into out[at + s]. */
export function sampleSums(u: Float32Array, samples: number, size: number, mean: number | null, out: Float64Array, at: number): void {
  for (let s = 0; s < samples; s++) {
    let sum = 0;
    const end = (s + 1) * size;
    if (mean === null) {
      for (let i = s * size; i < end; i++) sum += u[i]!;
    } else {
      for (let i = s * size; i < end; i++) {
        const d = u[i]! - mean;
        sum += d * d;
      }
    }
    out[at + s] = sum;
  }
}

export function sumInOrder(values: Float64Array, count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += values[i]!;
  return sum;
}
