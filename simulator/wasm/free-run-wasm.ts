import { createCounters } from '../counters.js';
import { chargeSynapticOps, type FreeRunResult } from '../free-run-parts.js';
import { decayKeeps, type FusedLifConstants } from '../fused-lif.js';
import type { LayerRuntime, ProgramRuntime } from '../runtime.js';
import { CACHE_LINE, coreSegments, instantiateKernels, lifBiasFits, WasmArena, wasmKernelsAvailable, type WasmKernels } from './kernels.js';

/** True when the WebAssembly free run gives the scalar loop's integers: kernels present, biases narrow enough. */
export function wasmFreeRunFits(bias: Int32Array | Float64Array): boolean {
  return wasmKernelsAvailable() && lifBiasFits(bias);
}

/** Datapath constants per step, as lifStep takes them. */
const CONSTANTS = 7;

/** Int32 words between two shares' spike counts: one cache line. */
const COUNT_STRIDE = CACHE_LINE / 4;

/** Where share `share`'s spike count of a step of this parity sits in the counts array. */
export function countIndex(parity: number, share: number, shares: number): number {
  return (parity * shares + share) * COUNT_STRIDE;
}

/** Where one share (a thread's contiguous range of neurons) keeps its own arrays: byte offsets. */
export interface ShareLayout {
  readonly from: number;
  readonly to: number;
  /** Spike lists by step parity (layer-wide indices), so a share may fire while the other still reads. */
  readonly spikeLists: readonly [number, number];
  /** Its part of every synapse row (targets in [from, to)), as row starts and packed words. */
  readonly rowStart: number;
  readonly words: number;
  readonly segments: number;
  readonly segmentCount: number;
  readonly delivered: number;
  readonly coreSpikes: number;
  readonly coreInactive: number;
}

/** Everything a share needs to run, in numbers: it crosses to a worker thread with the shared memory. */
export interface FreeRunLayout {
  readonly neurons: number;
  /** True when the accumulator holds int16 sums (every target's incoming |weights| sum below 2^15). */
  readonly acc16: boolean;
  readonly steps: number;
  readonly hold: number;
  readonly cores: number;
  readonly u: number;
  readonly v: number;
  readonly acc: number;
  readonly bias: number;
  readonly refractory: number;
  readonly flags: number;
  /** Int32 [steps][CONSTANTS]: uKeep, vKeep, threshold, subtractive, left, right, mask. */
  readonly constants: number;
  /** Int32 [2][shares] (COUNT_STRIDE apart, see countIndex): how many each share fired, by step parity. */
  readonly counts: number;
  /** Int32 [2]: the barrier's arrivals and generation. */
  readonly barrier: number;
  readonly shares: readonly ShareLayout[];
}

export interface FreeRunMemory {
  readonly memory: WebAssembly.Memory;
  readonly layout: FreeRunLayout;
  readonly arena: WasmArena;
}

