import type { InputSpec, ModelSource, ResetMode } from '../models/graph/model.js';
import type { LoweredNetwork } from './passes/lower-to-synapses.js';
import type { RoutedCore } from './passes/route.js';

/**
 * The types between passes. Each pass takes one and returns the next, so a pass cannot be handed a stage it
 * does not understand: Model -> FoldedModel -> FrozenModel -> QuantizedNetwork -> LoweredNetwork ->
 * PartitionedNetwork -> PlacedNetwork -> RoutedNetwork -> ChipProgram (compile.ts lists the passes).
 */

interface ModelHeader {
  readonly name: string;
  readonly source: ModelSource;
  readonly timesteps: number;
  readonly input: InputSpec;
  /** SHA-256 of the canonical model file the compilation started from. */
  readonly sha256: string;
}

/** Wiring of a folded node, as the Model has it: the node it reads (absent: the one before it). */
interface FoldedBase {
  readonly input?: string;
}

/** conv2d with its norm folded in: y = conv(x, W') + b'. */
export interface FoldedConv extends FoldedBase {
  readonly kind: 'conv2d';
  readonly name: string;
  readonly weight: Float32Array;
  /** [Cout, Cin, kH, kW] */
  readonly shape: readonly [number, number, number, number];
  readonly bias: Float32Array;
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
}

/** linear with its norm folded in: y = W' x + b'. */
export interface FoldedLinear extends FoldedBase {
  readonly kind: 'linear';
  readonly name: string;
  readonly weight: Float32Array;
  /** [out, in] */
  readonly shape: readonly [number, number];
  readonly bias: Float32Array;
}

/** u = decay*u + x; fire when u >= theta[t]; reset. Thresholds stay as the model has them until freezing. */
export interface FoldedLif extends FoldedBase {
  readonly kind: 'lif';
  readonly name: string;
  readonly key: string;
  readonly decay: number;
  readonly reset: ResetMode;
  readonly threshold: { readonly kind: 'fixed'; readonly value: number } | { readonly kind: 'ots'; readonly initial: number; readonly frozen: Float32Array | null };
}

export interface FoldedPool extends FoldedBase {
  readonly kind: 'avgpool2d' | 'maxpool2d';
  readonly name: string;
  readonly kernel: number;
  readonly stride: number;
  readonly padding?: number;
}

export interface FoldedAdaptivePool extends FoldedBase {
  readonly kind: 'adaptiveavgpool2d';
  readonly name: string;
  readonly output: readonly [number, number];
}

export interface FoldedFlatten extends FoldedBase {
  readonly kind: 'flatten';
  readonly name: string;
}

export interface FoldedAdd extends FoldedBase {
  readonly kind: 'add';
  readonly name: string;
  readonly from: string;
}

export type FoldedNode = FoldedConv | FoldedLinear | FoldedLif | FoldedPool | FoldedAdaptivePool | FoldedFlatten | FoldedAdd;

/** After fold-norm: no norm and no dropout nodes remain. */
export interface FoldedModel extends ModelHeader {
  readonly nodes: readonly FoldedNode[];
}

/** Where a per-step threshold table came from. */
export type ThresholdPolicy = 'schedule' | 'mean' | 'constant';

/** A LIF layer whose thresholds are a fixed table theta[0..T-1]. */
export interface FrozenLif extends Omit<FoldedLif, 'threshold'> {
  readonly thresholds: Float64Array;
  readonly policy: ThresholdPolicy;
}

export type FrozenNode = Exclude<FoldedNode, FoldedLif> | FrozenLif;

/** After freeze-thresholds: every LIF has a concrete threshold per step. */
export interface FrozenModel extends ModelHeader {
  readonly nodes: readonly FrozenNode[];
}

/** Non-overlapping window averaging before a synaptic layer (folded into its synapses). */
export interface PoolingStage {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly adaptive: boolean;
  /** [C, H', W'] after pooling. */
  readonly pooledShape: readonly [number, number, number];
}

export type SynapticGeometry =
  | {
      readonly kind: 'conv';
      readonly inChannels: number;
      readonly outChannels: number;
      readonly kernel: readonly [number, number];
      readonly stride: readonly [number, number];
      readonly padding: readonly [number, number];
    }
  | { readonly kind: 'dense'; readonly inFeatures: number; readonly outFeatures: number };

/**
 * One more synapse set onto a layer's neurons (a residual shortcut, or one operand of a spike sum): it reads
 * chip layer `source`, `delay` steps after that layer's spikes would reach the next layer, so that local step t
 * of both sources meets in local step t of this layer.
 */
export interface FloatBranch {
  readonly source: number;
  readonly sourceShape: readonly [number, number, number];
  readonly pooling: PoolingStage | null;
  readonly geometry: SynapticGeometry;
  readonly weight: Float32Array;
  readonly poolFactor: number;
  readonly delay: number;
}

/** One chip layer in float: (pool) -> synapses -> LIF neurons, or -> output accumulators for the last layer. */
export interface FloatLayer {
  readonly name: string;
  readonly kind: 'spiking' | 'output';
  /** Names of the model nodes this layer was made of, for reports. */
  readonly nodes: readonly string[];
  /** Neuron grid [C, H, W] (dense: [N, 1, 1]). */
  readonly shape: readonly [number, number, number];
  /** What the synapses read: the input sample or the previous layer's neurons, [C, H, W]. */
  readonly sourceShape: readonly [number, number, number];
  readonly pooling: PoolingStage | null;
  readonly geometry: SynapticGeometry;
  /** Float weights in the order of `geometry` ([Cout][Cin][kH][kW] or [out][in]). */
  readonly weight: Float32Array;
  /** Per output channel (conv) or per neuron (dense). */
  readonly bias: Float32Array;
  /** Null for the output layer. */
  readonly neuron: FrozenLif | null;
  /** Float factor of the pooling window (1/area) that multiplies every weight. */
  readonly poolFactor: number;
  /** The chip layer the main synapses read (-1: the input sample); a chain reads the layer before. */
  readonly source: number;
  /** Further synapse sets onto the same neurons, from other layers (residual graphs); empty in a chain. */
  readonly branches: readonly FloatBranch[];
  /** First global step it integrates: one after the latest of its sources (its depth in the pipeline). */
  readonly startStep: number;
}

