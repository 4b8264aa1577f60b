// Reference: DESIGN.md section 3 (the chips' neuron datapaths); chips/loihi/lif-kernel.ts and
// chips/loihi2/lif-kernel.ts, which fused-lif.ts and the WASM kernel compute bit for bit.
import { LOIHI_NUMBER_FORMAT } from '../chips/loihi/spec.js';
import type { BiasFormat, ChipSpec, NumberFormat, ResetMode } from '../chips/spec/chip-spec.js';
import { fusedLifConstants, type FusedLifConstants } from './fused-lif.js';
import type { LayerRuntime } from './runtime.js';
import { SimulationError } from './errors.js';

/**
 * The neuron datapath the simulator runs for a chip, chosen once from its spec's data, never from its name: a
 * threshold table read per step where the chip has one, a layer's reset where the chip has that mode.
 */
export interface Datapath {
  /** Whether a layer follows its per-step threshold table (held at its last entry past the end); else its first entry. */
  readonly thresholdSchedule: boolean;
  /** Reset modes the neurons have; a layer whose mode the chip lacks resets the chip's first way, as the hardware would. */
  readonly resetModes: readonly ResetMode[];
  /** The bias format the host writes a first layer's current in: the chip's, or Loihi's where unpublished (as the compiler assumes). */
  readonly bias: BiasFormat;
  /** Left shift of a threshold mantissa before v is compared with it (bits): the chip's, or Loihi's where unpublished. */
  readonly thresholdShift: number;
}

/**
 * The number formats the fused loops and the WASM kernel implement: Loihi's CUBA datapath (24-bit u wrapping,
 * 24-bit v saturating, 12-bit decays with Lava's offsets, input and threshold shifts of 6, the spike test v > th).
 */
const KERNEL_FORMAT: NumberFormat = LOIHI_NUMBER_FORMAT;

/**
 * The datapath of `spec`, or a SimulationError naming the first spec field whose published value the kernels do
 * not compute. A field the spec leaves unpublished (null) runs as Loihi's; the compiler's W-UNCONFIRMED says so.
 */
export function chooseDatapath(spec: ChipSpec, file: string): Datapath {
  const f = spec.numberFormat;
  const k = KERNEL_FORMAT;
  const fields: [string, unknown, unknown][] = [
    ['numberFormat.current.bits', f.current.bits, k.current.bits],
    ['numberFormat.current.overflow', f.current.overflow, k.current.overflow],
    ['numberFormat.voltage.bits', f.voltage.bits, k.voltage.bits],
    ['numberFormat.voltage.overflow', f.voltage.overflow, k.voltage.overflow],
    ['numberFormat.decay.bits', f.decay?.bits, k.decay!.bits],
    ['numberFormat.decay.currentDecayOffset', f.decay?.currentDecayOffset, k.decay!.currentDecayOffset],
    ['numberFormat.decay.voltageDecayOffset', f.decay?.voltageDecayOffset, k.decay!.voltageDecayOffset],
    ['numberFormat.threshold.shift', f.threshold.shift, k.threshold.shift],
    ['numberFormat.inputShift', f.inputShift, k.inputShift],
    ['neuron.spikeCondition', spec.neuron.spikeCondition, 'greater'],
  ];
  for (const [path, value, kernel] of fields) {
    if (value !== null && value !== undefined && value !== kernel) {
      throw new SimulationError(
        file,
        `chip spec ${spec.name}: ${path} is ${String(value)}; the simulator's neuron datapath computes ${String(kernel)} (Loihi's CUBA LIF), so it cannot run this chip bit for bit`,
      );
    }
  }
  const thresholdBits = f.threshold.mantissaBits;
  if (thresholdBits !== null && thresholdBits > k.threshold.mantissaBits!) {
    throw new SimulationError(
      file,
      `chip spec ${spec.name}: numberFormat.threshold.mantissaBits is ${thresholdBits}; the simulator's neuron datapath holds at most ${k.threshold.mantissaBits} (Loihi's CUBA LIF)`,
    );
  }
  return { thresholdSchedule: spec.neuron.thresholdSchedule, resetModes: spec.neuron.resetModes, bias: f.bias ?? k.bias!, thresholdShift: f.threshold.shift ?? k.threshold.shift! };
}

/** The datapath constants of a layer at its local step t; a non-spiking layer accumulates (no spike test). */
export function layerConstants(datapath: Datapath, layer: LayerRuntime, t: number): FusedLifConstants {
  if (!layer.spiking) return fusedLifConstants(layer.du, layer.dv, null, 'zero', layer.weightExponent);
  const table = layer.thresholds;
  const threshold = datapath.thresholdSchedule ? table[Math.min(t, table.length - 1)]! : table[0]!;
  const reset = datapath.resetModes.includes(layer.reset) ? layer.reset : datapath.resetModes[0]!;
  return fusedLifConstants(layer.du, layer.dv, threshold, reset, layer.weightExponent);
}
