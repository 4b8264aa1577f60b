import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getChip } from '../../../chips/registry.js';
import { compile } from '../../../compiler/compile.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../../models/datasets/fashion-mnist.js';
import { loadModel } from '../../../models/load-model.js';
import { ChipSimulator } from '../../../simulator/engine.js';
import { directPixels } from '../../../simulator/inputs.js';
import { learnedProgram, learnImages, resetLearningLayers } from '../../../simulator/learning/learn.js';
import { LearningEngine, type LearningHooks } from '../../../simulator/learning/learning-engine.js';
import { buildRuntime } from '../../../simulator/runtime.js';
import { simulateImages } from '../../../simulator/simulate.js';
import { PROJECT_ROOT } from '../../helpers/fixtures.js';

const model = loadModel(join(PROJECT_ROOT, 'models', 'bundled', 'osr-fmnist-conv.snnmodel'), {}).model;
const loihi2 = getChip('loihi2');
const train = loadFashionMnist(bundledFashionMnistDir(), 'train', 200);
const test = loadFashionMnist(bundledFashionMnistDir(), 'test', 100);
const program = compile(model, loihi2, { chips: 1, threshold: 'auto', learning: { rule: 'ottt-accumulated', layers: 'last' } }).program!;

function learn(seed: number, samples: number) {
  const runtime = buildRuntime(program, loihi2, 'test');
  resetLearningLayers(runtime);
  const run = learnImages(runtime, { images: train.images, labels: train.labels, count: samples, first: 0 }, seed);
  return { run, learned: learnedProgram(runtime) };
}

describe('ottt-accumulated on chip (loihi2, bundled model)', () => {
  it('changes each weight once, at step T, by the sum of the T online products within the rounding bound; the tag ends at zero', () => {
    const runtime = buildRuntime(program, loihi2, 'test');
    resetLearningLayers(runtime);
    const simulator = new ChipSimulator(runtime);
    const engine = new LearningEngine(runtime, 4);
    const l = engine.layers[0]!;
    const T = program.timesteps;
    const weights = runtime.layers[2]!.synapses;
    if (weights.kind !== 'dense') throw new Error('dense expected');
    // Per step, after the learning phase: x1 and y2 as the rules read them, the weights and the tags.
    const steps: { x1: Int32Array; y2: Int32Array; w: Int32Array; tagsSet: number }[] = [];
    const recorder: LearningHooks = {
      delivered: (layer, source, count) => engine.delivered(layer, source, count),
      updated: (layer, t, counters) => {
        engine.updated(layer, t, counters);
        if (layer !== l.layer) return;
        steps.push({ x1: Int32Array.from(l.x1), y2: Int32Array.from(l.y2), w: Int32Array.from(weights.weights), tagsSet: l.tags.filter((v) => v !== 0).length });
      },
    };
    simulator.learning = recorder;
    const analog = new Float32Array(runtime.inputSize);
    engine.beginSample(train.labels[0]!);
    simulator.infer(directPixels(train.images, 0, runtime.inputSize, analog));
    expect(steps.length).toBe(T);
    // the weights stay put until the last step, while the tag fills
    for (const step of steps.slice(0, -1)) expect(step.w.every((w) => w === 0)).toBe(true);
    expect(steps[T - 2]!.tagsSet).toBeGreaterThan(100);
    expect(steps[T - 1]!.tagsSet).toBe(0);
    // the online rule's products, -2^-7 * x1 * y2 weight steps per step (dw = -2^-7*u0*x1*y2), summed over T
    const outputs = l.outputs;
    let changed = 0;
    let deviation = 0;
    let worst = 0;
    for (let a = 0; a < l.axons; a++) {
      for (let o = 0; o < outputs; o++) {
        let exact = 0;
        for (const step of steps) exact += (-1 / 128) * step.x1[a]! * step.y2[o]!;
        const w = weights.weights[a * outputs + o]!;
        if (exact !== 0) changed++;
        deviation += w - exact;
        worst = Math.max(worst, Math.abs(w - exact));
      }
    }
    // T - 1 tag roundings of less than 2^-4 of a weight step each, and one weight rounding of less than one
    expect(worst).toBeLessThan((T - 1) / 16 + 1);
    expect(changed).toBeGreaterThan(1000);
    // unbiased: the mean deviation over the changed synapses is near zero (each has variance below 1/4 + 3/256)
    expect(Math.abs(deviation / changed)).toBeLessThan(4 * Math.sqrt(0.27 / changed));
  });

  it('learns a zeroed readout from 200 images well above chance and counts every synapse at step T', () => {
    const { run, learned } = learn(1, 200);
    const r = simulateImages(buildRuntime(learned, loihi2, 'test'), { images: test.images, labels: test.labels, count: test.count, first: 0 }, 'direct', 1);
    expect(r.correct / r.samples).toBeGreaterThan(0.6);
    // every synapse of the 1,568 x 10 classifier is visited at step T (the tag is applied and cleared), plus the
    // synapses with a live trace in the steps before
    expect(run.synapticUpdates / run.samples).toBeGreaterThan(15680);
  });

  it('gives identical learned weights for identical seeds, and other weights for another seed', () => {
    const a = learn(5, 40).learned.layers[2]!.connection.dense!.weights;
    const b = learn(5, 40).learned.layers[2]!.connection.dense!.weights;
    const c = learn(6, 40).learned.layers[2]!.connection.dense!.weights;
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });
});
