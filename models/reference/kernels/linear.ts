/** Weights transposed to [in][out] so the scatter over a sparse input walks memory contiguously. */
export function transposeLinearWeights(weight: Float32Array, outFeatures: number, inFeatures: number): Float64Array {
  const t = new Float64Array(weight.length);
  for (let o = 0; o < outFeatures; o++) for (let i = 0; i < inFeatures; i++) t[i * outFeatures + o] = weight[o * inFeatures + i]!;
  return t;
}

/** out = W x + b for one sample, float64 accumulation, one float32 rounding per output; zero inputs skipped. */
export function linearSample(
  input: Float32Array,
  inOffset: number,
  transposed: Float64Array,
  bias: Float32Array | null,
  inFeatures: number,
  outFeatures: number,
  acc: Float64Array,
  output: Float32Array,
  outOffset: number,
): void {
  for (let o = 0; o < outFeatures; o++) acc[o] = bias ? bias[o]! : 0;
  for (let i = 0; i < inFeatures; i++) {
    const v = input[inOffset + i]!;
    if (v === 0) continue;
    const base = i * outFeatures;
    for (let o = 0; o < outFeatures; o++) acc[o] = acc[o]! + v * transposed[base + o]!;
  }
  for (let o = 0; o < outFeatures; o++) output[outOffset + o] = acc[o]!;
}
