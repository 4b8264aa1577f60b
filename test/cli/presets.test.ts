import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../models/arch/presets.js';
import { fixturePath, hasSharedFixture, sharedFixture } from '../helpers/fixtures.js';
import { runCli } from '../helpers/run-cli.js';

describe('spikechip and the seed-code presets', () => {
  it('eval --preset with an unknown name fails listing every known preset', () => {
    const run = runCli(['eval', '--model', fixturePath('osr-fmnist-conv', 'checkpoint.pth'), '--preset', 'resnet_nope']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("unknown preset 'resnet_nope'");
    for (const name of PRESETS.keys()) expect(run.stderr).toContain(name);
    expect(run.stdout).toBe('');
  });

  it('--input-shape that is not C,H,W is a usage error', () => {
    const run = runCli(['inspect', fixturePath('osr-fmnist-conv', 'checkpoint.pth'), '--input-shape', '3x64']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--input-shape must be C,H,W');
  });

  const RATEBP = sharedFixture('ratebp-resnet-small-random');
  it.skipIf(!hasSharedFixture('ratebp-resnet-small-random'))(`inspect prints the preset it recognised (needs ${RATEBP}; skipped where ../shared is absent)`, () => {
    const run = runCli(['inspect', join(RATEBP, 'checkpoint.pth')]);
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('preset: resnet18 (Tab-ct/rate-based-backpropagation model/resnet.py), recognised from the tensor names');
    expect(run.stdout).toContain('model ResNet(BasicBlock, [1, 1, 1, 1]) (rate-bp), T = 2, input [3, 32, 32]');
  });

  const SEW = sharedFixture('osr-sewresnet-small-random');
  it.skipIf(!hasSharedFixture('osr-sewresnet-small-random'))(`inspect --input-shape sets a preset's input (needs ${SEW}; skipped where ../shared is absent)`, () => {
    const run = runCli(['inspect', join(SEW, 'checkpoint.pth'), '--input-shape', '3,64,64', '--timesteps', '6', '--json']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ topology: 'preset', preset: 'online_spiking_resnet_sew', inputShape: [3, 64, 64], timesteps: 6, parameters: 4_913_802 });
  });

  const RESNET19 = sharedFixture('osr-resnet19-cifar-random');
  it.skipIf(!hasSharedFixture('osr-resnet19-cifar-random'))(
    `an input shape the classifier cannot take is refused naming the preset (needs ${RESNET19}; skipped where ../shared is absent)`,
    () => {
      const run = runCli(['inspect', join(RESNET19, 'checkpoint.pth'), '--input-shape', '3,64,64']);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain("preset online_spiking_resnet19: the classifier's width fixes the input at 32x32, not 64x64");
      expect(run.stdout).toBe('');
    },
  );
});
