// Reference: lava-nc/lava src/lava/magma/core/learning/product_series.py and constants.py (a product is
// scale * dependency * factors; the accumulator of synaptic changes is 16 bits signed, W_ACCUMULATOR_S); Davies
// et al. 2018 (weights re-rounded stochastically to their precision after each epoch); DESIGN.md section 3.
// The tag and the u<k> dependency: lava-nc/lava src/lava/magma/core/model/py/connection.py
// (LearningConnectionModelBitApproximate: every rule of the epoch reads the synaptic variables as they were
// before any of them ran, `_extract_applier_args` once before the dw, dd, dt loop; the tag goes through the same
// 16-bit accumulator with 2^-7 fraction and the same stochastic rounding as the weight, then is clipped to its
// width; u = 1 when int(time_step / t_epoch) % 2**k == 0, time_step counted from 1).
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

/**
 * Whether u<k> holds at the end of epoch `epochNumber`, counted from 1 as Lava does (time_step / t_epoch): in
 * epochs 2^k, 2*2^k, ..., so u2 runs at the end of every 4th epoch, the last of each group of four.
 */
export function uHolds(decimateExponent: number, epochNumber: number): boolean {
  return epochNumber % 2 ** decimateExponent === 0;
}

/** Whether a product runs at the end of epoch `epochNumber` (from 1): its spike dependency held, or u<k> holds. */
export function productActive(product: RuleProduct, state: SynapseState, epochNumber: number): boolean {
  if (product.dependency === 'u') return uHolds(product.decimateExponent, epochNumber);
  return state[product.dependency] !== 0;
}

/** One product in accumulator units: mantissa * factors * 2^(exponent + fractionBits), an exact integer. */
export function productValue(product: RuleProduct, state: SynapseState, fractionBits: number): number {
  let value = product.mantissa * 2 ** (product.exponent + fractionBits);
  for (const factor of product.factors) value *= factorValue(factor, state);
  return value;
}

/** The rule's change of one synapse in one epoch, in accumulator units, saturated to the accumulator's width. */
export function accumulate(rule: LearningRule, state: SynapseState, epochNumber: number, fractionBits: number, accumulatorBits: number): number {
  let sum = 0;
  for (const product of rule.products) if (productActive(product, state, epochNumber)) sum += productValue(product, state, fractionBits);
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

/**
 * The tag after an epoch: t + accumulator / 2^fractionBits, rounded stochastically to the tag's integer grid as
 * the weight is, and saturated to the tag's two's-complement range -2^(tagBits-1)..2^(tagBits-1) - 1 (9 bits on
 * Loihi: -256..255; Lava's Python model clips tag_1 to -(2^8) - 1 = -257, one below what 9 bits hold, so the
 * silicon's lower bound is unconfirmed). Draws one number only when the accumulator is not zero.
 */
export function updateTag(tag: number, accumulator: number, fractionBits: number, tagBits: number, random: RandomSource): number {
  if (accumulator === 0) return tag;
  const max = 2 ** (tagBits - 1) - 1;
  const next = tag + stochasticShiftRight(accumulator, fractionBits, random);
  return next > max ? max : next < -max - 1 ? -max - 1 : next;
}
