import { extname } from 'node:path';
import { readBytes } from '../models/datasets/cifar.js';
import { defaultFashionMnistDir } from '../models/datasets/fashion-mnist.js';
import type { NormalisationChoice } from '../models/datasets/image-normalisation.js';
import { openDataset } from '../models/datasets/open-dataset.js';
import { parseF32 } from '../models/datasets/raw-f32.js';
import { tensorSamples } from '../models/datasets/tensor-samples.js';
import { ModelError } from '../models/errors.js';
import type { Model } from '../models/graph/model.js';
import { elementCount, formatShape, sameShape } from '../models/graph/tensor.js';

/**
 * Calibration inputs for freezing OTS, as one batch: the tensor in `file` (a raw little-endian float32 .f32 of
 * NCHW inputs, as the VGG fixture ships, or a .npy/.npz), else the first N training samples of `data` (any
 * format openDataset reads; default Fashion-MNIST), transformed as the model's code does.
 */
export function calibrationInput(
  model: Model,
  options: { count?: number; file?: string; data?: string; normalisation?: NormalisationChoice },
): { input: Float32Array; count: number; source: string } {
  if (options.file && !['.npy', '.npz'].includes(extname(options.file).toLowerCase())) return rawFloat32Input(model, options.file, options.count);
  const path = options.file ?? options.data ?? defaultFashionMnistDir();
  const dataset = openDataset(path, {
    model,
    split: 'train',
    ...(options.count !== undefined ? { limit: options.count } : options.file ? {} : { limit: 1024 }),
    ...(options.normalisation ? { normalisation: options.normalisation } : {}),
  });
  if (!sameShape(dataset.inputShape, model.input.shape)) {
    throw new ModelError(
      path,
      `gives inputs of shape ${formatShape(dataset.inputShape)} per sample; OTS calibration of model ${model.name} needs ${formatShape(model.input.shape)}`,
    );
  }
  const input = new Float32Array(dataset.count * elementCount(model.input.shape));
  dataset.toInput(0, dataset.count, input);
  return { input, count: dataset.count, source: dataset.source };
}

/** Any file that is not .npy/.npz is raw float32 here, whatever its extension (the fixture's is .f32). */
function rawFloat32Input(model: Model, file: string, count: number | undefined): { input: Float32Array; count: number; source: string } {
  const samples = tensorSamples(parseF32(readBytes(file), file, model.input.shape), model.input.shape, file, null);
  const n = Math.min(count ?? samples.count, samples.count);
  const input = new Float32Array(n * elementCount(model.input.shape));
  samples.toInput(0, n, input);
  return { input, count: n, source: file };
}
