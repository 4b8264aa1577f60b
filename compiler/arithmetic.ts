import type { ChipSpec } from '../chips/spec/chip-spec.js';
import type { ChipArithmetic, InputPlacement } from './stages.js';

/**
 * The integer formats the quantizer targets. Where a spec leaves a format unpublished (null), Loihi's datapath
 * is assumed and listed in `assumed`, so that a W-UNCONFIRMED diagnostic says what the result rests on.
 */
export function chipArithmetic(spec: ChipSpec): ChipArithmetic {
  const f = spec.numberFormat;
  const assumed: string[] = [];
  const take = (value: number | null | undefined, path: string, fallback: number): number => {
    if (value !== null && value !== undefined) return value;
    assumed.push(`${path}=${fallback}`);
    return fallback;
  };
  return {
    weightBits: f.weight.mantissaBits,
    weightExponentMin: f.weight.exponentMin,
    weightExponentMax: f.weight.exponentMax,
    inputShift: take(f.inputShift, 'numberFormat.inputShift', 6),
    stateBits: Math.min(take(f.voltage.bits, 'numberFormat.voltage.bits', 24), take(f.current.bits, 'numberFormat.current.bits', 24)),
    decayBits: take(f.decay?.bits, 'numberFormat.decay.bits', 12),
    currentDecayOffset: take(f.decay?.currentDecayOffset, 'numberFormat.decay.currentDecayOffset', 1),
    thresholdBits: take(f.threshold.mantissaBits, 'numberFormat.threshold.mantissaBits', 17),
    thresholdShift: take(f.threshold.shift, 'numberFormat.threshold.shift', 6),
    biasBits: take(f.bias?.mantissaBits, 'numberFormat.bias.mantissaBits', 13),
    biasExponentMax: take(f.bias?.exponentMax, 'numberFormat.bias.exponentMax', 7),
    assumed,
  };
}

/** Graded spikes carry the 8-bit pixel where the chip has them; else an ANN-mode core; else the host. */
export function inputPlacement(spec: ChipSpec): InputPlacement {
  if (spec.neuron.gradedSpikes && spec.neuron.gradedSpikePayloadBits >= 8) return 'graded';
  if (spec.neuron.annModeCores) return 'ann-core';
  return 'host';
}