/** The frozen model as a chain of chip layers in float (shared by quantize and by the float check of lowering). */
export interface LayeredModel extends ModelHeader {
  readonly layers: readonly FloatLayer[];
}

/** How the analog input reaches the first layer (DESIGN.md section 4). */
export type InputPlacement = 'graded' | 'ann-core' | 'host';

/** The integer arithmetic the quantizer targets, from the chip spec (with stated assumptions where it is silent). */
export interface ChipArithmetic {
  readonly weightBits: number;
  readonly weightExponentMin: number;
  readonly weightExponentMax: number;
  readonly inputShift: number;
  readonly stateBits: number;
  readonly decayBits: number;
  readonly currentDecayOffset: number;
  readonly thresholdBits: number;
  readonly thresholdShift: number;
  readonly biasBits: number;
  readonly biasExponentMax: number;
  /** Fields the spec leaves null that were assumed, as `path=value`, for a W-UNCONFIRMED diagnostic. */
  readonly assumed: readonly string[];
}

export interface QuantizationError {
  readonly weightMaxError: number;
  readonly weightRmsError: number;
  readonly thresholdMaxError: number;
  readonly biasMaxError: number;
  readonly decayFloat: number;
  readonly decayChip: number;
  readonly thresholdPolicy: ThresholdPolicy | 'none';
}

/** A FloatBranch in the chip's integers: weight mantissas at the layer's own weight exponent. */
export interface QuantizedBranch {
  readonly source: number;
  readonly sourceShape: readonly [number, number, number];
  readonly pooling: PoolingStage | null;
  readonly geometry: SynapticGeometry;
  readonly weights: Int32Array;
  readonly delay: number;
}

/** One chip layer in the chip's integers. */
export interface QuantizedLayer {
  readonly name: string;
  readonly kind: 'spiking' | 'output';
  readonly shape: readonly [number, number, number];
  readonly sourceShape: readonly [number, number, number];
  readonly pooling: PoolingStage | null;
  readonly geometry: SynapticGeometry;
  /** Weight mantissas (empty where the synapses stay on the host). */
  readonly weights: Int32Array;
  readonly weightExponent: number;
  readonly weightBits: number;
  /** v units per float unit. */
  readonly scale: number;
  readonly du: number;
  readonly dv: number;
  /** Threshold mantissas per local step (output layers: empty). */
  readonly thresholds: Int32Array;
  readonly reset: 'zero' | 'subtract';
  readonly biasMantissa: Int32Array;
  readonly biasExponent: Uint32Array;
  readonly startStep: number;
  readonly error: QuantizationError;
  /** Float weights and bias kept for a host-computed first layer. */
  readonly host: { readonly weight: Float32Array; readonly bias: Float32Array } | null;
  /** The chip layer the main synapses read (-1: the input); the layer before in a chain. */
  readonly source: number;
  readonly branches: readonly QuantizedBranch[];
}

export interface QuantizedNetwork {
  readonly name: string;
  readonly source: ModelSource;
  readonly sha256: string;
  readonly timesteps: number;
  readonly input: InputSpec;
  readonly placement: InputPlacement;
  readonly payloadBits: number;
  readonly layers: readonly QuantizedLayer[];
}

/** A box of a layer's neurons and the part of its fan-in that one core handles. */
export interface CoreSlice {
  readonly layer: number;
  readonly role: 'soma' | 'partial';
  readonly annMode: boolean;
  readonly channels: readonly [number, number];
  readonly rows: readonly [number, number];
  readonly cols: readonly [number, number];
  /** Source channels (conv) or source features (dense) read by this core's synapses. */
  readonly fanIn: readonly [number, number];
}

export interface SliceUsage {
  readonly neurons: number;
  readonly inputAxons: number;
  readonly synapseBits: number;
  readonly synapses: number;
  readonly fanIn: number;
}

/** After partition: every layer's neurons are split into core slices under the per-core limits. */
export interface Partition {
  readonly network: QuantizedNetwork;
  /** Per layer, its slices; a layer's soma slices come first, then its partial slices. */
  readonly slices: readonly (readonly CoreSlice[])[];
}

/** After place: every slice has a core id and a tile position. */
export interface PlacedCore {
  readonly id: number;
  readonly chip: number;
  readonly tileX: number;
  readonly tileY: number;
  readonly slot: number;
  readonly slice: CoreSlice;
}

export interface Placement {
  readonly partition: Partition;
  readonly chipCount: number;
  readonly cores: readonly PlacedCore[];
}

/** After partition: the slices, with the lowered layers emit needs and the layers whose synapses store a learning tag. */
export interface PartitionedNetwork {
  readonly lowered: LoweredNetwork;
  readonly learningLayers: ReadonlySet<number>;
  readonly partition: Partition;
}

/** After place. */
export interface PlacedNetwork {
  readonly lowered: LoweredNetwork;
  readonly learningLayers: ReadonlySet<number>;
  readonly placement: Placement;
}

/** After route: every placed core with the routes its spikes (or partial sums) take. */
export interface RoutedNetwork {
  readonly lowered: LoweredNetwork;
  readonly learningLayers: ReadonlySet<number>;
  readonly placement: Placement;
  readonly cores: readonly RoutedCore[];
}
