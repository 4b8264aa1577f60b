/**
 * The sigmoid surrogate gradient of the spike function both papers use: ds/du = alpha*sig(alpha*x)*(1-sig(alpha*x))
 * with x = u - theta before reset.
 * Reference: shared/DESIGN.md section 2 (alpha = 4); spikingjelly surrogate.Sigmoid default alpha.
 */
export const SURROGATE_ALPHA = 4;

export function sigmoidSurrogate(x: number, alpha = SURROGATE_ALPHA): number {
  const s = 1 / (1 + Math.exp(-alpha * x));
  return alpha * s * (1 - s);
}
