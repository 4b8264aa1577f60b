import { align16, ReferenceArena } from '../arena.js';
import type { Accumulation, Conv2dGeometry, ConvTaps } from './conv2d.js';
import type { ConvExports } from './reference-wasm.js';

/** Bytes of weight rows (16 float32 output channels each) one chunk of input channels may span: most of an L1 cache. */
const CHUNK_BYTES = 32 * 1024;
/** Output channels the kernel sums at once (conv2d.wat's eight float64x2 or four float32x4 accumulators). */
const BLOCK = 16;
/** Bytes of one output position's partial sums between chunks: a block of float64 accumulators at most. */
const PARTIAL_BYTES = 8 * BLOCK;

/** How one conv layer's arrays are sized: every count the layout below needs. */
function convSizes(g: Conv2dGeometry, taps: ConvTaps) {
  const inPlane = g.inHeight * g.inWidth;
  const outPlane = g.outHeight * g.outWidth;
  const taps2d = g.kernelHeight * g.kernelWidth;
  const paddedChannels = Math.ceil(g.outChannels / BLOCK) * BLOCK;
  const weightRows = g.inChannels * taps2d;
  // As few chunks as fit, of equal size (a last chunk of a few channels would cost its positions' overhead for little).
  const chunks = Math.ceil(g.inChannels / Math.max(1, Math.floor(CHUNK_BYTES / (taps2d * 4 * BLOCK))));
  const chunkChannels = Math.ceil(g.inChannels / chunks);
  // Each nonzero input adds one entry per tap: at most every input channel times every (position, tap) pair.
  const entries = g.inChannels * taps.outBase.length;
  const pairs = taps.outBase.length;
  return { inPlane, outPlane, taps2d, paddedChannels, weightRows, chunkChannels, chunks, entries, pairs };
}

/** The arrays of one conv layer, in the order the constructor takes them from the arena: [count, bytes per value]. */
function convArrays(g: Conv2dGeometry, taps: ConvTaps, hasBias: boolean): readonly (readonly [number, number])[] {
  const z = convSizes(g, taps);
  return [
    [z.weightRows * z.paddedChannels, 4],
    [hasBias ? z.paddedChannels : 0, 4],
    [z.chunks * z.outPlane + 1, 4],
    [z.chunks * z.outPlane, 4],
    [z.entries, 4],
    [z.entries, 4],
    [z.outPlane * PARTIAL_BYTES, 1],
    [z.inPlane + 1, 4],
    [z.pairs, 4],
    [z.pairs, 4],
    [g.inChannels * z.inPlane, 4],
    [g.inChannels, 4],
    [z.chunks * z.inPlane, 4],
  ];
}

/**
 * One conv layer of the float reference in WebAssembly: its weights (float32, in conv2d.wat's blocks of 16 output
 * channels, padded with zeros), taps and per-sample lists in a ReferenceArena, and conv2d.wat's kernels over them:
 * the floats of conv2d.ts's conv2dSample (float64 sums) or conv2dSampleFloat32 (float32 sums), computed
 * output-stationary. For each sample, conv2dList lists every output position's nonzero inputs in conv2dSample's
 * order (input channel, then input position), cut into chunks of input channels whose rows stay in L1; then the
 * gather sums their weight rows in registers, 16 output channels at a time, and writes the real channels.
 */
export class WasmConv2d {
  private readonly conv: ConvExports;
  private readonly gather: ConvExports['conv2dGather'];
  private readonly at: {
    weights: number;
    bias: number;
    rowStart: number;
    cursor: number;
    rows: number;
    values: number;
    partial: number;
    start: number;
    tapPosition: number;
    tapByte: number;
    nonzero: number;
    channelEnd: number;
    perInput: number;
  };
  private readonly sizes: ReturnType<typeof convSizes>;
  /** Bytes of one block's weights, of one input channel's rows within a block, and of one sample's output. */
  private readonly blockStride: number;
  private readonly channelBytes: number;
  private readonly outputBytes: number;

