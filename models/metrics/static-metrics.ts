import type { Model, ModelNode } from '../graph/model.js';
import type { Tensor } from '../graph/tensor.js';

/** NeuroBench 2.3.0's static metrics of a model (neurobench/metrics/static/*.py). */
export interface StaticMetrics {
  /** Elements of every trainable tensor: weights, biases, norm gamma and beta (torch parameters). */
  readonly parameterCount: number;
  /**
   * Bytes of every tensor the model holds as float32: its parameters, the norms' running statistics and each LIF
   * layer's threshold table. NeuroBench's figure also counts the buffers snnTorch's neuron modules carry.
   */
  readonly footprintBytes: number;
  /** Zero weights over all weights of the connection layers, rounded to 4 decimals as NeuroBench's round(x, 4). */
  readonly connectionSparsity: number;
}

const FLOAT32_BYTES = 4;

export function staticMetrics(model: Model): StaticMetrics {
  let parameters = 0;
  let buffers = 0;
  let zeros = 0;
  let weights = 0;
  for (const node of model.nodes) {
    for (const t of trainable(node)) parameters += t.data.length;
    buffers += bufferElements(node);
    for (const w of connectionWeights(node)) {
      weights += w.data.length;
      for (const v of w.data) if (v === 0) zeros++;
    }
  }
  return {
    parameterCount: parameters,
    footprintBytes: (parameters + buffers) * FLOAT32_BYTES,
    connectionSparsity: weights === 0 ? 0 : roundHalfEven(zeros, weights, 4),
  };
}

/** The weight tensors of the layers NeuroBench treats as connections (Linear, Conv*, a recurrent Linear). */
export function connectionWeights(node: ModelNode): Tensor[] {
  switch (node.kind) {
    case 'conv2d':
    case 'conv1d':
    case 'linear':
      return [node.weight];
    case 'spiking-neuron':
      return node.recurrent ? [node.recurrent.weight] : [];
    default:
      return [];
  }
}

function trainable(node: ModelNode): Tensor[] {
  switch (node.kind) {
    case 'conv2d':
    case 'conv1d':
    case 'linear':
      return node.bias ? [node.weight, node.bias] : [node.weight];
    case 'norm':
      return [node.gamma, node.beta];
    case 'spiking-neuron':
      return node.recurrent ? (node.recurrent.bias ? [node.recurrent.weight, node.recurrent.bias] : [node.recurrent.weight]) : [];
    default:
      return [];
  }
}

function bufferElements(node: ModelNode): number {
  switch (node.kind) {
    case 'norm':
      return node.mean.data.length + node.variance.data.length;
    case 'lif':
      return node.threshold.kind === 'ots' ? (node.threshold.frozen?.length ?? 0) : 1;
    case 'scale':
      return node.factor.data.length;
    case 'heaviside':
      return node.threshold.data.length;
    default:
      return 0;
  }
}

/**
 * numerator/denominator rounded to `digits` decimals, ties to even, as Python's round() does: exact on the ratio of
 * integers (toFixed would round a tie such as 1/32 up).
 */
export function roundHalfEven(numerator: number, denominator: number, digits: number): number {
  const scale = 10n ** BigInt(digits);
  const n = BigInt(numerator) * scale;
  const d = BigInt(denominator);
  let q = n / d;
  const twice = 2n * (n % d);
  if (twice > d || (twice === d && q % 2n === 1n)) q += 1n;
  return Number(q) / Number(scale);
}
