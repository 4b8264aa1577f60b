/** Reference: DESIGN.md sections 3 and 5 (Loihi's learning engine rounds stochastically; stochastic rounding
 * uses a seeded generator so every run is reproducible).
 */
import type { RandomSource } from './prng.js';

/**
 * Round x to floor(x) or floor(x) + 1, up with probability x - floor(x), so the expected result is x.
 *
 * Draws exactly one number per call, even when x is already an integer, so the generator's position (and so
 * every later draw) does not depend on the values being rounded.
 */
export function stochasticRound(x: number, random: RandomSource): number {
  const draw = random.nextFloat();
  const floor = Math.floor(x);
  return draw < x - floor ? floor + 1 : floor + 0;
}

/**
 * Integer stochastic rounding of x / 2^shift (0 <= shift <= 32): the result is floor(x / 2^shift) plus one with
 * probability remainder / 2^shift, judged against `shift` uniform random bits, so it is exactly unbiased and
 * needs no floating point. This is how a fixed-point datapath drops `shift` fractional bits. Draws exactly one
 * number per call.
 */
export function stochasticShiftRight(x: number, shift: number, random: RandomSource): number {
  // `>>> (32 - shift)` keeps the top `shift` bits; for shift = 0 it is `>>> 32` (no shift in JS), harmless
  // because the remainder is then 0 and no draw is below it.
  const draw = random.nextUint32() >>> (32 - shift);
  const divisor = 2 ** shift;
  const floor = Math.floor(x / divisor);
  const remainder = x - floor * divisor;
  return draw < remainder ? floor + 1 : floor + 0;
}
