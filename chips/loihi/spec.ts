// Reference: Davies et al., "Loihi: A Neuromorphic Manycore Processor with On-Chip Learning", IEEE Micro 38(1), 2018; per-core limits as nengo-loihi checks them (nengo_loihi/block.py, builder/validate.py, builder/discretize.py, hardware/nxsdk_objects.py); neuron arithmetic of lava-nc/lava src/lava/proc/lif/models.py PyLifModelBitAcc; DESIGN.md section 3.
import { CHIP_SPEC_FORMAT, DEFAULT_COST_ACCOUNTING, type ChipSpec, type CostAccounting, type CostProfile, type LearningEngine, type NumberFormat } from '../spec/chip-spec.js';

// --- Mesh (DESIGN.md section 3; Davies et al. 2018) ---
/** Neuro cores per chip (cores). Reference: Davies et al. 2018. */
export const LOIHI_CORES_PER_CHIP = 128;
/** Mesh of 8 x 4 tiles (tiles). Reference: DESIGN.md section 3. */
export const LOIHI_MESH_WIDTH_TILES = 8;
export const LOIHI_MESH_HEIGHT_TILES = 4;
/** Cores sharing one router (cores). Reference: DESIGN.md section 3 ("8x4 tiles of 4 cores"). */
export const LOIHI_CORES_PER_TILE = 4;

// --- Per-core limits (nengo_loihi/block.py: MAX_COMPARTMENTS, MAX_IN_AXONS, MAX_OUT_AXONS, MAX_SYNAPSE_BITS) ---
/** Compartments per core (count). Reference: nengo-loihi block.py MAX_COMPARTMENTS. */
export const MAX_COMPARTMENTS = 1024;
/** Input axons per core (count). Reference: nengo-loihi block.py MAX_IN_AXONS. */
export const MAX_IN_AXONS = 4096;
/** Output axon slots per core (count; a pop32 axon takes two). Reference: nengo-loihi block.py MAX_OUT_AXONS. */
export const MAX_OUT_AXONS = 4096;
/** Synapse memory words per core (words). Reference: DESIGN.md section 3 ("16384 x 64 bits"). */
export const SYNAPSE_MEMORY_WORDS = 16384;
/** Synapse memory word; groups are rounded up to whole words (bits). Reference: nengo-loihi block.py bits_per_axon. */
export const SYNAPSE_WORD_BITS = 64;
/** Synapse memory per core (bits) = 1,048,576. Reference: nengo-loihi block.py MAX_SYNAPSE_BITS. */
export const MAX_SYNAPSE_BITS = SYNAPSE_MEMORY_WORDS * SYNAPSE_WORD_BITS;
/** Header per synapse group: 4 index bits + 6 count bits (bits). Reference: nengo-loihi block.py bits_per_axon. */
export const SYNAPSE_GROUP_HEADER_BITS = 10;
/** Synapses per group at most (count; n_synapses = 63 encodes 64). Reference: nengo-loihi block.py. */
export const MAX_SYNAPSES_PER_GROUP = 64;
/** Compartment profiles per core (count). Reference: nengo-loihi hardware/nxsdk_objects.py MAX_COMPARTMENT_CFGS. */
export const MAX_COMPARTMENT_PROFILES = 32;
/**
 * Threshold profiles per core (count). Reference: DESIGN.md section 3 and nengo-loihi hardware/nxsdk_objects.py
 * MAX_VTH_CFGS = 8 (a later nengo-loihi hardware/validate.py asserts <= 16 under "TODO: check these numbers").
 */
export const MAX_THRESHOLD_PROFILES = 8;

