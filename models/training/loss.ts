/**
 * Per-sample training loss on one output vector o: (1 - lambda) * CE(o, y) + lambda * MSE(o, onehot(y)), MSE taken
 * as the mean over classes (PyTorch's MSELoss on [B, C] averages over B*C, CE over B). Writes
 * scale * dLoss/do to `grad` and returns the loss. lambda = 0 gives plain cross-entropy (paper B).
 * Reference: zhuyaoyu/SNN-online-normalization train.py (loss_lambda, per-step loss divided by T).
 */
export function lossAndGradient(
  output: Float32Array,
  offset: number,
  classes: number,
  label: number,
  lambda: number,
  scale: number,
  grad: Float64Array,
  gradOffset: number,
): number {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, output[offset + c]!);
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(output[offset + c]! - max);
  const logSum = Math.log(sum) + max;
  const ce = logSum - output[offset + label]!;
  let mse = 0;
  for (let c = 0; c < classes; c++) {
    const o = output[offset + c]!;
    const target = c === label ? 1 : 0;
    const p = Math.exp(o - logSum);
    mse += (o - target) * (o - target);
    grad[gradOffset + c] = scale * ((1 - lambda) * (p - target) + (lambda * 2 * (o - target)) / classes);
  }
  return (1 - lambda) * ce + (lambda * mse) / classes;
}
