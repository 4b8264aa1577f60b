import { readArchFile } from '../arch/read-arch.js';
import { openDataset, type OpenedDataset } from '../datasets/open-dataset.js';
import { ModelError } from '../errors.js';
import type { Model } from '../graph/model.js';
import { elementCount } from '../graph/tensor.js';
import { calibrateOts, usesOts, withFrozenThresholds } from '../reference/calibrate-ots.js';
import { evaluate } from '../reference/evaluate.js';
import type { HyperParameters } from './hyper-parameters.js';
import { initialModel, parameterShapes } from './init-model.js';
import type { TrainingRule } from './network.js';
import { trainModel, type TrainResult } from './trainer.js';

export interface ArchTrainingOptions extends HyperParameters {
  readonly archPath: string;
  /** Any dataset openDataset reads whose samples are labelled 8-bit images scaled by 1/255 (Fashion-MNIST, CIFAR without normalisation). */
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
 * Trains the architecture of an `snn-arch/1` or `/2` file (a chain or a residual graph) from scratch on
 * Fashion-MNIST, freezes its OTS thresholds the way the compiler expects (first `calibration` training images as
 * one batch), and measures test accuracy with the frozen thresholds.
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
  const train = openDataset(options.dataDir, { model: fresh, split: 'train', ...(options.samples !== null && options.samples !== undefined ? { limit: options.samples } : {}) });
  const pixels = trainingPixels(train);
  const training = await trainModel(
    fresh,
    { images: pixels, labels: train.labels, count: train.count, pixels: elementCount(fresh.input.shape) },
    { ...options, ...(options.onBatch ? { onBatch: options.onBatch } : {}) },
  );
  let model = training.model;
  let calibrationImages: number | null = null;
  if (usesOts(model)) {
    const calibration = train.count >= options.calibration ? train : openDataset(options.dataDir, { model, split: 'train', limit: options.calibration });
    const count = Math.min(options.calibration, calibration.count);
    const input = new Float32Array(count * elementCount(model.input.shape));
    calibration.toInput(0, count, input);
    model = withFrozenThresholds(model, calibrateOts(model, input, count));
    calibrationImages = count;
  }
  const test = openDataset(options.dataDir, { model, split: 'test', ...(options.testLimit !== null ? { limit: options.testLimit } : {}) });
  const evaluation = evaluate(model, test, { mode: 'frozen', batch: 256 });
  return { model, training, testSamples: evaluation.samples, testAccuracy: evaluation.accuracy, calibrationImages };
}

/** Host training takes labelled 8-bit images whose model input is pixel / 255. */
function trainingPixels(train: OpenedDataset): Uint8Array {
  if (!train.labelled) throw new ModelError(train.source, 'training needs labelled samples; these carry no labels');
  if (train.pixels === null) {
    throw new ModelError(train.source, `training reads 8-bit images scaled by 1/255; these ${train.format} samples are model inputs after ${train.transform}`);
  }
  return train.pixels.images;
}
