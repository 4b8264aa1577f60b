import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../models/errors.js';
import { printModel } from '../../../models/graph/print-model.js';
import { loadModel } from '../../../models/load-model.js';
import { fixturePath } from '../../helpers/fixtures.js';

/*
 * The NIR files of the NIR project's paper (test/fixtures/nir/README.md), written by Norse, Rockpool, Sinabs,
 * snnTorch and NIR's own tooling: each imports into the Model the golden text shows, with the writer and dt it was
 * read with in the notes; the malformed one is refused naming its edge.
 */
const FIXTURES = ['cnn_sinabs', 'lif_norse', 'lif_rockpool', 'two_lif_neurons', 'braille_noDelay_bias_zero', 'braille_noDelay_noBias_subtract'];
const nirPath = (name: string) => fixturePath('nir', `${name}.nir`);

describe('NIR fixtures', () => {
  it.each(FIXTURES)('%s imports as the golden model', async (name) => {
    const { model, topology } = loadModel(nirPath(name));
    expect(topology).toBe('nir');
    expect(model.source).toBe('nir');
    await expect(printModel(model)).toMatchFileSnapshot(`../../golden/nir/${name}.txt`);
  });

  it('recognises each writer and the dt it implies', () => {
    const note = (name: string) => loadModel(nirPath(name)).model.notes![0];
    expect(note('cnn_sinabs')).toContain('only IF neurons');
    expect(note('lif_norse')).toContain("Norse's dt = 0.001 s");
    expect(note('lif_rockpool')).toContain('Rockpool (node names): dt = 0.0001 s');
    expect(note('braille_noDelay_bias_zero')).toContain('snnTorch (r = tau_mem/dt, w_in = tau_syn/dt): dt = 0.0001 s');
    expect(note('two_lif_neurons')).toContain('writer not recognised: dt = 0.0001 s assumed');
  });

  it('reads cnn_sinabs as the chain Sinabs wrote', () => {
    const { model } = loadModel(nirPath('cnn_sinabs'));
    expect(model.input.shape).toEqual([2, 34, 34]);
    expect(model.nodes.map((n) => n.kind)).toEqual([
      'conv2d',
      'spiking-neuron',
      'conv2d',
      'spiking-neuron',
      'sumpool2d',
      'conv2d',
      'spiking-neuron',
      'sumpool2d',
      'flatten',
      'linear',
      'spiking-neuron',
      'linear',
      'spiking-neuron',
    ]);
  });

  it("attaches the braille network's recurrent Affine to its CubaLIF neurons", () => {
    const { model } = loadModel(nirPath('braille_noDelay_bias_zero'));
    const lif = model.nodes.find((n) => n.name === 'lif1.lif');
    expect(lif?.kind).toBe('spiking-neuron');
    if (lif?.kind !== 'spiking-neuron') return;
    expect(lif.recurrent?.weight.shape).toEqual([38, 38]);
    expect(lif.recurrent?.bias?.data.length).toBe(38);
    expect(model.nodes.some((n) => n.name === 'lif1.w_rec')).toBe(false);
  });

  it('takes dt, reset and T from the options', () => {
    const { model } = loadModel(nirPath('two_lif_neurons'), { nirDt: 1e-3, nirReset: 'subtract', timesteps: 25 });
    const lif1 = model.nodes[1]!;
    expect(lif1.kind === 'spiking-neuron' && [lif1.dynamics.decay, lif1.reset]).toEqual([1 - 1e-3 / 0.01, 'subtract']);
    expect(model.timesteps).toBe(25);
    expect(model.notes).toContain('T = 25');
  });

  it('refuses the malformed subgraph naming the edge', () => {
    const path = nirPath('braille_noDelay_bias_zero_subgraph');
    let error: unknown;
    try {
      loadModel(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).message).toBe(
      `${path}: /node/nodes/lif1: edge input -> lif names node 'lif', which does not exist in this graph (nodes: input, lif1, lin, output)`,
    );
  });

  it('recognises a NIR file without the .nir extension by its HDF5 signature', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikechip-nir-'));
    try {
      const copy = join(dir, 'lif_norse.h5');
      copyFileSync(nirPath('lif_norse'), copy);
      expect(printModel(loadModel(copy).model).split('\n').slice(1)).toEqual(
        printModel(loadModel(nirPath('lif_norse')).model)
          .split('\n')
          .slice(1),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
