/** The `snn-arch/1` file: how the tensors of a state dict form a network (see the fixtures' arch.json). */
export interface ArchSpec {
  readonly format: 'snn-arch/1';
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
}

export interface ArchNeuron {
  readonly model: 'lif';
  readonly decay: number;
  readonly threshold: number;
  readonly reset: 'subtract' | 'zero';
  readonly ots: boolean;
}

export type ArchLayer =
  | { readonly op: 'conv2d'; readonly weight: string; readonly bias: string | null; readonly stride: number | [number, number]; readonly padding: number | [number, number] }
  | { readonly op: 'linear'; readonly weight: string; readonly bias: string | null }
  | { readonly op: 'norm'; readonly kind: 'osr' | 'batchnorm'; readonly prefix: string; readonly eps: number }
  | { readonly op: 'lif'; readonly prefix: string | null }
  | { readonly op: 'avgpool2d' | 'maxpool2d'; readonly kernel: number; readonly stride?: number }
  | { readonly op: 'adaptiveavgpool2d'; readonly output: number | [number, number] }
  | { readonly op: 'flatten' }
  | { readonly op: 'dropout'; readonly p?: number }
  | { readonly op: 'add'; readonly from: string };

export type ArchOp = ArchLayer['op'];
