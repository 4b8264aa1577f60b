/**
 * Average, sum or max over k x k windows with stride s for a [C, H, W] sample, with `padding` rows and columns
 * around it (optional trailing argument, default 0): the average counts padded taps as zeros in the window
 * (PyTorch's count_include_pad), a padded tap never wins a max (PyTorch pads with -infinity).
 */
export function pool2dSample(
  kind: 'avg' | 'sum' | 'max',
  input: Float32Array,
  inOffset: number,
  channels: number,
  inHeight: number,
  inWidth: number,
  kernel: number,
  stride: number,
  outHeight: number,
  outWidth: number,
  output: Float32Array,
  outOffset: number,
  padding = 0,
): void {
  const area = kernel * kernel;
  for (let c = 0; c < channels; c++) {
    const inPlane = inOffset + c * inHeight * inWidth;
    const outPlane = outOffset + c * outHeight * outWidth;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * stride - padding;
      const ky0 = Math.max(0, -y0);
      const ky1 = Math.min(kernel, inHeight - y0);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * stride - padding;
        const kx0 = Math.max(0, -x0);
        const kx1 = Math.min(kernel, inWidth - x0);
        let sum = 0;
        let max = -Infinity;
        for (let ky = ky0; ky < ky1; ky++) {
          const row = inPlane + (y0 + ky) * inWidth + x0;
          for (let kx = kx0; kx < kx1; kx++) {
            const v = input[row + kx]!;
            sum += v;
            if (v > max) max = v;
          }
        }
        output[outPlane + oy * outWidth + ox] = kind === 'avg' ? Math.fround(sum) / area : kind === 'sum' ? sum : max;
      }
    }
  }
}

/** PyTorch's adaptive average pooling: window [floor(o*I/O), ceil((o+1)*I/O)) along each axis. */
export function adaptiveAvgPool2dSample(
  input: Float32Array,
  inOffset: number,
  channels: number,
  inHeight: number,
  inWidth: number,
  outHeight: number,
  outWidth: number,
  output: Float32Array,
  outOffset: number,
): void {
  for (let c = 0; c < channels; c++) {
    const inPlane = inOffset + c * inHeight * inWidth;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = Math.floor((oy * inHeight) / outHeight);
      const y1 = Math.ceil(((oy + 1) * inHeight) / outHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = Math.floor((ox * inWidth) / outWidth);
        const x1 = Math.ceil(((ox + 1) * inWidth) / outWidth);
        let sum = 0;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += input[inPlane + y * inWidth + x]!;
        output[outOffset + (c * outHeight + oy) * outWidth + ox] = Math.fround(sum) / ((y1 - y0) * (x1 - x0));
      }
    }
  }
}
