import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { DEBIAN_FASHION_MNIST, HAS_FULL_FASHION_MNIST, fixturePath, readReference } from '../helpers/fixtures.js';
import { runCli } from '../helpers/run-cli.js';

const bundled = join('models', 'bundled', 'osr-fmnist-conv.snnmodel');
const data = bundledFashionMnistDir();
const scratch = () => mkdtempSync(join(tmpdir(), 'spikechip-sim-'));

function compiled(chip: string, model = bundled, extra: string[] = []): string {
  const out = join(scratch(), `${chip}.chip.pb`);
  const run = runCli(['compile', model, ...extra, '--chip', chip, '-o', out]);
  expect(run.status, run.stderr).toBe(0);
  return out;
}

describe('spikechip simulate', () => {
  it('prints accuracy, energy, latency, spikes and the bottleneck core as JSON, and saves a re-costable result', () => {
    const program = compiled('loihi');
    const dir = scratch();
    const result = join(dir, 'result.json');
    const run = runCli(['simulate', program, '--data', data, '--limit', '100', '--json', '-o', result]);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    for (const key of ['accuracy', 'samples', 'energyPerInferenceJ', 'latencyPerInferenceS', 'spikesPerInference', 'synapticOpsPerInference', 'perLayer', 'bottleneckCore']) {
      expect(report, key).toHaveProperty(key);
    }
    expect(report.samples).toBe(100);
    expect(report.profile).toBe('davies2018');
    const recost = runCli(['recost', result, '--profile', 'sanafe', '--json']);
    expect(recost.status, recost.stderr).toBe(0);
    const priced = JSON.parse(recost.stdout) as Record<string, unknown>;
    expect(priced.profile).toBe('sanafe');
    expect(priced.accuracy).toBe(report.accuracy);
    expect(priced.energyPerInferenceJ).not.toBe(report.energyPerInferenceJ);
  });

  it('gives byte-identical output for the same seed with Poisson input', () => {
    const program = compiled('loihi2');
    const args = ['simulate', program, '--data', data, '--limit', '30', '--encoding', 'poisson', '--seed', '5', '--json'];
    const a = runCli(args);
    const b = runCli(args);
    expect(a.status).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it('refuses a corrupt program, and a program for another chip, with clear errors', () => {
    const program = compiled('loihi2');
    const corrupt = join(scratch(), 'corrupt.chip.pb');
    const bytes = readFileSync(program);
    writeFileSync(corrupt, bytes.subarray(0, bytes.length - 200));
    const bad = runCli(['simulate', corrupt, '--data', data, '--limit', '5']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/corrupt\.chip\.pb: truncated or corrupt chip program/);
    const other = runCli(['simulate', program, '--chip', 'loihi', '--data', data, '--limit', '5']);
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(
      /loihi2\.chip\.pb: was compiled for the builtin loihi2: run it with --chip loihi2 \(or without --chip\); --chip loihi is 'loihi' \(sha256 [0-9a-f]{12}\), a different spec\n$/,
    );
  });
});

interface FullReference {
  accuracy: { frozenThreshold?: number; rateBp?: number };
}

describe.skipIf(!HAS_FULL_FASHION_MNIST)(`full Fashion-MNIST test set on loihi2 (needs ${DEBIAN_FASHION_MNIST}: apt-get install dataset-fashion-mnist)`, () => {
  it('osr-fmnist-conv is within 1 point of its float frozen-threshold accuracy', () => {
    const run = runCli(['simulate', compiled('loihi2'), '--data', DEBIAN_FASHION_MNIST, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { samples: number; accuracy: number };
    expect(report.samples).toBe(10000);
    expect(Math.abs(report.accuracy - readReference<FullReference>('osr-fmnist-conv').accuracy.frozenThreshold!)).toBeLessThanOrEqual(0.01);
  });

  it('ratebp-fmnist-conv is within 1 point of its float accuracy', () => {
    const program = compiled('loihi2', fixturePath('ratebp-fmnist-conv', 'checkpoint.pth'), ['--arch', fixturePath('ratebp-fmnist-conv', 'arch.json')]);
    const run = runCli(['simulate', program, '--data', DEBIAN_FASHION_MNIST, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { samples: number; accuracy: number };
    expect(Math.abs(report.accuracy - readReference<FullReference>('ratebp-fmnist-conv').accuracy.rateBp!)).toBeLessThanOrEqual(0.01);
  });
});
