import { createCounters } from '../counters.js';
import { chargeSynapticOps, type FreeRunResult } from '../free-run-parts.js';
import { decayKeeps, type FusedLifConstants } from '../fused-lif.js';
import type { LayerRuntime, ProgramRuntime } from '../runtime.js';
import { CACHE_LINE, coreSegments, instantiateKernels, lifBiasFits, TRUSTED_BOUNDS, WasmArena, wasmKernelsAvailable, type WasmKernels } from './kernels.js';

/** True when the WebAssembly free run gives the scalar loop's integers: kernels present, biases narrow enough. */
export function wasmFreeRunFits(bias: Int32Array | Float64Array): boolean {
  return wasmKernelsAvailable() && lifBiasFits(bias);
}

/** Datapath constants per step, as lifStep takes them. */
const CONSTANTS = 7;

/** Int32 words between two shares' progress counters: one cache line each. */
export const PROGRESS_STRIDE = CACHE_LINE / 4;

/** Share boundaries fall on multiples of this many neurons: one 16-byte vector of int16 sums never spans two shares. */
const SHARE_ALIGN = 8;

/** Where one share (a thread's contiguous range of neurons) keeps its own arrays: byte offsets. */
export interface ShareLayout {
  readonly from: number;
  readonly to: number;
  /** Its record in the header (kernels.wat, freeRunSteps): these offsets, then its running totals. */
  readonly record: number;
  /** Its spikes of the current step (layer-wide indices). */
  readonly spikeList: number;
  /** Its private accumulators over the whole layer, by step parity: the sums its own spikes send. */
  readonly acc: readonly [number, number];
  readonly segments: number;
  readonly segmentCount: number;
  /** Spikes delivered per source neuron (its own sources only). */
  readonly delivered: number;
  readonly coreSpikes: number;
  readonly coreInactive: number;
}

/** Everything a share needs to run, in numbers: it crosses to a worker thread with the shared memory. */
export interface FreeRunLayout {
  /** The header freeRunSteps reads (kernels.wat gives its words): the numbers below, in memory. */
  readonly header: number;
  readonly neurons: number;
  /** True when the accumulators hold int16 sums (every target's incoming |weights| sum below 2^15). */
  readonly acc16: boolean;
  readonly steps: number;
  readonly hold: number;
  readonly cores: number;
  readonly u: number;
  readonly v: number;
  readonly bias: number;
  readonly refractory: number;
  readonly flags: number;
  readonly rowStart: number;
  readonly words: number;
  /** Int32 [steps][CONSTANTS]: uKeep, vKeep, threshold, subtractive, left, right, mask. */
  readonly constants: number;
  /** Int32 [shares] (PROGRESS_STRIDE apart): how many steps each share has finished, delivery included. */
  readonly progress: number;
  /** Int32: how many threads sleep waiting on a progress word (a publisher wakes them only then). */
  readonly sleepers: number;
  readonly shares: readonly ShareLayout[];
}

/** Bytes of one share's record in the header; its running totals start at RECORD_TOTALS (a cache line of their own). */
const RECORD_BYTES = 128;
const RECORD_TOTALS = 64;
/** Byte offsets of a record's fields, as kernels.wat reads them. */
export const RECORD_FIELD = { delivered: 28, spikes: RECORD_TOTALS + 4, events: RECORD_TOTALS + 8 } as const;
const HEADER_WORDS = 17;

export interface FreeRunMemory {
  readonly memory: WebAssembly.Memory;
  readonly layout: FreeRunLayout;
  readonly arena: WasmArena;
}

/**
 * True when an int16 accumulator holds every step's sums exactly: each source fires at most once a step, so a
 * target's sum (and any part of it from a subset of the sources) is bounded by the sum of |weight| over its
 * incoming synapses.
 */
export function incomingWeightsFit16(words: Int32Array, neurons: number): boolean {
  return largestIncomingSum(words, neurons) < 2 ** 15;
}

/** The largest sum of |weight| over one target's incoming synapses: no step's sum reaches past it. */
function largestIncomingSum(words: Int32Array, neurons: number): number {
  const bound = new Float64Array(neurons);
  for (const w of words) bound[w >>> 8] = bound[w >>> 8]! + Math.abs((w << 24) >> 24);
  let largest = 0;
  for (const b of bound) largest = Math.max(largest, b);
  return largest;
}

/**
 * True when lifStep may take the whole run on its promise (TRUSTED_BOUNDS): the initial voltages, the biases and every
 * step's threshold are inside the bounds, and so is every step's input, the largest incoming sum shifted by the
 * step's weight exponent (no 32-bit overflow in the shift).
 */
function runStaysTrusted(layer: LayerRuntime, bias: Int32Array, largestSum: number, steps: readonly FusedLifConstants[]): boolean {
  const b = TRUSTED_BOUNDS;
  // u starts at zero (the arena's), v at the layer's initial voltage or zero.
  if (layer.initialVoltage && !layer.initialVoltage.every((v) => Math.abs(v) < b.v)) return false;
  if (!bias.every((x) => Math.abs(x) < b.bias)) return false;
  return steps.every((k) => {
    if (Math.abs(k.threshold) >= b.threshold) return false;
    if (k.mask === 0) return true;
    const shifted = largestSum * 2 ** k.left;
    return shifted < 2 ** 31 && Math.ceil(shifted / 2 ** k.right) <= b.input;
  });
}

