import { encodeChipProgram } from '../chips/ir/chip-program-codec.js';
import { getChip } from '../chips/registry.js';
import { compile } from '../compiler/compile.js';
import { bundledModelPath } from '../models/bundled/bundled.js';
import { defaultFashionMnistDir, loadFashionMnist } from '../models/datasets/fashion-mnist.js';
import { readModelFile } from '../models/format/model-file.js';
import { simulateDataset } from '../simulator/parallel.js';

export interface ChipSimulationBench {
  readonly chip: string;
  readonly images: number;
  readonly workers: number;
  readonly accuracy: number;
  readonly imagesPerSec: number;
  readonly synapticOpsPerSec: number;
}

/** Images per second of the cycle-level simulation of the bundled model on loihi2, one worker per CPU core. */
export async function benchChipSimulation(limit: number | undefined): Promise<ChipSimulationBench> {
  const model = readModelFile(bundledModelPath());
  const spec = getChip('loihi2');
  const program = compile(model, spec, { chips: 'auto', threshold: 'auto' }).program!;
  const test = loadFashionMnist(defaultFashionMnistDir(), 'test', limit);
  const started = performance.now();
  const run = await simulateDataset({
    programBytes: encodeChipProgram(program),
    programFile: 'bundled.loihi2.chip.pb',
    spec,
    images: test.images,
    labels: test.labels,
    count: test.count,
    encoding: 'direct',
    seed: 1,
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    chip: spec.name,
    images: run.samples,
    workers: Math.min(2, run.samples),
    accuracy: run.correct / run.samples,
    imagesPerSec: run.samples / seconds,
    synapticOpsPerSec: run.layerSynapticOps.reduce((a, b) => a + b, 0) / seconds,
  };
}
