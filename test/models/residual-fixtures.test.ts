import { join } from 'node:path';
import { describe, it } from 'vitest';
import { loadModel } from '../../models/load-model.js';
import { RESIDUAL_FIXTURES, hasSharedFixture, sharedFixture } from '../helpers/fixtures.js';
import { checkAgainstReference } from '../helpers/residual-reference.js';

for (const name of RESIDUAL_FIXTURES) {
  const dir = sharedFixture(name);
  describe.skipIf(!hasSharedFixture(name))(`${name} float reference (needs ${dir}; skipped where ../shared is absent)`, () => {
    it('through its snn-arch/2 file reproduces thresholds, outputs and spike counts', () => {
      const { model } = loadModel(join(dir, 'checkpoint.pth'), { arch: join(dir, 'arch.json') });
      checkAgainstReference(model, dir);
    });
  });
}
