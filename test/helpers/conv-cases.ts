import type { Conv2dGeometry } from '../../models/reference/kernels/conv2d.js';

/** A square conv layer's geometry: `size` x `size` inputs, a `kernel` x `kernel` kernel, one stride and padding. */
export function squareConv(r: { inChannels: number; outChannels: number; size: number; kernel: number; stride: number; pad: number }): Conv2dGeometry {
  const side = Math.floor((r.size + 2 * r.pad - r.kernel) / r.stride) + 1;
  return {
    inChannels: r.inChannels,
    inHeight: r.size,
    inWidth: r.size,
    outChannels: r.outChannels,
    outHeight: side,
    outWidth: side,
    kernelHeight: r.kernel,
    kernelWidth: r.kernel,
    strideY: r.stride,
    strideX: r.stride,
    padY: r.pad,
    padX: r.pad,
  };
}

/** Uniform numbers in [0, 1) from a seed (a linear congruential generator): many values from one fast-check integer. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}
