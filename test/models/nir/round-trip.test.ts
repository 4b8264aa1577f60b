import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { frozenFloatModel } from '../../../compiler/float/frozen-model.js';
import { bundledModelPath } from '../../../models/bundled/bundled.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../../models/datasets/fashion-mnist.js';
import { imagesAsInput } from '../../../models/datasets/image-samples.js';
import { ModelError } from '../../../models/errors.js';
import type { Model } from '../../../models/graph/model.js';
import { elementCount } from '../../../models/graph/tensor.js';
import { loadModel } from '../../../models/load-model.js';
import { fixThresholds } from '../../../models/nir/fix-thresholds.js';
import type { NirGraph } from '../../../models/nir/nir-graph.js';
import { modelToNir } from '../../../models/nir/model-to-nir.js';
import { readNirGraph, readNirModel } from '../../../models/nir/read-nir.js';
import { writeNir } from '../../../models/nir/write-nir.js';
import { ReferenceExecutor } from '../../../models/reference/executor.js';
import { fixturePath } from '../../helpers/fixtures.js';
import { lcg } from '../../compiler/helpers.js';

/*
 * Export then import: the folded, frozen model written as NIR and read back gives the same float outputs (its
 * thresholds fixed first, since NIR has one per neuron). The exported files are also read by a Python script that
 * walks them with h5py the way NIR's own reader does (skipped, saying so, without Debian's python3-h5py).
 */

const PYTHON = '/usr/bin/python3';
const READER = join(import.meta.dirname, 'read_nir_like_nir.py');
const HAS_H5PY = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import h5py'], { encoding: 'utf8' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'spikechip-nir-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function roundTrip(model: Model): { bytes: Uint8Array; back: Model } {
  const bytes = writeNir(modelToNir(model).nir);
  return { bytes, back: readNirModel(bytes, 'exported.nir') };
}

function outputs(model: Model, input: Float32Array, batch: number): Float32Array {
  return new ReferenceExecutor(model, batch).run(input, batch, 'frozen').outputs;
}

function randomInput(model: Model, batch: number, seed: number, integer: boolean): Float32Array {
  const next = lcg(seed);
  return Float32Array.from({ length: batch * elementCount(model.input.shape) }, () => (integer ? (next() < 0.2 ? 1 : 0) : next()));
}

