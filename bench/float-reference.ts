import { bundledModelPath } from '../models/bundled/bundled.js';
import { defaultFashionMnistDir, loadFashionMnist } from '../models/datasets/fashion-mnist.js';
import { imageSamples } from '../models/datasets/image-samples.js';
import { readModelFile } from '../models/format/model-file.js';
import { evaluateParallel } from '../models/reference/evaluate-parallel.js';

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

/** The float reference on the bundled model over every core (evaluateParallel): starting the workers is timed too. */
export async function benchFloatReference(limit: number | undefined): Promise<FloatReferenceBench> {
  const model = readModelFile(bundledModelPath());
  const test = loadFashionMnist(defaultFashionMnistDir(), 'test', limit);
  const samples = imageSamples(test, model);
  const result = await evaluateParallel(model, samples, { mode: 'frozen', batch: 500 });
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
