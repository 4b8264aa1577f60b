import type { Model } from '../../../models/graph/model.js';
import { elementCount } from '../../../models/graph/tensor.js';
import { nirArray, type NirFile, type NirNode } from '../../../models/nir/nir-graph.js';
import { writeNir } from '../../../models/nir/write-nir.js';
import { ReferenceExecutor } from '../../../models/reference/executor.js';

/** A NIR file of a chain Input -> nodes -> Output, as bytes written with h5wasm. */
export function chainFile(input: readonly number[], nodes: readonly NirNode[], output: readonly number[], version = '1.0.0'): Uint8Array {
  const all: NirNode[] = [{ type: 'Input', name: 'input', shape: [...input] }, ...nodes, { type: 'Output', name: 'output', shape: [...output] }];
  const nir: NirFile = { version, graph: { nodes: all, edges: all.slice(1).map((n, i) => ({ source: all[i]!.name, target: n.name })) }, hints: null };
  return writeNir(nir);
}

export const one = (v: number) => nirArray([v]);

/**
 * The last node's output at every step 1..steps for one sample held constant: the executor reports the mean over
 * T, so a run of T = t steps gives the sum up to t, and differences give each step.
 */
export function perStepOutputs(model: Model, input: Float32Array, steps: number): number[][] {
  const sums: Float64Array[] = [new Float64Array(0)];
  for (let t = 1; t <= steps; t++) {
    const run = new ReferenceExecutor({ ...model, timesteps: t }, 1).run(input, 1, 'frozen');
    sums.push(Float64Array.from(run.outputs, (v) => v * t));
  }
  const size = sums[1]!.length;
  return Array.from({ length: steps }, (_, t) => Array.from({ length: size }, (_, k) => sums[t + 1]![k]! - (t === 0 ? 0 : sums[t]![k]!)));
}

export function inputOf(model: Model, values: readonly number[]): Float32Array {
  const x = new Float32Array(elementCount(model.input.shape));
  x.set(values);
  return x;
}
