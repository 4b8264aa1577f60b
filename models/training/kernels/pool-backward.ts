/**
 * Backward of average pooling over k x k windows with stride s (no padding) for one [C, H, W] sample: every input
 * in a window receives gradOut / (k*k). Overlapping windows (s < k) add up; inputs outside every window get 0.
 */
export function avgPool2dBackward(
  gradOut: Float64Array,
  outOffset: number,
  channels: number,
  inHeight: number,
  inWidth: number,
  kernel: number,
  stride: number,
  outHeight: number,
  outWidth: number,
  gradIn: Float64Array,
  inOffset: number,
): void {
  const area = kernel * kernel;
  gradIn.fill(0, inOffset, inOffset + channels * inHeight * inWidth);
  for (let c = 0; c < channels; c++) {
    const inPlane = inOffset + c * inHeight * inWidth;
    const outPlane = outOffset + c * outHeight * outWidth;
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const g = gradOut[outPlane + oy * outWidth + ox]! / area;
        for (let ky = 0; ky < kernel; ky++) {
          const row = inPlane + (oy * stride + ky) * inWidth + ox * stride;
          for (let kx = 0; kx < kernel; kx++) gradIn[row + kx] = gradIn[row + kx]! + g;
        }
      }
    }
  }
}
