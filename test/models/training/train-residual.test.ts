import { describe, expect, it } from 'vitest';
import { bundledFashionMnistDir } from '../../../models/datasets/fashion-mnist.js';
import { isChain } from '../../../models/graph/graph.js';
import { FIXTURE_HYPER_PARAMETERS } from '../../../models/training/hyper-parameters.js';
import { trainArchitecture } from '../../../models/training/train-arch.js';
import { fixturePath } from '../../helpers/fixtures.js';

/** The residual network of test/fixtures/residual-fmnist: conv-norm-LIF, a block conv-norm-LIF-conv-norm + shortcut, LIF, pool, linear. */
describe('training a residual network on the bundled images', () => {
  for (const rule of ['osr', 'rate'] as const) {
    it(`the ${rule} rule lowers the training loss through the shortcut`, async () => {
      // OSR's running statistics start at (0, 1) and follow the batches with momentum 0.95: small batches give
      // them enough steps to settle within a few epochs (as for the chain in train-arch.test.ts).
      const epochs = rule === 'osr' ? 4 : 3;
      const result = await trainArchitecture({
        ...FIXTURE_HYPER_PARAMETERS[rule],
        archPath: fixturePath('residual-fmnist', `arch-${rule}.json`),
        dataDir: bundledFashionMnistDir(),
        rule,
        threads: 1,
        calibration: 64,
        testLimit: 50,
        samples: 256,
        epochs,
        batch: rule === 'osr' ? 8 : 32,
        lr: 0.05,
      });
      expect(isChain(result.model)).toBe(false);
      expect(result.model.nodes.find((n) => n.kind === 'add')).toMatchObject({ name: 'block.add', from: 'sn1' });
      const losses = result.training.epochLoss;
      expect(losses).toHaveLength(epochs);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[epochs - 1]!).toBeLessThan(losses[0]! - 0.1);
    }, 120_000);
  }
});
