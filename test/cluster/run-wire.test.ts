import { describe, expect, it } from 'vitest';
import { runFromWire, runToWire } from '../../cluster/run-wire.js';
import { EVENT_KINDS } from '../../simulator/counters.js';

describe('runFromWire', () => {
  const run = {
    samples: 2,
    correct: 1,
    predictions: Uint8Array.from([3, 4]),
    outputs: Float64Array.from([0.5, -1.25, 2, 1e-300]),
    counts: {
      inferences: 2,
      timesteps: 1,
      coreIds: [0],
      coreLayer: [0],
      coreConv: [false],
      tilesUsed: 1,
      layerNames: ['fc'],
      totals: {},
      perStep: [],
      stepMaxHops: [],
      stepPeakLinkLoad: [0],
      linkTotals: [0],
      meshTiles: [1, 1],
    },
    layerSpikes: [3],
    layerSynapticOps: [10],
    layerStepSpikes: [3],
  };

  it('reads back what a worker sent through JSON, every number exact', () => {
    const full = { ...run, counts: { ...run.counts, totals: Object.fromEntries(EVENT_KINDS.map((k, i) => [k, [i + 0.1]])) } };
    const back = runFromWire(JSON.parse(JSON.stringify(runToWire(full as never))), 2, 'shard-x');
    expect(back.predictions).toEqual(run.predictions);
    expect(back.outputs).toEqual(run.outputs);
    expect(back.counts).toEqual(full.counts);
  });

  it('refuses a result that is not a run of its shard', () => {
    const full = { ...run, counts: { ...run.counts, totals: Object.fromEntries(EVENT_KINDS.map((k) => [k, [1]])) } };
    expect(() => runFromWire({ ...runToWire(full as never), counts: { ...full.counts, inferences: 5 } }, 2, 'shard-x')).toThrow(/event counts are not of its samples/);
    expect(() => runFromWire({ ...runToWire(full as never), layerSpikes: ['x'] }, 2, 'shard-x')).toThrow(/layerSpikes is not a list of numbers/);
    expect(() => runFromWire({ ...runToWire(run as never), samples: 3 }, 2, 'shard-x')).toThrow(/job shard-x: its result is malformed: 3 samples, the shard has 2/);
    expect(() => runFromWire({ ...runToWire(run as never), predictions: [1] }, 2, 'shard-x')).toThrow(/predictions do not match/);
    expect(() => runFromWire(null, 2, 'shard-x')).toThrow(/not an object/);
  });
});
