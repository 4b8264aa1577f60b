import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { imageSamples } from '../../models/datasets/image-samples.js';
import { readModelFile } from '../../models/format/model-file.js';
import { evaluateWithNeuroBench } from '../../models/metrics/neurobench.js';
import type { LabelledSamples } from '../../models/reference/evaluate.js';
import { lcg } from '../compiler/helpers.js';
import { frameModel } from '../helpers/frame-model.js';
import { PROJECT_ROOT } from '../helpers/fixtures.js';

/** The compiled package's module: workers run .js files. */
const dist = (file: string) => pathToFileURL(join(PROJECT_ROOT, 'dist', file)).href;
const parallelModule = async () => (await import(dist('models/metrics/neurobench.js'))) as typeof import('../../models/metrics/neurobench.js');

/** evaluateWithNeuroBenchParallel (what `eval` runs) against evaluateWithNeuroBench on one thread: every field alike. */
describe('NeuroBench metrics of the float reference over worker threads', () => {
  const model = readModelFile(bundledModelPath());
  const samples = imageSamples(loadFashionMnist(bundledFashionMnistDir(), 'test', 70), model);

  for (const mode of ['frozen', 'dynamic'] as const) {
    it(`are those of one thread in ${mode} mode (uneven batches of 30, split over 2 and 3 workers)`, async () => {
      const { evaluateWithNeuroBenchParallel } = await parallelModule();
      const serial = evaluateWithNeuroBench(model, samples, { mode, batch: 30, keepOutputs: true });
      expect(serial.neurobench.synapticOperations.effectiveACs + serial.neurobench.synapticOperations.effectiveMACs).toBeGreaterThan(0);
      for (const workers of [2, 3]) {
        const parallel = await evaluateWithNeuroBenchParallel(model, samples, { mode, batch: 30, keepOutputs: true, workers });
        expect(parallel.neurobench).toEqual(serial.neurobench);
        expect(Buffer.from(parallel.evaluation.outputs!.buffer).equals(Buffer.from(serial.evaluation.outputs!.buffer))).toBe(true);
        expect(parallel.evaluation.spikesPerLayerPerStep).toEqual(serial.evaluation.spikesPerLayerPerStep);
      }
    });
  }

  it('are those of one thread on event frames (one input per step)', async () => {
    const model = frameModel(9);
    const next = lcg(10);
    const count = 9;
    const perSample = 3 * 32;
    const frames = Float32Array.from({ length: count * perSample }, () => (next() > 0.6 ? Math.floor(next() * 3) : 0));
    const data: LabelledSamples = {
      count,
      labels: Uint8Array.from({ length: count }, (_, i) => i % 4),
      framesPerStep: true,
      toInput: (first, n, out) => out.set(frames.subarray(first * perSample, (first + n) * perSample)),
    };
    const { evaluateWithNeuroBenchParallel } = await parallelModule();
    const serial = evaluateWithNeuroBench(model, data, { mode: 'frozen', batch: 4, keepOutputs: true });
    const parallel = await evaluateWithNeuroBenchParallel(model, data, { mode: 'frozen', batch: 4, keepOutputs: true, workers: 2 });
    expect(Buffer.from(parallel.evaluation.outputs!.buffer).equals(Buffer.from(serial.evaluation.outputs!.buffer))).toBe(true);
    expect(parallel.neurobench).toEqual(serial.neurobench);
    expect(serial.evaluation.spikesPerLayerPerStep.flat().reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
