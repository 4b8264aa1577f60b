import type { Tensor } from './tensor.js';

/** Where the model came from: decides the training rule family and some float conventions. */
export type ModelSource = 'osr-ots' | 'rate-bp' | 'nir' | 'other';

/** Threshold of a LIF layer: a fixed value, or OTS (per-step, from batch statistics or a frozen table). */
export type Threshold =
  | { readonly kind: 'fixed'; readonly value: number }
  | {
      readonly kind: 'ots';
      /** theta[1]: OTS rescales later steps so that step 1 fires at this value. */
      readonly initial: number;
      /** theta[1..T] frozen by calibration, or null when not calibrated yet. */
      readonly frozen: Float32Array | null;
    };

export type ResetMode = 'subtract' | 'zero';

/** The name a node's `input` gives to read the model's input sample (no node may be called so). */
export const MODEL_INPUT = 'input';

interface NodeBase {
  /** Unique within the model; the state-dict prefix where there is one. */
  readonly name: string;
  /**
   * The node whose output this node reads (MODEL_INPUT: the sample). Absent: the node before it in the list (the
   * sample for the first), so a chain needs no wiring and files written before graphs branched read unchanged.
   */
  readonly input?: string;
}

/** y = conv(x, W) + b, weight [Cout, Cin, kH, kW]. */
export interface Conv2dNode extends NodeBase {
  readonly kind: 'conv2d';
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
}

/** y = W x + b, weight [out, in]. */
export interface LinearNode extends NodeBase {
  readonly kind: 'linear';
  readonly weight: Tensor;
  readonly bias: Tensor | null;
}

/** y = gamma * (x - mean) / sqrt(var + eps) + beta, per channel (OSR at inference, or BatchNorm in eval mode). */
export interface NormNode extends NodeBase {
  readonly kind: 'norm';
  readonly variant: 'osr' | 'batchnorm';
  readonly gamma: Tensor;
  readonly beta: Tensor;
  readonly mean: Tensor;
  readonly variance: Tensor;
  readonly eps: number;
}

/** u[t] = decay*u[t-1] + x[t]; s = (u >= theta[t]); reset: u -= s*theta[t] (subtract) or u = 0 (zero). */
export interface LifNode extends NodeBase {
  readonly kind: 'lif';
  /** State-dict prefix from arch.json, or null where the checkpoint has no entry for the neuron. */
  readonly prefix: string | null;
  readonly decay: number;
  readonly threshold: Threshold;
  readonly reset: ResetMode;
}

/** y = mean over each kernel window (zero padding counted in the window, PyTorch's count_include_pad). */
export interface AvgPool2dNode extends NodeBase {
  readonly kind: 'avgpool2d';
  readonly kernel: number;
  readonly stride: number;
  /** Absent: 0. */
  readonly padding?: number;
}

/** y = max over each kernel window (padding never wins: PyTorch pads with -infinity). */
export interface MaxPool2dNode extends NodeBase {
  readonly kind: 'maxpool2d';
  readonly kernel: number;
  readonly stride: number;
  /** Absent: 0. */
  readonly padding?: number;
}

/** y = mean over PyTorch's adaptive windows to an output of [H, W]. */
export interface AdaptiveAvgPool2dNode extends NodeBase {
  readonly kind: 'adaptiveavgpool2d';
  readonly output: readonly [number, number];
}

/** y = x reshaped to [C*H*W]. */
export interface FlattenNode extends NodeBase {
  readonly kind: 'flatten';
}

/** y = x at inference (training-time dropout only). */
export interface DropoutNode extends NodeBase {
  readonly kind: 'dropout';
  readonly p: number;
}

/** y = x + output of node `from` (a residual connection: x is the node's `input`, the first operand). */
export interface AddNode extends NodeBase {
  readonly kind: 'add';
  readonly from: string;
}

/** y = conv1d(x, W) + b over [C, L], weight [Cout, Cin, k]. */
export interface Conv1dNode extends NodeBase {
  readonly kind: 'conv1d';
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: number;
  readonly padding: number;
}

