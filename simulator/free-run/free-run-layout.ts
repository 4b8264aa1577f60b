import { decayKeeps, type FusedLifConstants } from '../fused-lif.js';
import type { LayerRuntime, ProgramRuntime } from '../runtime.js';
import { CACHE_LINE, coreSegments, TRUSTED_BOUNDS, WasmArena } from '../wasm/kernels.js';

/** Datapath constants per step, as lifStep takes them. */
const CONSTANTS = 7;

/** Int32 words between two shares' progress counters: one cache line each. */
export const PROGRESS_STRIDE = CACHE_LINE / 4;

/**
 * Share boundaries fall on multiples of this many neurons: no cache line of the int16 or int32 per-neuron arrays
 * (and no 16-byte vector) spans two shares, so two threads never write one line.
 */
const SHARE_ALIGN = 32;

/** Where one share (a thread's contiguous range of neurons) keeps its own arrays: byte offsets. */
export interface ShareLayout {
  readonly from: number;
  readonly to: number;
  /** Its record in the header (kernels.wat, freeRunSteps): these offsets, then its running totals. */
  readonly record: number;
  /** Its part of every synapse row, the synapses onto its own neurons: row starts (n + 1) and packed words. */
  readonly rowStart: number;
  readonly words: number;
  /** Its spikes (layer-wide indices) by step parity: the others read step t - 1's while it fires step t's. */
  readonly spikeLists: readonly [number, number];
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
  /** True when the accumulator holds int16 sums (every target's incoming |weights| sum below 2^15). */
  readonly acc16: boolean;
  readonly steps: number;
  readonly hold: number;
  readonly cores: number;
  readonly u: number;
  readonly v: number;
  /** The layer's accumulator: each share adds into and reads its own range only. */
  readonly acc: number;
  readonly bias: number;
  readonly refractory: number;
  readonly flags: number;
  /** Int32 [steps][CONSTANTS]: uKeep, vKeep, threshold, subtractive, left, right, mask. */
  readonly constants: number;
  /** Int32 [shares] (PROGRESS_STRIDE apart): how many steps each share has finished (its spike list published). */
  readonly progress: number;
  /** Int32: how many threads sleep waiting on a progress word (a publisher wakes them only then). */
  readonly sleepers: number;
  readonly shares: readonly ShareLayout[];
}

/**
 * Bytes of one share's record in the header; its running totals start at RECORD_TOTALS (a cache line of their own),
 * lifStep's scratch at 256.
 */
const RECORD_BYTES = 512;
const RECORD_TOTALS = 64;
/** Byte offsets of a record's fields, as kernels.wat reads them. */
export const RECORD_FIELD = { delivered: 32, spikes: RECORD_TOTALS + 8, events: RECORD_TOTALS + 16 } as const;
const HEADER_WORDS = 16;

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
 * Each share's part of every row: the packed words whose target lies in its range, in row order, with their row
 * starts. Integer sums do not depend on the order of their terms, so the parts give the whole rows' sums.
 */
function splitRows(rowStart: Int32Array, words: Int32Array, bounds: readonly number[]): { rowStart: Int32Array; words: Int32Array }[] {
  const n = rowStart.length - 1;
  const shares = bounds.length - 1;
  const shareOf = (word: number) => {
    let k = 0;
    while (word >>> 8 >= bounds[k + 1]!) k++;
    return k;
  };
  const sizes = new Int32Array(shares);
  for (const word of words) sizes[shareOf(word)]!++;
  const parts = Array.from(sizes, (size) => ({ rowStart: new Int32Array(n + 1), words: new Int32Array(size) }));
  const filled = new Int32Array(shares);
  for (let row = 0; row < n; row++) {
    for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
      const share = shareOf(words[k]!);
      parts[share]!.words[filled[share]!++] = words[k]!;
    }
    for (let share = 0; share < shares; share++) parts[share]!.rowStart[row + 1] = filled[share]!;
  }
  return parts;
}

