/** Reference: DESIGN.md sections 3 and 5: what a chip spec must state. The builtin numbers live in
 * chips/<name>/spec.ts, each with its source; a user's spec is JSON with this same shape (read-chip-spec.ts).
 *
 * A chip is data: a plain typed record, no classes, no behaviour. Units are in every numeric field's comment.
 * `null` always means "not published for this chip": a consumer that needs the value must say so (a diagnostic),
 * never substitute a guess silently.
 */

/** The `format` tag of a chip spec file; bump it when the schema changes incompatibly. */
export const CHIP_SPEC_FORMAT = 'spikechip-chip/1';

/**
 * Which neuron arithmetic the simulator runs for this chip. `loihi1` is Lava's bit-accurate CUBA LIF
 * (chips/loihi/lif-kernel.ts), `loihi2` the same datapath with Loihi 2's microcode options
 * (chips/loihi2/lif-kernel.ts), `tianjic` Tianjic's FCore, whose arithmetic is not published.
 */
export type ChipFamily = 'loihi1' | 'loihi2' | 'tianjic';
export const CHIP_FAMILIES: readonly ChipFamily[] = ['loihi1', 'loihi2', 'tianjic'];

export interface ChipSpec {
  readonly format: typeof CHIP_SPEC_FORMAT;
  /** Name users select the chip by (`--chip loihi`). */
  readonly name: string;
  readonly family: ChipFamily;
  /** Citation of the sources the numbers come from. */
  readonly reference: string;
  /**
   * Dotted paths of the fields whose values rest on weak sources (wiki, press, secondary, or assumed from a
   * sibling chip), e.g. `core.maxNeurons`. Reports mark results that depend on them.
   */
  readonly unconfirmed: readonly string[];
  readonly mesh: MeshSpec;
  readonly core: CoreLimits;
  readonly numberFormat: NumberFormat;
  readonly neuron: NeuronFeatures;
  /** The on-chip learning engine; null where the chip has none. */
  readonly learning: LearningEngine | null;
  readonly timing: TimingSpec;
  /** Named energy/latency profiles: name -> per-event costs. Names match /^[A-Za-z0-9][A-Za-z0-9._-]*$/. */
  readonly costProfiles: Readonly<Record<string, CostProfile>>;
  /** The profile used when the user names none; a key of `costProfiles`. */
  readonly defaultCostProfile: string;
}

/** The 2-D mesh of tiles; each tile is a router shared by `coresPerTile` cores. */
export interface MeshSpec {
  /** Neuro cores per chip (count); equals widthTiles * heightTiles * coresPerTile. */
  readonly coresPerChip: number;
  /** Mesh width, east-west (tiles). */
  readonly widthTiles: number;
  /** Mesh height, north-south (tiles). */
  readonly heightTiles: number;
  /** Cores behind one router (cores per tile). */
  readonly coresPerTile: number;
  /** Whether one packet can be replicated in the network to several destinations (else the source core sends one message per destination). */
  readonly multicast: boolean;
}

/** What one core can hold. The compiler's `check` compares each used amount with these limits. */
export interface CoreLimits {
  /** Neurons (compartments) per core (count). */
  readonly maxNeurons: number;
  /** Input axons per core (count). */
  readonly maxInputAxons: number;
  /** Output axon slots per core (count). */
  readonly maxOutputAxons: number;
  /** Crossbar fan-in: the most input axons one neuron can integrate (count); null where no crossbar bounds it. */
  readonly maxFanIn: number | null;
  /** SRAM per core (bytes); null where not published apart from the synapse memory. */
  readonly sramBytes: number | null;
  readonly synapseMemory: SynapseMemoryModel;
  /** Distinct neuron parameter sets (decays etc.) per core (count); null where not limited or not published. */
  readonly maxCompartmentProfiles: number | null;
  /** Distinct threshold values per core (count); null where not limited or not published. */
  readonly maxThresholdProfiles: number | null;
}

/** How synapses use memory; chips/spec/synapse-memory.ts does the arithmetic. */
export type SynapseMemoryModel = GroupedSynapseMemory | CrossbarSynapseMemory;

