import { CONV2D_WASM_BASE64 } from './conv2d-binary.js';
import { reorderConvWeightsInto, type Conv2dGeometry, type ConvTaps } from './conv2d.js';

interface Conv2dExports {
  conv2dGather(
    weights: number,
    bias: number,
    rowStart: number,
    rows: number,
    values: number,
    output: number,
    outPlane: number,
    outChannels: number,
    binary: number,
    chunks: number,
    partial: number,
  ): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled conv2d.wat, or null where this runtime has no WebAssembly SIMD or SPIKECHIP_NO_WASM=1 asks for none. */
function conv2dModule(): WebAssembly.Module | null {
  if (process.env.SPIKECHIP_NO_WASM === '1') return null;
  if (compiled === undefined) {
    const bytes = Buffer.from(CONV2D_WASM_BASE64, 'base64');
    compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

const PAGE = 65536;
/** Offset 0 stands for "no bias": nothing is placed below this. */
const FIRST = 16;
/** Bytes of weight rows (16 float32 output channels each) one chunk of input channels may span: half an L1 cache. */
const CHUNK_BYTES = 24 * 1024;
/** Output channels the kernel keeps in registers at once (conv2d.wat's eight float64x2 accumulators). */
const BLOCK = 16;

/**
 * One conv layer's weights (float32, reordered as conv2d.ts reorders them), its taps, and the lists of one sample
 * in a WebAssembly memory of their own, and conv2d.wat's conv2dGather bound to it: the integers and floats of
 * conv2d.ts's conv2dSample, computed output-stationary. For each sample, `run` lists every output position's
 * nonzero inputs in conv2dSample's order (input channel, then input position), then the kernel sums their weight
 * rows in registers, 16 output channels at a time. Listing costs one pass over the nonzero inputs and their taps;
 * the sums cost the output channels times that, so the listing is a small part.
 */
export class WasmConv2d {
  private readonly kernel: Conv2dExports;
  private readonly output: Float32Array;
  private readonly rowStart: Int32Array;
  private readonly cursor: Int32Array;
  private readonly rows: Int32Array;
  private readonly values: Float32Array;
  /** Per tap: its output position and the byte offset of its weights within an input channel's rows. */
  private readonly tapPosition: Int32Array;
  private readonly tapByte: Int32Array;
  private readonly start: Int32Array;
  /** The nonzero inputs of the current sample: channel, position, value. */
  private readonly nonzeroChannel: Int32Array;
  private readonly nonzeroPosition: Int32Array;
  private readonly nonzeroValue: Float32Array;
  private readonly at: { weights: number; bias: number; rowStart: number; rows: number; values: number; output: number; partial: number };
  /** Input channels per chunk, and chunks: a chunk's weight rows of one block of output channels stay in L1. */
  private readonly chunkChannels: number;
  private readonly chunks: number;
  private readonly inPlane: number;
  private readonly outPlane: number;
  private readonly channelBytes: number;
  private readonly g: Conv2dGeometry;

  /** A WasmConv2d for the layer from conv2d.ts's reordered weights, or null where WebAssembly SIMD is not available. */
  static create(reordered: Float64Array, taps: ConvTaps, bias: Float32Array | null, g: Conv2dGeometry): WasmConv2d | null {
    const module = conv2dModule();
    // Reordered weights come from float32 ones: the float32 copy is exact.
    return module ? new WasmConv2d(module, (into) => into.set(reordered), taps, bias, g) : null;
  }

  /** A WasmConv2d from a conv node's weight [Cout, Cin, kH, kW], reordered straight into the kernel's memory. */
  static fromWeights(weight: Float32Array, taps: ConvTaps, bias: Float32Array | null, g: Conv2dGeometry): WasmConv2d | null {
    const module = conv2dModule();
    return module ? new WasmConv2d(module, (into) => reorderConvWeightsInto(weight, g, into), taps, bias, g) : null;
  }

  private constructor(module: WebAssembly.Module, writeWeights: (into: Float32Array) => void, taps: ConvTaps, bias: Float32Array | null, g: Conv2dGeometry) {
    const inSize = g.inChannels * g.inHeight * g.inWidth;
    this.inPlane = g.inHeight * g.inWidth;
    this.outPlane = g.outHeight * g.outWidth;
    const weightCount = g.inChannels * g.kernelHeight * g.kernelWidth * g.outChannels;
    const outSize = g.outChannels * this.outPlane;
    // Each nonzero input adds one entry per tap: at most every input channel times every tap.
    const entries = g.inChannels * taps.outBase.length;
    const taps2d = g.kernelHeight * g.kernelWidth;
    this.chunkChannels = Math.max(1, Math.floor(CHUNK_BYTES / (taps2d * 4 * BLOCK)));
    this.chunks = Math.ceil(g.inChannels / this.chunkChannels);
    let top = FIRST;
    const take = (bytes: number) => {
      const offset = top;
      top += Math.ceil(bytes / 16) * 16;
      return offset;
    };
    const at = {
      weights: take(4 * weightCount),
      bias: bias ? take(4 * bias.length) : 0,
      rowStart: take(4 * (this.chunks * this.outPlane + 1)),
      rows: take(4 * entries),
      values: take(4 * entries),
      output: take(4 * outSize),
      partial: take(8 * BLOCK * this.outPlane),
    };
    const memory = new WebAssembly.Memory({ initial: Math.ceil(top / PAGE) || 1 });
    const buffer = memory.buffer;
    writeWeights(new Float32Array(buffer, at.weights, weightCount));
    if (bias) new Float32Array(buffer, at.bias, bias.length).set(bias);
    this.rowStart = new Int32Array(buffer, at.rowStart, this.chunks * this.outPlane + 1);
    this.rows = new Int32Array(buffer, at.rows, entries);
    this.values = new Float32Array(buffer, at.values, entries);
    this.output = new Float32Array(buffer, at.output, outSize);
    this.cursor = new Int32Array(this.chunks * this.outPlane);
    this.start = taps.start;
    this.tapPosition = taps.outBase.map((a) => a / g.outChannels);
    this.tapByte = taps.tapBase.map((b) => 4 * b);
    this.nonzeroChannel = new Int32Array(inSize);
    this.nonzeroPosition = new Int32Array(inSize);
    this.nonzeroValue = new Float32Array(inSize);
    this.channelBytes = 4 * g.kernelHeight * g.kernelWidth * g.outChannels;
    this.at = at;
    this.g = g;
    this.kernel = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Conv2dExports;
  }

  /** conv2dSample of the sample at input[inOffset..] into output[outOffset..]. */
  run(input: Float32Array, inOffset: number, output: Float32Array, outOffset: number): void {
    const { inPlane, outPlane, start, tapPosition, tapByte, rowStart, cursor, rows, values, nonzeroChannel, nonzeroPosition, nonzeroValue, chunkChannels } = this;
    const inChannels = this.g.inChannels;
    // Pass 1: the nonzero inputs in conv2dSample's order, and how many entries each chunk's output position gets.
    rowStart.fill(0);
    let nonzero = 0;
    let binary = 1;
    for (let ci = 0; ci < inChannels; ci++) {
      const plane = inOffset + ci * inPlane;
      const slots = Math.floor(ci / chunkChannels) * outPlane + 1;
      for (let q = 0; q < inPlane; q++) {
        const v = input[plane + q]!;
        if (v === 0) continue;
        if (v !== 1) binary = 0;
        nonzeroChannel[nonzero] = ci;
        nonzeroPosition[nonzero] = q;
        nonzeroValue[nonzero] = v;
        nonzero++;
        for (let j = start[q]!, end = start[q + 1]!; j < end; j++) {
          const slot = slots + tapPosition[j]!;
          rowStart[slot] = rowStart[slot]! + 1;
        }
      }
    }
    for (let slot = 0, n = this.chunks * outPlane; slot < n; slot++) {
      rowStart[slot + 1] = rowStart[slot + 1]! + rowStart[slot]!;
      cursor[slot] = rowStart[slot]!;
    }
    // Pass 2: each chunk's output position's entries, in the order of pass 1.
    const weights = this.at.weights;
    for (let k = 0; k < nonzero; k++) {
      const q = nonzeroPosition[k]!;
      const ci = nonzeroChannel[k]!;
      const row = weights + ci * this.channelBytes;
      const slots = Math.floor(ci / chunkChannels) * outPlane;
      const v = nonzeroValue[k]!;
      for (let j = start[q]!, end = start[q + 1]!; j < end; j++) {
        const slot = slots + tapPosition[j]!;
        const e = cursor[slot]!;
        cursor[slot] = e + 1;
        rows[e] = row + tapByte[j]!;
        values[e] = v;
      }
    }
    const { at, g } = this;
    this.kernel.conv2dGather(at.weights, at.bias, at.rowStart, at.rows, at.values, at.output, outPlane, g.outChannels, binary, this.chunks, at.partial);
    output.set(this.output, outOffset);
  }
}
