// Reference: DESIGN.md section 4 (the ChipProgram); chips/ir/chip_program.proto, which these types mirror field by field.
/**
 * The chip IR as plain data: what the compiler emits and the simulator runs. Field names are the proto's in
 * camelCase (as protobufjs names them), enums are their value names, `repeated sint32` is an Int32Array and
 * `repeated float` a Float32Array. Reading and writing files lives apart, in chip-program-codec.ts.
 */

/** The `ir_version` this code writes. */
export const IR_VERSION = 3;
/**
 * Every `ir_version` this code reads: version 2 has text where version 3 has enums (chip-program-version-2.ts maps
 * it), version 1 also lacks `chip_spec_sha256`.
 */
export const READABLE_IR_VERSIONS: readonly number[] = [1, 2, 3];

/** `this spikechip reads versions 1, 2 and 3`, for the error that refuses another version. */
export function readableVersionsText(): string {
  return `this spikechip reads versions ${READABLE_IR_VERSIONS.slice(0, -1).join(', ')} and ${READABLE_IR_VERSIONS[READABLE_IR_VERSIONS.length - 1]}`;
}

export const INPUT_PLACEMENTS = ['INPUT_PLACEMENT_UNSPECIFIED', 'INPUT_GRADED_SPIKES', 'INPUT_ANN_CORE', 'INPUT_HOST'] as const;
/** How the analog input reaches the first layer (see the proto for each value). */
export type InputPlacement = (typeof INPUT_PLACEMENTS)[number];

export const LAYER_KINDS = ['LAYER_KIND_UNSPECIFIED', 'LAYER_SPIKING', 'LAYER_OUTPUT'] as const;
/** LAYER_SPIKING: LIF neurons that spike; LAYER_OUTPUT: non-spiking accumulators read out at the end. */
export type LayerKind = (typeof LAYER_KINDS)[number];

export const RESET_MODES = ['RESET_MODE_UNSPECIFIED', 'RESET_ZERO', 'RESET_SUBTRACT'] as const;
export type ResetMode = (typeof RESET_MODES)[number];

export const CORE_ROLES = ['CORE_ROLE_UNSPECIFIED', 'CORE_SOMA', 'CORE_PARTIAL'] as const;
/** CORE_SOMA holds neurons; CORE_PARTIAL holds only synapses and sends partial sums to its soma core. */
export type CoreRole = (typeof CORE_ROLES)[number];

export const CHIP_FAMILY_VALUES = ['CHIP_FAMILY_UNSPECIFIED', 'CHIP_LOIHI1', 'CHIP_LOIHI2', 'CHIP_TIANJIC'] as const;
/** The neuron datapath the program's integers are for: a chip spec's `family` (ir-enum-text.ts maps the two). */
export type ChipFamilyValue = (typeof CHIP_FAMILY_VALUES)[number];

export const SOURCE_KINDS = ['SOURCE_KIND_UNSPECIFIED', 'SOURCE_OSR_OTS', 'SOURCE_RATE_BP', 'SOURCE_NIR', 'SOURCE_OTHER'] as const;
/** The codebase the source model comes from (OSR + OTS, rate-based backprop, NIR, other). */
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const THRESHOLD_POLICIES = ['THRESHOLD_NONE', 'THRESHOLD_SCHEDULE', 'THRESHOLD_MEAN', 'THRESHOLD_CONSTANT'] as const;
/** Where a layer's thresholds came from: none (an output layer), the per-step table, its mean, or a fixed value. */
export type ThresholdPolicy = (typeof THRESHOLD_POLICIES)[number];

export const PROBE_VARIABLES = ['PROBE_VARIABLE_UNSPECIFIED', 'PROBE_VOLTAGE', 'PROBE_SPIKES'] as const;
export type ProbeVariable = (typeof PROBE_VARIABLES)[number];

export const LEARNING_RULE_KINDS = ['LEARNING_NONE', 'LEARNING_OTTT', 'LEARNING_OTTT_ACCUMULATED', 'LEARNING_RATE', 'LEARNING_WRITTEN'] as const;
/** A preset's rules, or rules written in Lava's grammar; LEARNING_NONE when no layer learns. */
export type LearningRuleKind = (typeof LEARNING_RULE_KINDS)[number];

export const ERROR_TIMINGS = ['ERROR_TIMING_UNSPECIFIED', 'ERROR_PER_STEP', 'ERROR_PER_EPOCH'] as const;
/** The error of each step's output (online), or of the output accumulated over the epoch. */
export type ErrorTiming = (typeof ERROR_TIMINGS)[number];

