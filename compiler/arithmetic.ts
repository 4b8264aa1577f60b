import { LOIHI_NUMBER_FORMAT } from '../chips/loihi/spec.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import type { ChipArithmetic, InputPlacement } from './stages.js';

/**
 * The integer formats the quantizer targets. Where a spec leaves a format unpublished (null), Loihi's datapath
 * is assumed and listed in `assumed`, so that a W-UNCONFIRMED diagnostic says what the result rests on.
 */
export function chipArithmetic(spec: ChipSpec): ChipArithmetic {
  const f = spec.numberFormat;
  const loihi = LOIHI_NUMBER_FORMAT;
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
    inputShift: take(f.inputShift, 'numberFormat.inputShift', loihi.inputShift!),
    stateBits: Math.min(take(f.voltage.bits, 'numberFormat.voltage.bits', loihi.voltage.bits!), take(f.current.bits, 'numberFormat.current.bits', loihi.current.bits!)),
    decayBits: take(f.decay?.bits, 'numberFormat.decay.bits', loihi.decay!.bits),
    currentDecayOffset: take(f.decay?.currentDecayOffset, 'numberFormat.decay.currentDecayOffset', loihi.decay!.currentDecayOffset),
    thresholdBits: take(f.threshold.mantissaBits, 'numberFormat.threshold.mantissaBits', loihi.threshold.mantissaBits!),
    thresholdShift: take(f.threshold.shift, 'numberFormat.threshold.shift', loihi.threshold.shift!),
    biasBits: take(f.bias?.mantissaBits, 'numberFormat.bias.mantissaBits', loihi.bias!.mantissaBits),
    biasExponentMax: take(f.bias?.exponentMax, 'numberFormat.bias.exponentMax', loihi.bias!.exponentMax),
    assumed,
  };
}

/** Graded spikes carry the 8-bit pixel where the chip has them; else an ANN-mode core; else the host. */
export function inputPlacement(spec: ChipSpec): InputPlacement {
  if (spec.neuron.gradedSpikes && spec.neuron.gradedSpikePayloadBits >= 8) return 'graded';
  if (spec.neuron.annModeCores) return 'ann-core';
  return 'host';
}
