/**
 * A stored tensor (an .npy array, an .npz member or a raw .f32 file) as model inputs: its leading dimension counts
 * samples, the rest must be the model's input shape in CHW order (NCHW) or, for images, HWC order (NHWC, as
 * numpy image code often stores them), which is transposed. A [N, H, W] array feeds a one-channel model.
 * float32 is taken as is, float64 rounded to float32, uint8 divided by 255 (ToTensor) and, when asked,
 * normalised per channel.
 */
import { ModelError } from '../errors.js';
import { elementCount, formatShape, sameShape } from '../graph/tensor.js';
import { normalisePixels, type ChannelNormalisation } from './image-normalisation.js';
import { npyElementReader, type NpyArray } from './npy.js';

export type TensorLayout = 'NCHW' | 'NHWC';

export interface TensorSamples {
  readonly count: number;
  readonly layout: TensorLayout;
  /** 8-bit CHW pixels, back to back, when the tensor is uint8. */
  readonly pixels: Uint8Array | null;
  readonly toInput: (first: number, count: number, out: Float32Array) => void;
}

/** Decides the layout against the model's per-sample input shape; throws when the shapes do not fit. */
export function tensorLayout(shape: readonly number[], modelShape: readonly number[], file: string): { count: number; layout: TensorLayout } {
  if (sameShape(shape, modelShape)) return { count: 1, layout: 'NCHW' };
  const [count, ...tail] = shape;
  if (count !== undefined) {
    if (sameShape(tail, modelShape)) return { count, layout: 'NCHW' };
    if (modelShape.length === 3 && sameShape(tail, [modelShape[1]!, modelShape[2]!, modelShape[0]!])) return { count, layout: 'NHWC' };
    if (modelShape.length === 3 && modelShape[0] === 1 && sameShape(tail, modelShape.slice(1))) return { count, layout: 'NCHW' };
  }
  const hwc = modelShape.length === 3 ? ` or [N, ${modelShape[1]}, ${modelShape[2]}, ${modelShape[0]}]` : '';
  throw new ModelError(file, `holds an array of shape ${formatShape(shape)}; the model's input ${formatShape(modelShape)} needs [N, ${modelShape.join(', ')}]${hwc}`);
}

export function tensorSamples(array: NpyArray, modelShape: readonly number[], file: string, normalisation: ChannelNormalisation | null): TensorSamples {
  if (!['float32', 'float64', 'uint8'].includes(array.dtype)) {
    throw new ModelError(file, `inputs of dtype ${array.dtype}: model inputs are read from float32, float64 or uint8 arrays`);
  }
  const { count, layout } = tensorLayout(array.shape, modelShape, file);
  const size = elementCount(modelShape);
  if (normalisation && (array.dtype !== 'uint8' || modelShape.length !== 3 || modelShape[0] !== normalisation.mean.length)) {
    throw new ModelError(file, `per-channel normalisation applies to 8-bit images of ${normalisation.mean.length} channels; this is ${array.dtype} ${formatShape(array.shape)}`);
  }
  const read = npyElementReader(array);
  // Sample s, element i (CHW order) lives at this flat index of the array.
  const indexOf = layout === 'NCHW' ? (s: number, i: number) => s * size + i : hwcIndex(modelShape, size);
  if (array.dtype === 'uint8') {
    const pixels = layout === 'NCHW' ? array.data : new Uint8Array(count * size);
    if (layout === 'NHWC') for (let s = 0; s < count; s++) for (let i = 0; i < size; i++) pixels[s * size + i] = array.data[indexOf(s, i)]!;
    const plane = modelShape.length === 3 ? modelShape[1]! * modelShape[2]! : size;
    return {
      count,
      layout,
      pixels,
      toInput: (first, n, out) => {
        checkRange(first, n, count, size, out, file);
        if (normalisation) normalisePixels(pixels, first * size, n * size, plane, normalisation, out);
        else for (let i = 0; i < n * size; i++) out[i] = pixels[first * size + i]! / 255;
      },
    };
  }
  return {
    count,
    layout,
    pixels: null,
    toInput: (first, n, out) => {
      checkRange(first, n, count, size, out, file);
      for (let s = 0; s < n; s++) for (let i = 0; i < size; i++) out[s * size + i] = read(indexOf(first + s, i));
    },
  };
}

function hwcIndex(modelShape: readonly number[], size: number): (s: number, i: number) => number {
  const [channels, height, width] = modelShape as [number, number, number];
  const plane = height * width;
  return (s, i) => {
    const c = Math.floor(i / plane);
    const yx = i - c * plane;
    return s * size + yx * channels + c;
  };
}

function checkRange(first: number, n: number, count: number, size: number, out: Float32Array, file: string): void {
  if (first < 0 || n < 0 || first + n > count || n * size > out.length) {
    throw new ModelError(file, `samples ${first}..${first + n - 1} requested of ${count} into room for ${Math.floor(out.length / size)}`);
  }
}
