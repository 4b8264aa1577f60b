import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArchFile } from '../../models/arch/read-arch.js';
import { detectPreset } from '../../models/arch/presets.js';
import { loadModel } from '../../models/load-model.js';
import { readStateDict } from '../../models/pth/read-pth.js';
import { hasSharedFixture, sharedFixture } from '../helpers/fixtures.js';
import { checkAgainstReference } from '../helpers/residual-reference.js';

/**
 * The residual fixtures' checkpoints recognised by their tensor names alone: the preset each one's keys select
 * lays out the same graph as the fixture's arch.json, layer for layer (ids = module paths, ops, wiring).
 * SEW and NF were generated at 3x64x64 (their classes' ImageNet default is 224), so they are given that shape.
 */
const CASES = [
  { fixture: 'osr-resnet19-cifar-random', preset: 'online_spiking_resnet19', name: 'online_spiking_resnet19' },
  { fixture: 'osr-sewresnet-small-random', preset: 'online_spiking_resnet_sew', name: 'OnlineSpikingResNet(BasicBlock, [1, 1, 1, 1])', inputShape: [3, 64, 64] },
  { fixture: 'osr-nfresnet-small-random', preset: 'online_spiking_resnet_nf', name: 'OnlineSpikingResNet(BasicBlock, [1, 1, 1, 1])', inputShape: [3, 64, 64] },
  { fixture: 'ratebp-resnet-small-random', preset: 'resnet18', name: 'ResNet(BasicBlock, [1, 1, 1, 1])' },
] as const;

for (const c of CASES) {
  const dir = sharedFixture(c.fixture);
  describe.skipIf(!hasSharedFixture(c.fixture))(`${c.fixture} through its tensor names (needs ${dir}; skipped where ../shared is absent)`, () => {
    it(`is recognised as ${c.preset}, whose arch equals the fixture's arch.json layer for layer`, () => {
      const file = join(dir, 'checkpoint.pth');
      const stateDict = readStateDict(readFileSync(file), file);
      const shapes = new Map([...stateDict].map(([k, t]) => [k, t.shape] as const));
      const preset = detectPreset(shapes, file);
      expect(preset?.name).toBe(c.preset);
      const built = preset!.build(shapes, file, 'inputShape' in c ? { inputShape: c.inputShape } : {});
      const expected = readArchFile(join(dir, 'arch.json'));
      expect(built.layers.length).toBe(expected.layers.length);
      built.layers.forEach((layer, i) => expect(layer, `layer ${i}`).toStrictEqual(expected.layers[i]));
      const { name, layers, preset: _, notes, ...rest } = built;
      const { name: _n, layers: _l, preset: _p, ...expectedRest } = expected;
      expect(rest).toStrictEqual(expectedRest);
      expect(name).toBe(c.name);
      // What the preset chose rather than read is said: T always here, the input where no option gave it.
      expect(notes?.some((n) => n.startsWith(`T ${expected.timesteps}: `))).toBe(true);
      expect(notes?.some((n) => n.startsWith('input'))).toBe(!('inputShape' in c));
    });
  });
}

// The slow check (about a minute on 2 cores): paper B's fixture, whose defaults (CIFAR 3x32x32, T 2) are the
// fixture's, loaded with no arch and no option at all.
const RATEBP = sharedFixture('ratebp-resnet-small-random');
describe.skipIf(!hasSharedFixture('ratebp-resnet-small-random'))(`resnet18 preset in float (needs ${RATEBP}; skipped where ../shared is absent)`, () => {
  it('loadModel(checkpoint) with no arch reproduces outputsFrozen and the spike counts', () => {
    const loaded = loadModel(join(RATEBP, 'checkpoint.pth'));
    expect(loaded.topology).toBe('preset');
    expect(loaded.presetName).toBe('resnet18');
    checkAgainstReference(loaded.model, RATEBP);
  });
});