/**
 * Lays a recurrent sparse layer out in one shared memory, split into `shares` contiguous ranges of neurons (each a
 * multiple of 4 lanes but the last): every synapse row is split by target range, so each share only ever writes its
 * own accumulator range and needs no lock; the only exchange is the spike lists, read after a barrier per step.
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
  for (let k = 1; k < shares; k++) bounds.push(Math.min(n, 4 * Math.round((n * k) / shares / 4)));
  bounds.push(n);
  const rowStart = layer.synapses.rowStart;
  // Per share, its part of each row: the words whose target falls in its range, in row order.
  const parts = bounds.slice(0, -1).map((from, k) => {
    const to = bounds[k + 1]!;
    const starts = new Int32Array(n + 1);
    const kept: number[] = [];
    for (let row = 0; row < n; row++) {
      starts[row] = kept.length;
      for (let j = rowStart[row]!; j < rowStart[row + 1]!; j++) {
        const target = words[j]! >>> 8;
        if (target >= from && target < to) kept.push(words[j]!);
      }
    }
    starts[n] = kept.length;
    return { from, to, starts, words: Int32Array.from(kept), segments: coreSegments(layer.coreOfNeuron.subarray(from, to)) };
  });
  const acc16 = incomingWeightsFit16(words, n);
  const f = WasmArena.footprint;
  let bytes = 5 * f(4 * n) + f(n) + f(4 * CONSTANTS * steps) + 2 * shares * 2 * CACHE_LINE + 3 * CACHE_LINE;
  for (const p of parts) bytes += 2 * f(4 * n) + f(4 * (n + 1)) + f(4 * p.words.length) + f(4 * p.segments.length) + f(4 * n) + 2 * f(4 * cores);
  const arena = new WasmArena(bytes);
  const u = arena.int32(n);
  const v = arena.int32(n);
  const acc = acc16 ? arena.int16(n) : arena.int32(n);
  const biasIn = arena.int32(n);
  const refractory = arena.int32(n);
  const flags = arena.uint8(n);
  const constants = arena.int32(CONSTANTS * steps);
  // Each share's counts on lines of their own, the barrier on its own: two threads never write one line.
  const counts = arena.int32OwnLines(2 * shares * COUNT_STRIDE);
  const barrier = arena.int32OwnLines(2);
  if (layer.initialVoltage) v.set(layer.initialVoltage);
  biasIn.set(bias);
  for (let t = 0; t < steps; t++) {
    const k = constantsAt(t);
    const { uKeep, vKeep } = decayKeeps(k);
    constants.set([uKeep, vKeep, k.threshold, k.subtractive ? 1 : 0, k.left, k.right, k.mask], t * CONSTANTS);
  }
  const shareLayouts = parts.map((p): ShareLayout => {
    const lists = [arena.int32(n), arena.int32(n)] as const;
    const starts = arena.int32(n + 1);
    starts.set(p.starts);
    const packed = arena.int32(p.words.length);
    packed.set(p.words);
    const segments = arena.int32(p.segments.length);
    segments.set(p.segments);
    return {
      from: p.from,
      to: p.to,
      spikeLists: [lists[0].byteOffset, lists[1].byteOffset],
      rowStart: starts.byteOffset,
      words: packed.byteOffset,
      segments: segments.byteOffset,
      segmentCount: p.segments.length / 3,
      delivered: arena.int32(n).byteOffset,
      coreSpikes: arena.int32(cores).byteOffset,
      coreInactive: arena.int32(cores).byteOffset,
    };
  });
  return {
    memory: arena.sharedMemory,
    arena,
    layout: {
      neurons: n,
      acc16,
      steps,
      hold: layer.refractorySteps,
      cores,
      u: u.byteOffset,
      v: v.byteOffset,
      acc: acc.byteOffset,
      bias: biasIn.byteOffset,
      refractory: refractory.byteOffset,
      flags: flags.byteOffset,
      constants: constants.byteOffset,
      counts: counts.byteOffset,
      barrier: barrier.byteOffset,
      shares: shareLayouts,
    },
  };
}

/**
 * True when an int16 accumulator holds every step's sums exactly: each source fires at most once a step, so a
 * target's sum is bounded by the sum of |weight| over its incoming synapses.
 */
export function incomingWeightsFit16(words: Int32Array, neurons: number): boolean {
  const bound = new Int32Array(neurons);
  for (const w of words) bound[w >>> 8] = bound[w >>> 8]! + Math.abs((w << 24) >> 24);
  for (const b of bound) if (b >= 2 ** 15) return false;
  return true;
}

/**
 * One share's step loop: deliver every share's spikes of the previous step into its own accumulator range (packed
 * words, as snn.c's packed mode), then the SIMD LIF update of its neurons with the refractory period.
 */
export class FreeRunShare {
  /** Synaptic events this share delivered (its part of every row). */
  events = 0;
  private readonly kernels: WasmKernels;
  private readonly counts: Int32Array;
  private readonly constants: Int32Array;
  private readonly accRange: Int32Array | Int16Array;
  private readonly me: ShareLayout;

