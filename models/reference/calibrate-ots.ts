import { lifKey, lifNodes, type Model } from '../graph/model.js';
import { ReferenceExecutor } from './executor.js';

/**
 * Freezes OTS: runs the float model on the calibration set as one batch with OTS live (batch statistics; OSR in
 * inference mode) and records each OTS layer's theta[1..T]. Later layers see earlier layers' spikes, so every
 * layer must be live during calibration, which is why this is one run and not one per layer.
 * Reference: shared/DESIGN.md section 2 ("Freezing"); shared/fixtures/README.md (`frozenThresholds`).
 */
export function calibrateOts(model: Model, calibrationInput: Float32Array, count: number): Map<string, Float32Array> {
  const executor = new ReferenceExecutor(model, count);
  const run = executor.run(calibrationInput, count, 'dynamic');
  return thresholdTables(model, run.lifKeys, run.thresholdsPerLayerPerStep);
}

/** Each OTS layer's thresholds per step from a run's spiking layers (LIF and NIR neurons, in model order), by node name. */
export function thresholdTables(model: Model, lifKeys: readonly string[], thresholds: readonly (readonly number[])[]): Map<string, Float32Array> {
  const tables = new Map<string, Float32Array>();
  for (const node of lifNodes(model)) {
    const i = lifKeys.indexOf(lifKey(node));
    if (node.threshold.kind === 'ots') tables.set(node.name, Float32Array.from(thresholds[i]!));
  }
  return tables;
}

/** A copy of the model whose OTS layers carry the given frozen tables (keyed by node name). */
export function withFrozenThresholds(model: Model, tables: ReadonlyMap<string, Float32Array>): Model {
  return {
    ...model,
    nodes: model.nodes.map((node) => {
      if (node.kind !== 'lif' || node.threshold.kind !== 'ots') return node;
      const table = tables.get(node.name);
      return table ? { ...node, threshold: { ...node.threshold, frozen: Float32Array.from(table) } } : node;
    }),
  };
}

/** True when every OTS layer of the model has a frozen table. */
export function hasFrozenThresholds(model: Model): boolean {
  return lifNodes(model).every((n) => n.threshold.kind !== 'ots' || n.threshold.frozen !== null);
}

export function usesOts(model: Model): boolean {
  return lifNodes(model).some((n) => n.threshold.kind === 'ots');
}
