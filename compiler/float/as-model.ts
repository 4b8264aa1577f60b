import type { Model, ModelNode } from '../../models/graph/model.js';
import type { FoldedModel, FrozenModel } from '../stages.js';

/**
 * A folded (or frozen) model as a plain Model, so the float reference executor can run it: this is how the
 * tests show that folding and freezing change no output, and how calibration runs on the folded graph.
 */
export function foldedAsModel(folded: FoldedModel | FrozenModel): Model {
  const nodes: ModelNode[] = folded.nodes.map((node): ModelNode => {
    const converted = asModelNode(node);
    return node.input === undefined ? converted : { ...converted, input: node.input };
  });
  return { name: folded.name, source: folded.source, timesteps: folded.timesteps, input: folded.input, nodes, output: 'mean-over-time' };
}

function asModelNode(node: (FoldedModel | FrozenModel)['nodes'][number]): ModelNode {
  {
    switch (node.kind) {
      case 'conv2d':
        return {
          kind: 'conv2d',
          name: node.name,
          weight: { shape: node.shape, data: node.weight },
          bias: { shape: [node.shape[0]], data: node.bias },
          stride: node.stride,
          padding: node.padding,
        };
      case 'linear':
        return { kind: 'linear', name: node.name, weight: { shape: node.shape, data: node.weight }, bias: { shape: [node.shape[0]], data: node.bias } };
      case 'lif': {
        const threshold = 'thresholds' in node ? { kind: 'ots' as const, initial: node.thresholds[0]!, frozen: Float32Array.from(node.thresholds) } : node.threshold;
        return { kind: 'lif', name: node.name, prefix: node.key === node.name ? null : node.key, decay: node.decay, threshold, reset: node.reset };
      }
      default:
        return node;
    }
  }
}