export const FEEDBACK_KINDS = ['FEEDBACK_NONE', 'FEEDBACK_TRANSPOSED', 'FEEDBACK_RANDOM'] as const;
/** A hidden learning layer's feedback weights: the next layer's transposed, or fixed random ones. */
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export interface ChipProgram {
  /** Always IR_VERSION when written by this code. */
  irVersion: number;
  /** Chip spec name (`loihi`, `loihi2`, `tianjic`, or a user spec's name) and its family. */
  chipName: string;
  chipFamily: ChipFamilyValue;
  source: SourceModel;
  /** Time steps of one inference (the model's T). */
  timesteps: number;
  /** Chips used; cores are numbered across chips. */
  chipCount: number;
  input: InputMap;
  /** Layer i receives from layer i-1-sourceSkip (layer 0 from the input) and from its branches' sources. */
  layers: Layer[];
  cores: Core[];
  probes: OutputProbe[];
  learning: LearningConfig;
  /** The compiler options that shaped this program, e.g. "threshold=mean". */
  notes: string[];
  /**
   * SHA-256 (hex) of the canonical JSON of the spec compiled for (chips/spec/spec-hash.ts); absent in version 1
   * programs, whose spec is known by `chipName` only.
   */
  chipSpecSha256?: string;
}

export interface SourceModel {
  name: string;
  /** SHA-256 (hex) of the canonical model file the program was compiled from. */
  sha256: string;
  kind: SourceKind;
}

export interface InputMap {
  /** One sample, e.g. [1, 28, 28]. */
  shape: number[];
  placement: InputPlacement;
  /** Graded spike payload (bits); 0 unless INPUT_GRADED_SPIKES. */
  payloadBits: number;
  /** Raw value -> model input factor (1/255 for 8-bit images). */
  valueScale: number;
  /** INPUT_HOST only: the first layer's float weights and bias, kept on the host. */
  hostWeights: Float32Array;
  hostBias: Float32Array;
}

export interface Layer {
  name: string;
  kind: LayerKind;
  /** Neuron grid [C, H, W]; a dense layer is [N, 1, 1]. */
  shape: number[];
  /** The grid the synapses read: the input sample or the previous layer's `shape`. */
  sourceShape: number[];
  connection: Connection;
  neuron: NeuronParameters;
  /** First global step at which the layer integrates (its pipeline depth); it runs `timesteps` steps from there. */
  startStep: number;
  /** v units per float unit of the source model. */
  scale: number;
  quantization: QuantizationReport;
  /** Reads its own spikes of the previous step; absent means false. */
  recurrent?: boolean;
  /** The main connection reads layer index-1-sourceSkip; absent means 0 (the layer before). */
  sourceSkip?: number;
  /** Further synapse sets onto the same neurons from earlier layers (residual graphs); absent means none. */
  branches?: Branch[];
}

/** Synapses from an earlier layer onto a layer's neurons, `delay` steps late, held by the layer's soma cores. */
export interface Branch {
  sourceLayer: number;
  sourceShape: number[];
  connection: Connection;
  delay: number;
}

/** Non-overlapping averaging windows over the source, folded into the synapses; 1/(window area) is in `scale`. */
export interface Pooling {
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  /** The pooled grid [C, H', W'] the connection reads. */
  pooledShape: number[];
  /** PyTorch's adaptive (floor/ceil) windows instead of a fixed kernel. */
  adaptive: boolean;
}

/** The proto's `oneof kind`: exactly one of `conv` and `dense` is set. */
export interface Connection {
  /** Absent when the connection reads the source grid directly. */
  pooling?: Pooling;
  conv?: ConvConnection;
  dense?: DenseConnection;
  sparse?: SparseConnection;
  /** A weight is mantissa * 2^weightExponent (before the chip's input shift). */
  weightExponent: number;
  /** Mantissa width used (bits, sign included). */
  weightBits: number;
}

/** out[co, oy, ox] += w[co, ci, ky, kx] * src[ci, oy*stride - pad + ky, ox*stride - pad + kx] (pooled grid). */
export interface ConvConnection {
  inChannels: number;
  outChannels: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  /** Mantissas [outChannels][inChannels][kernelH][kernelW]. */
  weights: Int32Array;
}

/** out[o] += w[o, i] * src[i] over the flattened pooled grid. */
/** A sparse matrix by source row (CSR): source i drives targets[rowStart[i] .. rowStart[i+1]). */
export interface SparseConnection {
  inFeatures: number;
  outFeatures: number;
  rowStart: number[];
  targets: number[];
  weights: Int32Array;
}

export interface DenseConnection {
  inFeatures: number;
  outFeatures: number;
  /** Mantissas [outFeatures][inFeatures]. */
  weights: Int32Array;
}

