import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../models/graph/model.js';
import { writeModelFile } from '../../models/format/model-file.js';
import { syntheticModel } from '../compiler/helpers.js';
import { runCli } from '../helpers/run-cli.js';

/** A model with a scale node between a conv and its neurons: the compiler refuses it (E-UNSUPPORTED, layer lif1). */
function unloweredModel(): string {
  const base = syntheticModel();
  const model: Model = { ...base, nodes: base.nodes.map((n) => (n.name === 'lif1' ? { kind: 'scale', name: 'lif1', factor: { shape: [1], data: Float32Array.of(2) } } : n)) };
  const path = join(mkdtempSync(join(tmpdir(), 'spikechip-compile-error-')), 'scaled.snnmodel');
  writeModelFile(path, model);
  return path;
}

const MESSAGE = 'synthetic: layer lif1: a scale between layers is not lowered in this version (E-UNSUPPORTED): fold it into the weights before';

describe('a model the compiler cannot lower', () => {
  const model = unloweredModel();

  it.each(['compile', 'check'])('%s --json reports the error as fields: code, severity, layer; nothing written', (command) => {
    const out = join(tmpdir(), `spikechip-never-${process.pid}.chip.pb`);
    const run = runCli([command, model, '--chip', 'loihi2', '--json', ...(command === 'compile' ? ['-o', out] : [])]);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { ok: boolean; output: string | null; diagnostics: unknown[] };
    expect(report).toMatchObject({ ok: false, output: null });
    expect(report.diagnostics).toEqual([{ code: 'E-UNSUPPORTED', severity: 'error', layer: 'lif1', core: null, value: null, limit: null, message: MESSAGE }]);
    expect(existsSync(out)).toBe(false);
  });

  it('prints one line in text, as before', () => {
    const run = runCli(['check', model, '--chip', 'loihi2']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`spikechip check: ${MESSAGE}\n`);
  });
});
