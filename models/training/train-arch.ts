import { readArchFile } from '../arch/read-arch.js';
import { loadFashionMnist } from '../datasets/fashion-mnist.js';
import { imageSamples, imagesAsInput } from '../datasets/image-samples.js';
import { ModelError } from '../errors.js';
import type { Model } from '../graph/model.js';
import { formatShape, sameShape } from '../graph/tensor.js';
import { calibrateOts, usesOts, withFrozenThresholds } from '../reference/calibrate-ots.js';
import { evaluate } from '../reference/evaluate.js';
import type { HyperParameters } from './hyper-parameters.js';
import { initialModel, parameterShapes } from './init-model.js';
import type { TrainingRule } from './network.js';
import { trainModel, type TrainResult } from './trainer.js';

export interface ArchTrainingOptions extends HyperParameters {
  readonly archPath: string;
  readonly dataDir: string;
  readonly rule: TrainingRule;
  readonly threads: number;
  /** OTS is frozen on this many first training images (DESIGN.md section 2: 1024). */
  readonly calibration: number;
  /** Test images to evaluate on (null: the whole test split). */
  readonly testLimit: number | null;
  readonly onBatch?: (done: number, total: number) => void;
}

export interface ArchTraining {
  readonly model: Model;
  readonly training: TrainResult;
  readonly testSamples: number;
  readonly testAccuracy: number;
  readonly calibrationImages: number | null;
}

const CLASSES = 10;

/**
 * Trains the architecture of an `snn-arch/1` file from scratch on Fashion-MNIST, freezes its OTS thresholds the
 * way the compiler expects (first `calibration` training images as one batch), and measures test accuracy with
 * the frozen thresholds.
 */
export async function trainArchitecture(options: ArchTrainingOptions): Promise<ArchTraining> {
  const arch = readArchFile(options.archPath);
  if (arch.source === 'rate-bp' && options.rule === 'osr') {
    throw new ModelError(options.archPath, "source 'rate-bp' (BatchNorm, fixed threshold) is trained with --rule rate, not osr");
  }
  if (arch.source === 'osr-ots' && options.rule === 'rate') {
    throw new ModelError(options.archPath, "source 'osr-ots' (OSR, OTS) is trained with --rule osr, not rate");
  }
  // Each rule starts from its own code's init. Paper B's VGG draws every weight from N(0, 0.5) with zero biases.
  // Paper A's OSR keeps PyTorch's default: its seed VGG's (zero conv biases) leaves a spike-free layer's potentials
  // all equal at the start, which makes OTS undefined.
  const init = options.rule === 'rate' ? 'ratebp-vgg' : 'torch-default';
  const fresh = initialModel(arch, parameterShapes(arch, options.archPath, CLASSES), options.seed, options.archPath, init);
  const train = loadFashionMnist(options.dataDir, 'train', options.samples ?? undefined);
  if (!sameShape(train.shape, fresh.input.shape)) {
    throw new ModelError(options.archPath, `input shape ${formatShape(fresh.input.shape)} does not match the training images' ${formatShape(train.shape)} from ${train.source}`);
  }
  imageSamples(train, fresh);
  const training = await trainModel(
    fresh,
    { images: train.images, labels: train.labels, count: train.count, pixels: train.shape[1] * train.shape[2] },
    { ...options, ...(options.onBatch ? { onBatch: options.onBatch } : {}) },
  );
  let model = training.model;
  let calibrationImages: number | null = null;
  if (usesOts(model)) {
    const calibration = train.count >= options.calibration ? train : loadFashionMnist(options.dataDir, 'train', options.calibration);
    const count = Math.min(options.calibration, calibration.count);
    model = withFrozenThresholds(model, calibrateOts(model, imagesAsInput(calibration, model, count), count));
    calibrationImages = count;
  }
  const test = loadFashionMnist(options.dataDir, 'test', options.testLimit ?? undefined);
  const evaluation = evaluate(model, imageSamples(test, model), { mode: 'frozen', batch: 256 });
  return { model, training, testSamples: evaluation.samples, testAccuracy: evaluation.accuracy, calibrationImages };
}
