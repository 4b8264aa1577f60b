import { instantiateReferenceKernels, referenceKernelsAvailable, type ReferenceKernels } from './kernels/reference-wasm.js';

const PAGE = 65536;
/** The most a WebAssembly memory (32-bit addresses) can hold. */
const MAX_BYTES = 65536 * PAGE;
/** Byte offset 0 stands for "none" (e.g. no bias): nothing is placed below this. */
const FIRST = 16;

/** A size rounded up to whole 16-byte vectors, as the arena places every array. */
export function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/**
 * One WebAssembly memory holding every array of a float reference run that the SIMD kernels touch (stage outputs,
 * LIF state, conv tables and lists), with the kernels bound to it, so a stage's kernel reads the previous stage's
 * output where it lies. Its size is planned up front (growing a memory would detach every view handed out), and
 * arrays are placed one after another.
 */
export class ReferenceArena {
  private top = FIRST;

  private constructor(
    readonly memory: WebAssembly.Memory,
    readonly kernels: ReferenceKernels,
    readonly capacity: number,
  ) {}

  /** An arena of `bytes` (plus its reserved start), or null without WebAssembly SIMD or past the 4 GiB of a memory. */
  static create(bytes: number): ReferenceArena | null {
    const capacity = FIRST + align16(bytes);
    if (!referenceKernelsAvailable() || capacity > MAX_BYTES) return null;
    let memory: WebAssembly.Memory;
    try {
      memory = new WebAssembly.Memory({ initial: Math.ceil(capacity / PAGE) });
    } catch {
      return null;
    }
    const kernels = instantiateReferenceKernels(memory);
    return kernels ? new ReferenceArena(memory, kernels, capacity) : null;
  }

  /** The byte offset of `bytes` more, 16-byte aligned. */
  take(bytes: number): number {
    const at = this.top;
    const next = at + align16(bytes);
    if (next > this.capacity) throw new RangeError(`reference arena overrun: ${next} bytes of ${this.capacity} planned`);
    this.top = next;
    return at;
  }

  floats(count: number): Float32Array {
    return new Float32Array(this.memory.buffer, this.take(4 * count), count);
  }

  ints(count: number): Int32Array {
    return new Int32Array(this.memory.buffer, this.take(4 * count), count);
  }
}