// --- Number formats ---
/** Weight mantissa widths a synapse format can select (bits). Reference: nengo-loihi block.py WEIGHT_BITS_MAP. */
export const WEIGHT_BITS_CHOICES: readonly number[] = [1, 2, 3, 4, 5, 6, 8];
/** Widest weight mantissa (bits). Reference: nengo-loihi block.py WEIGHT_BITS_MAP; DESIGN.md ("1..8-bit weights"). */
export const MAX_WEIGHT_BITS = 8;
/** Weight exponent range (power of two). Reference: nengo-loihi builder/validate.py (`-7 <= weight_exp <= 7`). */
export const WEIGHT_EXP_MIN = -7;
export const WEIGHT_EXP_MAX = 7;
/** Width of u and v, sign included (bits). Reference: Lava PyLifModelBitAcc `uv_bitwidth = 24`. */
export const STATE_BITS = 24;
/** Width of du and dv, unsigned (bits); a decay is a fraction of 2^12. Reference: Lava `decay_shift = 12`. */
export const DECAY_BITS = 12;
/** Largest du or dv (count of 2^-12). Reference: nengo-loihi nxsdk_objects.py DECAY_U_MAX / DECAY_V_MAX = 4095. */
export const MAX_DECAY = 2 ** DECAY_BITS - 1;
/** Added to du by the hardware (ds_offset), so du = 4095 decays u completely. Reference: Lava `ds_offset = 1`. */
export const CURRENT_DECAY_OFFSET = 1;
/** Added to dv by the hardware (dm_offset). Reference: Lava `dm_offset = 0`. */
export const VOLTAGE_DECAY_OFFSET = 0;
/** Threshold mantissa, unsigned (bits): VTH_MAN_MAX = 2^17 - 1 = 131071. Reference: nengo-loihi discretize.py; Lava vth precision 17. */
export const THRESHOLD_MANTISSA_BITS = 17;
/** Threshold left shift before comparing with v (bits). Reference: nengo-loihi discretize.py VTH_EXP; Lava `vth_shift = 6`. */
export const THRESHOLD_SHIFT = 6;
/** Synaptic input left shift before it is added to u (bits). Reference: Lava `act_shift = 6`; nengo-loihi get_real_weight_exp (6 + weight_exp). */
export const INPUT_SHIFT = 6;
/** Bias mantissa, sign included (bits): -4096..4095. Reference: Lava PyLifModelBitAcc docstring; nengo-loihi BIAS_MAN_MAX = 4095. */
export const BIAS_MANTISSA_BITS = 13;
/** Largest bias exponent (bits of left shift). Reference: nengo-loihi discretize.py BIAS_EXP_MAX; Lava bias_exp 3-bit unsigned. */
export const BIAS_EXP_MAX = 7;
/**
 * Longest synaptic delay (time steps). Reference: secondary sources only (NxSDK-era descriptions of Loihi 1's
 * delay ring buffer; Lava's bit-accurate model has no delays). unconfirmed.
 */
export const MAX_DELAY_STEPS = 62;

// --- Learning engine (DESIGN.md section 3; nengo-loihi discretize.py) ---
/** Trace width (bits). Reference: DESIGN.md section 3; nengo-loihi learn_overflow_bits (`factor_bits = 7`). */
export const TRACE_BITS = 7;
/** Fractional bits of a trace impulse (bits): magnitude split into int and 128ths. Reference: nengo-loihi tracing_mag_int_frac. */
export const TRACE_IMPULSE_FRACTIONAL_BITS = 7;
/** Longest learning epoch (time steps). Reference: DESIGN.md section 3 (t_epoch <= 63). */
export const MAX_LEARNING_EPOCH_STEPS = 63;
/** Learning accumulator, sign included (bits): nengo-loihi LEARN_BITS = 15 excludes the sign. Reference: DESIGN.md section 3. */
export const LEARNING_ACCUMULATOR_BITS = 16;
/** Scale of a product: 4-bit signed mantissa, exponent -7..8. Reference: lava-nc/lava constants.py W_S_MANT = 4; product_series.py checks. */
export const LEARNING_SCALE_MANTISSA_BITS = 4;
export const LEARNING_SCALE_EXPONENT_MIN = -7;
export const LEARNING_SCALE_EXPONENT_MAX = 8;
/** Additive constant of a factor (bits, sign included). Reference: lava-nc/lava constants.py W_CONST = 8. */
export const LEARNING_CONSTANT_BITS = 8;
/**
 * Synaptic tag `t`, sign included (bits): 8 magnitude bits and a sign. Reference: lava-nc/lava
 * src/lava/magma/core/learning/constants.py (W_TAG_1_U = 8, W_TAG_1_S = 9; tag_1 is the tag `t`,
 * string_symbols.py), the same width as Lava's weights (W_WEIGHTS_U = 8).
 */
export const LEARNING_TAG_BITS = 9;

/**
 * Loihi 1's learning engine. Reference: DESIGN.md section 3; Davies et al. 2018. thirdFactor: a reward/error
 * reaches the rule through a post-synaptic trace (nengo-loihi's PES writes the error that way), unconfirmed as a
 * general hardware feature.
 */
