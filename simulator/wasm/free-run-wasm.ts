import { createCounters } from '../counters.js';
import { chargeSynapticOps, type FreeRunResult } from '../free-run.js';
import { decayKeeps, type FusedLifConstants } from '../fused-lif.js';
import type { LayerRuntime, ProgramRuntime } from '../runtime.js';
import { coreSegments, lifBiasFits, WasmArena, wasmKernelsAvailable } from './kernels.js';

/** True when the WebAssembly free run gives the scalar loop's integers: kernels present, biases narrow enough. */
export function wasmFreeRunFits(bias: Int32Array | Float64Array): boolean {
  return wasmKernelsAvailable() && lifBiasFits(bias);
}

/**
 * runRecurrent's loop in WebAssembly: per step, the packed-word delivery of the previous step's spikes and the
 * SIMD LIF update with its refractory period, on copies of the layer's state in one arena. A step whose inputs
 * are too wide for 32-bit lanes runs the scalar kernel on the same arrays. The final state is copied back.
 */
export function runRecurrentWasm(
  runtime: ProgramRuntime,
  layer: LayerRuntime,
  steps: number,
  words: Int32Array,
  bias: Int32Array,
  constantsAt: (t: number) => FusedLifConstants,
): FreeRunResult {
  if (layer.synapses.kind !== 'sparse') throw new Error('runRecurrentWasm needs sparse synapses');
  const n = layer.neurons;
  const cores = runtime.program.cores.length;
  const segments = coreSegments(layer.coreOfNeuron);
  const f = WasmArena.footprint;
  const bytes = 7 * f(4 * n) + f(n) + f(4 * (n + 1)) + f(4 * words.length) + f(4 * segments.length) + 2 * f(4 * cores);
  const arena = new WasmArena(bytes);
  const u = arena.int32(n);
  const v = arena.int32(n);
  const acc = arena.int32(n);
  const biasIn = arena.int32(n);
  const refractory = arena.int32(n);
  const spikeList = arena.int32(n);
  const delivered = arena.int32(n);
  const flags = arena.uint8(n);
  const rowStart = arena.int32(n + 1);
  const packed = arena.int32(words.length);
  const segs = arena.int32(segments.length);
  const coreSpikes = arena.int32(cores);
  const coreInactive = arena.int32(cores);
  if (layer.initialVoltage) v.set(layer.initialVoltage);
  biasIn.set(bias);
  rowStart.set(layer.synapses.rowStart);
  packed.set(words);
  segs.set(segments);
  const kernels = arena.kernels;
  const hold = layer.refractorySteps;
  const accBytes = f(4 * n);
  let previous = 0;
  let spikes = 0;
  let events = 0;
  const started = performance.now();
  for (let t = 0; t < steps; t++) {
    events += kernels.deliverSparse(spikeList.byteOffset, previous, rowStart.byteOffset, packed.byteOffset, acc.byteOffset, accBytes, delivered.byteOffset);
    const k = constantsAt(t);
    const { uKeep, vKeep } = decayKeeps(k);
    const fired = kernels.lifStep(
      u.byteOffset, v.byteOffset, acc.byteOffset, biasIn.byteOffset, n,
      segs.byteOffset, segments.length / 3, coreSpikes.byteOffset, coreInactive.byteOffset,
      flags.byteOffset, spikeList.byteOffset, spikeList.byteOffset, previous,
      uKeep, vKeep, k.threshold, k.subtractive ? 1 : 0, k.left, k.right, k.mask,
      refractory.byteOffset, hold, 0,
    );
    previous = fired;
    spikes += fired;
  }
  const seconds = (performance.now() - started) / 1000;
  layer.u.set(u);
  layer.v.set(v);
  layer.spikes.set(flags);
  layer.spikeList.set(spikeList);
  const counters = createCounters(cores);
  for (let c = 0; c < cores; c++) counters.spikesOut[c] = coreSpikes[c]!;
  chargeSynapticOps(layer, delivered, counters);
  return { steps, neurons: n, spikes, synapticEvents: events, seconds, counters };
}
