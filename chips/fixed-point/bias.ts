// Reference: DESIGN.md section 3 (bias_mant << bias_exp) and section 4 (round to nearest, ties away from zero).
import { roundHalfAwayFromZero } from './round.js';

/**
 * A value in v units as `mantissa << exponent`: the smallest exponent whose rounded mantissa fits the signed
 * mantissa width, saturating at the largest exponent. The compiler uses it for biases and the simulator for the
 * host-computed first-layer current, so both round the same way.
 */
export function quantizeBias(value: number, mantissaBits: number, exponentMax: number): { mantissa: number; exponent: number } {
  const mantissaMax = 2 ** (mantissaBits - 1) - 1;
  let exponent = 0;
  while (exponent < exponentMax && Math.abs(roundHalfAwayFromZero(value / 2 ** exponent)) > mantissaMax) exponent++;
  const mantissa = Math.max(-mantissaMax, Math.min(mantissaMax, roundHalfAwayFromZero(value / 2 ** exponent)));
  return { mantissa, exponent };
}