/**
 * Lays a recurrent sparse layer out in one shared memory, split into `shares` contiguous ranges of neurons. Each
 * share owns its neurons' state, its range of the accumulator and its part of every synapse row (the synapses onto
 * its neurons): a step delivers every share's spikes of the previous step through its own parts of their rows,
 * then updates its neurons. So no two threads ever write the same line, and the only data that crosses between
 * them are the spike lists.
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
  const parts = splitRows(layer.synapses.rowStart, words, bounds);
  const segments = bounds.slice(0, -1).map((from, k) => coreSegments(layer.coreOfNeuron.subarray(from, bounds[k + 1]!)));
  const f = WasmArena.footprint;
  // Every array on lines of its own takes up to two lines more than its footprint: 9 of the layer's, 6 per share.
  let bytes = 5 * f(4 * n) + f(n) + f(4 * CONSTANTS * steps) + shares * PROGRESS_STRIDE * 4 + f(4 * HEADER_WORDS) + shares * RECORD_BYTES;
  bytes += 2 * (9 + 6 * shares) * CACHE_LINE + CACHE_LINE;
  for (const [k, s] of segments.entries()) {
    bytes += f(4 * (n + 1)) + f(4 * parts[k]!.words.length) + 3 * f(4 * n) + f(4 * s.length) + 2 * f(4 * cores);
  }
  const arena = new WasmArena(bytes);
  // Per-neuron arrays start on a cache line, so the share boundaries (SHARE_ALIGN) split no line.
  const u = arena.int32OwnLines(n);
  const v = arena.int32OwnLines(n);
  const biasIn = arena.int32OwnLines(n);
  const refractory = arena.int32OwnLines(n);
  // int16 sums are read four lanes (8 bytes) at a time: padded to whole vectors as every arena array.
  const acc = arena.int32OwnLines(acc16 ? 4 * Math.ceil(n / 8) : n);
  const flags = arena.uint8(n);
  const constants = arena.int32(CONSTANTS * steps);
  const progress = arena.int32OwnLines(shares * PROGRESS_STRIDE);
  const sleepers = arena.int32OwnLines(1);
  const header = arena.int32OwnLines(HEADER_WORDS);
  const records = arena.int32OwnLines((shares * RECORD_BYTES) / 4);
  if (layer.initialVoltage) v.set(layer.initialVoltage);
  biasIn.set(bias);
  const stepConstants = Array.from({ length: steps }, (_, t) => constantsAt(t));
  for (let t = 0; t < steps; t++) {
    const k = stepConstants[t]!;
    const { uKeep, vKeep } = decayKeeps(k);
    constants.set([uKeep, vKeep, k.threshold, k.subtractive ? 1 : 0, k.left, k.right, k.mask], t * CONSTANTS);
  }
  const copy = (values: Int32Array) => {
    const array = arena.int32OwnLines(values.length);
    array.set(values);
    return array.byteOffset;
  };
  const shareLayouts = segments.map((s, k): ShareLayout => ({
    from: bounds[k]!,
    to: bounds[k + 1]!,
    record: records.byteOffset + k * RECORD_BYTES,
    rowStart: copy(parts[k]!.rowStart),
    words: copy(parts[k]!.words),
    spikeLists: [arena.int32(n).byteOffset, arena.int32(n).byteOffset],
    segments: copy(s),
    segmentCount: s.length / 3,
    delivered: arena.int32OwnLines(n).byteOffset,
    coreSpikes: arena.int32OwnLines(cores).byteOffset,
    coreInactive: arena.int32OwnLines(cores).byteOffset,
  }));
  const layout: FreeRunLayout = {
    header: header.byteOffset,
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
    progress: progress.byteOffset,
    sleepers: sleepers.byteOffset,
    shares: shareLayouts,
  };
  header.set([
    n,
    acc16 ? 1 : 0,
    steps,
    layer.refractorySteps,
    shares,
    layout.u,
    layout.v,
    layout.bias,
    layout.refractory,
    layout.flags,
    layout.acc,
    runStaysTrusted(layer, bias, largestSum, stepConstants) ? 1 : 0,
    layout.constants,
    layout.progress,
    layout.sleepers,
    records.byteOffset,
  ]);
  for (const share of shareLayouts) {
    new Int32Array(arena.sharedMemory.buffer, share.record, RECORD_TOTALS / 4).set([
      share.from,
      share.to,
      share.rowStart,
      share.words,
      share.spikeLists[0],
      share.spikeLists[1],
      share.segments,
      share.segmentCount,
      share.delivered,
      share.coreSpikes,
      share.coreInactive,
    ]);
  }
  return { memory: arena.sharedMemory, arena, layout };
}
