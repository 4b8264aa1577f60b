import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { lifNodes, type Model } from '../../models/graph/model.js';
import { parameterCount } from '../../models/graph/shapes.js';
import { calibrateOts, usesOts, withFrozenThresholds } from '../../models/reference/calibrate-ots.js';
import { ReferenceExecutor } from '../../models/reference/executor.js';
import { readF32 } from './fixtures.js';

interface ResidualReference {
  frozenThresholds: Record<string, number[]> | null;
  outputsFrozen: number[][];
  spikeCounts: Record<string, number[]>;
  parameters: number;
}

function fileStarting(dir: string, prefix: string): string {
  const name = readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.f32'));
  if (!name) throw new Error(`${dir} has no ${prefix}*.f32`);
  return join(dir, name);
}

/** Calibrates (OTS models) on the stored batch, runs the stored inputs with frozen thresholds and compares. */
export function checkAgainstReference(model: Model, dir: string): void {
  const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as ResidualReference;
  expect(model.nodes.reduce((sum, n) => sum + parameterCount(n), 0)).toBe(ref.parameters);
  let frozen = model;
  if (usesOts(model)) {
    const calibration = readF32(fileStarting(dir, 'calibration-'));
    const count = calibration.length / model.input.shape.reduce((a, b) => a * b, 1);
    const tables = calibrateOts(model, calibration, count);
    const deviations: string[] = [];
    for (const node of lifNodes(model)) {
      const expected = ref.frozenThresholds![node.prefix!]!;
      expect(expected, node.prefix!).toBeDefined();
      tables.get(node.name)!.forEach((v, t) => deviations.push(`${node.prefix} step ${t}: ${Math.abs(v - expected[t]!).toExponential(2)}`));
    }
    if (process.env.SPIKECHIP_SHOW_DEVIATIONS) console.log(deviations.join('\n'));
    // A neuron within float rounding of its threshold fires in one summation order and not in another (PyTorch's
    // float32 convolutions vs our float64 accumulation); in the 32-image calibration batch one such flip moves the
    // batch statistics of every later layer a little. Measured: all entries within 1e-4 but a few late steps of the
    // deepest layers of SEW (2.5e-4 at its last step) and ResNet-19 (1.1e-4 at step 2 of layer2.1), whose first
    // steps agree to 1e-7. Every entry within 3e-4, and at least 95 % within 1e-4.
    let within = 0;
    let total = 0;
    for (const node of lifNodes(model)) {
      const expected = ref.frozenThresholds![node.prefix!]!;
      tables.get(node.name)!.forEach((v, t) => {
        const error = Math.abs(v - expected[t]!);
        total += 1;
        if (error <= 1e-4) within += 1;
        expect(error, `${node.prefix} step ${t}`).toBeLessThanOrEqual(t === 0 ? 1e-6 : 3e-4);
      });
    }
    expect(within / total).toBeGreaterThanOrEqual(0.95);
    frozen = withFrozenThresholds(model, tables);
  }
  const inputs = readF32(fileStarting(dir, 'inputs-'));
  const run = new ReferenceExecutor(frozen, 4).run(inputs, 4, 'frozen');
  const expected = ref.outputsFrozen.flat();
  let worst = 0;
  expected.forEach((v, i) => (worst = Math.max(worst, Math.abs(run.outputs[i]! - v))));
  expect(worst).toBeLessThanOrEqual(1e-4);
  for (const [key, counts] of Object.entries(ref.spikeCounts)) {
    const i = run.lifKeys.indexOf(key);
    expect(i, key).toBeGreaterThanOrEqual(0);
    counts.forEach((c, t) => {
      // A neuron within float rounding of its threshold may flip: 0.1 % (DESIGN.md section 6 asks identical otherwise).
      const got = run.spikesPerLayerPerStep[i]![t]!;
      expect(Math.abs(got - c), `${key} step ${t}: ${got} vs ${c}`).toBeLessThanOrEqual(Math.floor(c * 0.001));
    });
  }
}
