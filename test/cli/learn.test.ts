import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readChipProgramFile } from '../../chips/ir/chip-program-codec.js';
import { bundledFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { PROJECT_ROOT } from '../helpers/fixtures.js';
import { runCli } from '../helpers/run-cli.js';

const bundledData = bundledFashionMnistDir();
const MODEL = join(PROJECT_ROOT, 'models', 'bundled', 'osr-fmnist-conv.snnmodel');

describe('spikechip learn', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikechip-learn-'));
  const program = join(dir, 'osr.chip.pb');

  it('learns the last layer on chip, reports JSON and writes the learned program', () => {
    expect(runCli(['compile', MODEL, '--chip', 'loihi2', '-o', program]).status).toBe(0);
    const learned = join(dir, 'learned.chip.pb');
    const run = runCli([
      'learn',
      program,
      '--rule',
      'rate',
      '--reset',
      '--data',
      bundledData,
      '--samples',
      '150',
      '--test-limit',
      '100',
      '--workers',
      '1',
      '--json',
      '-o',
      learned,
    ]);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, number>;
    expect(report.accuracyBefore).toBeLessThan(0.3);
    expect(report.accuracyAfter).toBeGreaterThan(0.5);
    expect(report.synapticUpdates).toBeGreaterThan(0);
    expect(report.learningEnergyPerSampleJ).toBeGreaterThan(report.synapticUpdateEnergyPerSampleJ!);
    const written = readChipProgramFile(learned);
    expect(written.learning.layerConfigs?.[0]?.rule).toBe('dw = -2^-7*u0*x1*y2');
    expect(written.layers[2]!.connection.dense!.weights.some((w) => w !== 0)).toBe(true);
  });

  it('refuses a rule with an unknown variable, naming its column, and writes nothing', () => {
    const out = join(dir, 'never.chip.pb');
    const run = runCli(['learn', program, '--rule', 'dw = 2^-4*x1*y0 - 2^-4*x0*z1', '--data', bundledData, '--samples', '5', '-o', out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("column 27: unknown variable 'z1'");
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('learns with ottt-accumulated, printing both rules, beside its float reference', () => {
    const run = runCli([
      'learn',
      program,
      '--rule',
      'ottt-accumulated',
      '--reset',
      '--data',
      bundledData,
      '--samples',
      '100',
      '--test-limit',
      '50',
      '--workers',
      '1',
      '--json',
      '--float',
      MODEL,
    ]);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { rule: string; accuracyAfter: number; float: { accuracyAfter: number } | null };
    expect(report.rule).toBe('ottt-accumulated: dw = 2^-4*u2*t - 2^-7*u2*x1*y2; dt = -2^-3*u0*x1*y2 + 2^-3*u2*x1*y2 - u2*t');
    expect(report.accuracyAfter).toBeGreaterThan(0.4);
    expect(report.float!.accuracyAfter).toBeGreaterThan(0.4);
  });

  it('compile --learning refuses a bad tag rule, naming its column in the whole text', () => {
    const run = runCli(['compile', MODEL, '--chip', 'loihi2', '--learning', 'dw = u0*t; dt = u12*x1', '-o', join(dir, 'y.chip.pb')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("column 17: 'u12': k of a u<k> dependency is one digit, 0..9");
  });

  it('compile --learning refuses an out-of-range scale, naming its column', () => {
    const run = runCli(['compile', MODEL, '--chip', 'loihi2', '--learning', 'dw = 2^-12*u0*x1*y2', '-o', join(dir, 'x.chip.pb')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('column 6: scale exponent -12 is outside -7..8');
  });
});
