import { describe, expect, it } from 'vitest';
import { getChip } from '../../chips/registry.js';
import { compile } from '../../compiler/compile.js';
import { CompileError } from '../../compiler/errors.js';
import { foldedAsModel } from '../../compiler/float/as-model.js';
import { foldNorm } from '../../compiler/passes/fold-norm.js';
import type { Model, ModelNode, NeuronDynamics } from '../../models/graph/model.js';
import { elementCount } from '../../models/graph/tensor.js';
import { ReferenceExecutor } from '../../models/reference/executor.js';
import { lcg, randomData, syntheticModel } from './helpers.js';

/*
 * What the compiler does with the node kinds NIR brings: sum pooling and single-state neurons (IF, LIF with an
 * input scale and a leak) fold into the LIF layers it lowers, without changing the float outputs; everything it
 * cannot lower is a CompileError naming the layer and why.
 */

const IF: NeuronDynamics = { decay: 1, inputScale: 1, leak: 0, current: null };
const neuron = (name: string, dynamics: NeuronDynamics, extra: Partial<Extract<ModelNode, { kind: 'spiking-neuron' }>> = {}): ModelNode => ({
  kind: 'spiking-neuron',
  name,
  origin: 'LIF',
  dynamics,
  threshold: 0.8,
  reset: 'zero',
  recurrent: null,
  ...extra,
});

/** The synthetic conv model with its LIF layers replaced by NIR neurons and its average pooling by sum pooling. */
function nirLike(dynamics: NeuronDynamics): Model {
  const base = syntheticModel({ input: [1, 8, 8] });
  return {
    ...base,
    nodes: base.nodes.map((n): ModelNode => {
      if (n.kind === 'lif') return neuron(n.name, dynamics);
      if (n.kind === 'avgpool2d') return { kind: 'sumpool2d', name: n.name, kernel: n.kernel, stride: n.stride };
      return n;
    }),
  };
}

function outputs(model: Model, input: Float32Array, batch: number): Float32Array {
  return new ReferenceExecutor(model, batch).run(input, batch, 'frozen').outputs;
}

describe('lowering NIR node kinds', () => {
  it.each([
    ['IF', IF],
    ['LIF with input scale and leak', { decay: 0.75, inputScale: 0.4, leak: 0.05, current: null }],
  ] as const)('folds %s neurons and sum pooling without changing float outputs', (_, dynamics) => {
    const model = nirLike(dynamics);
    const folded = foldNorm(model, '');
    expect(folded.nodes.map((n) => n.kind)).toEqual(['conv2d', 'lif', 'avgpool2d', 'conv2d', 'lif', 'flatten', 'linear']);
    const next = lcg(5);
    const input = Float32Array.from({ length: 8 * elementCount(model.input.shape) }, () => next());
    const expected = outputs(model, input, 8);
    const got = outputs(foldedAsModel(folded), input, 8);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    expect(compile(model, getChip('loihi2'), { chips: 'auto', threshold: 'auto' }).ok).toBe(true);
  });

  const refusal = (node: ModelNode): string => {
    const base = syntheticModel();
    const model: Model = { ...base, nodes: base.nodes.map((n) => (n.name === 'lif1' ? node : n)) };
    try {
      compile(model, getChip('loihi2'), { chips: 'auto', threshold: 'auto' });
    } catch (e) {
      expect(e).toBeInstanceOf(CompileError);
      return (e as Error).message;
    }
    throw new Error('compiled');
  };

  it('refuses what it cannot lower, naming the layer and why', () => {
    const next = lcg(2);
    const n = 4 * 8 * 8;
    expect(refusal(neuron('lif1', { ...IF, current: { decay: 0.5, scale: 1 } }, { origin: 'CubaLIF' }))).toBe(
      'synthetic: layer lif1: CubaLIF has a synaptic current state, which this compiler does not lower (E-UNSUPPORTED)',
    );
    expect(refusal(neuron('lif1', IF, { recurrent: { weight: { shape: [n, n], data: randomData(next, n * n, 0.1) }, bias: null } }))).toBe(
      'synthetic: layer lif1: recurrent weights on LIF neurons are not lowered in this version (E-UNSUPPORTED)',
    );
    expect(refusal({ kind: 'leaky-integrator', name: 'lif1', origin: 'CubaLI', dynamics: IF })).toBe(
      "synthetic: layer lif1: non-spiking CubaLI neurons are not lowered (E-UNSUPPORTED): the chip's output is the mean input of the last synaptic layer",
    );
    expect(refusal({ kind: 'scale', name: 'lif1', factor: { shape: [1], data: Float32Array.of(2) } })).toBe(
      'synthetic: layer lif1: a scale between layers is not lowered in this version (E-UNSUPPORTED): fold it into the weights before',
    );
    expect(refusal({ kind: 'heaviside', name: 'lif1', threshold: { shape: [1], data: Float32Array.of(0.5) } })).toBe(
      'synthetic: layer lif1: a stateless threshold (NIR Threshold) is not lowered in this version (E-UNSUPPORTED)',
    );
  });

  it('refuses an input scale on a neuron that does not follow a synaptic layer', () => {
    const base = syntheticModel();
    const model: Model = { ...base, nodes: [...base.nodes.slice(0, 1), neuron('n0', IF), neuron('n1', { ...IF, inputScale: 2 }), ...base.nodes.slice(2)] };
    expect(() => foldNorm(model, '')).toThrow('synthetic: layer n1: an input scale or leak needs the neuron to follow a conv2d or linear layer, into which it folds');
  });
});
