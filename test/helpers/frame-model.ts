import type { Model } from '../../models/graph/model.js';
import { lcg, randomData } from '../compiler/helpers.js';

/** conv -> LIF -> flatten -> linear over [2, 4, 4] inputs (two polarity channels, as event frames are), T = 3. */
export function frameModel(seed: number): Model {
  const next = lcg(seed);
  return {
    name: 'frames',
    source: 'other',
    timesteps: 3,
    input: { shape: [2, 4, 4], scale: 1, encoding: 'direct' },
    nodes: [
      {
        kind: 'conv2d',
        name: 'conv',
        weight: { shape: [3, 2, 3, 3], data: randomData(next, 54, 0.8) },
        bias: { shape: [3], data: randomData(next, 3, 0.1) },
        stride: [1, 1],
        padding: [1, 1],
      },
      { kind: 'lif', name: 'lif', prefix: null, decay: 0.5, threshold: { kind: 'fixed', value: 0.5 }, reset: 'subtract' },
      { kind: 'flatten', name: 'flatten' },
      { kind: 'linear', name: 'fc', weight: { shape: [4, 48], data: randomData(next, 192, 0.5) }, bias: null },
    ],
    output: 'mean-over-time',
  };
}
