import type { NormNode } from '../../graph/model.js';

/**
 * Per-channel affine coefficients of a norm layer in inference mode, computed the way each seed code does in
 * float32 so that outputs match PyTorch to the last bit in most elements:
 * - OSR (paper A): `(x - run_mean) / sqrt(run_var + eps) * gamma + beta`, four float32 ops per element.
 * - BatchNorm (PyTorch CPU eval kernel): `x * alpha + beta'` with `alpha = gamma / sqrt(var + eps)`,
 *   `beta' = beta - mean * alpha`.
 */
export interface NormCoefficients {
  readonly variant: NormNode['variant'];
  readonly mean: Float32Array;
  readonly std: Float32Array;
  readonly gamma: Float32Array;
  readonly beta: Float32Array;
  readonly alpha: Float32Array;
  readonly shift: Float32Array;
}

export function normCoefficients(node: NormNode): NormCoefficients {
  const c = node.gamma.data.length;
  const std = new Float32Array(c);
  const alpha = new Float32Array(c);
  const shift = new Float32Array(c);
  const eps = Math.fround(node.eps);
  for (let i = 0; i < c; i++) {
    std[i] = Math.sqrt(Math.fround(node.variance.data[i]! + eps));
    const invstd = Math.fround(1 / std[i]!);
    alpha[i] = invstd * node.gamma.data[i]!;
    shift[i] = node.beta.data[i]! - Math.fround(node.mean.data[i]! * alpha[i]!);
  }
  return { variant: node.variant, mean: node.mean.data, std, gamma: node.gamma.data, beta: node.beta.data, alpha, shift };
}

/** Applies the norm in place to `count` samples of [C, plane] values starting at `offset`. */
export function normApply(k: NormCoefficients, data: Float32Array, offset: number, count: number, plane: number): void {
  const channels = k.gamma.length;
  const f = Math.fround;
  for (let s = 0; s < count; s++) {
    for (let c = 0; c < channels; c++) {
      const base = offset + (s * channels + c) * plane;
      if (k.variant === 'osr') {
        const m = k.mean[c]!,
          sd = k.std[c]!,
          g = k.gamma[c]!,
          b = k.beta[c]!;
        for (let p = 0; p < plane; p++) data[base + p] = f(f(f(data[base + p]! - m) / sd) * g) + b;
      } else {
        const a = k.alpha[c]!,
          sh = k.shift[c]!;
        for (let p = 0; p < plane; p++) data[base + p] = f(data[base + p]! * a) + sh;
      }
    }
  }
}