/**
 * Loihi's accounting (as nengo-loihi computes it): each input axon's synapses are stored in groups of at most
 * `maxSynapsesPerGroup`; a group costs (synapses * bits per synapse + `headerBitsPerGroup`) rounded up to whole
 * `wordBits` words, where bits per synapse = weight + delay + tag bits.
 */
export interface GroupedSynapseMemory {
  readonly kind: 'grouped-words';
  /** Synapse memory per core (bits). */
  readonly totalBits: number;
  /** Memory word; every group is rounded up to whole words (bits). */
  readonly wordBits: number;
  /** Header stored with every group (bits). */
  readonly headerBitsPerGroup: number;
  /** Synapses in one group at most (count). */
  readonly maxSynapsesPerGroup: number;
}

/** A crossbar core: each stored synapse costs `weightBits`, all of them within the core's `sramBytes`. */
export interface CrossbarSynapseMemory {
  readonly kind: 'crossbar';
  /** Stored bits per synapse (bits). */
  readonly weightBits: number;
}

export interface NumberFormat {
  readonly weight: WeightFormat;
  /** The synaptic current u. */
  readonly current: StateFormat;
  /** The membrane voltage v. */
  readonly voltage: StateFormat;
  /** The decay constants du, dv; null where not published. */
  readonly decay: DecayFormat | null;
  readonly threshold: ThresholdFormat;
  /** The per-neuron bias `mantissa << exponent`; null where not published. */
  readonly bias: BiasFormat | null;
  /** Left shift aligning the synaptic input with u before it is added (bits); null where not published. */
  readonly inputShift: number | null;
}

/** A weight is `mantissa * 2^exponent` (before the chip's input alignment shift). */
export interface WeightFormat {
  /** Widest mantissa, sign included when signed (bits). */
  readonly mantissaBits: number;
  /** Mantissa widths a synapse format can select, ascending (bits); the last equals `mantissaBits`. */
  readonly mantissaBitsChoices: readonly number[];
  /** Whether one synapse group can hold weights of both signs. */
  readonly signed: boolean;
  /** Smallest weight exponent (power of two). */
  readonly exponentMin: number;
  /** Largest weight exponent (power of two). */
  readonly exponentMax: number;
}

export type OverflowBehaviour = 'wrap' | 'saturate';

export interface StateFormat {
  /** Width, sign included (bits); null where not published. */
  readonly bits: number | null;
  /** What a value past the range becomes; null where not published. */
  readonly overflow: OverflowBehaviour | null;
}

export interface DecayFormat {
  /** Width of du and dv, unsigned (bits); a decay d multiplies the state by (2^bits - d - offset) / 2^bits. */
  readonly bits: number;
  /** Constant the hardware adds to du before decaying (count of 2^-bits; Loihi's ds_offset). */
  readonly currentDecayOffset: number;
  /** Constant the hardware adds to dv before decaying (count of 2^-bits; Loihi's dm_offset). */
  readonly voltageDecayOffset: number;
}

export interface ThresholdFormat {
  /** Threshold mantissa, unsigned (bits); null where not published. */
  readonly mantissaBits: number | null;
  /** Left shift applied to the mantissa before comparing with v (bits); null where not published. */
  readonly shift: number | null;
}

export interface BiasFormat {
  /** Bias mantissa, sign included (bits). */
  readonly mantissaBits: number;
  /** Largest bias exponent, a left shift (bits); the smallest is 0. */
  readonly exponentMax: number;
}

export type ResetMode = 'zero' | 'subtract';
export const RESET_MODES: readonly ResetMode[] = ['zero', 'subtract'];

/** How v is compared with the threshold: `greater` is v > th (Loihi), `greater-or-equal` is v >= th. */
export type SpikeCondition = 'greater' | 'greater-or-equal';
export const SPIKE_CONDITIONS: readonly SpikeCondition[] = ['greater', 'greater-or-equal'];

export interface NeuronFeatures {
  /** Reset modes the neuron supports (at least one, no repeats): zero sets v = 0, subtract sets v -= threshold. */
  readonly resetModes: readonly ResetMode[];
  /** The spike test; null where not published. */
  readonly spikeCondition: SpikeCondition | null;
  /** Whether a neuron group can follow a per-time-step threshold table. */
  readonly thresholdSchedule: boolean;
  /** Whether spikes can carry an integer payload. */
  readonly gradedSpikes: boolean;
  /** Payload width of a graded spike (bits); 0 when `gradedSpikes` is false. */
  readonly gradedSpikePayloadBits: number;
  /** Whether a core can run in a non-spiking ANN mode (e.g. for an analog first layer). */
  readonly annModeCores: boolean;
  /** Longest synaptic delay (time steps); 0 where delays are not supported. */
  readonly maxDelaySteps: number;
}

