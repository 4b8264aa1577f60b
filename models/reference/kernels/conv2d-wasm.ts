import { align16, ReferenceArena } from '../arena.js';
import type { Accumulation, Conv2dGeometry, ConvTaps } from './conv2d.js';
import type { ConvExports } from './reference-wasm.js';

/** Bytes of weight rows (a block of output channels each) one chunk of input channels may span: about an L1 cache. */
const CHUNK_BYTES = 48 * 1024;
/**
 * Up to this many bytes a layer's rows stay one chunk: measured, one chunk of 55 KB (64 input channels, 3 x 3) beat
 * two that fit L1, as every output position then keeps its sums in registers instead of storing them between chunks.
 */
const ONE_CHUNK_BYTES = 64 * 1024;
/**
 * Output channels per block of weights: conv2d.wat's float32 gather sums 24 at a time (six float32x4 accumulators),
 * its float64 one 8 at a time over blocks of 16 (four float64x2 accumulators, two passes).
 */
const BLOCK: Record<Accumulation, number> = { float32: 24, float64: 16 };
/** Bytes of one output position's partial sums between chunks: one pass's accumulators at most. */
const PARTIAL_BYTES = 96;

/** How one conv layer's arrays are sized: every count the layout below needs. */
function convSizes(g: Conv2dGeometry, taps: ConvTaps, accumulation: Accumulation) {
  const block = BLOCK[accumulation];
  const inPlane = g.inHeight * g.inWidth;
  const outPlane = g.outHeight * g.outWidth;
  const taps2d = g.kernelHeight * g.kernelWidth;
  const paddedChannels = Math.ceil(g.outChannels / block) * block;
  const weightRows = g.inChannels * taps2d;
  // As few chunks as fit, of equal size (a last chunk of a few channels would cost its positions' overhead for little).
  const rowBytes = taps2d * 4 * block;
  const chunks = g.inChannels * rowBytes <= ONE_CHUNK_BYTES ? 1 : Math.ceil(g.inChannels / Math.max(1, Math.floor(CHUNK_BYTES / rowBytes)));
  const chunkChannels = Math.ceil(g.inChannels / chunks);
  // Each nonzero input adds one entry per tap: at most every input channel times every (position, tap) pair.
  const entries = g.inChannels * taps.outBase.length;
  const pairs = taps.outBase.length;
  return { block, inPlane, outPlane, taps2d, paddedChannels, weightRows, chunkChannels, chunks, entries, pairs };
}

/** The arrays of one conv layer, placed in the arena in this order: [count, bytes per value] each. */
function convArrays(g: Conv2dGeometry, taps: ConvTaps, hasBias: boolean, accumulation: Accumulation, samples: number) {
  const z = convSizes(g, taps, accumulation);
  const array = (count: number, bytes = 4): readonly [number, number] => [count, bytes];
  return {
    weights: array(z.weightRows * z.paddedChannels),
    bias: array(hasBias ? z.paddedChannels : 0),
    rowStart: array(samples * (z.chunks * z.outPlane + 1)),
    cursor: array(z.chunks * z.outPlane),
    rows: array(samples * z.entries),
    values: array(samples * z.entries),
    partial: array(samples * z.outPlane * PARTIAL_BYTES, 1),
    start: array(z.inPlane + 1),
    tapPosition: array(z.pairs),
    tapByte: array(z.pairs),
    // Pass 1 writes every position and counts the nonzero ones: the last write may fall one past the last nonzero.
    nonzero: array(g.inChannels * z.inPlane + 4),
    channelEnd: array(g.inChannels),
    perInput: array(z.chunks * z.inPlane),
    binary: array(samples),
  };
}

/** Byte offsets of a layer's arrays in its arena. */
type ConvOffsets = Record<keyof ReturnType<typeof convArrays>, number>;

/**
 * One conv layer of the float reference in WebAssembly: its weights (float32, in conv2d.wat's blocks of 24 (float32
 * sums) or 16 (float64 sums) output channels, padded with zeros), taps and per-sample lists in a ReferenceArena, and
 * conv2d.wat's kernels over them: the floats of conv2d.ts's conv2dSample with float64 or
 * float32 sums, computed output-stationary. For each sample, conv2dList lists every output position's nonzero
 * inputs in conv2dSample's order (input channel, then input position), cut into chunks of input channels whose rows
 * stay in L1; then the gather sums their weight rows in registers, a block of output channels at a time, for a few
 * samples at once, and writes the real channels.
 */
export class WasmConv2d {
  private readonly conv: ConvExports;
  private readonly gather: ConvExports['conv2dGather'];
  /** Offsets of the layer's arrays; `bias` is 0 for none. */
  private readonly at: ConvOffsets;
  private readonly sizes: ReturnType<typeof convSizes>;
  /** Bytes of one block's weights, of one input channel's rows within a block, and of one sample's output. */
  private readonly blockStride: number;
  private readonly channelBytes: number;
  private readonly outputBytes: number;
  /** Whether each sample of the current call is spikes only (conv2dList's answer), as the gather reads them. */
  private readonly binary: Int32Array;

  /** Arena bytes a layer of this geometry takes with room for `samples` samples per call. */
  static bytes(g: Conv2dGeometry, taps: ConvTaps, hasBias: boolean, accumulation: Accumulation, samples: number): number {
    return Object.values(convArrays(g, taps, hasBias, accumulation, samples)).reduce((sum, [count, size]) => sum + align16(count * size), 0);
  }

