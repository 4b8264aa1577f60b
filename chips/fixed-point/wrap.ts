/** Reference: two's complement arithmetic; `wrapOnceLavaStyle` follows lava-nc/lava src/lava/proc/lif/models.py
 * (AbstractPyLifModelFixed.subthr_dynamics, the `wrapped_curr` lines) as DESIGN.md section 3 quotes it.
 */

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 52) {
    throw new RangeError(`bits must be an integer in 1..52, got ${bits}`);
  }
}

/**
 * Two's complement wrap of an integer into `bits` bits: the unique r with r ≡ x (mod 2^bits) and
 * -2^(bits-1) <= r <= 2^(bits-1) - 1. Exact for any integer |x| <= 2^53 (`%` on doubles is exact).
 */
export function wrapSigned(x: number, bits: number): number {
  checkBits(bits);
  const modulus = 2 ** bits;
  const half = modulus / 2;
  let r = x % modulus; // same sign as x, |r| < modulus
  if (r >= half) r -= modulus;
  else if (r < -half) r += modulus;
  return r + 0; // no -0
}

/**
 * Loihi's overflow of the synaptic current u as Lava's bit-accurate model computes it (DESIGN.md section 3):
 * `x > 2^(bits-1) -> x - 2^bits; x <= -2^(bits-1) -> x + 2^bits`, applied once.
 *
 * Not the same as `wrapSigned`: the edges are asymmetric, so +2^(bits-1) stays +2^(bits-1) (one past the
 * two's complement maximum) and -2^(bits-1) becomes +2^(bits-1). Only one correction is applied, which is a
 * true wrap for |x| < 2^(bits-1) + 2^bits: enough for a decayed 24-bit u plus one step of input.
 */
/** 2^i for i in 0..63: the neuron kernels call these per neuron per step, and a table beats Math.pow there. */
const POWERS_OF_TWO = Float64Array.from({ length: 64 }, (_, i) => 2 ** i);

export function wrapOnceLavaStyle(x: number, bits: number): number {
  const half = POWERS_OF_TWO[bits - 1]!;
  if (x > half) return x - 2 * half;
  if (x <= -half) return x + 2 * half;
  return x;
}
