/** Reference: DESIGN.md section 6 (every reader bounds every size it reads). The largest sizes a chip spec or a
 * chip program may state: bounds of what the toolchain can represent and allocate (the simulator sizes its mesh,
 * routes and per-core state from them), not limits of any chip, which live in each chip's folder. Each is far
 * above the chips modelled (Loihi: 8 x 4 tiles of 4 cores, 1,024 neurons per core; Tianjic: 12 x 13 cores;
 * Hala Point: 1,152 Loihi 2 chips).
 */
export const SCHEMA_LIMITS = {
  /** Tiles along either side of one chip's mesh. */
  meshSideTiles: 1024,
  coresPerTile: 64,
  coresPerChip: 65_536,
  /** Chips in one program. */
  chips: 16_384,
  neuronsPerCore: 2 ** 20,
  /** Input or output axons, and fan-in, of one core. */
  axonsPerCore: 2 ** 24,
  /** Synaptic delay in steps. */
  delaySteps: 65_535,
  /**
   * Width of a decay (bits): the kernels multiply a state of up to 32 bits by (2^bits - decay) and need the
   * product exact in a double (32 + 20 bits < 53).
   */
  decayBits: 20,
  /** Steps of one inference (models/graph/model-limits.ts states the same bound for models, which chips/ cannot import). */
  timesteps: 100_000,
  /** Neurons of one layer: models/graph/model-limits.ts's bound on a node's output. */
  layerNeurons: 2 ** 24,
} as const;
