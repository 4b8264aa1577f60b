import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { HAS_VGG_FIXTURE, VGG_FIXTURE, fixturePath, readReference } from '../helpers/fixtures.js';
import { runCli } from '../helpers/run-cli.js';

const bundledData = bundledFashionMnistDir();
const OSR = { pth: fixturePath('osr-fmnist-conv', 'checkpoint.pth'), arch: fixturePath('osr-fmnist-conv', 'arch.json') };

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'spikechip-cli-'));
}

describe('spikechip eval', () => {
  it('evaluates the bundled model on the bundled subset and prints JSON', () => {
    const run = runCli(['eval', '--data', bundledData, '--limit', '1000', '--json']);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(result.samples).toBe(1000);
    expect(result.accuracy).toBeCloseTo(readReference<{ accuracy: { frozenThresholdFirst1000: number } }>('osr-fmnist-conv').accuracy.frozenThresholdFirst1000, 3);
    expect(Object.keys(result.spikesPerLayerPerStep as object)).toEqual(['features.0.neuron', 'features.2.neuron']);
  });

  it('prints per-sample outputs and the frozen table with --outputs, matching the PyTorch logits', () => {
    const run = runCli(['eval', '--model', OSR.pth, '--arch', OSR.arch, '--data', bundledData, '--limit', '64', '--json', '--outputs']);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { outputs: number[][]; thresholds: Record<string, number[]> };
    const ref = readReference<{ logitsFirst64: number[][]; frozenThresholds: Record<string, number[]> }>('osr-fmnist-conv');
    const worst = Math.max(...result.outputs.flat().map((v, i) => Math.abs(v - ref.logitsFirst64.flat()[i]!)));
    expect(worst).toBeLessThanOrEqual(1e-4);
    for (const [key, table] of Object.entries(ref.frozenThresholds)) {
      table.forEach((v, t) => expect(Math.abs(result.thresholds[key]![t]! - v)).toBeLessThanOrEqual(1e-4));
    }
  });

  it('sums in float32 by default and in float64 with --accumulation float64: both within 1e-4 of the PyTorch logits', () => {
    const ref = readReference<{ logitsFirst64: number[][] }>('osr-fmnist-conv').logitsFirst64.flat();
    const outputs = new Map<string, number[]>();
    for (const accumulation of [[], ['--accumulation', 'float64']]) {
      const run = runCli(['eval', '--model', OSR.pth, '--arch', OSR.arch, '--data', bundledData, '--limit', '64', '--json', '--outputs', ...accumulation]);
      expect(run.status).toBe(0);
      const result = JSON.parse(run.stdout) as { accumulation: string; outputs: number[][] };
      expect(Math.max(...result.outputs.flat().map((v, i) => Math.abs(v - ref[i]!)))).toBeLessThanOrEqual(1e-4);
      outputs.set(result.accumulation, result.outputs.flat());
    }
    expect([...outputs.keys()]).toEqual(['float32', 'float64']);
    // Two summation orders: the outputs differ in their last bits somewhere.
    expect(outputs.get('float32')).not.toEqual(outputs.get('float64'));
    const refused = runCli(['eval', '--data', bundledData, '--limit', '10', '--accumulation', 'float16']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/accumulation/);
  });

  it('prints a readable summary without --json', () => {
    const run = runCli(['eval', '--data', bundledData, '--limit', '50']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/accuracy: \d+\.\d\d %/);
    expect(run.stdout).toMatch(/features\.0\.neuron\s+t1 \d+/);
  });

  it('fails with the file name and a non-zero exit on a truncated checkpoint', () => {
    const dir = scratch();
    const truncated = join(dir, 'truncated.pth');
    const bytes = readFileSync(OSR.pth);
    writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
    const run = runCli(['eval', '--model', truncated, '--arch', OSR.arch, '--data', bundledData, '--limit', '10']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^spikechip eval: .*truncated\.pth: /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the idx file with a wrong magic number', () => {
    const dir = scratch();
    for (const f of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) copyFileSync(join(bundledData, f), join(dir, f));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), Buffer.from([1, 2, 3, 4, 0, 0, 0, 1]));
    const run = runCli(['eval', '--data', dir, '--limit', '10']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/t10k-images-idx3-ubyte: .*magic/);
  });

  it('rejects an unknown option with usage exit code 2', () => {
    const run = runCli(['eval', '--no-such-option']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/Unknown argument/);
  });
});

describe('spikechip convert and inspect', () => {
  it('converts a checkpoint with frozen thresholds, and the model file evaluates identically', () => {
    const dir = scratch();
    const out = join(dir, 'osr.snnmodel');
    const convert = runCli(['convert', OSR.pth, '--arch', OSR.arch, '--data', bundledData, '-o', out, '--json']);
    expect(convert.status).toBe(0);
    const fromPth = JSON.parse(runCli(['eval', '--model', OSR.pth, '--arch', OSR.arch, '--data', bundledData, '--limit', '200', '--json']).stdout) as Record<string, unknown>;
    const fromFile = JSON.parse(runCli(['eval', '--model', out, '--data', bundledData, '--limit', '200', '--json']).stdout) as Record<string, unknown>;
    expect(fromFile.accuracy).toBe(fromPth.accuracy);
    expect(fromFile.spikesPerLayerPerStep).toEqual(fromPth.spikesPerLayerPerStep);
  });

  it('writes no output file when the input is bad', () => {
    const dir = scratch();
    const out = join(dir, 'never.snnmodel');
    const run = runCli(['convert', OSR.pth, '--arch', fixturePath('ratebp-fmnist-conv', 'arch.json'), '-o', out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/checkpoint\.pth: .*best_net/);
    expect(existsSync(out)).toBe(false);
  });

  it('inspects a checkpoint with shapes and parameter counts', () => {
    const run = runCli(['inspect', OSR.pth, '--arch', OSR.arch, '--json']);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { parameters: number; layers: { name: string; outputShape: number[] }[] };
    expect(result.parameters).toBe(20586);
    expect(result.layers.at(-1)).toMatchObject({ name: 'classifier.0', outputShape: [10] });
  });

  it.skipIf(!HAS_VGG_FIXTURE)(`recognises the VGGSNN preset without an arch.json (needs ${VGG_FIXTURE})`, () => {
    const run = runCli(['inspect', join(VGG_FIXTURE, 'checkpoint.pth'), '--json']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ topology: 'preset', preset: 'online_spiking_vgg11_ws', parameters: 9231114 });
  });
});
