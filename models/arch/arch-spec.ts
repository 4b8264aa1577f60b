/**
 * The `snn-arch/1` and `snn-arch/2` files: how the tensors of a state dict form a network. /1 is a chain; /2 gives
 * every layer an `id` (default: its 0-based position) and an `input` (default: the previous layer; the model's
 * sample is "input"), and an add sums its two `inputs`: residual graphs are data. A /1 file is a valid /2 file.
 */
export interface ArchSpec {
  readonly format: 'snn-arch/1' | 'snn-arch/2';
  readonly name: string;
  readonly source: 'osr-ots' | 'rate-bp' | 'other';
  /** Key of the state dict inside the checkpoint (`net`, `best_net`), or null for a bare state dict. */
  readonly stateDictKey: string | null;
  readonly timesteps: number;
  readonly input: { readonly shape: readonly number[]; readonly scale: number; readonly encoding: 'direct' };
  readonly neuron: ArchNeuron;
  readonly layers: readonly ArchLayer[];
  readonly output: 'mean-over-time';
  readonly preset?: string;
  /** The seed code's module and constructor arguments of the preset, as the file states them (for reports). */
  readonly presetModule?: string;
  /** What a preset chose for the user (an input size or T its codebase defaults to); carried into the model's notes. */
  readonly notes?: readonly string[];
}

export interface ArchNeuron {
  readonly model: 'lif';
  readonly decay: number;
  readonly threshold: number;
  readonly reset: 'subtract' | 'zero';
  readonly ots: boolean;
}

/** Wiring of a layer (snn-arch/2); absent in a /1 file. */
export interface ArchWiring {
  readonly id?: string;
  /** The id of the layer it reads; absent: the previous layer. */
  readonly input?: string;
}

export type ArchLayer = ArchWiring &
  (
    | { readonly op: 'conv2d'; readonly weight: string; readonly bias: string | null; readonly stride: number | [number, number]; readonly padding: number | [number, number] }
    | { readonly op: 'linear'; readonly weight: string; readonly bias: string | null }
    | { readonly op: 'norm'; readonly kind: 'osr' | 'batchnorm'; readonly prefix: string; readonly eps: number }
    | { readonly op: 'lif'; readonly prefix: string | null }
    | { readonly op: 'avgpool2d' | 'maxpool2d'; readonly kernel: number; readonly stride?: number; readonly padding?: number }
    | { readonly op: 'adaptiveavgpool2d'; readonly output: number | [number, number] }
    | { readonly op: 'flatten' }
    | { readonly op: 'dropout'; readonly p?: number }
    /** y = a + b over the outputs of the two layers it names (null: the previous layer, as a /1 `from` has it). */
    | { readonly op: 'add'; readonly inputs: readonly [string | null, string] }
  );

export type ArchOp = ArchLayer['op'];
