import type { RandomSource } from '../../chips/fixed-point/prng.js';
import type { SynapseState } from '../../chips/learning/product-series.js';

/** A generator that returns the given 32-bit words in turn: hand-computed stochastic rounding. */
export function draws(...words: number[]): RandomSource {
  let i = 0;
  return {
    nextUint32: () => words[i++ % words.length]! >>> 0,
    nextFloat: () => (words[i++ % words.length]! >>> 0) / 2 ** 32,
  };
}

/** A synapse's learning state, zero but for the given fields. */
export const synapseState = (s: Partial<SynapseState>): SynapseState => ({ x0: 0, y0: 0, x1: 0, x2: 0, y1: 0, y2: 0, y3: 0, w: 0, t: 0, ...s });
