import { describe, expect, it } from 'vitest';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { imageSamples, imagesAsInput } from '../../models/datasets/image-samples.js';
import type { Model } from '../../models/graph/model.js';
import { loadModel } from '../../models/load-model.js';
import { calibrateOts, withFrozenThresholds } from '../../models/reference/calibrate-ots.js';
import { evaluate } from '../../models/reference/evaluate.js';
import { ReferenceExecutor } from '../../models/reference/executor.js';
import { DEBIAN_FASHION_MNIST, HAS_FULL_FASHION_MNIST, fixturePath, readReference } from '../helpers/fixtures.js';

interface FmnistReference {
  frozenThresholds?: Record<string, number[]>;
  dynamicThresholdsFirst64Batch?: Record<string, number[]>;
  accuracy: { frozenThreshold?: number; frozenThresholdFirst1000?: number; rateBp?: number; rateBpFirst1000?: number };
  logitsFirst64: number[][];
  labelsFirst64: number[];
  spikeCountsFirst64?: Record<string, number[]>;
}

const bundled = bundledFashionMnistDir();

function load(name: string): Model {
  return loadModel(fixturePath(name, 'checkpoint.pth'), { arch: fixturePath(name, 'arch.json') }).model;
}

/** The reference's own table, so that output checks do not depend on our calibration. */
function withReferenceTable(model: Model, table: Record<string, number[]>): Model {
  const byNode = new Map<string, Float32Array>();
  for (const node of model.nodes) {
    if (node.kind === 'lif' && node.prefix && table[node.prefix]) byNode.set(node.name, Float32Array.from(table[node.prefix]!));
  }
  return withFrozenThresholds(model, byNode);
}

function first64(model: Model, mode: 'frozen' | 'dynamic') {
  const test = loadFashionMnist(bundled, 'test', 64);
  const executor = new ReferenceExecutor(model, 64);
  return executor.run(imagesAsInput(test, model, 64), 64, mode);
}

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

describe('osr-fmnist-conv (paper A, OSR + OTS) against its PyTorch reference', () => {
  const ref = readReference<FmnistReference>('osr-fmnist-conv');
  const model = load('osr-fmnist-conv');

  it('calibrates OTS on the first 1024 training images to the reference table within 1e-4', () => {
    const train = loadFashionMnist(bundled, 'train', 1024);
    const tables = calibrateOts(model, imagesAsInput(train, model, 1024), 1024);
    for (const node of model.nodes) {
      if (node.kind !== 'lif') continue;
      expectClose(tables.get(node.name)!, ref.frozenThresholds![node.prefix!]!, 1e-4);
    }
  });

  it('reproduces logitsFirst64 within 1e-4 and spikeCountsFirst64 within 0.1 % under frozen thresholds', () => {
    const run = first64(withReferenceTable(model, ref.frozenThresholds!), 'frozen');
    expectClose(run.outputs, ref.logitsFirst64.flat(), 1e-4);
    run.lifKeys.forEach((key, l) => {
      ref.spikeCountsFirst64![key]!.forEach((expected, t) => {
        expect(Math.abs(run.spikesPerLayerPerStep[l]![t]! - expected) / expected).toBeLessThanOrEqual(0.001);
      });
    });
  });

  it('recomputes thresholds from the batch in dynamic mode as the released code does', () => {
    const run = first64(model, 'dynamic');
    run.lifKeys.forEach((key, l) => expectClose(run.thresholdsPerLayerPerStep[l]!, ref.dynamicThresholdsFirst64Batch![key]!, 1e-4));
  });

  it('matches the frozen-threshold accuracy on the first 1000 test images', () => {
    const test = loadFashionMnist(bundled, 'test', 1000);
    const result = evaluate(withReferenceTable(model, ref.frozenThresholds!), imageSamples(test, model), { mode: 'frozen', batch: 500 });
    expect(Math.abs(result.accuracy - ref.accuracy.frozenThresholdFirst1000!)).toBeLessThanOrEqual(0.001 + 1e-12);
  });

  it.skipIf(!HAS_FULL_FASHION_MNIST)(`matches the frozen-threshold accuracy on the full test set (needs ${DEBIAN_FASHION_MNIST}: apt-get install dataset-fashion-mnist)`, () => {
    const test = loadFashionMnist(DEBIAN_FASHION_MNIST, 'test');
    const result = evaluate(withReferenceTable(model, ref.frozenThresholds!), imageSamples(test, model), { mode: 'frozen', batch: 500 });
    expect(result.samples).toBe(10000);
    expect(Math.abs(result.accuracy - ref.accuracy.frozenThreshold!)).toBeLessThanOrEqual(0.001 + 1e-12);
  });
});

describe('ratebp-fmnist-conv (paper B, BatchNorm, fixed threshold) against its PyTorch reference', () => {
  const ref = readReference<FmnistReference>('ratebp-fmnist-conv');
  const model = load('ratebp-fmnist-conv');

  it('uses the seed code float32 decay 0x3E4CCCCC', () => {
    const lif = model.nodes.find((n) => n.kind === 'lif');
    expect(lif && lif.kind === 'lif' && lif.decay).toBe(0.19999998807907104);
  });

  it('reproduces logitsFirst64 within 1e-4', () => {
    const run = first64(model, 'frozen');
    expectClose(run.outputs, ref.logitsFirst64.flat(), 1e-4);
  });

  it('matches the accuracy on the first 1000 test images', () => {
    const test = loadFashionMnist(bundled, 'test', 1000);
    const result = evaluate(model, imageSamples(test, model), { mode: 'frozen', batch: 500 });
    expect(Math.abs(result.accuracy - ref.accuracy.rateBpFirst1000!)).toBeLessThanOrEqual(0.001 + 1e-12);
  });

  it.skipIf(!HAS_FULL_FASHION_MNIST)(`matches the accuracy on the full test set (needs ${DEBIAN_FASHION_MNIST}: apt-get install dataset-fashion-mnist)`, () => {
    const test = loadFashionMnist(DEBIAN_FASHION_MNIST, 'test');
    const result = evaluate(model, imageSamples(test, model), { mode: 'frozen', batch: 500 });
    expect(Math.abs(result.accuracy - ref.accuracy.rateBp!)).toBeLessThanOrEqual(0.001 + 1e-12);
  });
});
