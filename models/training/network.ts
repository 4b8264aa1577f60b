import { ModelError } from '../errors.js';
import type { Model } from '../graph/model.js';
import { inferShapes } from '../graph/shapes.js';
import { elementCount } from '../graph/tensor.js';
import { conv2dGeometry, convTaps, type Conv2dGeometry, type ConvTaps } from '../reference/kernels/conv2d.js';

/** The two training rules: paper A's online rule (OSR + OTS) and paper B's rate_M. */
export type TrainingRule = 'osr' | 'rate';

/** Where one parameter tensor lives in the flat parameter (and gradient) arrays. */
export interface ParamSlot {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly length: number;
  /** Conv/linear weights (paper B decays only these); biases, gamma and beta are not. */
  readonly isWeight: boolean;
}

/** One layer of the training graph: the Model's node plus what the kernels need precomputed. */
export type TrainOp =
  | {
      readonly kind: 'conv2d';
      readonly name: string;
      readonly g: Conv2dGeometry;
      readonly taps: ConvTaps;
      readonly weight: ParamSlot;
      readonly bias: ParamSlot | null;
      readonly inSize: number;
      readonly outSize: number;
      readonly timeInvariant: boolean;
    }
  | {
      readonly kind: 'linear';
      readonly name: string;
      readonly inSize: number;
      readonly outSize: number;
      readonly weight: ParamSlot;
      readonly bias: ParamSlot | null;
      readonly timeInvariant: boolean;
    }
  | {
      readonly kind: 'norm';
      readonly name: string;
      readonly variant: 'osr' | 'batchnorm';
      readonly channels: number;
      readonly plane: number;
      readonly size: number;
      readonly gamma: ParamSlot;
      readonly beta: ParamSlot;
      readonly eps: number;
      readonly timeInvariant: boolean;
    }
  | { readonly kind: 'lif'; readonly name: string; readonly size: number; readonly decay: number; readonly ots: boolean; readonly threshold: number }
  | {
      readonly kind: 'avgpool2d';
      readonly name: string;
      readonly channels: number;
      readonly inHeight: number;
      readonly inWidth: number;
      readonly kernel: number;
      readonly stride: number;
      readonly outHeight: number;
      readonly outWidth: number;
      readonly inSize: number;
      readonly outSize: number;
      readonly timeInvariant: boolean;
    }
  | { readonly kind: 'flatten'; readonly name: string; readonly size: number; readonly timeInvariant: boolean }
  /** y = a + b (a residual connection); its two operands are the op's sources. */
  | { readonly kind: 'add'; readonly name: string; readonly size: number; readonly timeInvariant: boolean };

export interface TrainGraph {
  readonly ops: readonly TrainOp[];
  /** Per op, the ops it reads (an add two, the others one); -1 is the input image (models/graph/graph.ts). */
  readonly sources: readonly (readonly number[])[];
  /**
   * Per op, whether its output needs a gradient: it has parameters or reads an op that does. Nothing upstream of
   * the first parameter needs one, so the backward stops there.
   */
  readonly needsGrad: readonly boolean[];
  readonly params: readonly ParamSlot[];
  readonly paramCount: number;
  readonly inputSize: number;
  readonly classes: number;
  readonly timesteps: number;
}

const SUPPORTED = 'conv2d, linear, norm, lif, avgpool2d, flatten, add, dropout with p = 0';

/**
 * The training graph of a model: checks that every node is one the training kernels implement and that the
 * model fits the rule, and lays the parameters out in one flat array (the model's own order).
 */
