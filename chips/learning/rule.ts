// Reference: lava-nc/lava src/lava/magma/core/learning (string_symbols.py, product_series.py, constants.py): the
// sum-of-products form of Loihi's learning rules; DESIGN.md sections 3 and 5.
/**
 * A parsed learning rule: `dw = sum over products of  scale * dependency * factor * factor ...`, where
 * scale = mantissa * 2^exponent; `dt = ...` changes the synaptic tag the same way. A product contributes only in
 * an epoch where its dependency held: `x0` (the synapse's input axon spiked), `y0` (its neuron spiked) or `u<k>`
 * (unconditionally, in the epochs whose number, counted from 1, is a multiple of 2^k).
 */

/** Spike dependencies: a product is evaluated only in epochs where it held. */
export type Dependency = 'x0' | 'y0' | 'u';

/**
 * Values a factor can read. x0/y0: 1 when the pre/post neuron spiked in the epoch; x1, x2: pre-synaptic traces
 * (per axon); y1: post-synaptic trace; y2: the third factor (signed, written by the learning neuron from the
 * error it receives as graded spikes); y3: the post factor (the surrogate from the neuron's look-up table);
 * w: the synapse's weight mantissa; t: the synapse's tag (both as they were before this epoch's rules ran).
 */
export type RuleVariable = 'x0' | 'y0' | 'x1' | 'x2' | 'y1' | 'y2' | 'y3' | 'w' | 't';
export const RULE_VARIABLES: readonly RuleVariable[] = ['x0', 'y0', 'x1', 'x2', 'y1', 'y2', 'y3', 'w', 't'];

/** What a rule changes: the weight (`dw`) or the tag (`dt`). Lava's third target, the delay `dd`, is not modelled. */
export type RuleTarget = 'dw' | 'dt';

/** One factor `(variable + constant)`; a plain variable has constant 0; `sgn(w + C)`, `sgn(t + C)` read the sign only. */
export interface RuleFactor {
  readonly variable: RuleVariable;
  readonly constant: number;
  readonly sign: boolean;
}

export interface RuleProduct {
  readonly dependency: Dependency;
  /** For a `u<k>` dependency: the product runs every 2^k-th epoch; 0 otherwise. */
  readonly decimateExponent: number;
  /** Scale = mantissa * 2^exponent, mantissa signed within the chip's scale mantissa width. */
  readonly mantissa: number;
  readonly exponent: number;
  readonly factors: readonly RuleFactor[];
}

export interface LearningRule {
  /** The synaptic variable it changes. */
  readonly target: RuleTarget;
  readonly products: readonly RuleProduct[];
  /** The text it was parsed from. */
  readonly text: string;
}

/** The chip's limits on a rule's form (from its spec's learning engine). */
export interface RuleLimits {
  /** Trace names the chip has (x1, x2, y1, y2, y3 on Loihi). */
  readonly traces: readonly string[];
  /** Scale mantissa width, sign included (bits): mantissa in [-2^(b-1), 2^(b-1) - 1]. */
  readonly scaleMantissaBits: number;
  readonly scaleExponentMin: number;
  readonly scaleExponentMax: number;
  /** Width of an additive constant inside a factor, sign included (bits). */
  readonly constantBits: number;
  /** Width of the synaptic tag, sign included (bits); 0: the chip has no tag, so no `dt` rule and no `t` factor. */
  readonly tagBits: number;
}

/** Whether a rule reads the tag `t` in some factor. */
export function readsTag(rule: LearningRule): boolean {
  return rule.products.some((p) => p.factors.some((f) => f.variable === 't'));
}

/** Prints a parsed rule in the grammar it was read from (normalised: one scale per product). */
export function formatRule(rule: LearningRule): string {
  const terms = rule.products.map((p, i) => {
    const dependency = p.dependency === 'u' ? `u${p.decimateExponent}` : p.dependency;
    const magnitude = Math.abs(p.mantissa);
    const scale = `${magnitude === 1 ? '' : `${magnitude}*`}2^${p.exponent}`;
    const factors = p.factors.map((f) => {
      const inner = f.constant === 0 ? f.variable : `${f.variable}${f.constant > 0 ? '+' : '-'}${Math.abs(f.constant)}`;
      return f.sign ? `sgn(${inner})` : f.constant === 0 ? inner : `(${inner})`;
    });
    const sign = p.mantissa < 0 ? '-' : i === 0 ? '' : '+';
    return `${i === 0 ? sign : ` ${sign} `}${[scale, dependency, ...factors].join('*')}`;
  });
  return `${rule.target} = ${terms.join('')}`;
}
