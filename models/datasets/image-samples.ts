import { ModelError } from '../errors.js';
import type { Model } from '../graph/model.js';
import { formatShape, sameShape } from '../graph/tensor.js';
import type { LabelledSamples } from '../reference/evaluate.js';
import { pixelsToFloat, type ImageSet } from './fashion-mnist.js';

/** 8-bit images as model input: pixel / 255 as PyTorch's ToTensor does it (a float32 division). */
export function imageSamples(set: ImageSet, model: Model): LabelledSamples {
  if (!sameShape(set.shape, model.input.shape)) {
    throw new ModelError(set.source, `images are ${formatShape(set.shape)}, model ${model.name} expects input ${formatShape(model.input.shape)}`);
  }
  if (Math.abs(model.input.scale * 255 - 1) > 1e-9) {
    throw new ModelError(set.source, `model ${model.name} expects inputs scaled by ${model.input.scale}, 8-bit images are scaled by 1/255`);
  }
  const size = set.shape[0] * set.shape[1] * set.shape[2];
  return {
    count: set.count,
    labels: set.labels,
    toInput: (first, count, out) => pixelsToFloat(set.images, first * size, count * size, out),
  };
}

/** The first `count` images of a set as float32 model input, for calibration. */
export function imagesAsInput(set: ImageSet, model: Model, count: number): Float32Array {
  const samples = imageSamples(set, model);
  const n = Math.min(count, set.count);
  const size = set.shape[0] * set.shape[1] * set.shape[2];
  const out = new Float32Array(n * size);
  samples.toInput(0, n, out);
  return out;
}
