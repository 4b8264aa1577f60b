import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parameterCount } from '../../models/graph/shapes.js';
import { loadModel } from '../../models/load-model.js';
import { calibrateOts, withFrozenThresholds } from '../../models/reference/calibrate-ots.js';
import { ReferenceExecutor } from '../../models/reference/executor.js';
import { HAS_VGG_FIXTURE, VGG_FIXTURE, readF32 } from '../helpers/fixtures.js';
import { readFileSync } from 'node:fs';

interface VggReference {
  frozenThresholds: Record<string, number[]>;
  outputsFrozen: number[][];
  parameters: number;
}

// The 36 MB VGGSNN checkpoint stays in ../shared; a clone of the project alone skips this suite.
describe.skipIf(!HAS_VGG_FIXTURE)(`VGGSNN through the online_spiking_vgg11_ws preset (needs ${VGG_FIXTURE}; skipped where ../shared is absent)`, () => {
  const ref = (): VggReference => JSON.parse(readFileSync(join(VGG_FIXTURE, 'reference.json'), 'utf8')) as VggReference;

  it('loads without an arch.json, calibrates on the stored batch and reproduces outputsFrozen', () => {
    const loaded = loadModel(join(VGG_FIXTURE, 'checkpoint.pth'));
    expect(loaded.topology).toBe('preset');
    const model = loaded.model;
    const parameters = model.nodes.reduce((sum, n) => sum + parameterCount(n), 0);
    expect(parameters).toBe(ref().parameters);

    const calibration = readF32(join(VGG_FIXTURE, 'calibration-32x3x32x32.f32'));
    const tables = calibrateOts(model, calibration, 32);
    for (const node of model.nodes) {
      if (node.kind !== 'lif') continue;
      const expected = ref().frozenThresholds[node.prefix!]!;
      tables.get(node.name)!.forEach((v, t) => expect(Math.abs(v - expected[t]!)).toBeLessThanOrEqual(1e-4));
    }

    const frozen = withFrozenThresholds(model, tables);
    const inputs = readF32(join(VGG_FIXTURE, 'inputs-4x3x32x32.f32'));
    const run = new ReferenceExecutor(frozen, 4).run(inputs, 4, 'frozen');
    const expected = ref().outputsFrozen.flat();
    let worst = 0;
    expected.forEach((v, i) => (worst = Math.max(worst, Math.abs(run.outputs[i]! - v))));
    expect(worst).toBeLessThanOrEqual(1e-4);
  });
});
