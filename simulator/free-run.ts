import { thresholdMantissaAt } from '../chips/loihi2/lif-kernel.js';
import { createCounters, type CoreCounters } from './counters.js';
import { SimulationError } from './errors.js';
import { expandedBias, fusedLifConstants, fusedRefractoryLifStep, type FusedLifConstants } from './fused-lif.js';
import type { LayerRuntime, ProgramRuntime } from './runtime.js';
import { runRecurrentWasm, wasmFreeRunFits } from './wasm/free-run-wasm.js';

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
export function runRecurrent(runtime: ProgramRuntime, steps: number, options: { readonly kernel?: 'wasm' | 'js' } = {}): FreeRunResult {
  const layer = runtime.layers[0];
  if (runtime.layers.length !== 1 || !layer || !layer.recurrent || layer.synapses.kind !== 'sparse') {
    throw new SimulationError(runtime.program.chipName, 'a free run needs a program of one recurrent layer with sparse synapses');
  }
  const packed = packSynapses(layer.synapses.targets, layer.synapses.weights, layer.neurons);
  const bias = expandedBias(layer.biasMantissa, layer.biasExponent, new Int32Array(layer.neurons));
  if ((options.kernel ?? 'wasm') === 'wasm' && packed && wasmFreeRunFits(bias)) {
    return runRecurrentWasm(runtime, layer, steps, packed, bias as Int32Array, (t) => stepConstants(runtime, layer, t));
  }
  const counters = createCounters(runtime.program.cores.length);
  const n = layer.neurons;
  layer.u.fill(0);
  if (layer.initialVoltage) layer.v.set(layer.initialVoltage);
  else layer.v.fill(0);
  layer.spikes.fill(0);
  const refractory = new Int32Array(n);
  const coreSpikes = new Int32Array(runtime.program.cores.length);
  const { rowStart, targets, weights } = layer.synapses;
  // Spikes per source neuron: its synaptic ops per core are the same every time, so they are charged once at the end.
  const delivered = new Float64Array(n);
  const acc = layer.accumulator;
  const spikeList = layer.spikeList;
  const hold = layer.refractorySteps;
  let previous = 0;
  let spikes = 0;
  let events = 0;
  const started = performance.now();
  for (let t = 0; t < steps; t++) {
    acc.fill(0);
    for (let s = 0; s < previous; s++) {
      const neuron = spikeList[s]!;
      delivered[neuron] = delivered[neuron]! + 1;
      const begin = rowStart[neuron]!;
      const end = rowStart[neuron + 1]!;
      events += end - begin;
      if (packed) {
        // Target in the high 24 bits, the int8 weight in the low 8 (sign-extended by the shift pair).
        for (let k = begin; k < end; k++) {
          const word = packed[k]!;
          acc[word >>> 8] = acc[word >>> 8]! + ((word << 24) >> 24);
        }
      } else {
        for (let k = begin; k < end; k++) acc[targets[k]!] = acc[targets[k]!]! + weights[k]!;
      }
    }
    previous = fusedRefractoryLifStep(layer, bias, stepConstants(runtime, layer, t), previous, refractory, hold, coreSpikes);
    spikes += previous;
  }
  const seconds = (performance.now() - started) / 1000;
  for (let c = 0; c < coreSpikes.length; c++) counters.spikesOut[c] = coreSpikes[c]!;
  chargeSynapticOps(layer, delivered, counters);
  return { steps, neurons: n, spikes, synapticEvents: events, seconds, counters };
}

/**
 * Targets and int8 weights in one 32-bit word each (target << 8 | weight & 0xff), as snn.c's packed mode: one
 * load per synapse. Null when a weight needs more than 8 bits or a target more than 24.
 */
export function packSynapses(targets: Int32Array, weights: Int32Array, neurons: number): Int32Array | null {
  if (neurons > 2 ** 24) return null;
  const packed = new Int32Array(targets.length);
  for (let k = 0; k < targets.length; k++) {
    const w = weights[k]!;
    if (w < -128 || w > 127) return null;
    packed[k] = (targets[k]! << 8) | (w & 0xff);
  }
  return packed;
}

/** The datapath constants at step t: Loihi 2 reads its threshold table (held at its last entry), Loihi 1 and Tianjic one threshold and reset to zero. */
function stepConstants(runtime: ProgramRuntime, layer: LayerRuntime, t: number): FusedLifConstants {
  if (runtime.spec.family === 'loihi2') {
    return fusedLifConstants(layer.du, layer.dv, thresholdMantissaAt(layer.thresholds, Math.min(t, layer.thresholds.length - 1)), layer.reset, layer.weightExponent);
  }
  return fusedLifConstants(layer.du, layer.dv, layer.thresholds[0]!, 'zero', layer.weightExponent);
}

export function chargeSynapticOps(layer: LayerRuntime, delivered: ArrayLike<number>, counters: CoreCounters): void {
  for (let axon = 0; axon < delivered.length; axon++) {
    const times = delivered[axon]!;
    if (times === 0) continue;
    for (let j = layer.axonCoreStart[axon]!, end = layer.axonCoreStart[axon + 1]!; j < end; j++) {
      const core = layer.axonCore[j]!;
      counters.synapticOps[core] = counters.synapticOps[core]! + times * layer.axonCoreSynapses[j]!;
    }
  }
}
