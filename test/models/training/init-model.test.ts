import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readArchFile } from '../../../models/arch/read-arch.js';
import { bundledFashionMnistDir } from '../../../models/datasets/fashion-mnist.js';
import type { Model } from '../../../models/graph/model.js';
import { readStateDict } from '../../../models/pth/read-pth.js';
import { FIXTURE_HYPER_PARAMETERS } from '../../../models/training/hyper-parameters.js';
import { initialModel, parameterShapes, RATEBP_WEIGHT_STD } from '../../../models/training/init-model.js';
import { trainArchitecture } from '../../../models/training/train-arch.js';
import { fixturePath } from '../../helpers/fixtures.js';

const ARCH = fixturePath('ratebp-fmnist-conv', 'arch.json');
const CHECKPOINT = fixturePath('ratebp-fmnist-conv', 'checkpoint.pth');

const rms = (values: ArrayLike<number>) => Math.sqrt(Array.from(values).reduce((s, v) => s + v * v, 0) / values.length);
const maxAbs = (values: ArrayLike<number>) => Math.max(...Array.from(values, Math.abs));

/** Per conv/linear layer of a model: weight RMS and largest |bias|, keyed by the weight's state-dict name. */
function layerSignature(model: Model): Map<string, { weightRms: number; biasMax: number; isConv: boolean }> {
  const out = new Map<string, { weightRms: number; biasMax: number; isConv: boolean }>();
  for (const n of model.nodes) {
    if (n.kind === 'conv2d' || n.kind === 'linear') out.set(n.name, { weightRms: rms(n.weight.data), biasMax: n.bias ? maxAbs(n.bias.data) : 0, isConv: n.kind === 'conv2d' });
  }
  return out;
}

describe("paper B's weight init", () => {
  it('draws conv and linear weights from N(0, 0.5) whatever the fan-in, biases 0, norm layers at (1, 0, 0, 1)', () => {
    const arch = readArchFile(ARCH);
    const model = initialModel(arch, parameterShapes(arch, ARCH, 10), 0, ARCH, 'ratebp-vgg');
    for (const n of model.nodes) {
      if (n.kind === 'conv2d' || n.kind === 'linear') {
        const w = Array.from(n.weight.data);
        const mean = w.reduce((a, b) => a + b, 0) / w.length;
        // 144 weights in the first conv: its sample std is within 0.5 +- 0.1 at far more than 3 sigma.
        expect(Math.abs(mean)).toBeLessThan(0.15);
        expect(rms(w)).toBeGreaterThan(RATEBP_WEIGHT_STD - 0.1);
        expect(rms(w)).toBeLessThan(RATEBP_WEIGHT_STD + 0.1);
        expect(maxAbs(n.bias!.data)).toBe(0);
      }
      if (n.kind === 'norm') {
        expect([...n.gamma.data].every((v) => v === 1)).toBe(true);
        expect([...n.beta.data, ...n.mean.data].every((v) => v === 0)).toBe(true);
        expect([...n.variance.data].every((v) => v === 1)).toBe(true);
      }
    }
  });

  it('is where the rate rule starts: after two steps the layers look like the reference checkpoint, not like PyTorch defaults', async () => {
    // The reference (Tab-ct's VGG, one epoch of 30k) ends with conv biases exactly 0 (a bias before BatchNorm gets
    // no gradient, so it keeps its init) and weight RMS 0.44-0.52; PyTorch's default init would leave biases up
    // to 1/sqrt(fan_in) and weight RMS 0.19, 0.05, 0.015.
    const reference = readStateDict(readFileSync(CHECKPOINT), CHECKPOINT, 'best_net');
    const result = await trainArchitecture({
      ...FIXTURE_HYPER_PARAMETERS.rate,
      archPath: ARCH,
      dataDir: bundledFashionMnistDir(),
      rule: 'rate',
      threads: 1,
      calibration: 64,
      testLimit: 10,
      samples: 64,
      batch: 32,
    });
    const signature = layerSignature(result.model);
    expect(signature.size).toBe(3);
    for (const [name, ours] of signature) {
      const weight = reference.get(`${name}.weight`)!.values;
      const bias = reference.get(`${name}.bias`)!.values;
      if (ours.isConv) {
        expect(maxAbs(bias)).toBeLessThan(1e-5);
        expect(ours.biasMax).toBeLessThan(1e-5);
      }
      expect(ours.weightRms / rms(weight)).toBeGreaterThan(0.8);
      expect(ours.weightRms / rms(weight)).toBeLessThan(1.25);
    }
  }, 30_000);
});
