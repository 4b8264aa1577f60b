import type { Conv2dGeometry, ConvTaps } from '../../reference/kernels/conv2d.js';

/**
 * Backward kernels of the 2-D convolution for one sample. They walk the same precomputed taps as the forward
 * kernel (models/reference/kernels/conv2d.ts), so the innermost loop runs over output channels, contiguous in
 * both the channel-last gradient [oy][ox][co] and the reordered weights [ci][ky][kx][co].
 */

/** Copies a [C][H*W] gradient into channel-last [H*W][C] so the backward loops read it contiguously. */
export function toChannelLast(src: Float64Array, srcOffset: number, channels: number, plane: number, dst: Float64Array): void {
  for (let c = 0; c < channels; c++) {
    const base = srcOffset + c * plane;
    for (let p = 0; p < plane; p++) dst[p * channels + c] = src[base + p]!;
  }
}

/**
 * gradIn[ci, iy, ix] = sum over co, ky, kx of gradOut[co, oy, ox] * w[co, ci, ky, kx] (the transposed convolution).
 * Four input channels at a time share each load of the gradient, which is what bounds this dense loop.
 */
export function conv2dBackwardInput(gradOutCL: Float64Array, reordered: Float64Array, taps: ConvTaps, g: Conv2dGeometry, gradIn: Float64Array, inOffset: number): void {
  const { inChannels, inHeight, inWidth, outChannels, kernelHeight, kernelWidth } = g;
  const inPlane = inHeight * inWidth;
  const cw = kernelHeight * kernelWidth * outChannels;
  const { start, outBase, tapBase } = taps;
  let ci = 0;
  for (; ci + 4 <= inChannels; ci += 4) {
    const w0 = ci * cw;
    const plane = inOffset + ci * inPlane;
    for (let p = 0; p < inPlane; p++) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let j = start[p]!, end = start[p + 1]!; j < end; j++) {
        const a = outBase[j]!;
        const w = w0 + tapBase[j]!;
        for (let co = 0; co < outChannels; co++) {
          const gv = gradOutCL[a + co]!;
          s0 += gv * reordered[w + co]!;
          s1 += gv * reordered[w + cw + co]!;
          s2 += gv * reordered[w + 2 * cw + co]!;
          s3 += gv * reordered[w + 3 * cw + co]!;
        }
      }
      gradIn[plane + p] = s0;
      gradIn[plane + inPlane + p] = s1;
      gradIn[plane + 2 * inPlane + p] = s2;
      gradIn[plane + 3 * inPlane + p] = s3;
    }
  }
  for (; ci < inChannels; ci++) {
    const weightBase = ci * cw;
    const plane = inOffset + ci * inPlane;
    for (let p = 0; p < inPlane; p++) {
      let sum = 0;
      for (let j = start[p]!, end = start[p + 1]!; j < end; j++) {
        const a = outBase[j]!;
        const w = weightBase + tapBase[j]!;
        for (let co = 0; co < outChannels; co++) sum += gradOutCL[a + co]! * reordered[w + co]!;
      }
      gradIn[plane + p] = sum;
    }
  }
}

/**
 * Accumulates the weight gradient in the reordered layout [ci][ky][kx][co]:
 * gradW[co, ci, ky, kx] += sum over output positions of gradOut[co, oy, ox] * in[ci, oy*s - p + ky, ox*s - p + kx].
 * Zero inputs (spikes that did not fire) are skipped. Also accumulates the bias gradient (sum of gradOut).
 */
export function conv2dWeightGrad(
  input: Float32Array,
  inOffset: number,
  gradOutCL: Float64Array,
  taps: ConvTaps,
  g: Conv2dGeometry,
  gradWeight: Float64Array,
  gradBias: Float64Array | null,
): void {
  const { inChannels, inHeight, inWidth, outChannels, outHeight, outWidth, kernelHeight, kernelWidth } = g;
  const inPlane = inHeight * inWidth;
  const channelWeights = kernelHeight * kernelWidth * outChannels;
  const { start, outBase, tapBase } = taps;
  for (let ci = 0; ci < inChannels; ci++) {
    const plane = inOffset + ci * inPlane;
    const weightBase = ci * channelWeights;
    for (let p = 0; p < inPlane; p++) {
      const v = input[plane + p]!;
      if (v === 0) continue;
      for (let j = start[p]!, end = start[p + 1]!; j < end; j++) {
        const a = outBase[j]!;
        const w = weightBase + tapBase[j]!;
        for (let co = 0; co < outChannels; co++) gradWeight[w + co] = gradWeight[w + co]! + v * gradOutCL[a + co]!;
      }
    }
  }
  if (gradBias) {
    const outPlane = outHeight * outWidth;
    for (let p = 0; p < outPlane; p++) {
      const a = p * outChannels;
      for (let co = 0; co < outChannels; co++) gradBias[co] = gradBias[co]! + gradOutCL[a + co]!;
    }
  }
}

/** Adds a reordered [ci][ky][kx][co] gradient into the canonical [co][ci][ky][kx] layout. */
export function addReorderedConvGrad(reordered: Float64Array, g: Conv2dGeometry, out: Float64Array): void {
  const { inChannels: cin, outChannels: cout, kernelHeight: kh, kernelWidth: kw } = g;
  for (let co = 0; co < cout; co++)
    for (let ci = 0; ci < cin; ci++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) {
          const i = ((co * cin + ci) * kh + y) * kw + x;
          out[i] = out[i]! + reordered[((ci * kh + y) * kw + x) * cout + co]!;
        }
}
