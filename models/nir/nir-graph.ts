/**
 * NIR (Neuromorphic Intermediate Representation) as plain records: the node types spikechip reads and writes,
 * each with the equation NIR gives it (continuous time; see discretise.ts for the time step). Arrays keep NIR's
 * per-neuron shape. Reference: NIR specification, neuromorphs/NIR docs "Primitives" (v1.0).
 */
export interface NirArray {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

interface Named {
  readonly name: string;
}

/** The graph's input, per-sample shape (no batch or time axis). */
export interface NirInput extends Named {
  readonly type: 'Input';
  readonly shape: readonly number[];
}
export interface NirOutput extends Named {
  readonly type: 'Output';
  readonly shape: readonly number[];
}
/** y = W x + b */
export interface NirAffine extends Named {
  readonly type: 'Affine';
  readonly weight: NirArray;
  readonly bias: NirArray;
}
/** y = W x */
export interface NirLinear extends Named {
  readonly type: 'Linear';
  readonly weight: NirArray;
}
/** y = conv(x, W) + b over [C, L] / [C, H, W]. */
export interface NirConv extends Named {
  readonly type: 'Conv1d' | 'Conv2d';
  readonly weight: NirArray;
  readonly bias: NirArray | null;
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
  readonly groups: number;
}
/** y = sum (SumPool2d) or mean (AvgPool2d) over each window. */
export interface NirPool extends Named {
  readonly type: 'SumPool2d' | 'AvgPool2d';
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
}
/** y = x reshaped, dimensions start_dim..end_dim merged (per-sample axes). */
export interface NirFlatten extends Named {
  readonly type: 'Flatten';
  readonly startDim: number;
  readonly endDim: number;
  readonly inputShape: readonly number[] | null;
}
/** y = s * x */
export interface NirScale extends Named {
  readonly type: 'Scale';
  readonly scale: NirArray;
}
/** z = H(x - theta) */
export interface NirThreshold extends Named {
  readonly type: 'Threshold';
  readonly threshold: NirArray;
}
/** dv/dt = R I; z = H(v - v_thr); v -> v_reset on a spike. */
export interface NirIf extends Named {
  readonly type: 'IF';
  readonly r: NirArray;
  readonly vThreshold: NirArray;
  readonly vReset: NirArray | null;
}
/** tau dv/dt = (v_leak - v) + R I; z = H(v - v_thr); v -> v_reset on a spike. */
export interface NirLif extends Named {
  readonly type: 'LIF';
  readonly tau: NirArray;
  readonly r: NirArray;
  readonly vLeak: NirArray;
  readonly vThreshold: NirArray;
  readonly vReset: NirArray | null;
}
/** tau_syn dI/dt = -I + w_in x; tau_mem dv/dt = (v_leak - v) + R I; z = H(v - v_thr); v -> v_reset. */
export interface NirCubaLif extends Named {
  readonly type: 'CubaLIF';
  readonly tauMem: NirArray;
  readonly tauSyn: NirArray;
  readonly r: NirArray;
  readonly vLeak: NirArray;
  readonly vThreshold: NirArray;
  readonly wIn: NirArray;
  readonly vReset: NirArray | null;
}
/** tau dv/dt = (v_leak - v) + R I; output v. */
export interface NirLi extends Named {
  readonly type: 'LI';
  readonly tau: NirArray;
  readonly r: NirArray;
  readonly vLeak: NirArray;
}
/** tau_syn dI/dt = -I + w_in x; tau_mem dv/dt = (v_leak - v) + R I; output v. */
export interface NirCubaLi extends Named {
  readonly type: 'CubaLI';
  readonly tauMem: NirArray;
  readonly tauSyn: NirArray;
  readonly r: NirArray;
  readonly vLeak: NirArray;
  readonly wIn: NirArray;
}
/** dv/dt = R I; output v. */
export interface NirIntegrator extends Named {
  readonly type: 'I';
  readonly r: NirArray;
}
/** A nested graph: its own nodes and edges, entered through its Input nodes and left through its Output nodes. */
export interface NirSubgraph extends Named {
  readonly type: 'NIRGraph';
  readonly graph: NirGraph;
}

export type NirNode =
  | NirInput
  | NirOutput
  | NirAffine
  | NirLinear
  | NirConv
  | NirPool
  | NirFlatten
  | NirScale
  | NirThreshold
  | NirIf
  | NirLif
  | NirCubaLif
  | NirLi
  | NirCubaLi
  | NirIntegrator
  | NirSubgraph;

export interface NirEdge {
  readonly source: string;
  readonly target: string;
}

export interface NirGraph {
  readonly nodes: readonly NirNode[];
  readonly edges: readonly NirEdge[];
}

/**
 * What spikechip writes beside NIR's `/node` (in `/spikechip`, which NIR readers ignore): the time step, the reset
 * and the number of steps the file was exported with, since NIR has none of them.
 */
export interface SpikechipHints {
  readonly dt: number;
  readonly reset: 'zero' | 'subtract';
  readonly timesteps: number;
}

export interface NirFile {
  readonly version: string;
  readonly graph: NirGraph;
  readonly hints: SpikechipHints | null;
}

export function nirArray(data: ArrayLike<number>, shape: readonly number[] = [data.length]): NirArray {
  return { shape: [...shape], data: Float64Array.from(data) };
}
