import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { runCli } from '../helpers/run-cli.js';

/** `--json` is byte-reproducible: wall-clock figures appear only with `--timing`. (train: test/cli/train.test.ts.) */

const bundledModel = join('models', 'bundled', 'osr-fmnist-conv.snnmodel');
const data = bundledFashionMnistDir();

function twice(args: string[]): Record<string, unknown> {
  const a = runCli(args);
  const b = runCli(args);
  expect(a.status, a.stderr).toBe(0);
  expect(b.stdout).toBe(a.stdout);
  return JSON.parse(a.stdout) as Record<string, unknown>;
}

describe('--json without --timing is the same bytes every run', () => {
  it('compile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikechip-json-'));
    const report = twice(['compile', bundledModel, '--chip', 'loihi2', '-o', join(dir, 'a.chip.pb'), '--json']);
    expect(report).not.toHaveProperty('seconds');
    const timed = runCli(['compile', bundledModel, '--chip', 'loihi2', '-o', join(dir, 'a.chip.pb'), '--json', '--timing']);
    expect(typeof (JSON.parse(timed.stdout) as { seconds: unknown }).seconds).toBe('number');
  });

  it('eval', () => {
    const report = twice(['eval', '--data', data, '--limit', '20', '--json']);
    expect(report).not.toHaveProperty('seconds');
    expect(report).not.toHaveProperty('imagesPerSecond');
    const timed = JSON.parse(runCli(['eval', '--data', data, '--limit', '20', '--json', '--timing']).stdout) as Record<string, unknown>;
    expect(typeof timed.imagesPerSecond).toBe('number');
    const { seconds: _seconds, imagesPerSecond: _speed, ...rest } = timed;
    expect(rest).toEqual(report);
  });
});
