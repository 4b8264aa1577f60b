import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getChip } from '../../chips/registry.js';
import { compile } from '../../compiler/compile.js';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { readModelFile } from '../../models/format/model-file.js';
import { EVENT_KINDS, createCounters, plainSums, summedCounters, type CoreCounters, type EventKind } from '../../simulator/counters.js';
import { ChipSimulator } from '../../simulator/engine.js';
import { directPixels } from '../../simulator/inputs.js';
import { buildRuntime } from '../../simulator/runtime.js';
import { eventCounts } from '../../simulator/simulate.js';

/** The readable form of a result's counts: typed sums first, then each spread into a plain array. */
function plain(c: CoreCounters): Record<EventKind, number[]> {
  return Object.fromEntries(EVENT_KINDS.map((k) => [k, [...c[k]]])) as Record<EventKind, number[]>;
}

describe('a result’s counts formed in one pass equal the typed sums spread into arrays', () => {
  it('plainSums equals summedCounters on any integer counts', () => {
    const cores = 5;
    const counters = fc.array(fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: cores * EVENT_KINDS.length, maxLength: cores * EVENT_KINDS.length }), { maxLength: 6 });
    fc.assert(
      fc.property(counters, (values) => {
        const parts = values.map((list) => {
          const c = createCounters(cores);
          EVENT_KINDS.forEach((k, i) => c[k].set(list.slice(i * cores, (i + 1) * cores)));
          return c;
        });
        const sums = plainSums(parts, cores);
        expect(sums).toEqual(plain(summedCounters(parts, cores)));
        for (const k of EVENT_KINDS) expect(Array.isArray(sums[k])).toBe(true);
      }),
    );
  });

  it('eventCounts equals the simulator’s totals, per-step and firing-step counters on the bundled model', () => {
    const spec = getChip('loihi2');
    const program = compile(readModelFile(bundledModelPath()), spec, { chips: 'auto', threshold: 'auto' }).program!;
    const runtime = buildRuntime(program, spec, 'loihi2.chip.pb');
    const simulator = new ChipSimulator(runtime);
    const images = loadFashionMnist(bundledFashionMnistDir(), 'test', 3);
    const size = runtime.inputSize;
    for (let i = 0; i < images.count; i++) simulator.infer(directPixels(images.images, i * size, size, new Float32Array(size)));
    const counts = eventCounts(runtime, simulator);
    expect(counts.totals).toEqual(plain(simulator.counters));
    expect(counts.perStep).toEqual(simulator.stepCounters.map(plain));
    expect(counts.perFiringStep).toEqual(simulator.firingStepCounters.map(plain));
    expect(counts.totals.synapticOps.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    // Delivery traffic is charged from the spikes held per route when the counters are read: reading them after
    // every inference (charging as it goes) gives the counts of reading once at the end.
    const reread = new ChipSimulator(buildRuntime(program, spec, 'loihi2.chip.pb'));
    for (let i = 0; i < images.count; i++) {
      reread.infer(directPixels(images.images, i * size, size, new Float32Array(size)));
      expect(reread.counters.messagesIn.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    }
    expect(plain(reread.counters)).toEqual(counts.totals);
    expect(reread.stepCounters.map(plain)).toEqual(counts.perStep);
    expect([...reread.layerSynapticOps]).toEqual([...simulator.layerSynapticOps]);
  });
});