/** Each synapse the engine updates in an epoch is priced as a `synapticUpdate` event of the cost profile. */
export interface LearningEngine {
  /** Names of the traces a rule can read, e.g. x1 (pre), y1 (post). */
  readonly traces: readonly string[];
  /** Width of a trace, unsigned (bits). */
  readonly traceBits: number;
  /** Fractional bits of a trace impulse, dropped by stochastic rounding when added (bits). */
  readonly impulseFractionalBits: number;
  /** Whether traces and weight updates round stochastically. */
  readonly stochasticRounding: boolean;
  /** Longest learning epoch: the rule runs once every epoch (time steps). */
  readonly maxEpochSteps: number;
  /** Width of the weight-update accumulator, sign included (bits). */
  readonly accumulatorBits: number;
  /** The rule's form: a sum of products of traces, the weight and constants. */
  readonly rule: 'sum-of-products';
  /** Whether a third factor (reward or error) can modulate the rule. */
  readonly thirdFactor: boolean;
  /** Width of a product's scale mantissa, sign included (bits). */
  readonly scaleMantissaBits: number;
  /** Smallest and largest exponent of a product's scale (power of two); the smallest is the accumulator's LSB. */
  readonly scaleExponentMin: number;
  readonly scaleExponentMax: number;
  /** Width of an additive constant inside a factor, sign included (bits). */
  readonly constantBits: number;
  /**
   * Width of the synaptic tag `t`, sign included (bits): a per-synapse variable with its own rule (`dt = ...`),
   * evaluated at each epoch end with `dw`; 0 where the engine has no tag. Optional in a spec file (absent: 0).
   */
  readonly tagBits: number;
}

export interface TimingSpec {
  /** Core clock (Hz); null for a clockless (asynchronous) design. */
  readonly clockHz: number | null;
  readonly synchronization: Synchronization;
}

/**
 * How time steps are delimited. `barrier`: a step ends when every core is done and a barrier completes (its
 * latency is in the cost profile's `barrierPerStep`). `fixed-round`: every step takes the same number of cycles.
 */
export type Synchronization =
  | { readonly kind: 'barrier' }
  | {
      readonly kind: 'fixed-round';
      /** Clock cycles per compute-and-communicate round (cycles). */
      readonly cyclesPerRound: number;
    };

/**
 * Events a cost profile can price. A profile lists only the events its source gives; the simulator counts every
 * event and the energy ledger charges each listed event once per occurrence.
 *
 * - `synapticOp`: one synaptic operation (weight read + accumulate). `synapticOpDense|Sparse|Conv` price it per
 *   storage format where a source distinguishes them; a format without its own entry falls back to `synapticOp`.
 * - `synapticUpdate`: one synapse updated by the learning engine.
 * - `neuronUpdateActive` / `neuronUpdateInactive`: one neuron update, split by activity.
 * - `neuronAccess`, `neuronUpdate`: SANA-FE's soma costs, reading a neuron's state and updating it. Under
 *   `every-step` accounting every neuron pays the access every step and the update when SANA-FE's test says so;
 *   under `layer-window` both are charged for every neuron update regardless of activity.
 * - `spikeOut`: a neuron's spike leaving its core's neuron unit.
 * - `spikeWithinTile`: a spike delivered to a core of the same tile.
 * - `hopEastWest` / `hopNorthSouth`: one router-to-router hop in that direction.
 * - `messageOut` / `messageIn`: a spike message sent / received by a core.
 * - `coreRound`: one core running one round of a fixed-round chip.
 */
export const COST_EVENTS = [
  'synapticOp',
  'synapticOpDense',
  'synapticOpSparse',
  'synapticOpConv',
  'synapticUpdate',
  'neuronUpdateActive',
  'neuronUpdateInactive',
  'neuronAccess',
  'neuronUpdate',
  'spikeOut',
  'spikeWithinTile',
  'hopEastWest',
  'hopNorthSouth',
  'messageOut',
  'messageIn',
  'coreRound',
] as const;
export type CostEvent = (typeof COST_EVENTS)[number];

