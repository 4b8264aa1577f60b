import { stepLoihiLif } from '../chips/loihi/lif-kernel.js';
import { stepLoihi2Lif } from '../chips/loihi2/lif-kernel.js';
import { createCounters, type CoreCounters } from './counters.js';
import { scatter } from './engine.js';
import { SimulationError } from './errors.js';
import type { LayerRuntime, ProgramRuntime } from './runtime.js';

export interface FreeRunResult {
  readonly steps: number;
  readonly neurons: number;
  readonly spikes: number;
  /** Synaptic events: every spike times the synapses of its row. */
  readonly synapticEvents: number;
  /** Time of the step loop alone (network building excluded), as the C baseline measures it. */
  readonly seconds: number;
  readonly counters: CoreCounters;
}

/**
 * A recurrent network with no input (the CUBA benchmark): every step delivers the spikes of the previous step
 * through the layer's own sparse synapses, then runs the chip's integer neuron update with a refractory period.
 * Reference: DESIGN.md section 5; shared/bench/cuba (the network and its baselines).
 */
export function runRecurrent(runtime: ProgramRuntime, steps: number): FreeRunResult {
  const layer = runtime.layers[0];
  if (runtime.layers.length !== 1 || !layer || !layer.recurrent || layer.synapses.kind !== 'sparse') {
    throw new SimulationError(runtime.program.chipName, 'a free run needs a program of one recurrent layer with sparse synapses');
  }
  const counters = createCounters(runtime.program.cores.length);
  const n = layer.neurons;
  layer.u.fill(0);
  if (layer.initialVoltage) layer.v.set(layer.initialVoltage);
  else layer.v.fill(0);
  const refractory = new Int32Array(n);
  const rowStart = layer.synapses.rowStart;
  // Spikes per source neuron: its synaptic ops per core are the same every time, so they are charged once at the end.
  const delivered = new Float64Array(n);
  let previous = 0;
  let spikes = 0;
  let events = 0;
  const started = performance.now();
  for (let t = 0; t < steps; t++) {
    layer.accumulator.fill(0);
    for (let s = 0; s < previous; s++) {
      const neuron = layer.spikeList[s]!;
      delivered[neuron] = delivered[neuron]! + 1;
      events += rowStart[neuron + 1]! - rowStart[neuron]!;
      scatter(layer, neuron, 1);
    }
    previous = update(runtime, layer, t, refractory, counters);
    spikes += previous;
  }
  const seconds = (performance.now() - started) / 1000;
  chargeSynapticOps(layer, delivered, counters);
  return { steps, neurons: n, spikes, synapticEvents: events, seconds, counters };
}

function chargeSynapticOps(layer: LayerRuntime, delivered: Float64Array, counters: CoreCounters): void {
  for (let axon = 0; axon < delivered.length; axon++) {
    const times = delivered[axon]!;
    if (times === 0) continue;
    for (let j = layer.axonCoreStart[axon]!, end = layer.axonCoreStart[axon + 1]!; j < end; j++) {
      const core = layer.axonCore[j]!;
      counters.synapticOps[core] = counters.synapticOps[core]! + times * layer.axonCoreSynapses[j]!;
    }
  }
}

/** The integer update, then the refractory hold (v stays 0 and cannot fire, u evolves): returns the spike count. */
function update(runtime: ProgramRuntime, layer: LayerRuntime, t: number, refractory: Int32Array, counters: CoreCounters): number {
  const acc = layer.accumulator;
  // With exponent 0 the accumulated mantissas are the input as they stand.
  const input = layer.weightExponent === 0 ? acc : layer.input;
  const factor = 2 ** layer.weightExponent;
  if (input !== acc) for (let i = 0; i < layer.neurons; i++) input[i] = layer.weightExponent > 0 ? acc[i]! * factor : Math.floor(acc[i]! * factor);
  const state = { u: layer.u, v: layer.v };
  const bias = { biasMantissa: layer.biasMantissa, biasExponent: layer.biasExponent };
  if (runtime.spec.family === 'loihi2') {
    stepLoihi2Lif({ du: layer.du, dv: layer.dv, thresholdTable: layer.thresholds, resetMode: layer.reset, ...bias }, state, { synaptic: input, graded: null }, Math.min(t, layer.thresholds.length - 1), layer.spikes);
  } else {
    stepLoihiLif({ du: layer.du, dv: layer.dv, vthMantissa: layer.thresholds[0]!, ...bias }, state, input, layer.spikes);
  }
  const hold = layer.refractorySteps;
  let fired = 0;
  for (let i = 0; i < layer.neurons; i++) {
    if (refractory[i]! > 0) {
      refractory[i] = refractory[i]! - 1;
      layer.spikes[i] = 0;
      layer.v[i] = 0;
      continue;
    }
    if (layer.spikes[i] === 1) {
      refractory[i] = hold;
      layer.spikeList[fired++] = i;
      const core = layer.coreOfNeuron[i]!;
      counters.spikesOut[core] = counters.spikesOut[core]! + 1;
    }
  }
  return fired;
}
