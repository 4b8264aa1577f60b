import { describe, expect, it } from 'vitest';
import { getChip } from '../../../chips/registry.js';
import { compile } from '../../../compiler/compile.js';
import { CompileError } from '../../../compiler/errors.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../../models/datasets/fashion-mnist.js';
import type { Model } from '../../../models/graph/model.js';
import { learnedProgram, learnImages } from '../../../simulator/learning/learn.js';
import { buildRuntime } from '../../../simulator/runtime.js';
import { lcg, randomData } from '../../compiler/helpers.js';

/** input [1, 28, 28] -> 64 LIF -> 32 LIF -> 10 outputs, random weights: the hidden layer 32 can learn by feedback. */
function threeLayerModel(): Model {
  const next = lcg(21);
  const layer = (name: string, out: number, inp: number, scale: number) => ({
    kind: 'linear' as const,
    name,
    weight: { shape: [out, inp], data: randomData(next, out * inp, scale) },
    bias: { shape: [out], data: randomData(next, out, 0.05) },
  });
  const lif = (name: string) => ({ kind: 'lif' as const, name, prefix: null, decay: 0.5, threshold: { kind: 'fixed' as const, value: 1 }, reset: 'subtract' as const });
  return {
    name: 'three-dense',
    source: 'rate-bp',
    timesteps: 4,
    input: { shape: [1, 28, 28], scale: 1 / 255, encoding: 'direct' },
    nodes: [{ kind: 'flatten', name: 'flatten' }, layer('fc1', 64, 784, 0.12), lif('lif1'), layer('fc2', 32, 64, 0.5), lif('lif2'), layer('fc3', 10, 32, 0.5)],
    output: 'mean-over-time',
  };
}

const loihi2 = getChip('loihi2');
const train = loadFashionMnist(bundledFashionMnistDir(), 'train', 60);

function learnHidden(feedback: 'transposed' | 'random') {
  const model = threeLayerModel();
  const base = compile(model, loihi2, { chips: 1, threshold: 'auto' }).program!;
  const names = base.layers.map((l) => l.name);
  const program = compile(model, loihi2, { chips: 1, threshold: 'auto', learning: { rule: 'ottt', layers: [names[1]!, names[2]!], feedback } }).program!;
  const runtime = buildRuntime(program, loihi2, 'test');
  const run = learnImages(runtime, { images: train.images, labels: train.labels, count: train.count, first: 0 }, 3);
  return { base, program, run, learned: learnedProgram(runtime) };
}

describe('hidden-layer learning through feedback synapses', () => {
  it('compiles transposed feedback as the next layer weights and random feedback within their range', () => {
    const { program } = learnHidden('transposed');
    const [hidden, last] = program.learning.layerConfigs!;
    expect(hidden).toMatchObject({ layer: 1, errorSource: 'ERROR_FEEDBACK', feedbackFrom: 2, feedbackKind: 'FEEDBACK_TRANSPOSED' });
    expect(hidden!.rule).toMatch(/\*y2\*y3$/);
    expect(hidden!.surrogateLut.length).toBe(64);
    expect(Array.from(hidden!.feedbackWeights)).toEqual(Array.from(program.layers[2]!.connection.dense!.weights));
    expect(last).toMatchObject({ layer: 2, errorSource: 'ERROR_OUTPUT_COMPARISON' });
  });

  it('changes the hidden weights and counts the feedback synaptic ops; random feedback learns other weights', () => {
    const transposed = learnHidden('transposed');
    const random = learnHidden('random');
    const before = transposed.program.layers[1]!.connection.dense!.weights;
    const after = transposed.learned.layers[1]!.connection.dense!.weights;
    expect(after.some((w, i) => w !== before[i])).toBe(true);
    expect(random.learned.layers[1]!.connection.dense!.weights).not.toEqual(after);
    // the hidden layer's cores spend synaptic updates and more synaptic ops than its forward synapses alone
    const hiddenCores = transposed.run.counts.coreLayer.map((l, i) => (l === 1 ? i : -1)).filter((i) => i >= 0);
    expect(hiddenCores.reduce((n, i) => n + transposed.run.counts.totals.synapticUpdates[i]!, 0)).toBeGreaterThan(0);
  });

  it('refuses a hidden layer without --feedback, or one whose next layer does not learn', () => {
    const model = threeLayerModel();
    const names = compile(model, loihi2, { chips: 1, threshold: 'auto' }).program!.layers.map((l) => l.name);
    expect(() => compile(model, loihi2, { chips: 1, threshold: 'auto', learning: { rule: 'ottt', layers: [names[1]!, names[2]!] } })).toThrow(/--feedback/);
    expect(() => compile(model, loihi2, { chips: 1, threshold: 'auto', learning: { rule: 'ottt', layers: [names[1]!], feedback: 'random' } })).toThrow(CompileError);
    // the tag's 9 bits hold the last layer's bounded error, not a fed-back error times the surrogate
    expect(() => compile(model, loihi2, { chips: 1, threshold: 'auto', learning: { rule: 'ottt-accumulated', layers: [names[1]!, names[2]!], feedback: 'transposed' } })).toThrow(
      /ottt-accumulated learns the last layer only/,
    );
  });
});
