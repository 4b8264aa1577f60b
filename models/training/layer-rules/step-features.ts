// Reference: DESIGN.md section 2 (the output is the last linear layer over the pooled spikes of the layer before);
// the float reference executor (models/reference) with frozen thresholds gives those spikes.
import { ModelError } from '../../errors.js';
import type { LinearNode, Model } from '../../graph/model.js';
import type { LabelledSamples } from '../../reference/evaluate.js';
import { ReferenceExecutor } from '../../reference/executor.js';

/** The float model split at its last linear layer: what learns, and the frozen part that feeds it. */
export interface SplitModel {
  readonly last: LinearNode;
  /** Inputs of the last layer (features) and its outputs (classes). */
  readonly features: number;
  readonly classes: number;
  /** The frozen part before the last layer. */
  readonly prefix: ReferenceExecutor;
  readonly timesteps: number;
}

export function splitAtLastLayer(model: Model, batch: number): SplitModel {
  const last = model.nodes[model.nodes.length - 1];
  if (!last || last.kind !== 'linear') throw new ModelError(model.name, 'the last node is not a linear layer: the layer rules learn a linear readout');
  const [classes, features] = last.weight.shape as [number, number];
  const prefix = new ReferenceExecutor({ ...model, nodes: model.nodes.slice(0, -1) }, batch);
  return { last, features, classes, prefix, timesteps: model.timesteps };
}

/** Per-step inputs of the last layer for samples [first, first+count): out[(s*T + t)*F + f], frozen thresholds. */
export function stepFeatures(split: SplitModel, data: LabelledSamples, first: number, count: number, input: Float32Array, out: Float32Array): void {
  const T = split.timesteps;
  const F = split.features;
  data.toInput(first, count, input);
  split.prefix.run(input, count, 'frozen', (t, output) => {
    for (let s = 0; s < count; s++) out.set(output.subarray(s * F, (s + 1) * F), (s * T + t) * F);
  });
}
