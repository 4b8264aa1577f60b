import { readArchFile } from '../../models/arch/read-arch.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { imagesAsInput } from '../../models/datasets/image-samples.js';
import type { Model } from '../../models/graph/model.js';
import { calibrateOts, withFrozenThresholds } from '../../models/reference/calibrate-ots.js';
import { ReferenceExecutor } from '../../models/reference/executor.js';
import { initialModel, parameterShapes } from '../../models/training/init-model.js';
import { fixturePath } from './fixtures.js';

/**
 * The small residual network of test/fixtures/residual-fmnist (conv-norm-LIF, a block conv-norm-LIF-conv-norm
 * whose output adds the first LIF's spikes, LIF, pool, linear) with fresh weights from `seed`, its OTS thresholds
 * (osr) frozen on 64 bundled training images: a residual model without a checkpoint.
 */
export function smallResidualModel(rule: 'osr' | 'rate', seed = 1): Model {
  const path = fixturePath('residual-fmnist', `arch-${rule}.json`);
  const arch = readArchFile(path);
  const model = initialModel(arch, parameterShapes(arch, path, 10), seed, path, rule === 'osr' ? 'torch-default' : 'ratebp-vgg');
  if (rule === 'rate') return model;
  // Fresh OSR layers normalise with running statistics (0, 1) far from their potentials', which leaves the
  // block silent; a shift of 0.6 per step (the potential settles at 1.2 with decay 0.5) makes every layer fire.
  const shifted: Model = { ...model, nodes: model.nodes.map((n) => (n.kind === 'norm' ? { ...n, beta: { shape: n.beta.shape, data: n.beta.data.map(() => 0.6) } } : n)) };
  const images = loadFashionMnist(bundledFashionMnistDir(), 'train', 64);
  return withFrozenThresholds(shifted, calibrateOts(shifted, imagesAsInput(images, shifted, 64), 64));
}

/** The first `count` bundled test images as the model's input. */
export function bundledTestInput(model: Model, count: number): Float32Array {
  return imagesAsInput(loadFashionMnist(bundledFashionMnistDir(), 'test', count), model, count);
}

/** Float outputs (frozen thresholds) and spikes per LIF layer of `count` samples. */
export function floatRun(model: Model, input: Float32Array, count: number): { outputs: Float32Array; spikes: number[] } {
  const run = new ReferenceExecutor(model, count).run(input, count, 'frozen');
  return { outputs: run.outputs, spikes: run.spikesPerLayerPerStep.map((steps) => steps.reduce((a, b) => a + b, 0)) };
}
