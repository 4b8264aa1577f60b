import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getChip } from '../../../chips/registry.js';
import { compile } from '../../../compiler/compile.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../../models/datasets/fashion-mnist.js';
import { loadModel } from '../../../models/load-model.js';
import { learnedProgram, learnImages, resetLearningLayers } from '../../../simulator/learning/learn.js';
import { buildRuntime } from '../../../simulator/runtime.js';
import { simulateImages } from '../../../simulator/simulate.js';
import { costEvents } from '../../../simulator/ledger.js';
import { PROJECT_ROOT } from '../../helpers/fixtures.js';

const model = loadModel(join(PROJECT_ROOT, 'models', 'bundled', 'osr-fmnist-conv.snnmodel'), {}).model;
const loihi2 = getChip('loihi2');
const train = loadFashionMnist(bundledFashionMnistDir(), 'train', 200);
const test = loadFashionMnist(bundledFashionMnistDir(), 'test', 100);

function learn(rule: 'ottt' | 'rate', seed: number, samples = 200) {
  const program = compile(model, loihi2, { chips: 1, threshold: 'auto', learning: { rule, layers: 'last' } }).program!;
  const runtime = buildRuntime(program, loihi2, 'test');
  resetLearningLayers(runtime);
  const run = learnImages(runtime, { images: train.images, labels: train.labels, count: samples, first: 0 }, seed);
  return { run, runtime, learned: learnedProgram(runtime) };
}

function accuracy(program: ReturnType<typeof learnedProgram>): number {
  const r = simulateImages(buildRuntime(program, loihi2, 'test'), { images: test.images, labels: test.labels, count: test.count, first: 0 }, 'direct', 1);
  return r.correct / r.samples;
}

describe('on-chip learning of the last layer (loihi2, bundled images)', () => {
  it.each(['ottt', 'rate'] as const)('%s learns a zeroed readout from 200 images well above chance, and counts and prices the updates', (rule) => {
    const { run, learned } = learn(rule, 1);
    expect(accuracy(learned)).toBeGreaterThan(0.6);
    expect(run.synapticUpdates).toBeGreaterThan(0);
    const totals = run.counts.totals.synapticUpdates.reduce((a, b) => a + b, 0);
    expect(totals).toBe(run.synapticUpdates);
    // every update sits on the classifier's core
    const classifierCores = run.counts.coreLayer.map((l, i) => (l === 2 ? i : -1)).filter((i) => i >= 0);
    expect(classifierCores.reduce((n, i) => n + run.counts.totals.synapticUpdates[i]!, 0)).toBe(run.synapticUpdates);
    const costing = costEvents(run.counts, loihi2, undefined);
    // Loihi's 120 pJ per synaptic update (Davies 2018 Table 2, reused for loihi2)
    expect(costing.energyByEventJ.synapticUpdates).toBeCloseTo((run.synapticUpdates * 120e-12) / run.samples, 15);
  });

  it('gives identical learned weights for identical seeds, and other weights for another seed', () => {
    const a = learn('ottt', 5, 60).learned.layers[2]!.connection.dense!.weights;
    const b = learn('ottt', 5, 60).learned.layers[2]!.connection.dense!.weights;
    const c = learn('ottt', 6, 60).learned.layers[2]!.connection.dense!.weights;
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });
});
