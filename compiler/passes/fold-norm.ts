import { lifKey, type Model, type ModelNode } from '../../models/graph/model.js';
import { CompileError } from '../errors.js';
import type { FoldedModel, FoldedNode } from '../stages.js';

/**
 * fold-norm: OSR and BatchNorm in inference mode are one affine map per channel, so they fold into the weights
 * and bias of the conv/linear before them: g = gamma / sqrt(var + eps), W' = W*g, b' = (b - mean)*g + beta.
 * Dropout is the identity at inference and disappears.
 * Reference: DESIGN.md section 2 (OSR at inference), section 4 (fold-norm).
 */
export function foldNorm(model: Model, sha256: string): FoldedModel {
  const nodes: FoldedNode[] = [];
  const input = model.nodes;
  for (let i = 0; i < input.length; i++) {
    const node = input[i]!;
    const next = input[i + 1];
    switch (node.kind) {
      case 'conv2d':
      case 'linear': {
        const norm = next?.kind === 'norm' ? next : null;
        if (norm) i++;
        nodes.push(foldInto(node, norm));
        break;
      }
      case 'norm':
        throw new CompileError(`${model.name}: layer ${node.name}`, 'a norm layer must follow a conv2d or linear layer to be folded into its weights');
      case 'dropout':
        break;
      case 'lif':
        nodes.push({ kind: 'lif', name: node.name, key: lifKey(node), decay: node.decay, reset: node.reset, threshold: node.threshold });
        break;
      case 'avgpool2d':
      case 'maxpool2d':
        nodes.push({ kind: node.kind, name: node.name, kernel: node.kernel, stride: node.stride });
        break;
      case 'adaptiveavgpool2d':
        nodes.push({ kind: node.kind, name: node.name, output: node.output });
        break;
      case 'flatten':
        nodes.push({ kind: 'flatten', name: node.name });
        break;
      case 'add':
        nodes.push({ kind: 'add', name: node.name, from: node.from });
        break;
    }
  }
  return { name: model.name, source: model.source, timesteps: model.timesteps, input: model.input, sha256, nodes };
}

type Synaptic = Extract<ModelNode, { kind: 'conv2d' | 'linear' }>;
type Norm = Extract<ModelNode, { kind: 'norm' }>;

function foldInto(node: Synaptic, norm: Norm | null): FoldedNode {
  const outChannels = node.weight.shape[0]!;
  const perChannel = node.weight.data.length / outChannels;
  const weight = new Float32Array(node.weight.data.length);
  const bias = new Float32Array(outChannels);
  for (let c = 0; c < outChannels; c++) {
    const b = node.bias ? node.bias.data[c]! : 0;
    // Folding in float64 and rounding once keeps the folded model within float32 rounding of the unfolded one.
    const g = norm ? norm.gamma.data[c]! / Math.sqrt(norm.variance.data[c]! + norm.eps) : 1;
    bias[c] = norm ? (b - norm.mean.data[c]!) * g + norm.beta.data[c]! : b;
    for (let k = 0; k < perChannel; k++) weight[c * perChannel + k] = node.weight.data[c * perChannel + k]! * g;
  }
  if (node.kind === 'conv2d') {
    return { kind: 'conv2d', name: node.name, weight, shape: node.weight.shape as [number, number, number, number], bias, stride: node.stride, padding: node.padding };
  }
  return { kind: 'linear', name: node.name, weight, shape: node.weight.shape as [number, number], bias };
}
