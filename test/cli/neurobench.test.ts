import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { fixturePath } from '../helpers/fixtures.js';
import { runCli } from '../helpers/run-cli.js';

const bundled = join('models', 'bundled', 'osr-fmnist-conv.snnmodel');
const data = bundledFashionMnistDir();
const metrics = ['version', 'parameterCount', 'footprintBytes', 'connectionSparsity', 'activationSparsity', 'synapticOperations', 'membraneUpdates'];

describe('NeuroBench metrics in the JSON of eval and simulate', () => {
  it("eval --json carries NeuroBench's own figures for the first 64 images of the conv fixture", () => {
    const model = fixturePath('osr-fmnist-conv', 'checkpoint.pth');
    const run = runCli(['eval', '--model', model, '--arch', fixturePath('osr-fmnist-conv', 'arch.json'), '--data', data, '--limit', '64', '--batch', '64', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const neurobench = (JSON.parse(run.stdout) as { neurobench: Record<string, unknown> }).neurobench;
    expect(Object.keys(neurobench)).toEqual(metrics);
    const reference = JSON.parse(readFileSync(fixturePath('osr-fmnist-conv', 'neurobench.json'), 'utf8')) as {
      runs: { first64: { results: { SynapticOperations: { Dense: number } } } };
    };
    expect((neurobench.synapticOperations as { dense: number }).dense).toBe(reference.runs.first64.results.SynapticOperations.Dense);
  });

  it("simulate --json puts the float model's metrics and the chip's own counts side by side", () => {
    const program = join(mkdtempSync(join(tmpdir(), 'spikechip-nb-')), 'loihi.chip.pb');
    expect(runCli(['compile', bundled, '--chip', 'loihi', '-o', program]).status).toBe(0);
    const run = runCli(['simulate', program, '--data', data, '--limit', '4', '--float-reference', bundled, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { synapticOpsPerInference: number; neurobench: Record<string, unknown> & { chip: Record<string, number> } };
    expect(Object.keys(report.neurobench)).toEqual([...metrics, 'chip']);
    expect(report.neurobench.chip.synapticOperations).toBe(report.synapticOpsPerInference);
    expect(report.neurobench.chip.membraneUpdates).toBeGreaterThan(0);
    expect(report.neurobench.chip.activationSparsity).toBeGreaterThan(0.5);
    expect(report.neurobench.chip.activationSparsity).toBeLessThan(1);
    const alone = runCli(['simulate', program, '--data', data, '--limit', '2', '--json']);
    expect(Object.keys((JSON.parse(alone.stdout) as { neurobench: object }).neurobench)).toEqual(['chip']);
  });
});
