import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frozenFloatModel } from '../../../compiler/float/frozen-model.js';
import { isChain } from '../../../models/graph/graph.js';
import type { Model } from '../../../models/graph/model.js';
import { loadModel } from '../../../models/load-model.js';
import { modelToNir } from '../../../models/nir/model-to-nir.js';
import { nirArray, type NirNode } from '../../../models/nir/nir-graph.js';
import { readNirGraph, readNirModel } from '../../../models/nir/read-nir.js';
import { writeNir } from '../../../models/nir/write-nir.js';
import { ReferenceExecutor } from '../../../models/reference/executor.js';
import { hasSharedFixture, readF32, sharedFixture } from '../../helpers/fixtures.js';
import { bundledTestInput, floatRun, smallResidualModel } from '../../helpers/residual-fmnist.js';
import { inputOf } from './nir-test-helpers.js';

/*
 * NIR graphs branch natively: a node with several incoming edges reads their sum. A residual Model is written with
 * no node for its adds (both operands get an edge into what reads the sum), and a NIR graph that merges reads back
 * with `add` nodes before the merging node; either way the float outputs are the same.
 */

const FILE = 'branching.nir';
const linear = (name: string, w: number): NirNode => ({ type: 'Linear', name, weight: nirArray([w], [1, 1]) });

function roundTrip(model: Model): { edges: { source: string; target: string }[]; back: Model } {
  const bytes = writeNir(modelToNir(model).nir);
  return { edges: [...readNirGraph(bytes, 'exported.nir').graph.edges], back: readNirModel(bytes, 'exported.nir') };
}

describe('NIR import of branching graphs', () => {
  it('two edges into one node are a sum: input -> a, input -> b, a + b -> output', () => {
    const nodes: NirNode[] = [{ type: 'Input', name: 'input', shape: [1] }, linear('a', 2), linear('b', 3), { type: 'Output', name: 'output', shape: [1] }];
    const edges = [
      { source: 'input', target: 'a' },
      { source: 'input', target: 'b' },
      { source: 'a', target: 'output' },
      { source: 'b', target: 'output' },
    ];
    const model = readNirModel(writeNir({ version: '1.0.0', graph: { nodes, edges }, hints: null }), FILE, { timesteps: 1 });
    expect(model.nodes.map((n) => [n.name, n.kind, n.input ?? null, n.kind === 'add' ? n.from : null])).toEqual([
      ['a', 'linear', null, null],
      ['b', 'linear', 'input', null],
      ['output.sum', 'add', 'a', 'b'],
    ]);
    expect([...new ReferenceExecutor(model, 1).run(inputOf(model, [1.5]), 1, 'frozen').outputs]).toEqual([7.5]);
  });

  it('three edges into a neuron, one of them a shortcut around a layer, sum into its input', () => {
    const nodes: NirNode[] = [
      { type: 'Input', name: 'input', shape: [1] },
      linear('a', 0.5),
      linear('b', 0.25),
      linear('c', 2),
      { type: 'IF', name: 'if', r: nirArray([1]), vThreshold: nirArray([1]), vReset: nirArray([0]) },
      { type: 'Output', name: 'output', shape: [1] },
    ];
    const edges = [
      { source: 'input', target: 'a' },
      { source: 'a', target: 'b' },
      { source: 'a', target: 'if' },
      { source: 'b', target: 'if' },
      { source: 'input', target: 'c' },
      { source: 'c', target: 'if' },
      { source: 'if', target: 'output' },
    ];
    const model = readNirModel(writeNir({ version: '1.0.0', graph: { nodes, edges }, hints: null }), FILE, { timesteps: 1, dt: 1 });
    expect(model.nodes.filter((n) => n.kind === 'add').map((n) => n.name)).toEqual(['if.sum', 'if.sum2']);
    expect(isChain(model)).toBe(false);
    // x = 0.3: a = 0.15, b = 0.0375, c = 0.6; the IF integrates 0.7875 and stays silent; x = 0.5 gives 1.3125: a spike.
    const spike = (x: number) => [...new ReferenceExecutor(model, 1).run(inputOf(model, [x]), 1, 'frozen').outputs];
    expect(spike(0.3)).toEqual([0]);
    expect(spike(0.5)).toEqual([1]);
  });
});

describe('NIR export of residual models', () => {
  for (const rule of ['osr', 'rate'] as const) {
    it(`the small residual network (${rule}) is written with the shortcut as a second edge and reads back with identical outputs`, () => {
      // NIR has one threshold per neuron: an OTS table is replaced by its mean first (what `export --threshold mean` does).
      const fixed = frozenFloatModel(smallResidualModel(rule), 'mean').model;
      const { edges, back } = roundTrip(fixed);
      expect(
        edges
          .filter((e) => e.target === 'block.sn2')
          .map((e) => e.source)
          .sort(),
      ).toEqual(['block.conv2', 'sn1']);
      expect(edges.some((e) => e.source === 'block.add' || e.target === 'block.add')).toBe(false);
      expect(back.nodes.find((n) => n.kind === 'add')).toMatchObject({ name: 'block.sn2.sum', from: 'sn1' });
      const input = bundledTestInput(fixed, 16);
      const expected = floatRun(fixed, input, 16);
      for (const count of expected.spikes) expect(count).toBeGreaterThan(0);
      expect(floatRun(back, bundledTestInput(back, 16), 16)).toEqual(expected);
    }, 60_000);
  }

  const fixture = 'ratebp-resnet-small-random';
  const dir = sharedFixture(fixture);
  it.skipIf(!hasSharedFixture(fixture))(
    `${fixture} (needs ${dir}; skipped where ../shared is absent): folded, written and read back with identical outputs`,
    () => {
      const { model } = loadModel(join(dir, 'checkpoint.pth'), { arch: join(dir, 'arch.json') });
      const fixed = frozenFloatModel(model, 'exact').model;
      const { edges, back } = roundTrip(fixed);
      // Its two blocks each end in an add: both branches are edges into the block's second neuron.
      for (const neuron of ['layer1.0.spike2', 'layer2.0.spike2']) expect(edges.filter((e) => e.target === neuron)).toHaveLength(2);
      const input = readF32(join(dir, 'inputs-4x3x32x32.f32'));
      const expected = floatRun(fixed, input, 4);
      expect(floatRun(back, input, 4)).toEqual(expected);
      // Folding changes float rounding only: the exported graph computes what the checkpoint does.
      const original = floatRun(model, input, 4).outputs;
      expected.outputs.forEach((v, i) => expect(Math.abs(v - original[i]!)).toBeLessThan(1e-3));
    },
    180_000,
  );
});