  constructor(
    memory: WebAssembly.Memory,
    private readonly layout: FreeRunLayout,
    private readonly share: number,
  ) {
    this.kernels = instantiateKernels(memory);
    this.me = layout.shares[share]!;
    this.counts = new Int32Array(memory.buffer, layout.counts, 2 * layout.shares.length * COUNT_STRIDE);
    this.constants = new Int32Array(memory.buffer, layout.constants, CONSTANTS * layout.steps);
    const size = this.me.to - this.me.from;
    this.accRange = layout.acc16 ? new Int16Array(memory.buffer, layout.acc + 2 * this.me.from, size) : new Int32Array(memory.buffer, layout.acc + 4 * this.me.from, size);
  }

  step(t: number): void {
    const L = this.layout;
    const me = this.me;
    const shares = L.shares.length;
    const now = t & 1;
    const before = now ^ 1;
    this.accRange.fill(0);
    if (t > 0) {
      for (let j = 0; j < shares; j++) {
        const count = this.counts[countIndex(before, j, shares)]!;
        const list = L.shares[j]!.spikeLists[before]!;
        this.events += L.acc16
          ? this.kernels.deliverSparse16(list, count, me.rowStart, me.words, L.acc, 0, me.delivered)
          : this.kernels.deliverSparse(list, count, me.rowStart, me.words, L.acc, 0, me.delivered);
      }
    }
    const c = t * CONSTANTS;
    const k = this.constants;
    const offset = 4 * me.from;
    this.counts[countIndex(now, this.share, shares)] = this.kernels.lifStep(
      L.u + offset, L.v + offset, L.acc + (L.acc16 ? 2 * me.from : offset), L.bias + offset, me.to - me.from,
      me.segments, me.segmentCount, me.coreSpikes, me.coreInactive,
      L.flags, me.spikeLists[now]!, me.spikeLists[before]!, t > 0 ? this.counts[countIndex(before, this.share, shares)]! : 0,
      k[c]!, k[c + 1]!, k[c + 2]!, k[c + 3]!, k[c + 4]!, k[c + 5]!, k[c + 6]!,
      L.refractory + offset, L.hold, me.from, L.acc16 ? 1 : 0,
    );
  }

  /** Spikes this share fired at step t (valid until step t + 2 overwrites it). */
  fired(t: number): number {
    return this.counts[countIndex(t & 1, this.share, this.layout.shares.length)]!;
  }
}

/** Every share in this thread, one after the other each step: the same integers as threads meeting at a barrier. */
export function runSharesInline(run: FreeRunMemory): { spikes: number; events: number; seconds: number } {
  const shares = run.layout.shares.map((_, k) => new FreeRunShare(run.memory, run.layout, k));
  let spikes = 0;
  const started = performance.now();
  for (let t = 0; t < run.layout.steps; t++) {
    for (const share of shares) share.step(t);
    for (const share of shares) spikes += share.fired(t);
  }
  const seconds = (performance.now() - started) / 1000;
  return { spikes, events: shares.reduce((sum, s) => sum + s.events, 0), seconds };
}

/** The free run's result from its memory after the last step; the layer's u, v and flags get the final state. */
export function finishFreeRun(run: FreeRunMemory, layer: LayerRuntime, totals: { spikes: number; events: number; seconds: number }): FreeRunResult {
  const { layout, memory } = run;
  const n = layout.neurons;
  layer.u.set(new Int32Array(memory.buffer, layout.u, n));
  layer.v.set(new Int32Array(memory.buffer, layout.v, n));
  layer.spikes.set(new Uint8Array(memory.buffer, layout.flags, n));
  const counters = createCounters(layout.cores);
  const delivered = new Int32Array(memory.buffer, layout.shares[0]!.delivered, n);
  for (const share of layout.shares) {
    const coreSpikes = new Int32Array(memory.buffer, share.coreSpikes, layout.cores);
    for (let c = 0; c < layout.cores; c++) counters.spikesOut[c] = counters.spikesOut[c]! + coreSpikes[c]!;
  }
  chargeSynapticOps(layer, delivered, counters);
  return { steps: layout.steps, neurons: n, spikes: totals.spikes, synapticEvents: totals.events, seconds: totals.seconds, counters };
}
