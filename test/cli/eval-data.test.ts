import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { encodeNpy } from '../../models/datasets/npy.js';
import { zipSync } from 'fflate';
import { HAS_VGG_FIXTURE, VGG_FIXTURE } from '../helpers/fixtures.js';
import { writeFile } from '../helpers/datasets.js';
import { runCli } from '../helpers/run-cli.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'spikechip-eval-data-'));

describe('spikechip eval --data in other formats', () => {
  it('gives the same accuracy on Fashion-MNIST stored as uint8 .npz with labels as on the idx files', () => {
    const set = loadFashionMnist(bundledFashionMnistDir(), 'test', 100);
    const npz = writeFile(join(scratch(), 'fmnist.npz'), zipSync({ 'images.npy': encodeNpy('|u1', [100, 28, 28], set.images), 'labels.npy': encodeNpy('|u1', [100], set.labels) }));
    const fromIdx = JSON.parse(runCli(['eval', '--data', bundledFashionMnistDir(), '--limit', '100', '--json']).stdout) as { accuracy: number; correct: number };
    const run = runCli(['eval', '--data', npz, '--json']);
    expect(run.status).toBe(0);
    const fromNpz = JSON.parse(run.stdout) as { accuracy: number; correct: number; samples: number; data: string; dataFormat: string; labelled: boolean };
    expect(fromNpz).toMatchObject({ samples: 100, dataFormat: 'npz', labelled: true });
    expect(fromNpz.correct).toBe(fromIdx.correct);
    expect(fromNpz.data).toBe(npz);
  });

  it('refuses CIFAR images for a Fashion-MNIST model, naming the data and both shapes', () => {
    const dir = scratch();
    writeFile(join(dir, 'test_batch.bin'), new Uint8Array(3073));
    const run = runCli(['eval', '--data', dir, '--limit', '1']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${dir}: CIFAR-10 binary images are [3, 32, 32], model osr-fmnist-conv expects input [1, 28, 28]`);
  });

  it.skipIf(!HAS_VGG_FIXTURE)('evaluates .f32 inputs with OTS frozen on a --calibration-input tensor, matching the PyTorch outputs', () => {
    const ref = JSON.parse(readFileSync(join(VGG_FIXTURE, 'reference.json'), 'utf8')) as { outputsFrozen: number[][]; frozenThresholds: Record<string, number[]> };
    const run = runCli([
      'eval',
      '--model',
      join(VGG_FIXTURE, 'checkpoint.pth'),
      '--data',
      join(VGG_FIXTURE, 'inputs-4x3x32x32.f32'),
      '--calibration-input',
      join(VGG_FIXTURE, 'calibration-32x3x32x32.f32'),
      '--json',
      '--outputs',
    ]);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { samples: number; labelled: boolean; calibration: { images: number }; outputs: number[][]; thresholds: Record<string, number[]> };
    expect(result.samples).toBe(4);
    expect(result.labelled).toBe(false);
    expect(result.calibration.images).toBe(32);
    const worst = Math.max(...result.outputs.flat().map((v, i) => Math.abs(v - ref.outputsFrozen.flat()[i]!)));
    expect(worst).toBeLessThanOrEqual(1e-4);
    for (const [key, table] of Object.entries(ref.frozenThresholds)) {
      table.forEach((v, t) => expect(Math.abs(result.thresholds[key]![t]! - v)).toBeLessThanOrEqual(1e-4));
    }
  });
});
