import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { runCli } from '../helpers/run-cli.js';

const bundled = join('models', 'bundled', 'osr-fmnist-conv.snnmodel');
const data = bundledFashionMnistDir();

describe('spikechip report and simulate --report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikechip-report-cli-'));
  const program = join(dir, 'model.chip.pb');
  const result = join(dir, 'result.json');
  const fromSimulate = join(dir, 'simulate.html');

  it('simulate --report writes the page; report draws the same bytes from the saved result and its program', () => {
    expect(runCli(['compile', bundled, '--chip', 'loihi2', '-o', program]).status).toBe(0);
    const sim = runCli(['simulate', program, '--data', data, '--limit', '3', '--workers', '2', '-o', result, '--report', fromSimulate, '--float-reference', bundled, '--json']);
    expect(sim.status, sim.stderr).toBe(0);
    const summary = JSON.parse(sim.stdout) as { floatReference: { accuracy: number; samples: number }; report: { plots: { drawn: boolean }[] }; raster?: unknown };
    expect(summary.floatReference.samples).toBe(3);
    expect(summary.report.plots.every((p) => p.drawn)).toBe(true);
    expect(summary).not.toHaveProperty('raster');
    const saved = JSON.parse(readFileSync(result, 'utf8')) as { raster: { sample: number; layers: { name: string }[] } };
    expect(saved.raster.sample).toBe(0);
    expect(saved.raster.layers.map((l) => l.name)).toEqual(['features.0.synapse', 'features.2.synapse']);

    const page = join(dir, 'report.html');
    const report = runCli(['report', result, '--program', program, '-o', page]);
    expect(report.status, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/^wrote .*report\.html: 7 plots\n$/);
    expect(readFileSync(page, 'utf8')).toBe(readFileSync(fromSimulate, 'utf8'));

    const bare = join(dir, 'bare.html');
    const withoutProgram = runCli(['report', result, '-o', bare, '--json']);
    expect(withoutProgram.status, withoutProgram.stderr).toBe(0);
    const plots = (JSON.parse(withoutProgram.stdout) as { plots: { id: string; drawn: boolean }[] }).plots;
    expect(plots.filter((p) => !p.drawn).map((p) => p.id)).toEqual(['mesh']);
  });

  it('simulate --raster records only the named layer, and refuses an unknown one by name', () => {
    const one = join(dir, 'one.json');
    expect(runCli(['simulate', program, '--data', data, '--limit', '2', '--raster', 'features.2.synapse', '-o', one]).status).toBe(0);
    expect((JSON.parse(readFileSync(one, 'utf8')) as { raster: { layers: { name: string }[] } }).raster.layers.map((l) => l.name)).toEqual(['features.2.synapse']);
    const bad = runCli(['simulate', program, '--data', data, '--limit', '2', '--raster', 'conv7']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--raster conv7: no layer 'conv7' in the program \(layers: features\.0\.synapse, features\.2\.synapse, classifier\.0, or all\)/);
  });

  it('names the file when the result is missing, corrupt or not a result, and leaves no page behind', () => {
    const out = join(dir, 'errors');
    const page = `${out}.html`;
    const missing = runCli(['report', join(dir, 'nope.json'), '-o', page]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nope\.json: cannot read the simulation result \(ENOENT\)/);
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, readFileSync(result, 'utf8').slice(0, 500));
    const broken = runCli(['report', corrupt, '-o', page]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/corrupt\.json: not a simulation result: invalid JSON/);
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ chip: 'loihi2', model: 'm' }));
    const foreign = runCli(['report', other, '-o', page]);
    expect(foreign.status).toBe(1);
    expect(foreign.stderr).toMatch(/other\.json: not a simulation result: field 'samples' is missing/);
    const loihi = join(dir, 'loihi-result.json');
    writeFileSync(loihi, JSON.stringify({ ...(JSON.parse(readFileSync(result, 'utf8')) as object), chip: 'loihi' }));
    const mismatch = runCli(['report', loihi, '--program', program, '-o', page]);
    expect(mismatch.status).toBe(1);
    expect(mismatch.stderr).toMatch(/model\.chip\.pb: is not the program of .*loihi-result\.json \(program: chip loihi2, 10 cores; result: chip loihi, 10 cores\)/);
    expect(existsSync(page)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });
});
