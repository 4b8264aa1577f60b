// Reference: Davies et al., IEEE Micro 2018 (Loihi's learning engine: traces are 7-bit, each spike adds an
// impulse with fractional bits, each step decays them, both rounded stochastically); lava-nc/lava constants.py
// (W_TRACE = 7); DESIGN.md sections 3 and 5 (stochastic rounding from a seeded generator).
import type { RandomSource } from '../fixed-point/prng.js';
import { stochasticShiftRight } from '../fixed-point/stochastic-round.js';

/** Fixed-point trace parameters of one trace (x1, x2, y1 ...). */
export interface TraceParameters {
  /** Added per spike, in units of 2^-impulseFractionalBits of a trace step. */
  readonly impulse: number;
  /** The trace keeps (2^decayBits - decay) / 2^decayBits of itself per step; 0 keeps it all. */
  readonly decay: number;
}

/** Width of a trace decay constant (bits): the same 12-bit form as the neuron's du/dv. Reference: DESIGN.md section 3. */
export const TRACE_DECAY_BITS = 12;

/**
 * One step of a trace: decay, then `spikes` impulses, each rounded stochastically to the trace's integer grid,
 * then saturated to 0..traceMax. Draws nothing where nothing is rounded (a zero trace, no spike), so quiet
 * synapses cost no random numbers; the draws still depend only on the spikes, so a seed fixes the run.
 */
export function stepTrace(value: number, spikes: number, trace: TraceParameters, fractionalBits: number, traceMax: number, random: RandomSource): number {
  let next = value;
  if (next !== 0 && trace.decay !== 0) next = stochasticShiftRight(next * (2 ** TRACE_DECAY_BITS - trace.decay), TRACE_DECAY_BITS, random);
  if (spikes !== 0 && trace.impulse !== 0) next += stochasticShiftRight(trace.impulse * spikes, fractionalBits, random);
  return next > traceMax ? traceMax : next;
}

/** The float trace the fixed-point one approximates: a[t] = lambda*a[t-1] + impulse*spikes, lambda = 1 - decay/2^12. */
export function stepTraceFloat(value: number, spikes: number, trace: TraceParameters, fractionalBits: number): number {
  return value * (1 - trace.decay / 2 ** TRACE_DECAY_BITS) + (trace.impulse * spikes) / 2 ** fractionalBits;
}