export interface EventCost {
  /** Energy per event (pJ); null where the source gives only a latency. */
  readonly energyPJ: number | null;
  /** Latency per event (ns); null where the source gives only an energy. */
  readonly latencyNs: number | null;
}

/** The barrier closing one time step on a chip using `tiles` tiles. */
export interface BarrierCost {
  /** Tiles taking part (tiles). */
  readonly tiles: number;
  /** Barrier latency per time step (ns). */
  readonly latencyNs: number;
  /** Barrier energy per time step (pJ); null where not given. */
  readonly energyPJ: number | null;
}

export interface CostProfile {
  /** Where the numbers come from. */
  readonly reference: string;
  /** True when the source is weak (second-hand, press, reused from another chip). */
  readonly unconfirmed: boolean;
  /** True when the numbers are our own estimate derived from coarser published figures. */
  readonly estimate: boolean;
  /** How an estimate was derived, step by step; null for numbers taken as published. */
  readonly derivation: string | null;
  /** Cost per event; events the source does not give are absent. */
  readonly events: Readonly<Partial<Record<CostEvent, EventCost>>>;
  /** Barrier cost per time step by tile count, ascending and distinct in `tiles`; read as `accounting.barrier` says. Empty where steps have no barrier. */
  readonly barrierPerStep: readonly BarrierCost[];
  /** What the profile's source model counts and how it forms a step's time. Optional in a spec file (absent: DEFAULT_COST_ACCOUNTING). */
  readonly accounting: CostAccounting;
}

/**
 * The counting rules of a cost profile: the same simulated events, counted the way the profile's source model
 * counts them, so that its figures can be compared with that model's own.
 *
 * - `neurons`: `layer-window` charges a layer's neurons during its own T steps, as `neuronUpdateActive` (the
 *   neuron got input or holds a non-zero v after the step) or `neuronUpdateInactive`; `every-step` charges every
 *   mapped neuron every step of the run `neuronAccess`, plus `neuronUpdate` when its v before the step is
 *   non-zero, a synaptic event reached it, its bias is non-zero, or it fires (SANA-FE src/models.cpp,
 *   src/pipeline.hpp).
 * - `spikeTraffic`: the step a spike's messages, hops and synaptic events are charged to, for the time of a
 *   step: the step the target layer integrates them (`delivery-step`) or the step the spike fired
 *   (`firing-step`, SANA-FE src/chip.cpp: messages are processed before the step's barrier).
 * - `stepTime`: `core-sum` is the slowest core's summed event latencies + the longest route's hops + the
 *   barrier; `max-of-phases` is max(slowest core's neuron phase, slowest core's message phase) + the barrier
 *   (SANA-FE src/schedule.cpp, its simple timing model). A fixed-round chip takes its round either way.
 * - `barrier`: `interpolate` between the published tile counts (held outside them), or `step`: the entry with
 *   the largest tile count at or below the tiles used (the first entry below all of them; SANA-FE src/utils.hpp).
 */
export interface CostAccounting {
  readonly neurons: 'layer-window' | 'every-step';
  readonly spikeTraffic: 'delivery-step' | 'firing-step';
  readonly stepTime: 'core-sum' | 'max-of-phases';
  readonly barrier: 'interpolate' | 'step';
}

/** The values a spec file may give each field of `accounting`, in the order the field's comment lists them. */
export const COST_ACCOUNTING_CHOICES: { readonly [K in keyof CostAccounting]: readonly CostAccounting[K][] } = {
  neurons: ['layer-window', 'every-step'],
  spikeTraffic: ['delivery-step', 'firing-step'],
  stepTime: ['core-sum', 'max-of-phases'],
  barrier: ['interpolate', 'step'],
};

/** spikechip's own counting (DESIGN.md section 5), the rules of a profile whose spec file names none. */
export const DEFAULT_COST_ACCOUNTING: CostAccounting = {
  neurons: 'layer-window',
  spikeTraffic: 'delivery-step',
  stepTime: 'core-sum',
  barrier: 'interpolate',
};
