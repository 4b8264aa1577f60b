import { readFileSync } from 'node:fs';
import { defaultFashionMnistDir, loadFashionMnist } from '../models/datasets/fashion-mnist.js';
import { imagesAsInput } from '../models/datasets/image-samples.js';
import { ModelError } from '../models/errors.js';
import type { Model } from '../models/graph/model.js';
import { elementCount } from '../models/graph/tensor.js';

/**
 * Calibration images for freezing OTS: a raw little-endian float32 file of model inputs (NCHW, as the VGG
 * fixture ships), or the first N Fashion-MNIST training images.
 */
export function calibrationInput(model: Model, options: { count?: number; file?: string; data?: string }): { input: Float32Array; count: number; source: string } {
  const size = elementCount(model.input.shape);
  if (options.file) {
    const bytes = readFileSync(options.file);
    if (bytes.length % (4 * size) !== 0) {
      throw new ModelError(options.file, `${bytes.length} bytes is not a whole number of float32 inputs of shape [${model.input.shape.join(', ')}] (${4 * size} bytes each)`);
    }
    const all = bytes.length / (4 * size);
    const count = Math.min(options.count ?? all, all);
    const input = new Float32Array(count * size);
    for (let i = 0; i < input.length; i++) input[i] = bytes.readFloatLE(i * 4);
    return { input, count, source: options.file };
  }
  const count = options.count ?? 1024;
  const train = loadFashionMnist(options.data ?? defaultFashionMnistDir(), 'train', count);
  return { input: imagesAsInput(train, model, train.count), count: train.count, source: train.source };
}
