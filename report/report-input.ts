import type { ChipProgram } from '../chips/ir/chip-program.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import type { SimulationReport } from '../simulator/report.js';

/** What a report is drawn from: a saved simulation result, the chip it ran on, and (optionally) its program. */
export interface ReportInput {
  readonly result: SimulationReport;
  readonly spec: ChipSpec;
  /** Needed to place cores on the mesh; without it the mesh plot says so. */
  readonly program: ChipProgram | null;
}

/** Neurons of layer `i`: from the result, else from the program's layer shape, else unknown. */
export function layerNeurons(input: ReportInput, i: number): number | null {
  const fromResult = input.result.perLayer[i]?.neurons;
  if (fromResult !== undefined) return fromResult;
  const shape = input.program?.layers[i]?.shape;
  return shape ? shape.reduce((a, b) => a * b, 1) : null;
}

/** Whether layer `i` spikes (an output layer accumulates instead); unknown counts as spiking. */
export function layerSpikes(input: ReportInput, i: number): boolean {
  const fromResult = input.result.perLayer[i]?.spiking;
  if (fromResult !== undefined) return fromResult;
  const kind = input.program?.layers[i]?.kind;
  return kind === undefined || kind === 'LAYER_SPIKING';
}
