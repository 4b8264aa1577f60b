/** Reference: DESIGN.md section 4 (`quantize`: "round to nearest, ties away from zero").
 */

/**
 * Round to the nearest integer, ties away from zero: 2.5 -> 3, -2.5 -> -3.
 *
 * Not `Math.floor(|x| + 0.5)`: that rounds 0.49999999999999994 up to 1 because the addition itself rounds.
 * Math.round of the magnitude is exact (ties go up, i.e. away from zero for a magnitude).
 */
export function roundHalfAwayFromZero(x: number): number {
  const magnitude = Math.round(Math.abs(x));
  return (x < 0 ? -magnitude : magnitude) + 0; // no -0
}
