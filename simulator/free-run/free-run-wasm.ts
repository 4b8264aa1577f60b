import { createCounters } from '../counters.js';
import { chargeSynapticOps, type FreeRunResult } from './free-run-parts.js';
import type { LayerRuntime } from '../runtime.js';
import { RECORD_FIELD, type FreeRunLayout, type FreeRunMemory } from './free-run-layout.js';
import { instantiateKernels, lifBiasFits, wasmKernelsAvailable, type WasmKernels } from '../wasm/kernels.js';

/** True when the WebAssembly free run gives the scalar loop's integers: kernels present, biases narrow enough. */
export function wasmFreeRunFits(bias: Int32Array | Float64Array): boolean {
  return wasmKernelsAvailable() && lifBiasFits(bias);
}

/**
 * One share's steps (kernels.wat, freeRunSteps): the delivery of every share's spikes of the previous step through
 * its own parts of their rows (packed words, as snn.c's packed mode) into its range of the accumulator, then the
 * SIMD LIF update of its neurons with the refractory period; before each step it waits for the others' previous
 * one, after it publishes its own. A whole run is one call, so no JavaScript runs between steps.
 */
export class FreeRunShare {
  private readonly kernels: WasmKernels;
  private readonly totals: DataView;

  constructor(
    memory: WebAssembly.Memory,
    private readonly layout: FreeRunLayout,
    private readonly share: number,
    module?: WebAssembly.Module,
  ) {
    this.kernels = instantiateKernels(memory, module);
    this.totals = new DataView(memory.buffer, layout.shares[share]!.record);
  }

  /** Runs steps [first, last): the other shares must reach them too (in their threads, or inline one step at a time). */
  run(first: number, last: number): void {
    this.kernels.freeRunSteps(this.layout.header, this.share, first, last);
  }

  /** Synaptic events and spikes of this share's own neurons so far. */
  get events(): number {
    return Number(this.totals.getBigInt64(RECORD_FIELD.events, true));
  }

  get spikes(): number {
    return this.totals.getInt32(RECORD_FIELD.spikes, true);
  }
}

/** Every share in this thread, one after the other each step: the same integers as threads in step with each other. */
export function runSharesInline(run: FreeRunMemory): { spikes: number; events: number; seconds: number } {
  const shares = run.layout.shares.map((_, k) => new FreeRunShare(run.memory, run.layout, k));
  const started = performance.now();
  if (shares.length === 1) shares[0]!.run(0, run.layout.steps);
  else for (let t = 0; t < run.layout.steps; t++) for (const share of shares) share.run(t, t + 1);
  const seconds = (performance.now() - started) / 1000;
  return {
    spikes: shares.reduce((sum, s) => sum + s.spikes, 0),
    events: shares.reduce((sum, s) => sum + s.events, 0),
    seconds,
  };
}

/** The free run's result from its memory after the last step; the layer's u, v and flags get the final state. */
export function finishFreeRun(run: FreeRunMemory, layer: LayerRuntime, totals: { spikes: number; events: number; seconds: number }): FreeRunResult {
  const { layout, memory } = run;
  const n = layout.neurons;
  layer.u.set(new Int32Array(memory.buffer, layout.u, n));
  layer.v.set(new Int32Array(memory.buffer, layout.v, n));
  layer.spikes.set(new Uint8Array(memory.buffer, layout.flags, n));
  const counters = createCounters(layout.cores);
  // Each share counted the deliveries of its own sources: the sum covers every source once.
  const delivered = new Float64Array(n);
  for (const share of layout.shares) {
    const coreSpikes = new Int32Array(memory.buffer, share.coreSpikes, layout.cores);
    for (let c = 0; c < layout.cores; c++) counters.spikesOut[c] = counters.spikesOut[c]! + coreSpikes[c]!;
    const mine = new Int32Array(memory.buffer, share.delivered, n);
    for (let i = 0; i < n; i++) delivered[i] = delivered[i]! + mine[i]!;
  }
  chargeSynapticOps(layer, delivered, counters);
  return { steps: layout.steps, neurons: n, spikes: totals.spikes, synapticEvents: totals.events, seconds: totals.seconds, counters };
}