  /** Arena bytes a layer of this geometry takes. */
  static bytes(g: Conv2dGeometry, taps: ConvTaps, hasBias: boolean): number {
    return convArrays(g, taps, hasBias).reduce((sum, [count, size]) => sum + align16(count * size), 0);
  }

  /** A layer from its weight [Cout, Cin, kH, kW], its arrays taken from `arena` (which planned WasmConv2d.bytes). */
  constructor(
    arena: ReferenceArena,
    weight: Float32Array,
    taps: ConvTaps,
    bias: Float32Array | null,
    private readonly g: Conv2dGeometry,
    accumulation: Accumulation,
  ) {
    const z = convSizes(g, taps);
    const [weights, biasAt, rowStart, cursor, rows, values, partial, start, tapPosition, tapByte, nonzero, channelEnd, perInput] = convArrays(g, taps, bias !== null).map(
      ([count, size]) => arena.take(count * size),
    ) as [number, number, number, number, number, number, number, number, number, number, number, number, number];
    const buffer = arena.memory.buffer;
    blockWeightsInto(weight, z.weightRows, g.outChannels, new Float32Array(buffer, weights, z.weightRows * z.paddedChannels));
    if (bias) new Float32Array(buffer, biasAt, bias.length).set(bias);
    new Int32Array(buffer, start, z.inPlane + 1).set(taps.start);
    const positions = new Int32Array(buffer, tapPosition, z.pairs);
    const rowBytes = new Int32Array(buffer, tapByte, z.pairs);
    for (let j = 0; j < z.pairs; j++) {
      positions[j] = taps.outBase[j]! / g.outChannels;
      rowBytes[j] = (taps.tapBase[j]! / g.outChannels) * 4 * BLOCK;
    }
    this.at = { weights, bias: bias ? biasAt : 0, rowStart, cursor, rows, values, partial, start, tapPosition, tapByte, nonzero, channelEnd, perInput };
    this.sizes = z;
    this.blockStride = z.weightRows * 4 * BLOCK;
    this.channelBytes = z.taps2d * 4 * BLOCK;
    this.outputBytes = 4 * g.outChannels * z.outPlane;
    this.conv = arena.kernels.conv;
    this.gather = accumulation === 'float32' ? this.conv.conv2dGatherFloat32 : this.conv.conv2dGather;
  }

  /** The sample at byte `input` of the arena ([Cin][H][W]) into byte `output` ([Cout][H'][W']). */
  runAt(input: number, output: number): void {
    const { at, sizes: z, g } = this;
    const binary = this.conv.conv2dList(
      input,
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
      at.rowStart,
      at.cursor,
      at.rows,
      at.values,
      at.nonzero,
      at.channelEnd,
      at.perInput,
    );
    this.gather(
      at.weights,
      at.bias,
      at.rowStart,
      at.rows,
      at.values,
      output,
      z.outPlane,
      z.paddedChannels,
      binary,
      z.chunks,
      at.partial,
      this.blockStride,
      output + this.outputBytes,
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
  const arena = ReferenceArena.create(WasmConv2d.bytes(g, taps, bias !== null) + align16(4 * inSize) + align16(4 * outSize));
  if (!arena) return null;
  const conv = new WasmConv2d(arena, weight, taps, bias, g, accumulation);
  const input = arena.floats(inSize);
  const output = arena.floats(outSize);
  return {
    run(from, inOffset, to, outOffset) {
      input.set(from.subarray(inOffset, inOffset + inSize));
      conv.runAt(input.byteOffset, output.byteOffset);
      to.set(output, outOffset);
    },
  };
}

/**
 * A weight [Cout, Cin, kH, kW] (rows: input channel, then kernel tap) into blocks of 16 output channels,
 * [block][row][16], channels past the last real one left zero: the rows of one block are contiguous (conv2d.wat).
 */
function blockWeightsInto(weight: Float32Array, rows: number, outChannels: number, into: Float32Array): void {
  for (let co = 0; co < outChannels; co++) {
    const base = Math.floor(co / BLOCK) * rows * BLOCK + (co % BLOCK);
    const from = co * rows;
    for (let row = 0; row < rows; row++) into[base + row * BLOCK] = weight[from + row]!;
  }
}
