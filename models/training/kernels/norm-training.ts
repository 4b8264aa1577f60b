/**
 * Per-channel pieces of batch normalisation in training mode, for `count` samples of [C, plane] values. The
 * statistics are sums (float64) so that shards of a batch can add theirs before the mean is taken.
 */

/** sums[c] += sum of x, sums[C + c] += sum of x^2 over the samples and positions of channel c. */
export function addChannelMoments(x: Float32Array, offset: number, count: number, channels: number, plane: number, sums: Float64Array): void {
  for (let s = 0; s < count; s++) {
    for (let c = 0; c < channels; c++) {
      const base = offset + (s * channels + c) * plane;
      let sum = 0;
      let sq = 0;
      for (let p = 0; p < plane; p++) {
        const v = x[base + p]!;
        sum += v;
        sq += v * v;
      }
      sums[c] = sums[c]! + sum;
      sums[channels + c] = sums[channels + c]! + sq;
    }
  }
}

/** y = (x - mean) * scale + shift per channel (scale = gamma/sqrt(var+eps), shift = beta), float32 results. */
export function normalise(
  x: Float32Array,
  y: Float32Array,
  offset: number,
  count: number,
  channels: number,
  plane: number,
  mean: Float64Array,
  scale: Float64Array,
  shift: Float64Array,
): void {
  for (let s = 0; s < count; s++) {
    for (let c = 0; c < channels; c++) {
      const base = offset + (s * channels + c) * plane;
      const m = mean[c]!,
        a = scale[c]!,
        b = shift[c]!;
      for (let p = 0; p < plane; p++) y[base + p] = (x[base + p]! - m) * a + b;
    }
  }
}

/**
 * First half of a norm backward: sums[c] += sum of g, sums[C + c] += sum of g * (x - center[c]), and, when
 * `withX`, sums[2C + c] += sum of x (to get the mean of x after the shards are added).
 */
export function addBackwardSums(
  g: Float64Array,
  x: Float32Array,
  offset: number,
  count: number,
  channels: number,
  plane: number,
  center: Float64Array,
  sums: Float64Array,
  withX: boolean,
): void {
  for (let s = 0; s < count; s++) {
    for (let c = 0; c < channels; c++) {
      const base = offset + (s * channels + c) * plane;
      const m = center[c]!;
      let sg = 0;
      let sgx = 0;
      let sx = 0;
      for (let p = 0; p < plane; p++) {
        const gv = g[base + p]!;
        const xv = x[base + p]!;
        sg += gv;
        sgx += gv * (xv - m);
        sx += xv;
      }
      sums[c] = sums[c]! + sg;
      sums[channels + c] = sums[channels + c]! + sgx;
      if (withX) sums[2 * channels + c] = sums[2 * channels + c]! + sx;
    }
  }
}

/**
 * Second half: gradIn = a[c] * (g - b[c] - k[c] * (x - xc[c])), the shape every batch-norm backward takes
 * once its per-channel sums are known. Written in place of g.
 */
export function applyNormBackward(
  g: Float64Array,
  x: Float32Array,
  offset: number,
  count: number,
  channels: number,
  plane: number,
  a: Float64Array,
  b: Float64Array,
  k: Float64Array,
  xc: Float64Array,
): void {
  for (let s = 0; s < count; s++) {
    for (let c = 0; c < channels; c++) {
      const base = offset + (s * channels + c) * plane;
      const ac = a[c]!,
        bc = b[c]!,
        kc = k[c]!,
        xcc = xc[c]!;
      for (let p = 0; p < plane; p++) g[base + p] = ac * (g[base + p]! - bc - kc * (x[base + p]! - xcc));
    }
  }
}

/** Per-channel coefficients of applyNormBackward. */
export interface NormBackwardCoefficients {
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly k: Float64Array;
  readonly center: Float64Array;
}

/**
 * OSR's backward (paper A, BN_type 'new'): the batch-statistics batch-norm backward with gamma replaced by
 * gamma * var / run_var: with xhat = (x - mean) / sqrt(var + eps) and g' = g * gamma * var / run_var / sqrt(var + eps),
 * dx = g' - mean(g') - mean(g' * xhat) * xhat.
 * `sums` holds sum(g) then sum(g * (x - mean)) per channel over the whole batch; `count` = samples x positions.
 * Reference: zhuyaoyu/SNN-online-normalization modules/layers.py (bn_backward with var1 = run_var).
 */
export function osrBackwardCoefficients(
  sums: Float64Array,
  mean: Float64Array,
  variance: Float64Array,
  runVar: Float64Array,
  gamma: Float32Array,
  eps: number,
  count: number,
): NormBackwardCoefficients {
  const c = mean.length;
  const a = new Float64Array(c),
    b = new Float64Array(c),
    k = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const invStd = 1 / Math.sqrt(variance[j]! + eps);
    a[j] = ((gamma[j]! * variance[j]!) / runVar[j]!) * invStd;
    b[j] = sums[j]! / count;
    k[j] = (invStd * invStd * sums[c + j]!) / count;
  }
  return { a, b, k, center: mean };
}

/**
 * Paper B's calcu_rate backward: y = gamma * (x - M) / S + beta with S = sqrt(V + eps), M and V the spike pass's
 * values, their gradients those of the rate input's own batch mean and variance:
 * dx = gamma/S * (g - sum(g)/N - sum(g * (x - M)) / (S^2 N) * (x - mean(x))); relu(V) passes no gradient at V = 0.
 * `sums` holds sum(g), sum(g * (x - M)), sum(x) per channel over the whole batch; `count` = samples x positions.
 * Reference: Tab-ct/rate-based-backpropagation model/model_setting.py (calcu_rate).
 */
export function rateBackwardCoefficients(
  sums: Float64Array,
  spikeMean: Float64Array,
  spikeVariance: Float64Array,
  gamma: Float32Array,
  eps: number,
  count: number,
): NormBackwardCoefficients {
  const c = spikeMean.length;
  const a = new Float64Array(c),
    b = new Float64Array(c),
    k = new Float64Array(c),
    center = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const s = Math.sqrt(spikeVariance[j]! + eps);
    a[j] = gamma[j]! / s;
    b[j] = sums[j]! / count;
    k[j] = spikeVariance[j]! > 0 ? sums[c + j]! / (s * s * count) : 0;
    center[j] = sums[2 * c + j]! / count;
  }
  return { a, b, k, center };
}