export function buildTrainGraph(model: Model, rule: TrainingRule): TrainGraph {
  const where = (name: string, kind: string) => `${model.name}: layer ${name} (${kind})`;
  const params: ParamSlot[] = [];
  let offset = 0;
  const slot = (name: string, shape: readonly number[], isWeight: boolean): ParamSlot => {
    const length = elementCount(shape);
    const s = { name, shape: [...shape], offset, length, isWeight };
    offset += length;
    params.push(s);
    return s;
  };
  const ops: TrainOp[] = [];
  const sources: (readonly number[])[] = [];
  const needsGrad: boolean[] = [];
  for (const { node, inputShape, outputShape, sources: from } of inferShapes(model)) {
    const inSize = elementCount(inputShape);
    const outSize = elementCount(outputShape);
    // An op sees the same values at every step when everything it reads does: the image, through no LIF.
    const timeInvariant = from.every((k) => k < 0 || opTimeInvariant(ops[k]!));
    sources.push(from);
    switch (node.kind) {
      case 'conv2d': {
        const g = conv2dGeometry(node, inputShape, outputShape);
        const weight = slot(`${node.name}.weight`, node.weight.shape, true);
        const bias = node.bias ? slot(`${node.name}.bias`, node.bias.shape, false) : null;
        ops.push({ kind: 'conv2d', name: node.name, g, taps: convTaps(g), weight, bias, inSize, outSize, timeInvariant });
        break;
      }
      case 'linear': {
        const weight = slot(`${node.name}.weight`, node.weight.shape, true);
        const bias = node.bias ? slot(`${node.name}.bias`, node.bias.shape, false) : null;
        ops.push({ kind: 'linear', name: node.name, inSize, outSize, weight, bias, timeInvariant });
        break;
      }
      case 'norm': {
        const wanted = rule === 'osr' ? 'osr' : 'batchnorm';
        if (node.variant !== wanted) {
          throw new ModelError(where(node.name, 'norm'), `is ${node.variant}, but the ${rule} rule trains ${wanted} layers`);
        }
        const channels = node.gamma.data.length;
        const gamma = slot(`${node.name}.gamma`, [channels], false);
        const beta = slot(`${node.name}.beta`, [channels], false);
        ops.push({ kind: 'norm', name: node.name, variant: node.variant, channels, plane: outSize / channels, size: outSize, gamma, beta, eps: node.eps, timeInvariant });
        break;
      }
      case 'lif': {
        if (node.reset !== 'subtract') throw new ModelError(where(node.name, 'lif'), `has ${node.reset} reset; both training rules use the soft (subtract) reset`);
        if (rule === 'rate' && node.threshold.kind === 'ots')
          throw new ModelError(where(node.name, 'lif'), 'uses OTS thresholds, which the rate rule does not train (use --rule osr)');
        const ots = node.threshold.kind === 'ots';
        ops.push({
          kind: 'lif',
          name: node.name,
          size: outSize,
          decay: node.decay,
          ots,
          threshold: ots ? (node.threshold as { initial: number }).initial : (node.threshold as { value: number }).value,
        });
        break;
      }
      case 'avgpool2d':
        if (node.padding) throw new ModelError(where(node.name, 'avgpool2d'), `padding ${node.padding}: training supports average pooling without padding`);
        ops.push({
          kind: 'avgpool2d',
          name: node.name,
          channels: inputShape[0]!,
          inHeight: inputShape[1]!,
          inWidth: inputShape[2]!,
          kernel: node.kernel,
          stride: node.stride,
          outHeight: outputShape[1]!,
          outWidth: outputShape[2]!,
          inSize,
          outSize,
          timeInvariant,
        });
        break;
      case 'flatten':
        ops.push({ kind: 'flatten', name: node.name, size: outSize, timeInvariant });
        break;
      case 'dropout':
        if (node.p !== 0) throw new ModelError(where(node.name, 'dropout'), `p = ${node.p}: training supports dropout only with p = 0`);
        ops.push({ kind: 'flatten', name: node.name, size: outSize, timeInvariant });
        break;
      case 'add':
        ops.push({ kind: 'add', name: node.name, size: outSize, timeInvariant });
        break;
      default:
        throw new ModelError(where(node.name, node.kind), `host training supports ${SUPPORTED}`);
    }
    const op = ops[ops.length - 1]!;
    const hasParams = op.kind === 'conv2d' || op.kind === 'linear' || op.kind === 'norm';
    needsGrad.push(hasParams || from.some((k) => k >= 0 && needsGrad[k]!));
  }
  const last = ops[ops.length - 1];
  if (!last || last.kind !== 'linear') {
    throw new ModelError(model.name, 'training needs a linear layer last (its mean over T is the output both rules train)');
  }
  if (!ops.some((op) => op.kind === 'lif')) throw new ModelError(model.name, 'the model has no LIF layer to train');
  return { ops, sources, needsGrad, params, paramCount: offset, inputSize: elementCount(model.input.shape), classes: last.outSize, timesteps: model.timesteps };
}

/** A LIF's output changes from step to step; any other op's does when something it reads does. */
function opTimeInvariant(op: TrainOp): boolean {
  return op.kind !== 'lif' && op.timeInvariant;
}