/** y = sum over each kernel window (no padding). */
export interface SumPool2dNode extends NodeBase {
  readonly kind: 'sumpool2d';
  readonly kernel: number;
  readonly stride: number;
}

/** y = factor * x, element-wise (one factor, or one per input element). */
export interface ScaleNode extends NodeBase {
  readonly kind: 'scale';
  readonly factor: Tensor;
}

/** y = (x >= threshold), element-wise (one threshold, or one per input element): NIR's Threshold. */
export interface HeavisideNode extends NodeBase {
  readonly kind: 'heaviside';
  readonly threshold: Tensor;
}

/**
 * A neuron's state update per time step, discretised from NIR's continuous equations (models/nir/discretise.ts;
 * the model's notes say which dt): with a synaptic current, i[t] = current.decay*i[t-1] + current.scale*x[t],
 * else i[t] = x[t]; then v[t] = decay*v[t-1] + inputScale*i[t] + leak.
 */
export interface NeuronDynamics {
  readonly decay: number;
  readonly inputScale: number;
  readonly leak: number;
  readonly current: { readonly decay: number; readonly scale: number } | null;
}

/**
 * A spiking neuron (NIR IF, LIF, CubaLIF): x[t] = input + W_rec s[t-1] + b_rec; dynamics as NeuronDynamics;
 * s = (v >= threshold); reset v -= threshold (subtract) or v = 0 (zero).
 */
export interface SpikingNeuronNode extends NodeBase {
  readonly kind: 'spiking-neuron';
  /** The NIR node type it came from (IF, LIF, CubaLIF), for reports. */
  readonly origin: string;
  readonly dynamics: NeuronDynamics;
  readonly threshold: number;
  readonly reset: ResetMode;
  /** A recurrent edge through a linear map, [n, n], fed by the previous step's spikes. */
  readonly recurrent: { readonly weight: Tensor; readonly bias: Tensor | null } | null;
}

/** A non-spiking neuron (NIR LI, CubaLI, Integrator): dynamics as NeuronDynamics; y = v. */
export interface LeakyIntegratorNode extends NodeBase {
  readonly kind: 'leaky-integrator';
  readonly origin: string;
  readonly dynamics: NeuronDynamics;
}

export type ModelNode =
  | Conv2dNode
  | LinearNode
  | NormNode
  | LifNode
  | AvgPool2dNode
  | MaxPool2dNode
  | AdaptiveAvgPool2dNode
  | FlattenNode
  | DropoutNode
  | AddNode
  | Conv1dNode
  | SumPool2dNode
  | ScaleNode
  | HeavisideNode
  | SpikingNeuronNode
  | LeakyIntegratorNode;

export type NodeKind = ModelNode['kind'];

export interface InputSpec {
  /** Per-sample shape, e.g. [1, 28, 28]. */
  readonly shape: readonly number[];
  /** Raw pixel values are multiplied by this (1/255 for 8-bit images; applied as a float32 division by 255). */
  readonly scale: number;
  readonly encoding: 'direct';
}

/**
 * A trained SNN as a float graph: a DAG whose nodes are listed in topological order (each reads its `input`, an add
 * also `from`, both earlier in the list); they run in that order every time step; the output is the mean over T
 * of the last node. models/graph/graph.ts resolves and checks the wiring.
 */
export interface Model {
  readonly name: string;
  readonly source: ModelSource;
  readonly timesteps: number;
  readonly input: InputSpec;
  readonly nodes: readonly ModelNode[];
  readonly output: 'mean-over-time';
  /** Assumptions made on import that change what the model computes (e.g. the dt a NIR file was read with). */
  readonly notes?: readonly string[];
}

export function lifNodes(model: Model): LifNode[] {
  return model.nodes.filter((n): n is LifNode => n.kind === 'lif');
}

/** The key a LIF layer's thresholds are reported under: its state-dict prefix, else its name. */
export function lifKey(node: LifNode): string {
  return node.prefix ?? node.name;
}

export function assertNever(x: never): never {
  throw new Error(`unhandled node kind: ${JSON.stringify(x)}`);
}