export interface NeuronParameters {
  /** Current decay in 2^-12 units (u keeps (2^12 - du - offset) / 2^12 per step). */
  du: number;
  /** Voltage decay in 2^-12 units (v keeps (2^12 - dv) / 2^12 per step). */
  dv: number;
  /** Threshold mantissa per local step (length timesteps), or one value for a constant threshold. */
  thresholdMantissa: number[];
  reset: ResetMode;
  /** Bias = mantissa << exponent, per output channel (per neuron for a dense layer). */
  biasMantissa: Int32Array;
  biasExponent: number[];
  /** Steps held at v = 0 after a spike; absent means 0. */
  refractorySteps?: number;
  /** v at the first step per neuron; absent means all 0. */
  initialVoltage?: Int32Array;
}

export interface QuantizationReport {
  /** Largest |float weight * scale - quantized weight| relative to the largest |weight| (fraction). */
  weightMaxError: number;
  /** Root-mean-square weight error relative to the largest |weight| (fraction). */
  weightRmsError: number;
  /** Largest relative threshold error over the steps (fraction). */
  thresholdMaxError: number;
  /** Largest bias error in threshold units (fraction of theta[1]). */
  biasMaxError: number;
  /** The float decay and the decay the chip realises. */
  decayFloat: number;
  decayChip: number;
  thresholdPolicy: ThresholdPolicy;
}

export interface Core {
  /** Global id: chip * cores_per_chip + index within the chip. */
  id: number;
  chip: number;
  /** Mesh position of the core's tile within its chip, and the core's slot in the tile. */
  tileX: number;
  tileY: number;
  slot: number;
  /** Index into ChipProgram.layers. */
  layer: number;
  role: CoreRole;
  /** Runs in ANN mode (Tianjic): integer multiply-accumulate, no spiking. */
  annMode: boolean;
  /** The neurons it owns (soma) or computes partial sums for (partial), as [begin, end) ranges. */
  channels: Range;
  rows: Range;
  cols: Range;
  /** The source channels (pooled-grid channels, or dense input features) its synapses read. */
  fanIn: Range;
  /** A partial core's soma core id (meaningless for a soma core). */
  somaCore: number;
  usage: CoreUsage;
  /** Destination cores of its spikes (or partial sums), each with the route the packet takes. */
  routes: Route[];
}

/** [begin, end). */
export interface Range {
  begin: number;
  end: number;
}

/** Resource use as the compiler accounted it; the proto's uint64 `synapse_bits` stays far below 2^53. */
export interface CoreUsage {
  neurons: number;
  inputAxons: number;
  outputAxons: number;
  synapseBits: number;
  synapses: number;
  fanIn: number;
}

/** Dimension-order route (east-west first, then north-south) to one destination core. */
export interface Route {
  destinationCore: number;
  hopsEastWest: number;
  hopsNorthSouth: number;
  /** Hops between chips (each also counted in east-west). */
  chipCrossings: number;
  /** Connections (source neuron -> destination core) the route carries: packets per step if all fire. */
  fanOut: number;
  /** The packet is replicated where routes to several destinations diverge. */
  multicast: boolean;
}

export interface OutputProbe {
  layer: number;
  variable: ProbeVariable;
}

export interface LearningConfig {
  /** Empty when no layer learns. */
  layers: number[];
  /** The rule as the user gave it: a preset's name, or rules in Lava's grammar (free text). */
  rule: string;
  /** Which of the two `rule` is, and which preset. */
  ruleKind: LearningRuleKind;
  epochSteps: number;
  /** Other settings of the rule, as key=value text. */
  settings: string[];
  /** Per learning layer, what its learning engine holds; absent in programs written before it existed. */
  layerConfigs?: LearningLayerConfig[];
}

export const ERROR_SOURCES = ['ERROR_SOURCE_UNSPECIFIED', 'ERROR_OUTPUT_COMPARISON', 'ERROR_FEEDBACK'] as const;
export type ErrorSource = (typeof ERROR_SOURCES)[number];

/** One trace: impulse per spike in 2^-impulseFractionalBits steps, decay in 2^-12 per step. */
export interface TraceConfig {
  impulse: number;
  decay: number;
}

/** The learning configuration of one layer (see the proto's LearningLayer). */
export interface LearningLayerConfig {
  layer: number;
  /** The rule in Lava's grammar. */
  rule: string;
  epochSteps: number;
  x1: TraceConfig;
  x2: TraceConfig;
  y1: TraceConfig;
  errorSource: ErrorSource;
  /** Graded payload per unit of error. */
  errorScale: number;
  errorTiming: ErrorTiming;
  /** y3 look-up table of a spiking layer; empty for a non-spiking one. */
  surrogateLut: Int32Array;
  surrogateShift: number;
  feedbackFrom: number;
  feedbackKind: FeedbackKind;
  feedbackWeights: Int32Array;
  /** Model units. */
  learningRate: number;
  /** The tag's rule (`dt = ...`); absent where the tag is not used (and in programs written before it existed). */
  tagRule?: string;
}