/**
 * Lays a recurrent sparse layer out in one shared memory, split into `shares` contiguous ranges of neurons. Each
 * share updates its own neurons and delivers its own spikes, whole rows, into accumulators of its own (one per step
 * parity); before its update, a share adds the other shares' accumulators over its range into its own and clears
 * them. So no two threads ever write the same word, and the only wait is for the others to have delivered the
 * previous step.
 */
export function layOutFreeRun(
  runtime: ProgramRuntime,
  layer: LayerRuntime,
  steps: number,
  words: Int32Array,
  bias: Int32Array,
  constantsAt: (t: number) => FusedLifConstants,
  shares: number,
): FreeRunMemory {
  if (layer.synapses.kind !== 'sparse') throw new Error('a free run needs sparse synapses');
  const n = layer.neurons;
  const cores = runtime.program.cores.length;
  const bounds = [0];
  for (let k = 1; k < shares; k++) bounds.push(Math.min(n, SHARE_ALIGN * Math.round((n * k) / shares / SHARE_ALIGN)));
  bounds.push(n);
  const largestSum = largestIncomingSum(words, n);
  const acc16 = largestSum < 2 ** 15;
  const accBytes = acc16 ? 2 : 4;
  const segments = bounds.slice(0, -1).map((from, k) => coreSegments(layer.coreOfNeuron.subarray(from, bounds[k + 1]!)));
  const f = WasmArena.footprint;
  let bytes = 5 * f(4 * n) + f(n) + f(4 * (n + 1)) + f(4 * words.length) + f(4 * CONSTANTS * steps) + (shares + 10) * CACHE_LINE;
  bytes += f(4 * HEADER_WORDS) + shares * RECORD_BYTES;
  for (const s of segments) bytes += 2 * f(accBytes * n) + 2 * f(4 * n) + f(4 * s.length) + 2 * f(4 * cores);
  const arena = new WasmArena(bytes);
  const u = arena.int32(n);
  const v = arena.int32(n);
  const biasIn = arena.int32(n);
  const refractory = arena.int32(n);
  const flags = arena.uint8(n);
  const rowStart = arena.int32(n + 1);
  const packed = arena.int32(words.length);
  const constants = arena.int32(CONSTANTS * steps);
  const progress = arena.int32OwnLines(shares * PROGRESS_STRIDE);
  const sleepers = arena.int32OwnLines(1);
  const header = arena.int32OwnLines(HEADER_WORDS);
  const records = arena.int32OwnLines((shares * RECORD_BYTES) / 4);
  if (layer.initialVoltage) v.set(layer.initialVoltage);
  biasIn.set(bias);
  rowStart.set(layer.synapses.rowStart);
  packed.set(words);
  const stepConstants = Array.from({ length: steps }, (_, t) => constantsAt(t));
  for (let t = 0; t < steps; t++) {
    const k = stepConstants[t]!;
    const { uKeep, vKeep } = decayKeeps(k);
    constants.set([uKeep, vKeep, k.threshold, k.subtractive ? 1 : 0, k.left, k.right, k.mask], t * CONSTANTS);
  }
  const accumulator = () => (acc16 ? arena.int16(n) : arena.int32(n)).byteOffset;
  const shareLayouts = segments.map((s, k): ShareLayout => {
    const table = arena.int32(s.length);
    table.set(s);
    return {
      from: bounds[k]!,
      to: bounds[k + 1]!,
      record: records.byteOffset + k * RECORD_BYTES,
      spikeList: arena.int32(n).byteOffset,
      acc: [accumulator(), accumulator()],
      segments: table.byteOffset,
      segmentCount: s.length / 3,
      delivered: arena.int32(n).byteOffset,
      coreSpikes: arena.int32(cores).byteOffset,
      coreInactive: arena.int32(cores).byteOffset,
    };
  });
  const layout: FreeRunLayout = {
      header: header.byteOffset,
      neurons: n,
      acc16,
      steps,
      hold: layer.refractorySteps,
      cores,
      u: u.byteOffset,
      v: v.byteOffset,
      bias: biasIn.byteOffset,
      refractory: refractory.byteOffset,
      flags: flags.byteOffset,
      rowStart: rowStart.byteOffset,
      words: packed.byteOffset,
      constants: constants.byteOffset,
      progress: progress.byteOffset,
      sleepers: sleepers.byteOffset,
      shares: shareLayouts,
  };
  header.set([
    n, acc16 ? 1 : 0, steps, layer.refractorySteps, shares, layout.u, layout.v, layout.bias, layout.refractory, layout.flags,
    layout.rowStart, layout.words, layout.constants, layout.progress, layout.sleepers, records.byteOffset,
    runStaysTrusted(layer, bias, largestSum, stepConstants) ? 1 : 0,
  ]);
  for (const share of shareLayouts) {
    new Int32Array(arena.sharedMemory.buffer, share.record, RECORD_TOTALS / 4).set([
      share.from, share.to, share.spikeList, share.acc[0], share.acc[1], share.segments, share.segmentCount,
      share.delivered, share.coreSpikes, share.coreInactive,
    ]);
  }
  return { memory: arena.sharedMemory, arena, layout };
}

/**
 * One share's steps (kernels.wat, freeRunSteps): gather the other shares' sums over its range into its own
 * accumulator, the SIMD LIF update of its neurons with the refractory period, then the delivery of its spikes
 * through their whole rows (packed words, as snn.c's packed mode) into its accumulator of the next parity; before
 * each step it waits for the others' previous one, after it publishes its own. A whole run is one call, so no
 * JavaScript runs between steps.
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
