// Reference: Intel Loihi 2 at wiki/press level (Intel's 2021 Loihi 2 technology brief and press coverage), via DESIGN.md section 3: unconfirmed throughout; values not published there are Loihi 1's (chips/loihi/spec.ts), assumed and listed in `unconfirmed`.
import { CHIP_SPEC_FORMAT, type ChipSpec, type CostProfile } from '../spec/chip-spec.js';
import { DAVIES_2018_COST_PROFILE, LOIHI_LEARNING_ENGINE, loihiSpec } from '../loihi/spec.js';

/** Neuro cores per chip (cores). Reference: Loihi 2 press brief, DESIGN.md section 3. unconfirmed. */
export const LOIHI2_CORES_PER_CHIP = 128;
/**
 * Neurons per core the toolchain may place (count). Reference: DESIGN.md section 3: "up to 8192 neurons per core
 * (about 4096 CUBA in practice)". The compiler maps CUBA LIF, so 4096 is the limit; 8192 holds only for the
 * smallest microcode neurons. unconfirmed.
 */
export const LOIHI2_MAX_CUBA_NEURONS_PER_CORE = 4096;
/** Graded spike payload (bits). Reference: DESIGN.md section 3 ("up to 24-bit payload"). unconfirmed. */
export const LOIHI2_GRADED_SPIKE_PAYLOAD_BITS = 24;
/** Longest synaptic delay (time steps): delays 0..63. Reference: DESIGN.md section 3. unconfirmed. */
export const LOIHI2_MAX_DELAY_STEPS = 63;

/**
 * No per-event Loihi 2 energy is in DESIGN.md's sources: this is Loihi 1's Davies et al. 2018 Table 2 profile
 * reused as a stand-in, and marked unconfirmed so reports say so.
 */
const LOIHI1_COSTS_REUSED: CostProfile = {
  ...DAVIES_2018_COST_PROFILE,
  reference: `Loihi 1 numbers reused for Loihi 2 (no Loihi 2 per-event figures published): ${DAVIES_2018_COST_PROFILE.reference}`,
  unconfirmed: true,
};

export const loihi2Spec: ChipSpec = {
  format: CHIP_SPEC_FORMAT,
  name: 'loihi2',
  family: 'loihi2',
  reference: 'Intel Loihi 2, wiki/press level (DESIGN.md section 3); unpublished values assumed equal to Loihi 1 (chips/loihi/spec.ts)',
  unconfirmed: ['mesh', 'core', 'numberFormat', 'neuron', 'learning', 'timing', 'costProfiles.davies2018'],
  // Geometry not in the cited sources: Loihi 1's 8 x 4 tiles of 4 cores, assumed.
  mesh: { ...loihiSpec.mesh, coresPerChip: LOIHI2_CORES_PER_CHIP },
  core: {
    // In/out axons, synapse memory and profile counts: Loihi 1's, assumed.
    ...loihiSpec.core,
    maxNeurons: LOIHI2_MAX_CUBA_NEURONS_PER_CORE,
  },
  // 24-bit u/v, 12-bit decays, 8-bit weights with exponent: Loihi 1's datapath, assumed for the CUBA microcode.
  numberFormat: loihiSpec.numberFormat,
  neuron: {
    resetModes: ['zero', 'subtract'], // microcoded neurons allow soft reset (DESIGN.md section 3)
    spikeCondition: 'greater', // chips/loihi2/lif-kernel.ts keeps Loihi 1's strict test
    thresholdSchedule: true, // per-step threshold tables are possible in microcode (DESIGN.md section 3)
    gradedSpikes: true,
    gradedSpikePayloadBits: LOIHI2_GRADED_SPIKE_PAYLOAD_BITS,
    annModeCores: false, // graded spikes carry the analog first layer instead
    maxDelaySteps: LOIHI2_MAX_DELAY_STEPS,
  },
  // "Three-factor learning" (DESIGN.md section 3); trace widths etc. assumed equal to Loihi 1's.
  learning: { ...LOIHI_LEARNING_ENGINE, thirdFactor: true },
  timing: loihiSpec.timing, // asynchronous with a barrier per step, as Loihi 1 (assumed)
  costProfiles: { davies2018: LOIHI1_COSTS_REUSED },
  defaultCostProfile: 'davies2018',
};
