import { CONV2D_WASM_BASE64 } from './conv2d-binary.js';
import type { Conv2dGeometry, ConvTaps } from './conv2d.js';

interface Conv2dExports {
  conv2dSample(
    input: number,
    weights: number,
    start: number,
    outBase: number,
    tapBase: number,
    bias: number,
    acc: number,
    output: number,
    inChannels: number,
    inPlane: number,
    outPlane: number,
    outChannels: number,
    channelWeights: number,
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

/**
 * One conv layer's weights, taps and scratch in a WebAssembly memory of their own, and conv2d.wat's conv2dSample
 * bound to it: the integers and floats of conv2d.ts's conv2dSample, two output channels per 128-bit vector. Each
 * sample's input is copied in and its output out (a few hundred KB against millions of multiply-adds).
 */
export class WasmConv2d {
  private readonly kernel: Conv2dExports;
  private readonly input: Float32Array;
  private readonly output: Float32Array;
  private readonly at: { weights: number; start: number; outBase: number; tapBase: number; bias: number; acc: number };
  private readonly inSize: number;
  private readonly outPlane: number;

  /** A WasmConv2d for the layer, or null where WebAssembly SIMD is not available (the caller keeps conv2dSample). */
  static create(reordered: Float64Array, taps: ConvTaps, bias: Float32Array | null, g: Conv2dGeometry): WasmConv2d | null {
    const module = conv2dModule();
    return module ? new WasmConv2d(module, reordered, taps, bias, g) : null;
  }

  private constructor(
    module: WebAssembly.Module,
    reordered: Float64Array,
    taps: ConvTaps,
    bias: Float32Array | null,
    private readonly g: Conv2dGeometry,
  ) {
    this.inSize = g.inChannels * g.inHeight * g.inWidth;
    this.outPlane = g.outHeight * g.outWidth;
    const outSize = g.outChannels * this.outPlane;
    let top = FIRST;
    const take = (bytes: number) => {
      const offset = top;
      top += Math.ceil(bytes / 16) * 16;
      return offset;
    };
    const at = {
      weights: take(8 * reordered.length),
      start: take(4 * taps.start.length),
      outBase: take(4 * taps.outBase.length),
      tapBase: take(4 * taps.tapBase.length),
      bias: bias ? take(4 * bias.length) : 0,
      acc: take(8 * outSize),
    };
    const input = take(4 * this.inSize);
    const output = take(4 * outSize);
    const memory = new WebAssembly.Memory({ initial: Math.ceil(top / PAGE) || 1 });
    const buffer = memory.buffer;
    new Float64Array(buffer, at.weights, reordered.length).set(reordered);
    new Int32Array(buffer, at.start, taps.start.length).set(taps.start);
    new Int32Array(buffer, at.outBase, taps.outBase.length).set(taps.outBase);
    new Int32Array(buffer, at.tapBase, taps.tapBase.length).set(taps.tapBase);
    if (bias) new Float32Array(buffer, at.bias, bias.length).set(bias);
    this.input = new Float32Array(buffer, input, this.inSize);
    this.output = new Float32Array(buffer, output, outSize);
    this.at = at;
    this.kernel = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Conv2dExports;
  }

  /** conv2dSample of the sample at input[inOffset..] into output[outOffset..]. */
  run(input: Float32Array, inOffset: number, output: Float32Array, outOffset: number): void {
    const { g, at } = this;
    this.input.set(input.subarray(inOffset, inOffset + this.inSize));
    this.kernel.conv2dSample(
      this.input.byteOffset,
      at.weights,
      at.start,
      at.outBase,
      at.tapBase,
      at.bias,
      at.acc,
      this.output.byteOffset,
      g.inChannels,
      g.inHeight * g.inWidth,
      this.outPlane,
      g.outChannels,
      g.kernelHeight * g.kernelWidth * g.outChannels,
    );
    output.set(this.output, outOffset);
  }
}
