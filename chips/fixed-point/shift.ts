/** Reference: lava-nc/lava src/lava/proc/lif/models.py (AbstractPyLifModelFixed.scale_bias): a mantissa shifted
 * left by a signed exponent, `np.left_shift(m, e)` for e >= 0 and `np.right_shift(m, -e)` otherwise.
 */

/**
 * `x << shift` for shift >= 0 and the arithmetic `x >> -shift` (rounds towards -infinity, like numpy's
 * right_shift on signed integers) for shift < 0.
 *
 * Computed with doubles instead of JS `<<`/`>>`, which wrap at 32 bits: exact while |x * 2^shift| <= 2^53.
 */
/** 2^i for i in 0..63: called per neuron per step, where a table beats Math.pow. */
const POWERS_OF_TWO = Float64Array.from({ length: 64 }, (_, i) => 2 ** i);

export function shiftLeftSigned(x: number, shift: number): number {
  if (shift >= 0) return x * (shift < 64 ? POWERS_OF_TWO[shift]! : 2 ** shift);
  return Math.floor(x / (-shift < 64 ? POWERS_OF_TWO[-shift]! : 2 ** -shift)) + 0;
}
