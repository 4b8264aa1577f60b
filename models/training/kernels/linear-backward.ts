/**
 * Backward kernels of y = W x + b for one sample, with W kept transposed as [in][out] (as the forward kernel in
 * models/reference/kernels/linear.ts keeps it) so both loops walk memory contiguously.
 */

/** gradIn[i] = sum over o of W[o, i] * gradOut[o]. */
export function linearBackwardInput(
  gradOut: Float64Array,
  gradOutOffset: number,
  transposed: Float64Array,
  inFeatures: number,
  outFeatures: number,
  gradIn: Float64Array,
  inOffset: number,
): void {
  for (let i = 0; i < inFeatures; i++) {
    const base = i * outFeatures;
    let sum = 0;
    for (let o = 0; o < outFeatures; o++) sum += transposed[base + o]! * gradOut[gradOutOffset + o]!;
    gradIn[inOffset + i] = sum;
  }
}

/** gradW^T[i, o] += x[i] * gradOut[o] (zero inputs skipped); gradB[o] += gradOut[o]. */
export function linearWeightGrad(
  input: Float32Array,
  inOffset: number,
  gradOut: Float64Array,
  gradOutOffset: number,
  inFeatures: number,
  outFeatures: number,
  gradTransposed: Float64Array,
  gradBias: Float64Array | null,
): void {
  for (let i = 0; i < inFeatures; i++) {
    const v = input[inOffset + i]!;
    if (v === 0) continue;
    const base = i * outFeatures;
    for (let o = 0; o < outFeatures; o++) gradTransposed[base + o] = gradTransposed[base + o]! + v * gradOut[gradOutOffset + o]!;
  }
  if (gradBias) for (let o = 0; o < outFeatures; o++) gradBias[o] = gradBias[o]! + gradOut[gradOutOffset + o]!;
}

/** Adds a transposed [in][out] gradient into the canonical [out][in] layout. */
export function addTransposedLinearGrad(transposed: Float64Array, outFeatures: number, inFeatures: number, out: Float64Array): void {
  for (let o = 0; o < outFeatures; o++) {
    for (let i = 0; i < inFeatures; i++) out[o * inFeatures + i] = out[o * inFeatures + i]! + transposed[i * outFeatures + o]!;
  }
}
