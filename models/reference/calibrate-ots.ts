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
  const tables = new Map<string, Float32Array>();
  // The run lists every spiking layer (LIF and NIR neurons) in model order; LIF layers are found by their key.
  for (const node of lifNodes(model)) {
    const i = run.lifKeys.indexOf(lifKey(node));
    if (node.threshold.kind === 'ots') tables.set(node.name, Float32Array.from(run.thresholdsPerLayerPerStep[i]!));
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