export const LOIHI_LEARNING_ENGINE: LearningEngine = {
  traces: ['x1', 'x2', 'y1', 'y2', 'y3'],
  traceBits: TRACE_BITS,
  impulseFractionalBits: TRACE_IMPULSE_FRACTIONAL_BITS,
  stochasticRounding: true,
  maxEpochSteps: MAX_LEARNING_EPOCH_STEPS,
  accumulatorBits: LEARNING_ACCUMULATOR_BITS,
  rule: 'sum-of-products',
  thirdFactor: true,
  scaleMantissaBits: LEARNING_SCALE_MANTISSA_BITS,
  scaleExponentMin: LEARNING_SCALE_EXPONENT_MIN,
  scaleExponentMax: LEARNING_SCALE_EXPONENT_MAX,
  constantBits: LEARNING_CONSTANT_BITS,
  tagBits: LEARNING_TAG_BITS,
};

/**
 * Davies et al. 2018, Table 2: pre-silicon figures at 0.75 V, transcribed second-hand (DESIGN.md section 3), so
 * marked unconfirmed until checked against the paper.
 */
export const DAVIES_2018_COST_PROFILE: CostProfile = {
  reference: 'Davies et al., IEEE Micro 2018, Table 2 (pre-silicon, 0.75 V; second-hand via DESIGN.md section 3)',
  unconfirmed: true,
  estimate: false,
  derivation: null,
  events: {
    synapticOp: { energyPJ: 23.6, latencyNs: 3.5 },
    synapticUpdate: { energyPJ: 120, latencyNs: 6.1 },
    neuronUpdateActive: { energyPJ: 81, latencyNs: 8.4 },
    neuronUpdateInactive: { energyPJ: 52, latencyNs: 5.3 },
    spikeWithinTile: { energyPJ: 1.7, latencyNs: 2.1 },
    hopEastWest: { energyPJ: 3.0, latencyNs: 4.1 },
    hopNorthSouth: { energyPJ: 4.0, latencyNs: 6.5 },
  },
  // "Min. synchronization time 113-465 ns for 1-32 tiles": the two published end points.
  barrierPerStep: [
    { tiles: 1, latencyNs: 113, energyPJ: null },
    { tiles: 32, latencyNs: 465, energyPJ: null },
  ],
  accounting: DEFAULT_COST_ACCOUNTING,
};

/**
 * How SANA-FE (SLAM-Lab/SANA-FE at 8951ab0) counts: every mapped neuron is serviced every step (src/chip.cpp
 * process_neurons), paying the access, and the update when its potential before the step is non-zero, a synaptic
 * event reached it or its bias is non-zero (src/models.cpp LoihiLifModel::update) or it fires (src/pipeline.hpp
 * calculate_soma_default_energy_latency: an idle neuron pays the access only); a spike's messages are processed
 * in the step it fired (src/chip.cpp sim_hw_timestep); the simple timing model takes the slower of the slowest
 * core's neuron phase and the slowest core's message phase, plus the barrier (src/schedule.cpp
 * schedule_messages_timestep_simple), looked up in its table as a step function (src/utils.hpp).
 */
export const SANAFE_ACCOUNTING: CostAccounting = {
  neurons: 'every-step',
  spikeTraffic: 'firing-step',
  stepTime: 'max-of-phases',
  barrier: 'step',
};

/**
 * SANA-FE's Loihi model, arch/loihi.yaml at commit 8951ab0 ("generated from SPICE", used in its silicon
 * comparison). Numbers only; SANA-FE's code is GPL and none of it is used here.
 */
export const SANAFE_COST_PROFILE: CostProfile = {
  reference: 'SANA-FE arch/loihi.yaml at 8951ab0 (numbers generated from SPICE), via DESIGN.md section 3',
  unconfirmed: false,
  estimate: false,
  derivation: null,
  events: {
    neuronAccess: { energyPJ: 51.2, latencyNs: 6.0 },
    neuronUpdate: { energyPJ: 21.6, latencyNs: 3.7 },
    spikeOut: { energyPJ: 69.3, latencyNs: 30 },
    synapticOpDense: { energyPJ: 35.5, latencyNs: 3.8 },
    synapticOpSparse: { energyPJ: 33.6, latencyNs: 4.7 },
    synapticOpConv: { energyPJ: 24.0, latencyNs: 3.1 },
    messageOut: { energyPJ: 111, latencyNs: 5.1 },
    messageIn: { energyPJ: null, latencyNs: 16 },
    hopEastWest: { energyPJ: 3.0, latencyNs: 4.1 },
    hopNorthSouth: { energyPJ: 4.2, latencyNs: 6.5 },
  },
  barrierPerStep: [
    { tiles: 1, latencyNs: 600, energyPJ: null },
    { tiles: 2, latencyNs: 1000, energyPJ: null },
    { tiles: 4, latencyNs: 1400, energyPJ: null },
    { tiles: 29, latencyNs: 1800, energyPJ: null },
  ],
  accounting: SANAFE_ACCOUNTING,
};

