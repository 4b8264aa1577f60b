import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeModelFile } from '../../models/format/model-file.js';
import { isChain } from '../../models/graph/graph.js';
import { readNirGraph, readNirModel } from '../../models/nir/read-nir.js';
import { smallResidualModel } from '../helpers/residual-fmnist.js';
import { runCli } from '../helpers/run-cli.js';

describe('spikechip export --format nir of a residual model', () => {
  it('writes the shortcut as a second edge into the block neuron; eval of the .nir matches eval of the model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikechip-export-residual-'));
    const model = join(dir, 'residual.snnmodel');
    writeModelFile(model, smallResidualModel('rate'));
    const output = join(dir, 'residual.nir');
    const run = runCli(['export', model, '--format', 'nir', '-o', output, '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ format: 'nir', output });
    const bytes = readFileSync(output);
    const edges = readNirGraph(bytes, output)
      .graph.edges.filter((e) => e.target === 'block.sn2')
      .map((e) => e.source);
    expect(edges.sort()).toEqual(['block.conv2', 'sn1']);
    expect(isChain(readNirModel(bytes, output))).toBe(false);
    const evaluate = (file: string) => JSON.parse(runCli(['eval', '--model', file, '--limit', '32', '--json']).stdout) as { accuracy: number };
    expect(evaluate(output).accuracy).toBe(evaluate(model).accuracy);
  }, 120_000);
});
