import { createCounters } from '../counters.js';
import { layerConstants } from '../datapath.js';
import { SimulationError } from '../errors.js';
import { expandedBias, fusedRefractoryLifStep } from '../fused-lif.js';
import { chargeSynapticOps, packSynapses, type FreeRunResult } from './free-run-parts.js';
import type { LayerRuntime, ProgramRuntime } from '../runtime.js';
import { layOutFreeRun, type FreeRunMemory } from './free-run-layout.js';
import { finishFreeRun, runSharesInline, wasmFreeRunFits } from './free-run-wasm.js';
import { runSharesInThreads } from './free-run-threads.js';
import { machinePace, SharePacer } from './share-pacer.js';

export type { FreeRunResult } from './free-run-parts.js';

/**
 * A recurrent network with no input (the CUBA benchmark): every step delivers the spikes of the previous step
 * through the layer's own sparse synapses, then runs the chip's integer neuron update with a refractory period.
 * Reference: DESIGN.md section 5; bench/cuba (the network and its baselines).
 */
export function runRecurrent(runtime: ProgramRuntime, steps: number, options: { readonly kernel?: 'wasm' | 'js'; readonly shares?: number } = {}): FreeRunResult {
  const layer = recurrentLayer(runtime);
  const wasm = (options.kernel ?? 'wasm') === 'wasm' ? wasmLayout(runtime, layer, steps, options.shares ?? 1) : null;
  if (wasm) return finishFreeRun(wasm, layer, runSharesInline(wasm));
  return runRecurrentScalar(runtime, layer, steps);
}

/**
 * The same free run split over `threads` threads (one share of the neurons each, meeting at a barrier every step):
 * the same integers as runRecurrent. One thread, or no WebAssembly, or running from the TypeScript sources (no
 * compiled worker), runs runRecurrent; so does a run that this process's earlier runs of the network say is
 * faster in one thread (another program holds a core: SharePacer, PaceMemory), until threads are due for a trial.
 */
export async function runRecurrentThreaded(runtime: ProgramRuntime, steps: number, threads: number): Promise<FreeRunResult> {
  const layer = recurrentLayer(runtime);
  const canFork = import.meta.url.endsWith('.js');
  // What this process's earlier runs of this network found: threads, or one thread while another program takes a core.
  const synapses = layer.synapses.kind === 'sparse' ? layer.synapses.weights.length : 0;
  const pace = machinePace(`${layer.u.length} neurons, ${synapses} synapses, ${threads} threads`);
  if (pace.prefersOneThread()) {
    const result = runRecurrent(runtime, steps);
    pace.ranOneThread(steps, result.seconds);
    return result;
  }
  const wasm = threads > 1 && canFork ? wasmLayout(runtime, layer, steps, threads) : null;
  if (!wasm) return runRecurrent(runtime, steps);
  return finishFreeRun(wasm, layer, await runSharesInThreads(wasm, new SharePacer(pace)));
}

function recurrentLayer(runtime: ProgramRuntime): LayerRuntime {
  const layer = runtime.layers[0];
  if (runtime.layers.length !== 1 || !layer || !layer.recurrent || layer.synapses.kind !== 'sparse') {
    throw new SimulationError(runtime.program.chipName, 'a free run needs a program of one recurrent layer with sparse synapses');
  }
  return layer;
}

/** The layer in shared WebAssembly memory, or null where the kernels cannot take it (wide weights or biases). */
function wasmLayout(runtime: ProgramRuntime, layer: LayerRuntime, steps: number, shares: number): FreeRunMemory | null {
  if (layer.synapses.kind !== 'sparse') return null;
  const packed = packSynapses(layer.synapses.targets, layer.synapses.weights, layer.neurons);
  const bias = expandedBias(layer.biasMantissa, layer.biasExponent, new Int32Array(layer.neurons));
  if (!packed || !wasmFreeRunFits(bias)) return null;
  return layOutFreeRun(runtime, layer, steps, packed, bias as Int32Array, (t) => layerConstants(runtime.datapath, layer, t), shares);
}

/** The scalar TypeScript loop: the specification the WebAssembly run is pinned to. */
function runRecurrentScalar(runtime: ProgramRuntime, layer: LayerRuntime, steps: number): FreeRunResult {
  if (layer.synapses.kind !== 'sparse') throw new SimulationError(runtime.program.chipName, 'a free run needs sparse synapses');
  const packed = packSynapses(layer.synapses.targets, layer.synapses.weights, layer.neurons);
  const bias = expandedBias(layer.biasMantissa, layer.biasExponent, new Int32Array(layer.neurons));
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
    previous = fusedRefractoryLifStep(layer, bias, layerConstants(runtime.datapath, layer, t), previous, refractory, hold, coreSpikes);
    spikes += previous;
  }
  const seconds = (performance.now() - started) / 1000;
  for (let c = 0; c < coreSpikes.length; c++) counters.spikesOut[c] = coreSpikes[c]!;
  chargeSynapticOps(layer, delivered, counters);
  return { steps, neurons: n, spikes, synapticEvents: events, seconds, counters };
}