/**
 * Loihi's number formats (Lava PyLifModelBitAcc's datapath). Also what the compiler and simulator assume where a
 * spec leaves a format unpublished (null): they say so in a W-UNCONFIRMED diagnostic.
 */
export const LOIHI_NUMBER_FORMAT: NumberFormat = {
  weight: {
    mantissaBits: MAX_WEIGHT_BITS,
    mantissaBitsChoices: WEIGHT_BITS_CHOICES,
    signed: true, // "sign mode": mixed-sign groups spend one mantissa bit on the sign (nengo-loihi shift_bits)
    exponentMin: WEIGHT_EXP_MIN,
    exponentMax: WEIGHT_EXP_MAX,
  },
  current: { bits: STATE_BITS, overflow: 'wrap' },
  voltage: { bits: STATE_BITS, overflow: 'saturate' },
  decay: { bits: DECAY_BITS, currentDecayOffset: CURRENT_DECAY_OFFSET, voltageDecayOffset: VOLTAGE_DECAY_OFFSET },
  threshold: { mantissaBits: THRESHOLD_MANTISSA_BITS, shift: THRESHOLD_SHIFT },
  bias: { mantissaBits: BIAS_MANTISSA_BITS, exponentMax: BIAS_EXP_MAX },
  inputShift: INPUT_SHIFT,
};

export const loihiSpec: ChipSpec = {
  format: CHIP_SPEC_FORMAT,
  name: 'loihi',
  family: 'loihi1',
  reference: 'Davies et al., IEEE Micro 2018; limits as nengo-loihi checks them; LIF arithmetic of Lava PyLifModelBitAcc',
  unconfirmed: ['neuron.maxDelaySteps', 'learning.thirdFactor', 'mesh.multicast', 'costProfiles.davies2018'],
  mesh: {
    coresPerChip: LOIHI_CORES_PER_CHIP,
    widthTiles: LOIHI_MESH_WIDTH_TILES,
    heightTiles: LOIHI_MESH_HEIGHT_TILES,
    coresPerTile: LOIHI_CORES_PER_TILE,
    // Fan-out happens at the source core, one output axon per destination (nengo-loihi's out-axon slots). unconfirmed.
    multicast: false,
  },
  core: {
    maxNeurons: MAX_COMPARTMENTS,
    maxInputAxons: MAX_IN_AXONS,
    maxOutputAxons: MAX_OUT_AXONS,
    maxFanIn: null, // not a crossbar: fan-in is bounded by input axons and synapse memory
    sramBytes: null, // the synapse memory below is what the compiler must fit
    synapseMemory: {
      kind: 'grouped-words',
      totalBits: MAX_SYNAPSE_BITS,
      wordBits: SYNAPSE_WORD_BITS,
      headerBitsPerGroup: SYNAPSE_GROUP_HEADER_BITS,
      maxSynapsesPerGroup: MAX_SYNAPSES_PER_GROUP,
    },
    maxCompartmentProfiles: MAX_COMPARTMENT_PROFILES,
    maxThresholdProfiles: MAX_THRESHOLD_PROFILES,
  },
  numberFormat: LOIHI_NUMBER_FORMAT,
  neuron: {
    resetModes: ['zero'], // no soft reset on Loihi 1 (DESIGN.md section 3)
    spikeCondition: 'greater', // strict v > vth << 6 (Lava PyLifModelBitAcc.spiking_activation)
    thresholdSchedule: false, // no per-step threshold table on Loihi 1 (DESIGN.md section 3)
    gradedSpikes: false,
    gradedSpikePayloadBits: 0,
    annModeCores: false,
    maxDelaySteps: MAX_DELAY_STEPS,
  },
  learning: LOIHI_LEARNING_ENGINE,
  timing: {
    clockHz: null, // Loihi is asynchronous: no global clock (Davies et al. 2018)
    synchronization: { kind: 'barrier' }, // barrier latency per profile in barrierPerStep
  },
  costProfiles: { davies2018: DAVIES_2018_COST_PROFILE, sanafe: SANAFE_COST_PROFILE },
  defaultCostProfile: 'davies2018',
};
