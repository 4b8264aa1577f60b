import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { imageSamples } from '../../models/datasets/image-samples.js';
import { readModelFile } from '../../models/format/model-file.js';
import { evaluate, type Evaluation } from '../../models/reference/evaluate.js';
import { PROJECT_ROOT } from '../helpers/fixtures.js';

/** The compiled package's module: workers run .js files. */
const dist = (file: string) => pathToFileURL(join(PROJECT_ROOT, 'dist', file)).href;

describe("evaluateParallel: the float reference over worker threads gives evaluate()'s result", () => {
  const model = readModelFile(bundledModelPath());
  const samples = imageSamples(loadFashionMnist(bundledFashionMnistDir(), 'test', 70), model);
  const same = (parallel: Evaluation, serial: Evaluation) => {
    expect(Buffer.from(parallel.outputs!.buffer).equals(Buffer.from(serial.outputs!.buffer))).toBe(true);
    const { seconds: _a, outputs: _b, ...rest } = parallel;
    const { seconds: _c, outputs: _d, ...expected } = serial;
    expect(rest).toEqual(expected);
  };

  for (const mode of ['frozen', 'dynamic'] as const) {
    it(`in ${mode} mode: outputs, accuracy, spikes and thresholds per batch (uneven batches of 30, 2 and 3 workers)`, async () => {
      const { evaluateParallel } = (await import(dist('models/reference/evaluate-parallel.js'))) as typeof import('../../models/reference/evaluate-parallel.js');
      const serial = evaluate(model, samples, { mode, batch: 30, keepOutputs: true });
      expect(serial.spikesPerLayerPerStep.flat().reduce((a, b) => a + b, 0)).toBeGreaterThan(1000);
      for (const workers of [2, 3]) same(await evaluateParallel(model, samples, { mode, batch: 30, keepOutputs: true, workers }), serial);
    });
  }

  it('splits a single frozen batch over the workers', async () => {
    const { evaluateParallel } = (await import(dist('models/reference/evaluate-parallel.js'))) as typeof import('../../models/reference/evaluate-parallel.js');
    const serial = evaluate(model, samples, { mode: 'frozen', batch: 70, keepOutputs: true });
    const batches: number[] = [];
    same(await evaluateParallel(model, samples, { mode: 'frozen', batch: 70, keepOutputs: true, workers: 2, onBatch: (done) => batches.push(done) }), serial);
    expect(batches).toEqual([70]);
  });
});
