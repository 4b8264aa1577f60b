import { ModelError } from '../errors.js';
import type { Model, ModelNode } from '../graph/model.js';

/**
 * How a per-step threshold table becomes NIR's one threshold per neuron: `exact` only where the table is constant
 * (else refused), `first` takes theta[1] (what OTS fixes at 1 and the step a model is calibrated from), `mean` the
 * table's mean (what a chip without threshold tables runs, see freeze-thresholds).
 */
export type ThresholdFix = 'exact' | 'first' | 'mean';

/** A copy of the model where every LIF threshold is a fixed value; `notes` says which tables were replaced. */
export function fixThresholds(model: Model, fix: ThresholdFix): { model: Model; notes: string[] } {
  const notes: string[] = [];
  const nodes = model.nodes.map((node): ModelNode => {
    if (node.kind !== 'lif' || node.threshold.kind === 'fixed') return node;
    const table = node.threshold.frozen;
    if (!table) throw new ModelError(`${model.name}: layer ${node.name}`, 'OTS thresholds are not frozen: calibrate them first (--calibration N)');
    const steps = [...table.subarray(0, model.timesteps)];
    const constant = steps.every((v) => v === steps[0]);
    if (constant) return { ...node, threshold: { kind: 'fixed', value: steps[0]! } };
    if (fix === 'exact') {
      throw new ModelError(
        `${model.name}: layer ${node.name}`,
        `per-step thresholds [${steps.map((v) => v.toFixed(4)).join(', ')}] have no NIR form (one threshold per neuron): choose --threshold first or mean`,
      );
    }
    const value = fix === 'first' ? steps[0]! : Math.fround(steps.reduce((a, b) => a + b, 0) / steps.length);
    notes.push(`layer ${node.name}: per-step thresholds replaced by their ${fix === 'first' ? 'step-1 value' : 'mean'} ${value}`);
    return { ...node, threshold: { kind: 'fixed', value } };
  });
  return { model: { ...model, nodes }, notes };
}
