import { getChip } from '../../chips/registry.js';
import { compile } from '../../compiler/compile.js';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { imageSamples } from '../../models/datasets/image-samples.js';
import { readModelFile } from '../../models/format/model-file.js';
import { evaluate } from '../../models/reference/evaluate.js';
import type { ReportInput } from '../../report/report-input.js';
import { buildReport } from '../../simulator/report.js';
import { buildRuntime } from '../../simulator/runtime.js';
import { simulateImages } from '../../simulator/simulate.js';

/**
 * A real run of the bundled model on loihi2 over the first `images` bundled test images, with a raster of every
 * spiking layer and the float reference on the same images: what `demo --report` draws, built through the library.
 */
export function bundledReportInput(images = 4): ReportInput {
  const model = readModelFile(bundledModelPath());
  const spec = getChip('loihi2');
  const program = compile(model, spec, { chips: 'auto', threshold: 'auto' }).program!;
  const test = loadFashionMnist(bundledFashionMnistDir(), 'test', images);
  const runtime = buildRuntime(program, spec, 'bundled.loihi2.chip.pb');
  const run = simulateImages(runtime, { images: test.images, labels: test.labels, count: test.count, first: 0 }, 'direct', 1, undefined, ['all']);
  const float = evaluate(model, imageSamples(test, model), { mode: 'frozen', batch: 500 });
  const result = {
    ...buildReport(program, spec, run, { encoding: 'direct', seed: 1 }),
    floatReference: { model: model.name, samples: float.samples, accuracy: float.accuracy, thresholds: 'frozen' },
  };
  // Through JSON, as `spikechip report` reads a saved result.
  return { result: JSON.parse(JSON.stringify(result)) as typeof result, spec, program };
}
