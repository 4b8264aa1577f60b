import { assertNever, lifKey, type Model, type ModelNode, type SpikingNeuronNode } from '../../models/graph/model.js';
import { CompileError } from '../errors.js';
import type { FoldedModel, FoldedNode } from '../stages.js';

/**
 * fold-norm: OSR and BatchNorm in inference mode are one affine map per channel, so they fold into the weights
 * and bias of the conv/linear before them: g = gamma / sqrt(var + eps), W' = W*g, b' = (b - mean)*g + beta.
 * Dropout is the identity at inference and disappears. NIR's sum pooling becomes average pooling with the area
 * moved into the next weights; NIR's single-state neurons become LIF layers (foldNeuron).
 * Reference: DESIGN.md section 2 (OSR at inference), section 4 (fold-norm).
 */
export function foldNorm(model: Model, sha256: string): FoldedModel {
  const nodes: FoldedNode[] = [];
  const input = model.nodes;
  const where = (name: string) => `${model.name}: layer ${name}`;
  // Sum pooling is average pooling times the window's area, which moves into the next synaptic layer's weights.
  let sumPoolFactor = 1;
  for (let i = 0; i < input.length; i++) {
    const node = input[i]!;
    const next = input[i + 1];
    switch (node.kind) {
      case 'conv2d':
      case 'linear': {
        const norm = next?.kind === 'norm' ? next : null;
        if (norm) i++;
        nodes.push(foldInto(node, norm, sumPoolFactor));
        sumPoolFactor = 1;
        break;
      }
      case 'sumpool2d':
        nodes.push({ kind: 'avgpool2d', name: node.name, kernel: node.kernel, stride: node.stride });
        sumPoolFactor *= node.kernel * node.kernel;
        break;
      case 'spiking-neuron':
        nodes.push(foldNeuron(node, nodes, where(node.name)));
        break;
      case 'conv1d':
        throw new CompileError(where(node.name), '1-D convolution is not lowered to synapses in this version (E-UNSUPPORTED)');
      case 'scale':
        throw new CompileError(where(node.name), 'a scale between layers is not lowered in this version (E-UNSUPPORTED): fold it into the weights before');
      case 'heaviside':
        throw new CompileError(where(node.name), 'a stateless threshold (NIR Threshold) is not lowered in this version (E-UNSUPPORTED)');
      case 'leaky-integrator':
        throw new CompileError(where(node.name), `non-spiking ${node.origin} neurons are not lowered (E-UNSUPPORTED): the chip's output is the mean input of the last synaptic layer`);
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
      default:
        return assertNever(node);
    }
  }
  return { name: model.name, source: model.source, timesteps: model.timesteps, input: model.input, sha256, nodes };
}

type Synaptic = Extract<ModelNode, { kind: 'conv2d' | 'linear' }>;
type Norm = Extract<ModelNode, { kind: 'norm' }>;

/**
 * A NIR neuron with one state: v = decay*v + s*x + leak is the LIF u = decay*u + x' with x' = s*x + leak, so the
 * input scale multiplies the synaptic layer's weights and bias and the leak adds to its bias. Synaptic current
 * state and recurrent weights have no lowering here and are refused.
 */
function foldNeuron(node: SpikingNeuronNode, before: FoldedNode[], where: string): FoldedNode {
  const d = node.dynamics;
  if (d.current) throw new CompileError(where, `${node.origin} has a synaptic current state, which this compiler does not lower (E-UNSUPPORTED)`);
  if (node.recurrent) throw new CompileError(where, `recurrent weights on ${node.origin} neurons are not lowered in this version (E-UNSUPPORTED)`);
  if (d.inputScale !== 1 || d.leak !== 0) {
    const index = before.length - 1;
    const synaptic = before[index];
    if (!synaptic || (synaptic.kind !== 'conv2d' && synaptic.kind !== 'linear')) {
      throw new CompileError(where, 'an input scale or leak needs the neuron to follow a conv2d or linear layer, into which it folds');
    }
    const weight = synaptic.weight.map((w) => w * d.inputScale);
    const bias = synaptic.bias.map((b) => b * d.inputScale + d.leak);
    before[index] = { ...synaptic, weight, bias };
  }
  return { kind: 'lif', name: node.name, key: node.name, decay: d.decay, reset: node.reset, threshold: { kind: 'fixed', value: node.threshold } };
}

function foldInto(node: Synaptic, norm: Norm | null, inputFactor: number): FoldedNode {
  const outChannels = node.weight.shape[0]!;
  const perChannel = node.weight.data.length / outChannels;
  const weight = new Float32Array(node.weight.data.length);
  const bias = new Float32Array(outChannels);
  for (let c = 0; c < outChannels; c++) {
    const b = node.bias ? node.bias.data[c]! : 0;
    // Folding in float64 and rounding once keeps the folded model within float32 rounding of the unfolded one.
    const g = norm ? norm.gamma.data[c]! / Math.sqrt(norm.variance.data[c]! + norm.eps) : 1;
    bias[c] = norm ? (b - norm.mean.data[c]!) * g + norm.beta.data[c]! : b;
    for (let k = 0; k < perChannel; k++) weight[c * perChannel + k] = node.weight.data[c * perChannel + k]! * g * inputFactor;
  }
  if (node.kind === 'conv2d') {
    return { kind: 'conv2d', name: node.name, weight, shape: node.weight.shape as [number, number, number, number], bias, stride: node.stride, padding: node.padding };
  }
  return { kind: 'linear', name: node.name, weight, shape: node.weight.shape as [number, number], bias };
}
