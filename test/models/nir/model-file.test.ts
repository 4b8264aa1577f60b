import { describe, expect, it } from 'vitest';
import { deserializeModel, serializeModel } from '../../../models/format/model-file.js';
import type { Model } from '../../../models/graph/model.js';
import { printModel } from '../../../models/graph/print-model.js';
import { loadModel } from '../../../models/load-model.js';
import { nirArray } from '../../../models/nir/nir-graph.js';
import { readNirModel } from '../../../models/nir/read-nir.js';
import { fixturePath } from '../../helpers/fixtures.js';
import { chainFile, one } from './nir-test-helpers.js';

/* The canonical model file keeps every node kind NIR brings, its notes included, bit for bit. */
describe('model files of NIR models', () => {
  it.each(['cnn_sinabs', 'braille_noDelay_bias_zero', 'lif_rockpool'])('%s survives save and load', (name) => {
    const { model } = loadModel(fixturePath('nir', `${name}.nir`));
    const back = deserializeModel(serializeModel(model), `${name}.snnmodel`);
    expect(back).toEqual(model);
  });

  it('keeps conv1d, scale, threshold and integrators (sum pooling: cnn_sinabs above)', () => {
    const bytes = chainFile(
      [2, 8],
      [
        { type: 'Conv1d', name: 'c', weight: nirArray(new Array<number>(12).fill(0.5), [2, 2, 3]), bias: null, stride: [1], padding: [0], dilation: [1], groups: 1 },
        { type: 'Scale', name: 's', scale: one(2) },
        { type: 'Threshold', name: 't', threshold: one(0.5) },
        { type: 'CubaLI', name: 'cli', tauMem: one(1e-3), tauSyn: one(5e-4), r: one(1), vLeak: one(0.1), wIn: one(1) },
      ],
      [2, 6],
    );
    const model: Model = readNirModel(bytes, 'x.nir');
    const back = deserializeModel(serializeModel(model), 'x.snnmodel');
    expect(back).toEqual(model);
    expect(printModel(back)).toBe(printModel(model));
  });
});
