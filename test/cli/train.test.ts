import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { runCli } from '../helpers/run-cli.js';
import { writeTinyArch } from '../models/training/tiny-arch.js';

const data = bundledFashionMnistDir();
const quick = ['--data', data, '--samples', '64', '--batch', '16', '--calibration', '64', '--test-limit', '20', '--threads', '2'];

describe('spikechip train', () => {
  it('trains with two threads, writes a model eval takes, and reports JSON; the same seed gives the same file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikechip-train-cli-'));
    const arch = writeTinyArch('osr');
    const first = runCli(['train', '--arch', arch, ...quick, '--seed', '5', '-o', join(dir, 'a.snnmodel'), '--json']);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const report = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ rule: 'osr', epochs: 2, samples: 64, threads: 2, testSamples: 20, thresholdMode: 'frozen', calibrationImages: 64 });
    for (const key of ['finalTrainingLoss', 'testAccuracy']) expect(typeof report[key]).toBe('number');
    expect(report).not.toHaveProperty('seconds');
    const second = runCli(['train', '--arch', arch, ...quick, '--seed', '5', '-o', join(dir, 'b.snnmodel'), '--json', '--timing']);
    expect(second.status).toBe(0);
    const timed = JSON.parse(second.stdout) as Record<string, unknown>;
    expect(typeof timed.seconds).toBe('number');
    const { seconds: _seconds, output: _timedOutput, ...timedRest } = timed;
    const { output: _output, ...rest } = report;
    expect(timedRest).toEqual(rest);
    expect(readFileSync(join(dir, 'a.snnmodel')).equals(readFileSync(join(dir, 'b.snnmodel')))).toBe(true);
    const evaluated = runCli(['eval', '--model', join(dir, 'a.snnmodel'), '--data', data, '--limit', '20', '--json']);
    expect(evaluated.status).toBe(0);
    expect((JSON.parse(evaluated.stdout) as { accuracy: number }).accuracy).toBe(report.testAccuracy);
  }, 120_000);

  it('prints a readable summary with the rate rule', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikechip-train-cli-'));
    const run = runCli(['train', '--arch', writeTinyArch('rate'), ...quick, '--epochs', '1', '-o', join(dir, 'r.snnmodel')]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/trained tiny-rate with the rate rule: 1 epoch\(s\) of 64 images/);
    expect(run.stdout).toMatch(/test accuracy .* on 20 images/);
  }, 120_000);

  it('fails with a clear message and leaves no file for an architecture it cannot train', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikechip-train-cli-'));
    const arch = writeTinyArch('rate', (a) => {
      (a.layers as Record<string, unknown>[])[7] = { op: 'maxpool2d', kernel: 2 };
    });
    const run = runCli(['train', '--arch', arch, ...quick, '-o', join(dir, 'x.snnmodel')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/layer maxpool7 \(maxpool2d\): host training supports/);
    expect(existsSync(join(dir, 'x.snnmodel'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names the file and the limit for a bad option or a missing arch', () => {
    expect(runCli(['train', '--arch', writeTinyArch('rate'), '--batch', '0']).stderr).toMatch(/--batch must be an integer from 1 to 65536, got "0"/);
    const missing = runCli(['train', '--arch', '/nonexistent/arch.json']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/\/nonexistent\/arch.json: cannot read the arch file/);
  });
});
