import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import type { Conv2dGeometry } from './conv2d.js';
import { convModelBytes } from './onnx-conv-model.js';

/** The synchronous session of onnxruntime-node's native binding (its public API wraps each call in a promise). */
interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, { type: 'float32'; dims: number[]; data: Float32Array }>, fetches: Record<string, null>, options: object): Record<string, { data: Float32Array }>;
}

interface NativeBinding {
  InferenceSession: new () => NativeSession;
}

let binding: NativeBinding | null | undefined;

/**
 * onnxruntime-node's native binding, or null where it is not installed (an optional dependency), cannot load on this
 * platform, SPIKECHIP_NO_ONNX=1 asks for none, or this is a worker thread: then every conv layer takes the
 * WebAssembly kernels. Only a process's main thread loads it: a worker thread that loaded it aborts the process when
 * it ends while the main thread holds it (free(): invalid pointer, measured with onnxruntime-node 1.20.1), and once
 * every thread that loaded it has ended no thread can load it again; so evaluateParallel forks processes.
 */
export function onnxRuntime(): NativeBinding | null {
  if (binding === undefined) {
    binding = null;
    if (process.env.SPIKECHIP_NO_ONNX !== '1' && isMainThread) {
      try {
        binding = (createRequire(import.meta.url)('onnxruntime-node/dist/binding') as { binding: NativeBinding }).binding;
      } catch {
        binding = null;
      }
    }
  }
  return binding;
}

/** One thread per session: the float reference runs one session per worker, one worker per core. */
const SESSION_OPTIONS = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' };

/**
 * One conv layer with float32 sums run by onnxruntime's native CPU kernels (im2col and a blocked GEMM with the
 * machine's widest vectors): for inputs about half nonzero, as average-pooled spikes are, these beat the event-driven
 * WebAssembly gather (measured in docs/benchmarks.md); for spikes they lose to it. Its sums are float32 in
 * onnxruntime's order, so its outputs differ from conv2dSample's by float32 rounding, as two builds of PyTorch do.
 */
export class OnnxConv2d {
  private readonly session: NativeSession;
  private readonly inDims: readonly number[];

  constructor(runtime: NativeBinding, weight: Float32Array, bias: Float32Array | null, g: Conv2dGeometry) {
    const bytes = convModelBytes(weight, bias, g);
    this.session = new runtime.InferenceSession();
    this.session.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, SESSION_OPTIONS);
    this.inDims = [g.inChannels, g.inHeight, g.inWidth];
  }

  /** `batch` samples of `input` ([batch][Cin][H][W] from its start) into `output` ([batch][Cout][H'][W']). */
  run(input: Float32Array, batch: number, inSize: number, output: Float32Array): void {
    const result = this.session.run({ x: { type: 'float32', dims: [batch, ...this.inDims], data: input.subarray(0, batch * inSize) } }, { y: null }, {});
    output.set(result.y!.data);
  }
}
