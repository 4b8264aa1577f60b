import { describe, expect, it } from 'vitest';
import { bundledFashionMnistDir } from '../../../models/datasets/fashion-mnist.js';
import { ModelError } from '../../../models/errors.js';
import { serializeModel } from '../../../models/format/model-file.js';
import { lifNodes } from '../../../models/graph/model.js';
import { FIXTURE_HYPER_PARAMETERS } from '../../../models/training/hyper-parameters.js';
import type { TrainingRule } from '../../../models/training/network.js';
import { trainArchitecture, type ArchTrainingOptions } from '../../../models/training/train-arch.js';
import { fixturePath } from '../../helpers/fixtures.js';
import { writeTinyArch } from './tiny-arch.js';

const data = bundledFashionMnistDir();

function options(archPath: string, rule: TrainingRule, overrides: Partial<ArchTrainingOptions> = {}): ArchTrainingOptions {
  return {
    ...FIXTURE_HYPER_PARAMETERS[rule],
    archPath,
    dataDir: data,
    rule,
    threads: 1,
    calibration: 64,
    testLimit: 50,
    samples: 256,
    epochs: 3,
    batch: 32,
    lr: 0.05,
    ...overrides,
  };
}

describe('training on the bundled images', () => {
  for (const rule of ['osr', 'rate'] as const) {
    it(`the ${rule} rule lowers the training loss over a few epochs of 256 images`, async () => {
      // OSR's running statistics start at (0, 1) and follow the batches with momentum 0.95: small batches give
      // them enough steps to settle within a few epochs.
      const epochs = rule === 'osr' ? 4 : 3;
      const result = await trainArchitecture(options(writeTinyArch(rule), rule, rule === 'osr' ? { batch: 8, epochs } : {}));
      const losses = result.training.epochLoss;
      expect(losses).toHaveLength(epochs);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[epochs - 1]!).toBeLessThan(losses[0]! - 0.1);
    }, 60_000);
  }

  it('freezes the OTS thresholds of a model trained with the osr rule, theta[1] = 1', async () => {
    const result = await trainArchitecture(options(writeTinyArch('osr'), 'osr', { samples: 64, epochs: 1, testLimit: 10, calibration: 64 }));
    expect(result.calibrationImages).toBe(64);
    for (const node of lifNodes(result.model)) {
      expect(node.threshold.kind).toBe('ots');
      const frozen = node.threshold.kind === 'ots' ? node.threshold.frozen : null;
      expect(frozen).toHaveLength(4);
      expect(frozen![0]).toBeCloseTo(1, 6);
    }
  }, 60_000);
});

describe('determinism', () => {
  it('the same seed gives the same weights, another seed other weights', async () => {
    const arch = writeTinyArch('osr');
    const run = async (seed: number) => serializeModel((await trainArchitecture(options(arch, 'osr', { samples: 96, epochs: 1, testLimit: 10, calibration: 64, seed }))).model);
    const a = await run(3);
    const b = await run(3);
    const c = await run(4);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  }, 60_000);
});

describe('bad inputs', () => {
  it('refuses a layer the training kernels do not implement, naming it', async () => {
    const arch = writeTinyArch('osr', (a) => {
      (a.layers as Record<string, unknown>[])[3] = { op: 'maxpool2d', kernel: 2 };
    });
    await expect(trainArchitecture(options(arch, 'osr'))).rejects.toThrow(/layer maxpool3 \(maxpool2d\): host training supports conv2d, linear/);
  });

  it('refuses a rule that does not fit the architecture', async () => {
    await expect(trainArchitecture(options(writeTinyArch('osr'), 'rate'))).rejects.toThrow(/source 'osr-ots' .* --rule osr/);
    await expect(trainArchitecture(options(fixturePath('ratebp-fmnist-conv', 'arch.json'), 'osr'))).rejects.toThrow(ModelError);
  });

  it('refuses images whose shape is not the input shape of the arch', async () => {
    const arch = writeTinyArch('rate', (a) => {
      a.input = { shape: [3, 28, 28], scale: 1 / 255, encoding: 'direct' };
    });
    await expect(trainArchitecture(options(arch, 'rate'))).rejects.toThrow(/images are \[1, 28, 28\], model .* expects input \[3, 28, 28\]/);
  });

  it('asks for layer sizes the arch file does not give', async () => {
    const arch = writeTinyArch('rate', (a) => {
      delete (a.layers as Record<string, unknown>[])[4]!.outChannels;
    });
    await expect(trainArchitecture(options(arch, 'rate'))).rejects.toThrow(/\$\.layers\[4\] needs outChannels and kernel to train from scratch/);
  });
});
