import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { readModelFile } from '../../models/format/model-file.js';
import { isChain } from '../../models/graph/graph.js';
import { fixturePath } from '../helpers/fixtures.js';
import { runCli } from '../helpers/run-cli.js';

const data = bundledFashionMnistDir();
const quick = ['--data', data, '--samples', '96', '--batch', '16', '--epochs', '1', '--calibration', '64', '--test-limit', '20'];

describe('spikechip train on a residual snn-arch/2 file', () => {
  for (const [rule, threads] of [
    ['osr', '2'],
    ['rate', '1'],
  ] as const) {
    it(`--rule ${rule} with ${threads} thread(s) writes a residual model that eval reads back with the same accuracy`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'spikechip-train-residual-'));
      const output = join(dir, `${rule}.snnmodel`);
      const arch = fixturePath('residual-fmnist', `arch-${rule}.json`);
      const run = runCli(['train', '--arch', arch, '--rule', rule, ...quick, '--threads', threads, '-o', output, '--json']);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const report = JSON.parse(run.stdout) as { rule: string; samples: number; testAccuracy: number; finalTrainingLoss: number };
      expect(report).toMatchObject({ rule, samples: 96, testSamples: 20 });
      expect(Number.isFinite(report.finalTrainingLoss)).toBe(true);
      const model = readModelFile(output);
      expect(isChain(model)).toBe(false);
      const evaluated = runCli(['eval', '--model', output, '--data', data, '--limit', '20', '--json']);
      expect(evaluated.status).toBe(0);
      expect((JSON.parse(evaluated.stdout) as { accuracy: number }).accuracy).toBe(report.testAccuracy);
    }, 180_000);
  }

  it('refuses the rule the file was not written for, naming the file', () => {
    const arch = fixturePath('residual-fmnist', 'arch-osr.json');
    const run = runCli(['train', '--arch', arch, '--rule', 'rate', ...quick, '-o', join(mkdtempSync(join(tmpdir(), 'spikechip-train-residual-')), 'x.snnmodel')]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/arch-osr\.json.*--rule osr/);
  }, 60_000);
});