describe('NIR export and import', () => {
  it('the bundled OSR model, thresholds fixed at step 1, reads back with the same outputs, T and reset', () => {
    const { model } = loadModel(bundledModelPath());
    const fixed = frozenFloatModel(model, 'first');
    expect(fixed.notes).toEqual([
      'layer features.0.neuron: per-step thresholds replaced by their step-1 value 1',
      'layer features.2.neuron: per-step thresholds replaced by their step-1 value 1',
    ]);
    const { back } = roundTrip(fixed.model);
    expect([back.timesteps, back.input.scale, back.input.shape]).toEqual([model.timesteps, 1 / 255, [1, 28, 28]]);
    expect(back.nodes.filter((n) => n.kind === 'spiking-neuron').map((n) => n.kind === 'spiking-neuron' && n.reset)).toEqual(['subtract', 'subtract']);
    const images = loadFashionMnist(bundledFashionMnistDir(), 'test', 16);
    const input = imagesAsInput(images, fixed.model, 16);
    const expected = outputs(fixed.model, input, 16);
    expect(outputs(back, imagesAsInput(images, back, 16), 16)).toEqual(expected);
    // The export is of the frozen model: with a step-1 table the outputs differ from the OTS schedule's.
    expect(outputs(model, input, 16)).not.toEqual(expected);
  });

  it('refuses a per-step threshold table unless told how to fix it', () => {
    const { model } = loadModel(bundledModelPath());
    expect(() => frozenFloatModel(model, 'exact')).toThrow(ModelError);
    expect(() => frozenFloatModel(model, 'exact')).toThrow(/layer features.0.neuron: per-step thresholds \[1.0000, 1.3656, 1.5195, 1.5671\] have no NIR form/);
    const table = model.nodes.find((n) => n.name === 'features.0.neuron');
    const frozen = table?.kind === 'lif' && table.threshold.kind === 'ots' ? [...table.threshold.frozen!] : [];
    const mean = frozenFloatModel(model, 'mean').model.nodes.find((n) => n.name === 'features.0.neuron');
    expect(mean?.kind === 'lif' && mean.threshold).toEqual({ kind: 'fixed', value: Math.fround(frozen.reduce((a, b) => a + b, 0) / frozen.length) });
  });

  it('cnn_sinabs (IF, sum pooling) reads back with the same outputs', () => {
    const { model } = loadModel(fixturePath('nir', 'cnn_sinabs.nir'), { timesteps: 5 });
    // Nothing to fold or freeze: the model is written as it is.
    expect(frozenFloatModel(model, 'exact').model).toBe(model);
    const { back } = roundTrip(model);
    expect(back.nodes.map((n) => n.kind)).toEqual(model.nodes.map((n) => n.kind));
    const input = randomInput(model, 4, 7, true);
    const expected = outputs(model, input, 4);
    expect(expected.some((v) => v !== 0)).toBe(true);
    expect(outputs(back, input, 4)).toEqual(expected);
  });

  it('writes LIF and CubaLIF neurons and recurrent weights that read back as the same dynamics', () => {
    const { model } = loadModel(fixturePath('nir', 'lif_norse.nir'));
    const { back } = roundTrip(model);
    expect(back.nodes).toEqual(model.nodes.map((n) => n));
    const braille = loadModel(fixturePath('nir', 'braille_noDelay_bias_zero.nir')).model;
    const noRecurrence = { ...braille, nodes: braille.nodes.map((n) => (n.kind === 'spiking-neuron' ? { ...n, recurrent: null } : n)) };
    const input = randomInput(braille, 3, 3, false);
    const cuba = roundTrip(noRecurrence).back;
    outputs(cuba, input, 3).forEach((v, i) => expect(v).toBeCloseTo(outputs(noRecurrence, input, 3)[i]!, 6));
    const recurrent = roundTrip(braille).back;
    expect(recurrent.nodes.map((n) => n.name)).toEqual(braille.nodes.map((n) => n.name));
    outputs(recurrent, input, 3).forEach((v, i) => expect(v).toBeCloseTo(outputs(braille, input, 3)[i]!, 6));
  });

  it.skipIf(!HAS_H5PY)('is read by an h5py walk of the file as nir.read does it (python3-h5py)', () => {
    const { model } = loadModel(bundledModelPath());
    const files = {
      osr: writeNir(modelToNir(fixThresholds(frozenFloatModel(model, 'mean').model, 'exact').model).nir),
      sinabs: writeNir(modelToNir(frozenFloatModel(loadModel(fixturePath('nir', 'cnn_sinabs.nir')).model, 'exact').model).nir),
      braille: writeNir(modelToNir(loadModel(fixturePath('nir', 'braille_noDelay_noBias_subtract.nir')).model).nir),
    };
    for (const [name, bytes] of Object.entries(files)) {
      const path = join(dir, `${name}.nir`);
      writeFileSync(path, bytes);
      const run = spawnSync(PYTHON, [READER, path], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual(summary(readNirGraph(readFileSync(path), path)));
    }
  });
  if (!HAS_H5PY) it.skip('python3-h5py is not installed (apt-get install python3-h5py): the h5py reading check is skipped', () => {});
});

/** What the Python reader prints, from spikechip's own reading: types, field shapes, edges. */
function summary(file: { version: string; graph: NirGraph }): unknown {
  return { version: file.version, graph: graphSummary(file.graph) };
}

function graphSummary(graph: NirGraph): unknown {
  return {
    type: 'NIRGraph',
    edges: graph.edges.map((e) => [e.source, e.target]),
    nodes: Object.fromEntries(graph.nodes.map((n) => [n.name, n.type === 'NIRGraph' ? graphSummary(n.graph) : { type: n.type, fields: fieldShapes(n) }])),
  };
}

const FIELD_NAMES: Record<string, string> = {
  kernel: 'kernel_size',
  startDim: 'start_dim',
  endDim: 'end_dim',
  inputShape: 'input_type',
  vThreshold: 'v_threshold',
  vLeak: 'v_leak',
  vReset: 'v_reset',
  tauMem: 'tau_mem',
  tauSyn: 'tau_syn',
  wIn: 'w_in',
};

function fieldShapes(node: Exclude<NirGraph['nodes'][number], { type: 'NIRGraph' }>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'type' || key === 'name' || value === null) continue;
    const name = FIELD_NAMES[key] ?? key;
    if (typeof value === 'number') out[name] = [];
    else if (Array.isArray(value)) out[name] = [value.length];
    else out[name] = [...(value as { shape: number[] }).shape];
  }
  return out;
}
