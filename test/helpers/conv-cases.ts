import type { Conv2dGeometry } from '../../models/reference/kernels/conv2d.js';

/** A conv layer's geometry: `inHeight` x `inWidth` inputs, a `kernel` x `kernel` kernel, one stride and padding. */
export function convCase(r: { inChannels: number; outChannels: number; inHeight: number; inWidth: number; kernel: number; stride: number; pad: number }): Conv2dGeometry {
  const out = (n: number) => Math.floor((n + 2 * r.pad - r.kernel) / r.stride) + 1;
  return {
    inChannels: r.inChannels,
    inHeight: r.inHeight,
    inWidth: r.inWidth,
    outChannels: r.outChannels,
    outHeight: out(r.inHeight),
    outWidth: out(r.inWidth),
    kernelHeight: r.kernel,
    kernelWidth: r.kernel,
    strideY: r.stride,
    strideX: r.stride,
    padY: r.pad,
    padX: r.pad,
  };
}

/** convCase of `size` x `size` inputs. */
export function squareConv(r: { inChannels: number; outChannels: number; size: number; kernel: number; stride: number; pad: number }): Conv2dGeometry {
  return convCase({ ...r, inHeight: r.size, inWidth: r.size });
}

/** Uniform numbers in [0, 1) from a seed (a linear congruential generator): many values from one fast-check integer. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}
