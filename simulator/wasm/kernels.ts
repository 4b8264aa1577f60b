import { KERNELS_WASM_BASE64 } from './kernels-binary.js';

/** The exports of kernels.wat; every pointer is a byte offset into the arena's memory. */
export interface WasmKernels {
  lifStep(
    u: number,
    v: number,
    acc: number,
    bias: number,
    neurons: number,
    segs: number,
    segCount: number,
    coreSpikes: number,
    coreInactive: number,
    flags: number,
    spikeList: number,
    previousList: number,
    marked: number,
    uKeep: number,
    vKeep: number,
    threshold: number,
    subtractive: number,
    left: number,
    right: number,
    mask: number,
    refractory: number,
    hold: number,
    indexBase: number,
    acc16: number,
    trusted: number,
    scratch: number,
  ): number;
  deliverSparse(spikeList: number, count: number, rowStart: number, words: number, acc: number, accBytes: number, delivered: number): number;
  deliverSparse16(spikeList: number, count: number, rowStart: number, words: number, acc16: number, accBytes: number, delivered: number): number;
  scatterConv(
    axons: number,
    values: number,
    count: number,
    pooledPlane: number,
    start: number,
    outPosition: number,
    tap: number,
    weights: number,
    taps: number,
    outC: number,
    acc: number,
  ): void;
  scatterConv16(
    axons: number,
    values: number,
    count: number,
    pooledPlane: number,
    start: number,
    outPosition: number,
    tap: number,
    weights: number,
    taps: number,
    outC: number,
    acc16: number,
  ): void;
  /** scatterConv16 of events of value 1, grouped by source position; counts and sorted are its scratch. */
  scatterConv16Ones(
    axons: number,
    count: number,
    pooledPlane: number,
    start: number,
    outPosition: number,
    tap: number,
    weights: number,
    taps: number,
    outC: number,
    acc16: number,
    counts: number,
    sorted: number,
  ): void;
  widenInto(acc16: number, acc: number, count: number): void;
  scatterConvBounded(
    axons: number,
    values: number,
    count: number,
    pooledPlane: number,
    start: number,
    outPosition: number,
    tap: number,
    weights: number,
    taps: number,
    outC: number,
    acc16: number,
    acc: number,
    bound: number,
    tapMax: number,
  ): void;
  widenRows(acc16: number, acc: number, bound: number, positions: number, outC: number): void;
  /** Steps [first, last) of one share of a free run laid out at `header` (free-run-wasm.ts). */
  freeRunSteps(header: number, share: number, first: number, last: number): void;
}

/** lifStep's lanes hold the voltage sum in 32 bits when every |bias| is below this (kernels.wat: the limits). */
const BIAS_LIMIT = 2 ** 28;

/**
 * The bounds a caller promises with lifStep's `trusted`: |u| <= u, |v| < v, every step's |input| <= input, |bias| <
 * bias, |threshold| < threshold. A step from such a state leaves one again (kernels.wat), so checking the initial
 * state and the inputs' bound once covers a whole run.
 */
export const TRUSTED_BOUNDS = { u: 2 ** 23, v: 2 ** 28, input: 2 ** 17, bias: 2 ** 28, threshold: 2 ** 27 } as const;

/** True when lifStep may take a layer with these expanded biases. */
export function lifBiasFits(bias: Int32Array | Float64Array): bias is Int32Array {
  if (!(bias instanceof Int32Array)) return false;
  for (const b of bias) if (b <= -BIAS_LIMIT || b >= BIAS_LIMIT) return false;
  return true;
}

const PAGE = 65536;
const ALIGN = 16;
export const CACHE_LINE = 64;
/** Bytes of scratch memory a lifStep call needs for itself (kernels.wat). */
export const LIF_SCRATCH_BYTES = 256;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where this runtime has no WebAssembly SIMD (the callers keep their scalar loops). */
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = Buffer.from(KERNELS_WASM_BASE64, 'base64');
    compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

export function wasmKernelsAvailable(): boolean {
  return process.env.SPIKECHIP_NO_WASM !== '1' && kernelModule() !== null;
}

/**
 * The compiled kernels, to hand to a worker thread with the memory: a module sent between threads shares its
 * compiled code, so a worker starts with the code this thread has already optimised instead of compiling its own.
 */
export function compiledKernels(): WebAssembly.Module {
  const module = kernelModule();
  if (!module) throw new Error('WebAssembly SIMD is not available in this runtime');
  return module;
}

/** The kernels bound to a (shared) memory, in this thread. */
export function instantiateKernels(memory: WebAssembly.Memory, module: WebAssembly.Module = compiledKernels()): WasmKernels {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as WasmKernels;
}

/**
 * One fixed-size shared linear memory with a bump allocator and the kernels bound to it. The size is set up front
 * (`footprint` of every array it will hold) and never grows, so the typed-array views it hands out stay valid.
 */
export class WasmArena {
  readonly kernels: WasmKernels;
  private readonly memory: WebAssembly.Memory;
  private top = ALIGN;

  /** Bytes one array of `bytes` bytes takes in an arena: padded to four 32-bit lanes and aligned. */
  static footprint(bytes: number): number {
    return Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;
  }

  constructor(bytes: number) {
    const pages = Math.ceil((bytes + ALIGN) / PAGE) || 1;
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.kernels = instantiateKernels(this.memory);
  }

  /** The memory, to share with a worker thread that instantiates the kernels on it (`instantiateKernels`). */
  get sharedMemory(): WebAssembly.Memory {
    return this.memory;
  }

  /** A zeroed Int32Array of `length` (its padding up to a multiple of 4 lanes is also zero and reserved). */
  int32(length: number): Int32Array {
    return new Int32Array(this.memory.buffer, this.take(4 * length), length);
  }

  /**
   * An Int32Array alone on its cache lines (64-byte aligned and padded): words that two threads write or spin on
   * must not share a line with anything else. Reserve `CACHE_LINE` more bytes than its footprint for it.
   */
  int32OwnLines(length: number): Int32Array {
    this.top = Math.ceil(this.top / CACHE_LINE) * CACHE_LINE;
    const array = this.int32(length);
    this.top = Math.ceil(this.top / CACHE_LINE) * CACHE_LINE;
    return array;
  }

  int16(length: number): Int16Array {
    return new Int16Array(this.memory.buffer, this.take(2 * length), length);
  }

  uint8(length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, this.take(length), length);
  }

  private take(bytes: number): number {
    const at = this.top;
    this.top += WasmArena.footprint(bytes);
    if (this.top > this.memory.buffer.byteLength) throw new Error(`WasmArena: ${this.top} bytes exceed the ${this.memory.buffer.byteLength} reserved`);
    return at;
  }
}

/**
 * The runs of equal soma core along a layer's neuron index, as (begin, end, core) triples in ascending order:
 * lifStep adds each run's spikes and inactive updates to its core once.
 */
export function coreSegments(coreOfNeuron: Int32Array): Int32Array {
  const triples: number[] = [];
  let begin = 0;
  for (let i = 1; i <= coreOfNeuron.length; i++) {
    if (i === coreOfNeuron.length || coreOfNeuron[i] !== coreOfNeuron[begin]) {
      triples.push(begin, i, coreOfNeuron[begin]!);
      begin = i;
    }
  }
  return Int32Array.from(triples);
}
