import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { getChip } from '../../chips/registry.js';
import { compile } from '../../compiler/compile.js';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { readModelFile } from '../../models/format/model-file.js';
import { EVENT_KINDS, createCounters, plainSums, type CoreCounters } from '../../simulator/counters.js';
import { finishPackedRun, mergePackedRuns, packedSums, unpackedCounts } from '../../simulator/packed-run.js';
import { buildRuntime } from '../../simulator/runtime.js';
import { countsBesideSums, finishRun, inferImages, mergeRuns, type ImageBatch } from '../../simulator/simulate.js';
import { decodeForSimulation } from '../../simulator/simulation-program.js';
import { ChipSimulator } from '../../simulator/engine.js';

const spec = getChip('loihi2');
const program = compile(readModelFile(bundledModelPath()), spec, { chips: 'auto', threshold: 'auto' }).program!;
const subset = loadFashionMnist(bundledFashionMnistDir(), 'test', 12);
const batch = (first: number, count: number): ImageBatch => ({
  images: subset.images.subarray(first * 784, (first + count) * 784),
  labels: subset.labels.subarray(first, first + count),
  count,
  first,
});
/** A result as its JSON (key order included): a result's hash is that of this text. */
const text = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v));

describe('packed counts: a worker’s run posted as one Float64Array', () => {
  it('packedSums and unpackedCounts give plainSums of every set, on any integer counts and any number of parts', () => {
    const cores = 3;
    const counter = fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: cores * EVENT_KINDS.length, maxLength: cores * EVENT_KINDS.length }).map((values) => {
      const c = createCounters(cores);
      EVENT_KINDS.forEach((k, i) => c[k].set(values.slice(i * cores, (i + 1) * cores)));
      return c;
    });
    const runtime = buildRuntime(program, spec, 'loihi2.chip.pb');
    // The counts beside the sums, for three cores (unpackedCounts reads the core count from coreIds).
    const beside = { ...countsBesideSums(runtime, new ChipSimulator(runtime)), coreIds: [0, 1, 2] };
    const step = fc.record({ parts: fc.array(counter, { maxLength: 3 }), firing: fc.array(counter, { maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 3 }), (steps, runs) => {
        const stepParts = steps.map((s) => s.parts);
        const firingParts = steps.map((s) => s.firing);
        const sums = packedSums(stepParts, firingParts, cores);
        // Several runs' packed sums add up as their parts all together would.
        const counts = unpackedCounts(
          beside,
          Array.from({ length: runs }, () => sums),
        );
        const times = (parts: readonly CoreCounters[]) => Array.from({ length: runs }, () => parts).flat();
        expect(counts.totals).toEqual(plainSums(times(stepParts.flat()), cores));
        expect(counts.perStep).toEqual(stepParts.map((parts) => plainSums(times(parts), cores)));
        expect(counts.perFiringStep).toEqual(firingParts.map((parts) => plainSums(times(parts), cores)));
      }),
      { numRuns: 40 },
    );
  });

  it('merged packed runs are the merged plain runs, key for key (the same result hash), raster included', () => {
    const halves = [batch(0, 7), batch(7, 5)];
    const plain = halves.map((b) => {
      const runtime = buildRuntime(program, spec, 'loihi2.chip.pb');
      const { simulator, answers, recorder } = inferImages(runtime, b, 'poisson', 3, undefined, ['all']);
      return finishRun(runtime, simulator, answers, recorder);
    });
    const packed = halves.map((b) => {
      const runtime = buildRuntime(program, spec, 'loihi2.chip.pb');
      return finishPackedRun(runtime, inferImages(runtime, b, 'poisson', 3, undefined, ['all']));
    });
    expect(packed[0]!.raster).toBeDefined();
    const merged = mergePackedRuns(packed);
    expect(text(merged)).toBe(text(mergeRuns(plain)));
    expect(merged.counts.totals.synapticOps.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // One run alone unpacks to finishRun's result.
    const runtime = buildRuntime(program, spec, 'loihi2.chip.pb');
    const single = finishPackedRun(runtime, inferImages(runtime, batch(0, 3), 'direct', 1));
    const again = buildRuntime(program, spec, 'loihi2.chip.pb');
    const { simulator, answers, recorder } = inferImages(again, batch(0, 3), 'direct', 1);
    expect(text(mergePackedRuns([single]))).toBe(text(finishRun(again, simulator, answers, recorder)));
  });
});

describe('a program decoded for simulation only', () => {
  it('has no core routes and simulates to the same result as the whole program', () => {
    const bytes = encodeChipProgram(program);
    const slim = decodeForSimulation(bytes, 'loihi2.chip.pb');
    expect(slim.cores.every((c) => c.routes.length === 0)).toBe(true);
    expect(program.cores.some((c) => c.routes.length > 0)).toBe(true);
    const result = (p: typeof program) => {
      const runtime = buildRuntime(p, spec, 'loihi2.chip.pb');
      const { simulator, answers, recorder } = inferImages(runtime, batch(0, 4), 'direct', 1, undefined, ['all']);
      return finishRun(runtime, simulator, answers, recorder);
    };
    expect(text(result(slim))).toBe(text(result(program)));
  });
});
