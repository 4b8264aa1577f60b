import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { lifNodes, type Model } from '../../models/graph/model.js';
import { parameterCount } from '../../models/graph/shapes.js';
import { usesOts, withFrozenThresholds } from '../../models/reference/calibrate-ots.js';
import { ReferenceExecutor } from '../../models/reference/executor.js';
import { readF32 } from './fixtures.js';

interface ResidualReference {
  frozenThresholds: Record<string, number[]> | null;
  calibrationSpikeCounts: Record<string, number[]>;
  outputsFrozen: number[][];
  spikeCounts: Record<string, number[]>;
  parameters: number;
}

function fileStarting(dir: string, prefix: string): string {
  const name = readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.f32'));
  if (!name) throw new Error(`${dir} has no ${prefix}*.f32`);
  return join(dir, name);
}

/**
 * OTS models: calibrates on the stored batch and compares the table with PyTorch's, step by step: within 1e-6
 * (float32 rounding) for as long as our calibration run fires exactly PyTorch's spikes (`calibrationSpikeCounts`)
 * in every layer up to that one; after the first neuron that sits within float rounding of its threshold fires in
 * one summation order and not the other (PyTorch's float32 convolutions vs our float64 accumulation), the batch
 * statistics of every later layer move and the tables may differ. Measured: SEW and NF exact but for a few late
 * entries (at most 2.5e-4); ResNet-19 (17 LIF layers, a random and chaotic network) exact to layer1.1, then one
 * flipped spike grows to a few hundred of ~10^5 per layer and thresholds up to 2e-3 off in layer3.
 * Then runs the stored inputs with PyTorch's own frozen table: outputs within 1e-4, spike counts within 0.1 %.
 */
export function checkAgainstReference(model: Model, dir: string): void {
  const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as ResidualReference;
  expect(model.nodes.reduce((sum, n) => sum + parameterCount(n), 0)).toBe(ref.parameters);
  let frozen = model;
  if (usesOts(model)) {
    const calibration = readF32(fileStarting(dir, 'calibration-'));
    const count = calibration.length / model.input.shape.reduce((a, b) => a * b, 1);
    const run = new ReferenceExecutor(model, count).run(calibration, count, 'dynamic');
    const keys = lifNodes(model).map((n) => n.prefix!);
    const deviations: string[] = [];
    let exactSoFar = true;
    let checked = 0;
    for (let t = 0; t < model.timesteps; t++) {
      for (const key of keys) {
        const i = run.lifKeys.indexOf(key);
        const expected = ref.frozenThresholds![key]!;
        expect(expected, key).toBeDefined();
        const error = Math.abs(run.thresholdsPerLayerPerStep[i]![t]! - expected[t]!);
        deviations.push(`${key} step ${t}: ${error.toExponential(2)}${exactSoFar ? '' : ' (after a flip)'}`);
        if (exactSoFar) {
          expect(error, `${key} step ${t}`).toBeLessThanOrEqual(1e-6);
          checked += 1;
        } else {
          expect(error, `${key} step ${t}`).toBeLessThanOrEqual(3e-3);
        }
        // Later layers of this step, and every layer of later steps, see this layer's spikes of this step.
        if (run.spikesPerLayerPerStep[i]![t] !== ref.calibrationSpikeCounts[key]![t]) exactSoFar = false;
      }
    }
    if (process.env.SPIKECHIP_SHOW_DEVIATIONS) console.log(deviations.join('\n'));
    expect(checked).toBeGreaterThan(0);
    frozen = withFrozenThresholds(model, new Map(lifNodes(model).map((n) => [n.name, Float32Array.from(ref.frozenThresholds![n.prefix!]!)] as const)));
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
