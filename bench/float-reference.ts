import { bundledModelPath } from '../models/bundled/bundled.js';
import { defaultFashionMnistDir, loadFashionMnist } from '../models/datasets/fashion-mnist.js';
import { imageSamples } from '../models/datasets/image-samples.js';
import { readModelFile } from '../models/format/model-file.js';
import { evaluate } from '../models/reference/evaluate.js';

/**
 * The seed code's PyTorch 1.13 float inference of osr-fmnist-conv (frozen thresholds, batches of 500, 2 threads)
 * on a 2-core machine. Reference: shared/fixtures/README.md ("Speed anchor"); quoted, not measured in this run.
 */
const PYTORCH_ANCHOR_IMAGES_PER_SEC = 1735;

export interface FloatReferenceBench {
  readonly model: string;
  readonly data: string;
  readonly images: number;
  readonly accuracy: number;
  readonly imagesPerSec: number;
  readonly pytorchAnchorImagesPerSec: number;
  readonly ratioToPytorchAnchor: number;
}

export function benchFloatReference(limit: number | undefined): FloatReferenceBench {
  const model = readModelFile(bundledModelPath());
  const test = loadFashionMnist(defaultFashionMnistDir(), 'test', limit);
  const samples = imageSamples(test, model);
  evaluate(model, { ...samples, count: Math.min(100, samples.count) }, { mode: 'frozen', batch: 100 }); // warm-up for the JIT
  const result = evaluate(model, samples, { mode: 'frozen', batch: 500 });
  const imagesPerSec = result.samples / result.seconds;
  return {
    model: model.name,
    data: test.source,
    images: result.samples,
    accuracy: result.accuracy,
    imagesPerSec,
    pytorchAnchorImagesPerSec: PYTORCH_ANCHOR_IMAGES_PER_SEC,
    ratioToPytorchAnchor: imagesPerSec / PYTORCH_ANCHOR_IMAGES_PER_SEC,
  };
}
