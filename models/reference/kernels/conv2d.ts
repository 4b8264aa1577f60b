/**
 * Float32 2-D convolution of one sample, in either of two accumulations (see Accumulation). Zero inputs are
 * skipped: after the first layer the inputs are (pooled) spikes and mostly zero.
 */

/**
 * How a layer's sums are kept. `float64`: every product and sum in float64, rounded once per output, so the result
 * is within one float32 rounding of the exact sum (and of PyTorch's, whatever its summation order). `float32`:
 * every add rounded to float32, as PyTorch's own kernels do, in this code's order; its SIMD kernel takes four lanes
 * per vector instead of two and needs no widening, about twice to three times the speed, and its outputs differ from
 * PyTorch's by float32 summation order, as two builds of PyTorch differ from each other.
 */
export type Accumulation = 'float32' | 'float64';

export const ACCUMULATIONS: readonly Accumulation[] = ['float32', 'float64'];

export interface Conv2dGeometry {
  readonly inChannels: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly strideY: number;
  readonly strideX: number;
  readonly padY: number;
  readonly padX: number;
}

/** The geometry of a conv2d node's weight [Cout, Cin, kH, kW] between its input and output shapes ([C, H, W]). */
export function conv2dGeometry(
  node: { readonly weight: { readonly shape: readonly number[] }; readonly stride: readonly [number, number]; readonly padding: readonly [number, number] },
  inputShape: readonly number[],
  outputShape: readonly number[],
): Conv2dGeometry {
  const [cout, cin, kh, kw] = node.weight.shape as [number, number, number, number];
  return {
    inChannels: cin,
    inHeight: inputShape[1]!,
    inWidth: inputShape[2]!,
    outChannels: cout,
    outHeight: outputShape[1]!,
    outWidth: outputShape[2]!,
    kernelHeight: kh,
    kernelWidth: kw,
    strideY: node.stride[0],
    strideX: node.stride[1],
    padY: node.padding[0],
    padX: node.padding[1],
  };
}

/** Weights reordered to [Cin][kH][kW][Cout] so the innermost scatter loop walks output channels contiguously. */
export function reorderConvWeights(weight: Float32Array, g: Conv2dGeometry): Float64Array {
  const out = new Float64Array(weight.length);
  reorderConvWeightsInto(weight, g, out);
  return out;
}

/** Output channels moved per pass of reorderConvWeightsInto: as many source rows as the cache follows at once. */
const REORDER_BLOCK = 16;

/**
 * reorderConvWeights into `out` (float32 or float64: a float32 weight is exact in either). A few output channels at
 * a time, so both sides are walked nearly in order: the plain transpose strides one side by a whole layer.
 */
export function reorderConvWeightsInto(weight: Float32Array, g: Conv2dGeometry, out: Float32Array | Float64Array): void {
  const { inChannels: cin, outChannels: cout, kernelHeight: kh, kernelWidth: kw } = g;
  const fanIn = cin * kh * kw;
  for (let co0 = 0; co0 < cout; co0 += REORDER_BLOCK) {
    const co1 = Math.min(cout, co0 + REORDER_BLOCK);
    for (let k = 0; k < fanIn; k++) {
      const dst = k * cout;
      for (let co = co0; co < co1; co++) out[dst + co] = weight[co * fanIn + k]!;
    }
  }
}

/**
 * For every input position, the (output position, kernel tap) pairs it reaches: precomputed once so the hot
 * loop does no bounds or stride arithmetic. Offsets are pre-multiplied by the output channel count.
 */
export interface ConvTaps {
  readonly start: Int32Array;
  readonly outBase: Int32Array;
  readonly tapBase: Int32Array;
}

