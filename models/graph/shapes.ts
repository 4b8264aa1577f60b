import { ModelError } from '../errors.js';
import { resolveSources } from './graph.js';
import { assertNever, MODEL_INPUT, type Model, type ModelNode } from './model.js';
import { elementCount, formatShape } from './tensor.js';

export interface NodeShapes {
  readonly node: ModelNode;
  /** Shape of what the node reads (for an add, both operands have it). */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  /** Indices of the nodes it reads, -1 for the model input (models/graph/graph.ts). */
  readonly sources: readonly number[];
}

/** Output shape of every node for one sample, checking the wiring and that each node accepts what reaches it. */
export function inferShapes(model: Model): NodeShapes[] {
  const sources = resolveSources(model);
  const result: NodeShapes[] = [];
  const byName = new Map<string, readonly number[]>([[MODEL_INPUT, model.input.shape]]);
  model.nodes.forEach((node, i) => {
    const from = sources[i]!;
    const shape = from[0]! < 0 ? model.input.shape : result[from[0]!]!.outputShape;
    const out = outputShape(model.name, node, shape, byName);
    result.push({ node, inputShape: shape, outputShape: out, sources: from });
    byName.set(node.name, out);
  });
  return result;
}

function outputShape(modelName: string, node: ModelNode, input: readonly number[], earlier: ReadonlyMap<string, readonly number[]>): readonly number[] {
  const fail = (what: string): never => {
    throw new ModelError(`${modelName}: layer ${node.name} (${node.kind})`, what);
  };
  const spatial = (): [number, number, number] => {
    if (input.length !== 3) fail(`expects a [C, H, W] input, got ${formatShape(input)}`);
    return [input[0]!, input[1]!, input[2]!];
  };
  switch (node.kind) {
    case 'conv2d': {
      const [c, h, w] = spatial();
      const [cout, cin, kh, kw] = node.weight.shape as [number, number, number, number];
      if (cin !== c) fail(`weight ${formatShape(node.weight.shape)} expects ${cin} input channels, input is ${formatShape(input)}`);
      const oh = Math.floor((h + 2 * node.padding[0] - kh) / node.stride[0]) + 1;
      const ow = Math.floor((w + 2 * node.padding[1] - kw) / node.stride[1]) + 1;
      if (oh < 1 || ow < 1) fail(`kernel ${kh}x${kw} does not fit input ${formatShape(input)}`);
      return [cout, oh, ow];
    }
    case 'linear': {
      const [out, inn] = node.weight.shape as [number, number];
      if (input.length !== 1 || input[0] !== inn) {
        fail(`weight ${formatShape(node.weight.shape)} expects input [${inn}], got ${formatShape(input)}`);
      }
      return [out];
    }
    case 'norm': {
      const channels = input[0];
      if (channels !== node.gamma.data.length) {
        fail(`has ${node.gamma.data.length} channels, input is ${formatShape(input)}`);
      }
      return input;
    }
    case 'lif':
    case 'dropout':
    case 'leaky-integrator':
      return input;
    case 'spiking-neuron': {
      const n = elementCount(input);
      const w = node.recurrent?.weight.shape;
      if (w && (w.length !== 2 || w[0] !== n || w[1] !== n)) fail(`recurrent weight ${formatShape(w)} must be [${n}, ${n}] for input ${formatShape(input)}`);
      const b = node.recurrent?.bias;
      if (b && b.data.length !== n) fail(`recurrent bias has ${b.data.length} values, the layer has ${n} neurons`);
      return input;
    }
    case 'scale':
    case 'heaviside': {
      const values = node.kind === 'scale' ? node.factor : node.threshold;
      if (values.data.length !== 1 && values.data.length !== elementCount(input)) {
        fail(`has ${values.data.length} values, input ${formatShape(input)} needs 1 or ${elementCount(input)}`);
      }
      return input;
    }
    case 'conv1d': {
      if (input.length !== 2) fail(`expects a [C, L] input, got ${formatShape(input)}`);
      const [cout, cin, k] = node.weight.shape as [number, number, number];
      if (cin !== input[0]) fail(`weight ${formatShape(node.weight.shape)} expects ${cin} input channels, input is ${formatShape(input)}`);
      const out = Math.floor((input[1]! + 2 * node.padding - k) / node.stride) + 1;
      if (out < 1) fail(`kernel ${k} does not fit input ${formatShape(input)}`);
      return [cout, out];
    }
    case 'avgpool2d':
    case 'sumpool2d':
    case 'maxpool2d': {
      const [c, h, w] = spatial();
      const pad = node.kind === 'sumpool2d' ? 0 : (node.padding ?? 0);
      // PyTorch refuses a padding over half the kernel: a window could then lie wholly in the padding.
      if (pad * 2 > node.kernel) fail(`padding ${pad} is more than half the kernel ${node.kernel}`);
      const oh = Math.floor((h + 2 * pad - node.kernel) / node.stride) + 1;
      const ow = Math.floor((w + 2 * pad - node.kernel) / node.stride) + 1;
      if (oh < 1 || ow < 1) fail(`kernel ${node.kernel} does not fit input ${formatShape(input)}`);
      return [c, oh, ow];
    }
    case 'adaptiveavgpool2d': {
      const [c] = spatial();
      return [c, node.output[0], node.output[1]];
    }
    case 'flatten':
      return [elementCount(input)];
    case 'add': {
      const other = earlier.get(node.from);
      if (!other) fail(`adds the output of '${node.from}', which does not come before it`);
      if (other!.length !== input.length || other!.some((d, i) => d !== input[i])) {
        fail(`adds ${formatShape(other!)} from '${node.from}' to ${formatShape(input)}`);
      }
      return input;
    }
    default:
      return assertNever(node);
  }
}

export function parameterCount(node: ModelNode): number {
  switch (node.kind) {
    case 'conv2d':
    case 'conv1d':
    case 'linear':
      return node.weight.data.length + (node.bias?.data.length ?? 0);
    case 'spiking-neuron':
      return node.recurrent ? node.recurrent.weight.data.length + (node.recurrent.bias?.data.length ?? 0) : 0;
    case 'scale':
      return node.factor.data.length;
    case 'heaviside':
      return node.threshold.data.length;
    case 'norm':
      // gamma and beta; running statistics are buffers, not parameters (as PyTorch counts them).
      return node.gamma.data.length * 2;
    case 'lif':
    case 'sumpool2d':
    case 'leaky-integrator':
    case 'avgpool2d':
    case 'maxpool2d':
    case 'adaptiveavgpool2d':
    case 'flatten':
    case 'dropout':
    case 'add':
      return 0;
    default:
      return assertNever(node);
  }
}
