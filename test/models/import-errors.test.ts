import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArch } from '../../models/arch/read-arch.js';
import { ModelError } from '../../models/errors.js';
import { buildModel } from '../../models/import/build-model.js';
import { readStateDict, type PthTensor } from '../../models/pth/read-pth.js';
import { fixturePath } from '../helpers/fixtures.js';

const ARCH_FILE = fixturePath('osr-fmnist-conv', 'arch.json');
const archText = readFileSync(ARCH_FILE, 'utf8');
const stateDict = readStateDict(readFileSync(fixturePath('osr-fmnist-conv', 'checkpoint.pth')), 'checkpoint.pth', 'net');

function archWith(edit: (arch: Record<string, unknown>) => void): string {
  const arch = JSON.parse(archText) as Record<string, unknown>;
  edit(arch);
  return JSON.stringify(arch);
}

function layers(arch: Record<string, unknown>): Record<string, unknown>[] {
  return arch.layers as Record<string, unknown>[];
}

describe('arch.json validation', () => {
  it('accepts the fixture', () => {
    expect(parseArch(archText, ARCH_FILE).layers).toHaveLength(10);
  });

  it.each([
    ['wrong format', (a: Record<string, unknown>) => (a.format = 'snn-arch/9'), /\$\.format must be 'snn-arch\/1'/],
    ['unknown op', (a: Record<string, unknown>) => (layers(a)[3]!.op = 'upsample'), /\$\.layers\[3\]\.op must be one of/],
    ['missing timesteps', (a: Record<string, unknown>) => delete a.timesteps, /\$\.timesteps must be a positive integer, found nothing/],
    ['bad norm kind', (a: Record<string, unknown>) => (layers(a)[1]!.kind = 'layernorm'), /\$\.layers\[1\]\.kind must be one of 'osr', 'batchnorm'/],
    ['negative decay', (a: Record<string, unknown>) => ((a.neuron as Record<string, unknown>).decay = -1), /\$\.neuron\.decay must be a number in \[0, 1\]/],
  ])('refuses %s, naming the JSON path', (_what, edit, message) => {
    expect(() => parseArch(archWith(edit), 'my-arch.json')).toThrowError(message);
    expect(() => parseArch(archWith(edit), 'my-arch.json')).toThrowError(/^my-arch\.json: /);
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseArch('{"format": ', 'broken.json')).toThrowError(ModelError);
  });
});

describe('checkpoint and arch disagreements', () => {
  it('names the key an arch needs and the state dict lacks', () => {
    const arch = parseArch(
      archWith((a) => (layers(a)[4]!.weight = 'features.3.synapse.weight')),
      'a.json',
    );
    expect(() => buildModel(arch, stateDict, 'checkpoint.pth')).toThrowError(
      "checkpoint.pth: layer features.3.synapse: key 'features.3.synapse.weight' named by the arch is missing from the state dict",
    );
  });

  it('names the layer and both shapes on a mismatch', () => {
    // Dropping the first pooling makes the classifier see 32x14x14 instead of 32x7x7.
    const arch = parseArch(
      archWith((a) => layers(a).splice(3, 1)),
      'a.json',
    );
    expect(() => buildModel(arch, stateDict, 'checkpoint.pth')).toThrowError(
      /checkpoint\.pth: .*layer classifier\.0 \(linear\).*weight \[10, 1568\] expects input \[1568\], got \[6272\]/,
    );
  });

  it('names the tensor holding NaN or infinite values', () => {
    const arch = parseArch(archText, ARCH_FILE);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const broken = new Map(stateDict);
      const weight = stateDict.get('features.2.synapse.weight')!;
      const values = Float64Array.from(weight.values);
      values[17] = bad;
      broken.set('features.2.synapse.weight', { ...weight, values } as PthTensor);
      expect(() => buildModel(arch, broken, 'checkpoint.pth')).toThrowError(/checkpoint\.pth: .*features\.2\.synapse\.weight.*(NaN|Infinity)/);
    }
  });

  it('names the parameter whose shape does not fit the layer', () => {
    const arch = parseArch(archText, ARCH_FILE);
    const broken = new Map(stateDict);
    const bias = stateDict.get('features.0.synapse.bias')!;
    broken.set('features.0.synapse.bias', { ...bias, shape: [8, 2] } as PthTensor);
    expect(() => buildModel(arch, broken, 'checkpoint.pth')).toThrowError("checkpoint.pth: layer features.0.synapse: 'features.0.synapse.bias' has shape [8, 2], expected [16]");
  });
});
