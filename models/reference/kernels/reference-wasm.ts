import { CONV2D_WASM_BASE64 } from './conv2d-binary.js';
import { ELEMENTWISE_WASM_BASE64 } from './elementwise-binary.js';

/** conv2d.wat's exports: the lists of one sample, then its sums (float64 or float32). Pointers are byte offsets. */
export interface ConvExports {
  conv2dList(
    input: number,
    inChannels: number,
    inPlane: number,
    outPlane: number,
    chunkChannels: number,
    chunks: number,
    start: number,
    tapPosition: number,
    tapByte: number,
    weights: number,
    channelBytes: number,
    rowStart: number,
    cursor: number,
    rows: number,
    values: number,
    nonzero: number,
    channelEnd: number,
    perInput: number,
  ): number;
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
    blockStride: number,
    limit: number,
    samples: number,
    rowStartStride: number,
    entryStride: number,
    outputStride: number,
    partialStride: number,
  ): void;
  conv2dGatherFloat32: ConvExports['conv2dGather'];
}

/** elementwise.wat's exports. */
export interface ElementwiseExports {
  lifCharge(u: number, x: number, count: number, decay: number): void;
  lifFire(u: number, spikes: number, count: number, theta: number, subtract: number): number;
  lifStep(u: number, x: number, spikes: number, count: number, decay: number, theta: number, subtract: number): number;
  norm(
    from: number,
    to: number,
    samples: number,
    channels: number,
    plane: number,
    variant: number,
    mean: number,
    std: number,
    gamma: number,
    beta: number,
    alpha: number,
    shift: number,
  ): void;
  pool(
    from: number,
    to: number,
    samples: number,
    channels: number,
    inHeight: number,
    inWidth: number,
    kernel: number,
    stride: number,
    outHeight: number,
    outWidth: number,
    padding: number,
    kind: number,
  ): void;
  averagePool2(from: number, to: number, samples: number, channels: number, inHeight: number, inWidth: number, outHeight: number, outWidth: number): void;
  add(a: number, b: number, to: number, count: number): void;
}

export interface ReferenceKernels {
  readonly conv: ConvExports;
  readonly elementwise: ElementwiseExports;
}

let compiled: { conv: WebAssembly.Module; elementwise: WebAssembly.Module } | null | undefined;

/** Both modules compiled, or null where this runtime has no WebAssembly SIMD or SPIKECHIP_NO_WASM=1 asks for none. */
function referenceModules(): { conv: WebAssembly.Module; elementwise: WebAssembly.Module } | null {
  if (process.env.SPIKECHIP_NO_WASM === '1') return null;
  if (compiled === undefined) {
    const conv = Buffer.from(CONV2D_WASM_BASE64, 'base64');
    const elementwise = Buffer.from(ELEMENTWISE_WASM_BASE64, 'base64');
    const valid = typeof WebAssembly === 'object' && WebAssembly.validate(conv) && WebAssembly.validate(elementwise);
    compiled = valid ? { conv: new WebAssembly.Module(conv), elementwise: new WebAssembly.Module(elementwise) } : null;
  }
  return compiled;
}

export function referenceKernelsAvailable(): boolean {
  return referenceModules() !== null;
}

/** The float reference's kernels bound to `memory`, or null without WebAssembly SIMD. */
export function instantiateReferenceKernels(memory: WebAssembly.Memory): ReferenceKernels | null {
  const modules = referenceModules();
  if (!modules) return null;
  const imports = { env: { memory } };
  return {
    conv: new WebAssembly.Instance(modules.conv, imports).exports as unknown as ConvExports,
    elementwise: new WebAssembly.Instance(modules.elementwise, imports).exports as unknown as ElementwiseExports,
  };
}
