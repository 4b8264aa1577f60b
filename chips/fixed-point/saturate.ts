/** Reference: saturating arithmetic as Loihi applies it to the membrane voltage (Lava PyLifModelBitAcc:
 * `np.clip(v, -(2^23 - 1), 2^23 - 1)`), DESIGN.md section 3.
 */

/** Clamp x into [lo, hi]. */
export function saturate(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/**
 * Clamp x into the symmetric range ±(2^(bits-1) - 1) of a signed `bits`-bit value. Symmetric on purpose: Loihi
 * clips v to -(2^23 - 1)..2^23 - 1, never to -2^23.
 */
/** 2^(i-1) - 1 for i in 0..63: called per neuron per step, where a table beats Math.pow. */
const SYMMETRIC_MAX = Float64Array.from({ length: 64 }, (_, i) => 2 ** (i - 1) - 1);

export function saturateSymmetric(x: number, bits: number): number {
  const max = bits < 64 ? SYMMETRIC_MAX[bits]! : 2 ** (bits - 1) - 1;
  return saturate(x, -max, max);
}
