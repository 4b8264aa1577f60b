import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../helpers/fixtures.js';
import { runCli } from '../helpers/run-cli.js';

/*
 * NIR through the command line: cnn_sinabs.nir (Sinabs, N-MNIST-shaped input [2, 34, 34]) compiles for loihi2 and
 * simulates on Fashion-MNIST images fitted to its input (--adapt-input: the run exercises the chip, its accuracy
 * means nothing); export writes the bundled model as NIR, which eval reads back.
 */
const dir = mkdtempSync(join(tmpdir(), 'spikechip-cli-nir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sinabs = fixturePath('nir', 'cnn_sinabs.nir');
const bundled = join('models', 'bundled', 'osr-fmnist-conv.snnmodel');

describe('spikechip with NIR files', () => {
  const program = join(dir, 'sinabs.chip.pb');

  it('compiles cnn_sinabs.nir for loihi2, reading its last IF layer as output accumulators', () => {
    const run = runCli(['compile', sinabs, '--chip', 'loihi2', '-o', program, '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { ok: boolean; diagnostics: { code: string; layer: string | null; message: string }[]; quantizationError: Record<string, unknown> };
    expect(result.ok).toBe(true);
    expect(Object.keys(result.quantizationError)).toEqual(['0', '2', '5', '9', '11']);
    expect(result.diagnostics.find((d) => d.code === 'W-OUTPUT-SPIKES')?.message).toBe(
      "W-OUTPUT-SPIKES layer 12: the model's output is the spike count of its last IF neurons; the chip reads the mean input current of 11 instead (its output accumulators)",
    );
    expect(existsSync(program)).toBe(true);
  });

  it('simulates it on images fitted to its input shape, and refuses them unfitted', () => {
    const refused = runCli(['simulate', program, '--limit', '4', '--workers', '1']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/images are \[1, 28, 28\], the program .* expects input \[2, 34, 34\] \(--adapt-input pads and repeats them/);
    const run = runCli(['simulate', program, '--adapt-input', '--limit', '4', '--workers', '1', '--json']);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { samples: number; spikesPerInference: number; perLayer: { name: string; spikes: number }[] };
    expect(report.samples).toBe(4);
    expect(report.spikesPerInference).toBeGreaterThan(0);
    expect(report.perLayer.map((l) => l.name)).toEqual(['0', '2', '5', '9', '11']);
  });

  it('exports the bundled model as NIR and evaluates the file', () => {
    const out = join(dir, 'osr.nir');
    const refused = runCli(['export', bundled, '--format', 'nir', '-o', out]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/layer features.0.neuron: per-step thresholds \[.*\] have no NIR form \(one threshold per neuron\): choose --threshold first or mean/);
    expect(existsSync(out)).toBe(false);
    const run = runCli(['export', bundled, '--format', 'nir', '-o', out, '--threshold', 'mean', '--json']);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { nodes: number; dt: number; warnings: string[] };
    expect(report.nodes).toBe(11);
    expect(report.warnings[2]).toBe(
      'layers features.0.neuron, features.2.neuron reset by subtraction, which NIR cannot state: other readers will reset them to zero (spikechip reads /spikechip/reset)',
    );
    const evaluated = runCli(['eval', '--model', out, '--limit', '40', '--json']);
    expect(evaluated.status).toBe(0);
    const result = JSON.parse(evaluated.stdout) as { accuracy: number; samples: number };
    expect(result.samples).toBe(40);
    expect(result.accuracy).toBeGreaterThan(0.6);
  });

  it('refuses the malformed braille subgraph naming the edge, and a CubaLIF network at compile', () => {
    const inspect = runCli(['inspect', fixturePath('nir', 'braille_noDelay_bias_zero_subgraph.nir')]);
    expect(inspect.status).toBe(1);
    expect(inspect.stderr).toContain("/node/nodes/lif1: edge input -> lif names node 'lif', which does not exist in this graph");
    const compile = runCli(['compile', fixturePath('nir', 'braille_noDelay_bias_zero.nir'), '--chip', 'loihi2', '-o', join(dir, 'braille.chip.pb')]);
    expect(compile.status).toBe(1);
    expect(compile.stderr).toContain('layer lif1.lif: CubaLIF has a synaptic current state, which this compiler does not lower (E-UNSUPPORTED)');
  });

  it('inspects a NIR file with the dt it assumed', () => {
    const run = runCli(['inspect', fixturePath('nir', 'lif_norse.nir'), '--json', '--timesteps', '20']);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { topology: string; timesteps: number; notes: string[] };
    expect([result.topology, result.timesteps]).toEqual(['nir', 20]);
    expect(result.notes[0]).toBe("NIR 0.1.1: numbered nodes with r = 1 (as Norse writes): Norse's dt = 0.001 s, forward Euler");
  });
});