export function convTaps(g: Conv2dGeometry): ConvTaps {
  const { inHeight, inWidth, outHeight, outWidth, kernelHeight, kernelWidth, strideY, strideX, padY, padX, outChannels } = g;
  const start = new Int32Array(inHeight * inWidth + 1);
  const outBase: number[] = [];
  const tapBase: number[] = [];
  for (let iy = 0; iy < inHeight; iy++) {
    for (let ix = 0; ix < inWidth; ix++) {
      start[iy * inWidth + ix] = outBase.length;
      for (let ky = 0; ky < kernelHeight; ky++) {
        const ny = iy + padY - ky;
        if (ny < 0 || ny % strideY !== 0 || ny / strideY >= outHeight) continue;
        for (let kx = 0; kx < kernelWidth; kx++) {
          const nx = ix + padX - kx;
          if (nx < 0 || nx % strideX !== 0 || nx / strideX >= outWidth) continue;
          outBase.push(((ny / strideY) * outWidth + nx / strideX) * outChannels);
          tapBase.push((ky * kernelWidth + kx) * outChannels);
        }
      }
    }
  }
  start[inHeight * inWidth] = outBase.length;
  return { start, outBase: Int32Array.from(outBase), tapBase: Int32Array.from(tapBase) };
}

/**
 * out[co, oy, ox] = bias[co] + sum over ci, ky, kx of in[ci, oy*s - p + ky, ox*s - p + kx] * w[co, ci, ky, kx].
 * `acc` is scratch of outHeight*outWidth*outChannels values laid out [oy][ox][co], and its type is the accumulation
 * (Accumulation): a Float64Array keeps float64 sums, rounded once per output; a Float32Array keeps every sum in
 * float32, each nonzero input's product v * w rounded to float32 first (a spike's is w itself) and each add rounded
 * (a double sum of two floats rounded once to float32 is the float32 sum).
 */
export function conv2dSample(
  input: Float32Array,
  inOffset: number,
  reordered: Float32Array | Float64Array,
  taps: ConvTaps,
  bias: Float32Array | null,
  g: Conv2dGeometry,
  acc: Float32Array | Float64Array,
  output: Float32Array,
  outOffset: number,
): void {
  const { inChannels, inHeight, inWidth, outChannels, outHeight, outWidth, kernelHeight, kernelWidth } = g;
  const outPlane = outHeight * outWidth;
  const inPlane = inHeight * inWidth;
  const channelWeights = kernelHeight * kernelWidth * outChannels;
  const { start, outBase, tapBase } = taps;
  // Float32 sums add each product rounded to float32; float64 ones the exact product.
  const product = acc instanceof Float32Array ? (v: number, w: number) => Math.fround(v * w) : (v: number, w: number) => v * w;
  startSums(acc, bias, outPlane, outChannels);
  for (let ci = 0; ci < inChannels; ci++) {
    const plane = inOffset + ci * inPlane;
    const weightBase = ci * channelWeights;
    for (let p = 0; p < inPlane; p++) {
      const v = input[plane + p]!;
      if (v === 0) continue;
      for (let j = start[p]!, end = start[p + 1]!; j < end; j++) {
        const a = outBase[j]!;
        const w = weightBase + tapBase[j]!;
        for (let co = 0; co < outChannels; co++) acc[a + co] = acc[a + co]! + product(v, reordered[w + co]!);
      }
    }
  }
  writeSums(acc, output, outOffset, outPlane, outChannels);
}

/** Every output position's sums start at the bias (or zero): acc is [position][outChannel]. */
function startSums(acc: Float32Array | Float64Array, bias: Float32Array | null, outPlane: number, outChannels: number): void {
  for (let p = 0; p < outPlane; p++) {
    const base = p * outChannels;
    for (let co = 0; co < outChannels; co++) acc[base + co] = bias ? bias[co]! : 0;
  }
}

/** The sums to output [outChannel][position] from offset on, each rounded to float32 by the store. */
function writeSums(acc: Float32Array | Float64Array, output: Float32Array, outOffset: number, outPlane: number, outChannels: number): void {
  for (let co = 0; co < outChannels; co++) {
    const dst = outOffset + co * outPlane;
    for (let p = 0; p < outPlane; p++) output[dst + p] = acc[p * outChannels + co]!;
  }
}
