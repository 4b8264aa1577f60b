import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { imagesAsInput } from '../../models/datasets/image-samples.js';
import { readModelFile } from '../../models/format/model-file.js';
import { calibrateOts } from '../../models/reference/calibrate-ots.js';
import { PROJECT_ROOT } from '../helpers/fixtures.js';

/** The compiled package's module: workers run .js files. */
const dist = (file: string) => pathToFileURL(join(PROJECT_ROOT, 'dist', file)).href;

describe('calibrateOtsParallel: OTS statistics reduced across worker threads as one batch', () => {
  it("gives calibrateOts's tables bit for bit, the batch split in 2 and in 3 uneven parts", async () => {
    const { calibrateOtsParallel } = (await import(dist('models/reference/calibrate-ots-parallel.js'))) as typeof import('../../models/reference/calibrate-ots-parallel.js');
    const model = readModelFile(bundledModelPath());
    const count = 100;
    const input = imagesAsInput(loadFashionMnist(bundledFashionMnistDir(), 'train', count), model, count);
    const expected = calibrateOts(model, input, count);
    expect(expected.size).toBeGreaterThan(0);
    for (const workers of [2, 3]) {
      const tables = await calibrateOtsParallel(model, input, count, workers);
      expect([...tables.keys()]).toEqual([...expected.keys()]);
      for (const [name, table] of expected) expect(Buffer.from(tables.get(name)!.buffer).equals(Buffer.from(table.buffer)), name).toBe(true);
    }
  });
});
