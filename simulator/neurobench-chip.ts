import type { SimulationReport } from './report.js';

/**
 * NeuroBench's workload metrics counted on the chip's own events, per inference, to set beside what NeuroBench
 * counts on the float model: the cores integrate only the synapses of spikes that arrived (and of the input), and
 * skip neurons with nothing to do, so these are the operations the chip performs.
 */
export interface ChipNeuroBench {
  /** The simulator's synaptic operations: one per (arriving spike or input value, synapse) pair, all integer adds. */
  readonly synapticOperations: number;
  /** Neuron updates the cores perform with work to do (input or potential non-zero), over all steps. */
  readonly membraneUpdates: number;
  /** Steps a spiking layer's neurons did not fire over all its neuron-steps (T steps per layer). */
  readonly activationSparsity: number;
}

export function chipNeuroBench(report: SimulationReport): ChipNeuroBench {
  const n = Math.max(1, report.samples);
  const active = report.counts.totals.neuronUpdatesActive.reduce((a, b) => a + b, 0);
  let spikes = 0;
  let outputs = 0;
  for (const layer of report.perLayer) {
    if (!layer.spiking || layer.neurons === undefined) continue;
    spikes += layer.spikes;
    outputs += layer.neurons * report.counts.timesteps;
  }
  return {
    synapticOperations: report.synapticOpsPerInference,
    membraneUpdates: active / n,
    activationSparsity: outputs === 0 ? 0 : (outputs - spikes) / outputs,
  };
}
