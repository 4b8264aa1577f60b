/** Reference: lava-nc/lava src/lava/proc/lif/models.py (AbstractPyLifModelFixed.scale_bias): a mantissa shifted
 * left by a signed exponent, `np.left_shift(m, e)` for e >= 0 and `np.right_shift(m, -e)` otherwise.
 */

/**
 * `x << shift` for shift >= 0 and the arithmetic `x >> -shift` (rounds towards -infinity, like numpy's
 * right_shift on signed integers) for shift < 0.
 *
 * Computed with doubles instead of JS `<<`/`>>`, which wrap at 32 bits: exact while |x * 2^shift| <= 2^53.
 */
export function shiftLeftSigned(x: number, shift: number): number {
  if (shift >= 0) return x * 2 ** shift;
  return Math.floor(x / 2 ** -shift) + 0;
}
