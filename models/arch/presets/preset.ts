import type { ArchSpec } from '../arch-spec.js';

/** Tensor shapes of a state dict by key: all a preset reads to recognise a checkpoint and lay out its graph. */
export type TensorShapes = ReadonlyMap<string, readonly number[]>;

/** What a user may override of the defaults a preset takes from its codebase's configuration. */
export interface PresetOptions {
  readonly timesteps?: number;
  /** [C, H, W]; where the classifier's width fixes H and W, a different H or W is refused. */
  readonly inputShape?: readonly number[];
}

/**
 * An architecture of a seed codebase's model zoo, so its checkpoints need no arch.json. Depth and width come
 * from the state dict's keys and shapes; what keys cannot tell (strides, pooling, the neuron) from the code.
 */
export interface Preset {
  readonly name: string;
  /** The seed repository and file the architecture is read from. */
  readonly module: string;
  readonly description: string;
  /** True when the state dict's tensor names are this architecture's (build may still refuse their shapes). */
  matches(shapes: TensorShapes): boolean;
  build(shapes: TensorShapes, file: string, options?: PresetOptions): ArchSpec;
}
