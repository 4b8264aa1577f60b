/** Reference: lava-nc/lava src/lava/proc/lif/models.py (AbstractPyLifModelFixed.subthr_dynamics): the decay
 * product is truncated towards zero, `sign(x) * (|x| >> 12)`, not floored.
 */
import { DECAY_BITS } from '../loihi/spec.js';

/** trunc12's 12 is Loihi's decay width: decays are fractions of 2^12 (Lava `decay_shift`). */
const DECAY_DIVISOR = 2 ** DECAY_BITS;

/**
 * `sign(x) * (|x| >> shift)`: divide by 2^shift rounding towards zero.
 *
 * Works on doubles, not on 32-bit ints, because a 24-bit state times a 13-bit decay factor needs 37 bits.
 * It is exact for every integer |x| <= 2^53: dividing by a power of two only changes the exponent of a double,
 * so `x / 2^shift` is the exact rational and Math.trunc drops exactly the fraction that `>>` drops on |x|.
 */
export function truncateShiftRight(x: number, shift: number): number {
  // `+ 0` turns the -0 that Math.trunc returns for small negatives into 0, so results compare with Object.is.
  return Math.trunc(x / 2 ** shift) + 0;
}

/**
 * Loihi's decay truncation `trunc12(x) = sign(x) * (|x| >> 12)`.
 *
 * Plain doubles suffice (no BigInt): the largest product the LIF update forms is |u| <= 2^23 (Lava's wrap can
 * leave u at exactly +2^23) times a decay factor <= 2^12, i.e. 2^35, far below the 2^53 where doubles stop
 * being exact integers.
 */
export function trunc12(x: number): number {
  return Math.trunc(x / DECAY_DIVISOR) + 0;
}
