// Reference: Pei et al., "Towards artificial general intelligence with hybrid Tianjic chip architecture", Nature 572, 2019, through secondary sources (DESIGN.md section 3): unconfirmed throughout; the neuron arithmetic is not published, so those fields are null.
import { CHIP_SPEC_FORMAT, DEFAULT_COST_ACCOUNTING, type ChipSpec, type CostProfile } from '../spec/chip-spec.js';

/** Functional cores (FCores) per chip (cores). Reference: Pei et al. 2019 via DESIGN.md section 3. */
export const TIANJIC_CORES_PER_CHIP = 156;
/** FCore mesh of 12 x 13 (cores; one core per router). Reference: DESIGN.md section 3. */
export const TIANJIC_MESH_WIDTH = 12;
export const TIANJIC_MESH_HEIGHT = 13;
/** Axons (crossbar rows) per FCore (count). Reference: DESIGN.md section 3 ("256-axon x 256-neuron crossbar"). */
export const MAX_AXONS_PER_FCORE = 256;
/** Neurons (crossbar columns) per FCore (count). Reference: DESIGN.md section 3. */
export const MAX_NEURONS_PER_FCORE = 256;
/**
 * SRAM per FCore (bytes): "about 22 KB", KB taken as 1024 bytes. Reference: DESIGN.md section 3. unconfirmed.
 * Note: a full 256 x 256 crossbar of 8-bit weights would need 64 KiB, so at 8 bits the SRAM, not the crossbar,
 * bounds a core; how Tianjic really stores its crossbar is not published.
 */
export const FCORE_SRAM_BYTES = 22 * 1024;
/** Weight width, signed (bits). Reference: DESIGN.md section 3 ("8-bit weights (toolchain claim)"). unconfirmed. */
export const TIANJIC_WEIGHT_BITS = 8;
/** Core clock (Hz). Reference: DESIGN.md section 3 ("synchronous 300 MHz"). */
export const TIANJIC_CLOCK_HZ = 300e6;
/** Cycles per compute-and-communicate round, i.e. per time step (cycles). Reference: DESIGN.md section 3. */
export const TIANJIC_CYCLES_PER_ROUND = 5050;
/** Chip power (W). Reference: Pei et al. 2019 via DESIGN.md section 3 ("the published 400 mW"). */
export const TIANJIC_CHIP_POWER_W = 0.4;

const ROUND_SECONDS = TIANJIC_CYCLES_PER_ROUND / TIANJIC_CLOCK_HZ; // 16.8 µs
const CHIP_ROUND_JOULES = TIANJIC_CHIP_POWER_W * ROUND_SECONDS; // 6.7 µJ
/**
 * Energy per core per round (pJ): 6.7 µJ / 156 = 43.16 nJ, kept to the two significant figures the inputs
 * justify (400 mW is one published figure). Rounding here, not in the formula, so the number reads as an estimate.
 */
const CORE_ROUND_PJ = Number((CHIP_ROUND_JOULES / TIANJIC_CORES_PER_CHIP / 1e-12).toPrecision(2));

/**
 * No per-operation energy is published for Tianjic: an estimate from the chip power and the round time, labelled
 * as such in the data (estimate, derivation) so reports never present it as a measurement.
 */
export const TIANJIC_POWER_ESTIMATE_PROFILE: CostProfile = {
  reference: 'Estimate from Pei et al. 2019 chip power (400 mW) and round time (5,050 cycles at 300 MHz)',
  unconfirmed: true,
  estimate: true,
  derivation:
    '400 mW x (5,050 cycles / 300 MHz = 16.8 us per round) = 6.7 uJ per chip per round; ' +
    'spread evenly over 156 FCores = about 43 nJ per core per round (2 significant figures). ' +
    'Assumes every core active and power independent of spike activity; round time is in timing, not here.',
  events: {
    coreRound: { energyPJ: CORE_ROUND_PJ, latencyNs: null },
  },
  barrierPerStep: [], // fixed-length rounds: no separate barrier
  accounting: DEFAULT_COST_ACCOUNTING,
};

export const tianjicSpec: ChipSpec = {
  format: CHIP_SPEC_FORMAT,
  name: 'tianjic',
  family: 'tianjic',
  reference: 'Pei et al., Nature 572 (2019), via secondary sources (DESIGN.md section 3)',
  unconfirmed: ['core.maxOutputAxons', 'core.sramBytes', 'core.synapseMemory', 'numberFormat.weight', 'neuron.resetModes', 'neuron.maxDelaySteps', 'costProfiles.estimate-400mW'],
  mesh: {
    coresPerChip: TIANJIC_CORES_PER_CHIP,
    widthTiles: TIANJIC_MESH_WIDTH,
    heightTiles: TIANJIC_MESH_HEIGHT,
    coresPerTile: 1,
    multicast: true, // routing look-up tables with multicast (DESIGN.md section 3)
  },
  core: {
    maxNeurons: MAX_NEURONS_PER_FCORE,
    maxInputAxons: MAX_AXONS_PER_FCORE,
    // One routing-table entry per neuron assumed; the table size is not published.
    maxOutputAxons: MAX_NEURONS_PER_FCORE,
    maxFanIn: MAX_AXONS_PER_FCORE,
    sramBytes: FCORE_SRAM_BYTES,
    synapseMemory: { kind: 'crossbar', weightBits: TIANJIC_WEIGHT_BITS },
    maxCompartmentProfiles: null,
    maxThresholdProfiles: null,
  },
  numberFormat: {
    weight: {
      mantissaBits: TIANJIC_WEIGHT_BITS,
      mantissaBitsChoices: [TIANJIC_WEIGHT_BITS],
      signed: true,
      exponentMin: 0, // no weight exponent published
      exponentMax: 0,
    },
    // Membrane/current widths, decays, threshold and bias formats are not published.
    current: { bits: null, overflow: null },
    voltage: { bits: null, overflow: null },
    decay: null,
    threshold: { mantissaBits: null, shift: null },
    bias: null,
    inputShift: null,
  },
  neuron: {
    resetModes: ['zero'], // soft reset not documented in the sources cited
    spikeCondition: null,
    thresholdSchedule: false, // no per-step threshold table documented
    gradedSpikes: false,
    gradedSpikePayloadBits: 0,
    annModeCores: true, // cores run in ANN or SNN mode (DESIGN.md section 3)
    maxDelaySteps: 0, // no synaptic delays documented
  },
  learning: null, // no on-chip learning engine documented
  timing: {
    clockHz: TIANJIC_CLOCK_HZ,
    synchronization: { kind: 'fixed-round', cyclesPerRound: TIANJIC_CYCLES_PER_ROUND },
  },
  costProfiles: { 'estimate-400mW': TIANJIC_POWER_ESTIMATE_PROFILE },
  defaultCostProfile: 'estimate-400mW',
};