  /** A layer from its weight [Cout, Cin, kH, kW], its arrays taken from `arena` (which planned WasmConv2d.bytes). */
  constructor(
    arena: ReferenceArena,
    weight: Float32Array,
    taps: ConvTaps,
    bias: Float32Array | null,
    private readonly g: Conv2dGeometry,
    accumulation: Accumulation,
    /** Samples one call of runAt may take (their lists side by side, summed chunk by chunk). */
    samples: number,
  ) {
    const z = convSizes(g, taps, accumulation);
    const arrays = convArrays(g, taps, bias !== null, accumulation, samples);
    const at = Object.fromEntries(Object.entries(arrays).map(([name, [count, size]]) => [name, arena.take(count * size)])) as ConvOffsets;
    const buffer = arena.memory.buffer;
    blockWeightsInto(weight, z.weightRows, g.outChannels, z.block, new Float32Array(buffer, at.weights, z.weightRows * z.paddedChannels));
    if (bias) new Float32Array(buffer, at.bias, bias.length).set(bias);
    new Int32Array(buffer, at.start, z.inPlane + 1).set(taps.start);
    const positions = new Int32Array(buffer, at.tapPosition, z.pairs);
    const rowBytes = new Int32Array(buffer, at.tapByte, z.pairs);
    for (let j = 0; j < z.pairs; j++) {
      positions[j] = taps.outBase[j]! / g.outChannels;
      rowBytes[j] = (taps.tapBase[j]! / g.outChannels) * 4 * z.block;
    }
    this.at = { ...at, bias: bias ? at.bias : 0 };
    this.binary = new Int32Array(buffer, at.binary, samples);
    this.sizes = z;
    this.blockStride = z.weightRows * 4 * z.block;
    this.channelBytes = z.taps2d * 4 * z.block;
    this.outputBytes = 4 * g.outChannels * z.outPlane;
    this.conv = arena.kernels.conv;
    this.gather = accumulation === 'float32' ? this.conv.conv2dGatherFloat32 : this.conv.conv2dGather;
  }

  /**
   * `count` samples (at most the constructor's `samples`): sample s at byte input + s * inStride of the arena
   * ([Cin][H][W]) into byte output + s * outStride ([Cout][H'][W']). Each sample's lists are made first; then the
   * gather takes each chunk of each block of weights once for all of them, so rows that fall out of the caches
   * between layers are fetched once per call rather than once per sample.
   */
  runAt(input: number, inStride: number, output: number, outStride: number, count: number): void {
    const { at, sizes: z, g } = this;
    const rowStartStride = 4 * (z.chunks * z.outPlane + 1);
    const entryStride = 4 * z.entries;
    for (let s = 0; s < count; s++) {
      this.binary[s] = this.conv.conv2dList(
        input + s * inStride,
        g.inChannels,
        z.inPlane,
        z.outPlane,
        z.chunkChannels,
        z.chunks,
        at.start,
        at.tapPosition,
        at.tapByte,
        at.weights,
        this.channelBytes,
        at.rowStart + s * rowStartStride,
        at.cursor,
        at.rows + s * entryStride,
        at.values + s * entryStride,
        at.nonzero,
        at.channelEnd,
        at.perInput,
      );
    }
    this.gather(
      at.weights,
      at.bias,
      at.rowStart,
      at.rows,
      at.values,
      output,
      z.outPlane,
      z.paddedChannels,
      at.binary,
      z.chunks,
      at.partial,
      this.blockStride,
      output + this.outputBytes,
      count,
      rowStartStride,
      entryStride,
      outStride,
      z.outPlane * PARTIAL_BYTES,
    );
  }
}

/** A conv layer in an arena of its own, for arrays outside any arena: each sample is copied in and its output out. */
export interface StandaloneConv2d {
  run(input: Float32Array, inOffset: number, output: Float32Array, outOffset: number): void;
}

/** WasmConv2d for one layer alone, or null where WebAssembly SIMD is not available. */
export function standaloneConv2d(weight: Float32Array, taps: ConvTaps, bias: Float32Array | null, g: Conv2dGeometry, accumulation: Accumulation): StandaloneConv2d | null {
  const inSize = g.inChannels * g.inHeight * g.inWidth;
  const outSize = g.outChannels * g.outHeight * g.outWidth;
  const arena = ReferenceArena.create(WasmConv2d.bytes(g, taps, bias !== null, accumulation, 1) + align16(4 * inSize) + align16(4 * outSize));
  if (!arena) return null;
  const conv = new WasmConv2d(arena, weight, taps, bias, g, accumulation, 1);
  const input = arena.floats(inSize);
  const output = arena.floats(outSize);
  return {
    run(from, inOffset, to, outOffset) {
      input.set(from.subarray(inOffset, inOffset + inSize));
      conv.runAt(input.byteOffset, 0, output.byteOffset, 0, 1);
      to.set(output, outOffset);
    },
  };
}

/**
 * A weight [Cout, Cin, kH, kW] (rows: input channel, then kernel tap) into blocks of `block` output channels,
 * [block][row][block], channels past the last real one left zero: the rows of one block are contiguous (conv2d.wat).
 */
function blockWeightsInto(weight: Float32Array, rows: number, outChannels: number, block: number, into: Float32Array): void {
  for (let co = 0; co < outChannels; co++) {
    const base = Math.floor(co / block) * rows * block + (co % block);
    const from = co * rows;
    for (let row = 0; row < rows; row++) into[base + row * block] = weight[from + row]!;
  }
}
