import { describe, expect, it } from 'vitest';
import type { LifNode, Model, ModelNode } from '../../../models/graph/model.js';
import type { Tensor } from '../../../models/graph/tensor.js';
import { buildTrainGraph, type TrainGraph, type TrainingRule } from '../../../models/training/network.js';
import { OnlineShard } from '../../../models/training/online-shard.js';
import { SeededRandom } from '../../../models/training/random.js';
import { RateShard } from '../../../models/training/rate-shard.js';
import { LOCAL_REDUCER, type TrainShard } from '../../../models/training/shard.js';

/**
 * The backward of a residual graph against finite differences. Spikes have no derivative (the rules use a
 * surrogate), so the check covers every parameter after the last LIF, where the loss is a smooth function of the
 * parameters and both rules' gradients are exact: the output of `branch` is read twice (by `inner` and by the
 * add), so its gradient must be the sum of both paths; the add passes its gradient to both operands.
 *
 *   image [1,4,4] -> stem conv -> lif -> branch conv -> inner conv -> add(inner, branch) -> avgpool 2 -> flatten -> fc
 */
const T = 3;
const BATCH = 3;
// Small enough that the softmax's curvature stays below the tolerance, large enough for float32 outputs.
const STEP = 3e-3;

function residualModel(rule: TrainingRule): Model {
  const random = new SeededRandom(7);
  const tensor = (shape: number[], scale: number): Tensor => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = random.uniform(-scale, scale);
    return { shape, data };
  };
  const conv = (name: string, cin: number, cout: number, scale: number, input?: string): ModelNode => ({
    kind: 'conv2d',
    name,
    weight: tensor([cout, cin, 3, 3], scale),
    bias: tensor([cout], 0.2),
    stride: [1, 1],
    padding: [1, 1],
    ...(input ? { input } : {}),
  });
  const lif: LifNode = {
    kind: 'lif',
    name: 'lif',
    prefix: null,
    decay: rule === 'osr' ? 0.5 : 0.2,
    threshold: rule === 'osr' ? { kind: 'ots', initial: 1, frozen: null } : { kind: 'fixed', value: 1 },
    reset: 'subtract',
  };
  const nodes: ModelNode[] = [
    conv('stem', 1, 2, 1.5),
    lif,
    conv('branch', 2, 2, 0.6),
    conv('inner', 2, 2, 0.6),
    { kind: 'add', name: 'add', from: 'branch' },
    { kind: 'avgpool2d', name: 'pool', kernel: 2, stride: 2 },
    { kind: 'flatten', name: 'flatten' },
    { kind: 'linear', name: 'fc', weight: tensor([3, 8], 0.8), bias: tensor([3], 0.2) },
  ];
  return {
    name: 'residual',
    source: rule === 'osr' ? 'osr-ots' : 'rate-bp',
    timesteps: T,
    input: { shape: [1, 4, 4], scale: 1, encoding: 'direct' },
    nodes,
    output: 'mean-over-time',
  };
}

function flatParams(graph: TrainGraph, model: Model): Float32Array {
  const params = new Float32Array(graph.paramCount);
  const byName = new Map<string, Float32Array>();
  for (const node of model.nodes) {
    if (node.kind === 'conv2d' || node.kind === 'linear') {
      byName.set(`${node.name}.weight`, node.weight.data);
      if (node.bias) byName.set(`${node.name}.bias`, node.bias.data);
    }
  }
  for (const slot of graph.params) params.set(byName.get(slot.name)!, slot.offset);
  return params;
}

function shardFor(rule: TrainingRule, graph: TrainGraph, params: Float32Array, grads: Float64Array): TrainShard {
  return rule === 'osr' ? new OnlineShard(graph, params, grads, BATCH, 0.05, LOCAL_REDUCER) : new RateShard(graph, params, grads, BATCH, LOCAL_REDUCER);
}

describe('the backward of a residual graph', () => {
  for (const rule of ['osr', 'rate'] as const) {
    it(`${rule}: matches finite differences for every parameter after the last LIF`, () => {
      const model = residualModel(rule);
      const graph = buildTrainGraph(model, rule);
      const random = new SeededRandom(3);
      const input = Float32Array.from({ length: BATCH * 16 }, () => random.uniform(0, 1));
      const batch = { input, labels: [0, 2, 1], count: BATCH, batchSize: BATCH };
      const params = flatParams(graph, model);
      const grads = new Float64Array(graph.paramCount);
      const shard = shardFor(rule, graph, params, grads);
      shard.runBatch(batch);
      const analytic = Float64Array.from(grads);
      // The online rule's gradient is that of the mean loss over the batch; rate_M's, of the loss over B*T.
      const scale = rule === 'osr' ? 1 / BATCH : 1 / (BATCH * T);
      const lossAt = (): number => shard.runBatch(batch).lossSum * scale;
      let checked = 0;
      let spikes = 0;
      for (const slot of graph.params) {
        if (slot.name.startsWith('stem.')) continue;
        for (let k = 0; k < slot.length; k++) {
          const at = slot.offset + k;
          const original = params[at]!;
          params[at] = Math.fround(original + STEP);
          const up = params[at]!;
          const lossUp = lossAt();
          params[at] = Math.fround(original - STEP);
          const down = params[at]!;
          const lossDown = lossAt();
          params[at] = original;
          const numeric = (lossUp - lossDown) / (up - down);
          expect(analytic[at]!, `${slot.name}[${k}]`).toBeCloseTo(numeric, 4);
          checked++;
          if (Math.abs(analytic[at]!) > 1e-3) spikes++;
        }
      }
      // branch, inner and fc: weights and biases, and enough of them non-zero for the check to mean something.
      expect(checked).toBe(2 * (36 + 2) + 24 + 3);
      expect(spikes).toBeGreaterThan(checked / 2);
    });
  }
});
