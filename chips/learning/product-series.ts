// Reference: lava-nc/lava src/lava/magma/core/learning/product_series.py and constants.py (a product is
// scale * dependency * factors; the accumulator of synaptic changes is 16 bits signed, W_ACCUMULATOR_S); Davies
// et al. 2018 (weights re-rounded stochastically to their precision after each epoch); DESIGN.md section 3.
import type { RandomSource } from '../fixed-point/prng.js';
import { stochasticShiftRight } from '../fixed-point/stochastic-round.js';
import type { LearningRule, RuleFactor, RuleProduct, RuleVariable } from './rule.js';

/** The values a synapse's factors read at the end of an epoch. */
export type SynapseState = Readonly<Record<RuleVariable, number>>;

/**
 * Fractional bits of the accumulator: the smallest scale 2^scaleExponentMin is its least significant bit, so
 * every product of integers lands on the grid exactly (Loihi: -7, so 2^-7 of a weight step).
 */
export function accumulatorFractionBits(scaleExponentMin: number): number {
  return -scaleExponentMin;
}

export function factorValue(factor: RuleFactor, state: SynapseState): number {
  const v = state[factor.variable] + factor.constant;
  return factor.sign ? Math.sign(v) : v;
}

/** Whether a product runs in epoch `epoch` (0-based): its dependency held, and u<k> runs every 2^k-th epoch. */
export function productActive(product: RuleProduct, state: SynapseState, epoch: number): boolean {
  if (product.dependency === 'u') return epoch % 2 ** product.decimateExponent === 0;
  return state[product.dependency] !== 0;
}

/** One product in accumulator units: mantissa * factors * 2^(exponent + fractionBits), an exact integer. */
export function productValue(product: RuleProduct, state: SynapseState, fractionBits: number): number {
  let value = product.mantissa * 2 ** (product.exponent + fractionBits);
  for (const factor of product.factors) value *= factorValue(factor, state);
  return value;
}

/** The rule's change of one synapse in one epoch, in accumulator units, saturated to the accumulator's width. */
export function accumulate(rule: LearningRule, state: SynapseState, epoch: number, fractionBits: number, accumulatorBits: number): number {
  let sum = 0;
  for (const product of rule.products) if (productActive(product, state, epoch)) sum += productValue(product, state, fractionBits);
  return saturateSigned(sum, accumulatorBits);
}

export function saturateSigned(value: number, bits: number): number {
  const max = 2 ** (bits - 1) - 1;
  return value > max ? max : value < -max - 1 ? -max - 1 : value;
}

/**
 * The weight after an epoch: w + accumulator / 2^fractionBits, rounded stochastically to the weight's integer
 * grid and saturated to +-(2^(weightBits-1) - 1) (the compiler's symmetric mantissa range). Draws one number
 * only when the accumulator is not zero.
 */
export function updateWeight(weight: number, accumulator: number, fractionBits: number, weightBits: number, random: RandomSource): number {
  if (accumulator === 0) return weight;
  const max = 2 ** (weightBits - 1) - 1;
  const next = weight + stochasticShiftRight(accumulator, fractionBits, random);
  return next > max ? max : next < -max ? -max : next;
}
