import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { decodeChipProgram, encodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { validateChipProgram } from '../../chips/ir/validate-chip-program.js';
import type { ChipProgram } from '../../chips/ir/chip-program.js';
import { configureLearning } from '../../compiler/passes/configure-learning.js';
import { defaultFashionMnistDir, loadFashionMnist, type ImageSet } from '../../models/datasets/fashion-mnist.js';
import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import { costEvents } from '../../simulator/ledger.js';
import { learnedProgram, learnImages, resetLearningLayers } from '../../simulator/learning/learn.js';
import { simulateDataset } from '../../simulator/parallel.js';
import { parseQueueUrl } from '../../cluster/queue-url.js';
import { simulateOnQueue } from '../../cluster/queue-simulate.js';
import { datasetRef, type DatasetRef } from '../../cluster/dataset-ref.js';
import { dataQueueRef } from '../queue-dataset.js';
import { buildRuntime } from '../../simulator/runtime.js';
import { SimulationError } from '../../simulator/errors.js';
import { emit, percent, progressBar } from '../output.js';
import { checkBeforeRun, checkProfile, programChip } from '../program-chip.js';
import { count, numberIn, seed, text, threads } from '../arguments.js';
import { checkOutputs, writeOutputFile } from '../output-file.js';
import { loadModel } from '../../models/load-model.js';
import { imageSamples } from '../../models/datasets/image-samples.js';
import { pixelImages } from '../simulation-input.js';
import { isFashionMnistDir } from './simulate.js';
import { learnLastLayerFloat } from '../../models/training/layer-rules/learn-last-layer.js';
import { FLOAT_RULES, type FloatRule } from '../../models/training/layer-rules/float-rules.js';
import { UsageFailure } from './compile.js';

interface LearnArgs {
  program: string;
  data?: string;
  rule?: string;
  layers: string;
  learningRate?: number;
  reset: boolean;
  samples?: number;
  testLimit?: number;
  seed: number;
  profile?: string;
  workers?: number;
  queue?: string;
  chip?: string;
  float?: string;
  feedback?: 'transposed' | 'random';
  json: boolean;
  timing: boolean;
  output?: string;
}

export interface LearnReport {
  program: string;
  chip: string;
  rule: string;
  layers: string[];
  learningRate: number;
  reset: boolean;
  trainingSamples: number;
  testSamples: number;
  accuracyBefore: number;
  accuracyAfter: number;
  /** Training samples classified right while learning (before each one's own update). */
  accuracyWhileLearning: number;
  synapticUpdates: number;
  synapticUpdatesPerSample: number;
  /** Chip energy per training sample: the inference that produces the error plus the learning phase. */
  learningEnergyPerSampleJ: number;
  /** Of which the learning engine's synaptic updates. */
  synapticUpdateEnergyPerSampleJ: number;
  profile: string;
  seed: number;
  /** Wall-clock seconds of the whole command, with --timing only (it would make the JSON differ run to run). */
  seconds?: number;
  output: string | null;
  /** The same rule in float on the same layer (models/training/layer-rules), with --float <model>. */
  float: { accuracyBefore: number; accuracyAfter: number; seconds?: number } | null;
}

async function accuracy(
  program: ChipProgram,
  file: string,
  spec: ChipSpec,
  test: ImageSet,
  workers: number | undefined,
  queue: { url: string; dataset: DatasetRef } | undefined,
): Promise<number> {
  const programBytes = encodeChipProgram(program);
  const run = queue
    ? await simulateOnQueue({ address: parseQueueUrl(queue.url), programBytes, programFile: file, spec, dataset: queue.dataset, encoding: 'direct', seed: 1 })
    : await simulateDataset({
        programBytes,
        programFile: file,
        spec,
        images: test.images,
        labels: test.labels,
        count: test.count,
        encoding: 'direct',
        seed: 1,
        ...(workers ? { workers } : {}),
      });
  return run.correct / Math.max(1, run.samples);
}

export async function learnFile(args: LearnArgs): Promise<LearnReport> {
  const started = performance.now();
  checkOutputs('learn', [{ option: 'output', path: args.output }], [args.program, args.data, args.chip, args.float]);
  const compiled = decodeChipProgram(readFileSync(args.program), args.program);
  const spec = programChip(compiled, args.chip, args.program);
  checkProfile(spec, args.profile);
  const layers = args.layers === 'last' ? 'last' : args.layers.split(',').map((s) => s.trim());
  // Without --rule, the learning configuration the program was compiled with (compile --learning).
  const rule = args.rule ?? (compiled.learning.layerConfigs?.length ? null : undefined);
  if (rule === undefined) throw new UsageFailure(`${args.program} was compiled without --learning: name a rule with --rule ottt|ottt-accumulated|rate|"<rule>"`);
  const program =
    rule === null
      ? compiled
      : configureLearning(compiled, spec, {
          rule,
          layers,
          ...(args.learningRate !== undefined ? { learningRate: args.learningRate } : {}),
          ...(args.feedback ? { feedback: args.feedback } : {}),
        });
  checkBeforeRun(program, spec, args.program);
  if (args.float && program.learning.layers.length > 1) throw new UsageFailure('--float runs the float reference of the last layer only: learn --layers last');
  // Fashion-MNIST by default; any other 8-bit image set openDataset reads (CIFAR, .npy/.npz of uint8) for a pixel program.
  const fashion = args.data === undefined || isFashionMnistDir(args.data);
  const dir = args.data ?? defaultFashionMnistDir();
  const train = fashion ? loadFashionMnist(dir, 'train', args.samples) : pixelImages(program, dir, 'train', args.samples);
  const test = fashion ? loadFashionMnist(dir, 'test', args.testLimit) : pixelImages(program, dir, 'test', args.testLimit);
  if (program.input.shape.join(',') !== train.shape.join(','))
    throw new SimulationError(train.source, `images are [${train.shape.join(', ')}], the program expects [${program.input.shape.join(', ')}]`);
  const runtime = buildRuntime(program, spec, args.program);
  if (args.reset) resetLearningLayers(runtime);
  const start = learnedProgram(runtime);
  const queue = args.queue ? { url: args.queue, dataset: fashion ? datasetRef(test) : dataQueueRef(program, dir, { ...test, values: null }) } : undefined;
  const accuracyBefore = await accuracy(start, args.program, spec, test, args.workers, queue);
  const bar = progressBar('learn', !args.json);
  const run = learnImages(runtime, { images: train.images, labels: train.labels, count: train.count, first: 0 }, args.seed, (done) => bar.update(done, train.count));
  bar.stop();
  const learned = learnedProgram(runtime);
  const accuracyAfter = await accuracy(learned, args.program, spec, test, args.workers, queue);
  const costing = costEvents(run.counts, spec, args.profile);
  const float = args.float
    ? floatReference(args.float, program.learning.rule, program.learning.layerConfigs![0]!.learningRate, args.reset, train, test, args.json, args.timing)
    : null;
  if (args.output) {
    validateChipProgram(learned, args.output);
    writeOutputFile(args.output, encodeChipProgram(learned));
  }
  return {
    program: args.program,
    chip: spec.name,
    rule: `${program.learning.rule === program.learning.layerConfigs![0]!.rule ? '' : `${program.learning.rule}: `}${program.learning.layerConfigs!.map((c) => (c.tagRule ? `${c.rule}; ${c.tagRule}` : c.rule)).join('; ')}`,
    layers: program.learning.layers.map((i) => program.layers[i]!.name),
    learningRate: program.learning.layerConfigs![0]!.learningRate,
    reset: args.reset,
    trainingSamples: run.samples,
    testSamples: test.count,
    accuracyBefore,
    accuracyAfter,
    accuracyWhileLearning: run.correctWhileLearning / Math.max(1, run.samples),
    synapticUpdates: run.synapticUpdates,
    synapticUpdatesPerSample: run.synapticUpdates / Math.max(1, run.samples),
    learningEnergyPerSampleJ: costing.energyPerInferenceJ,
    synapticUpdateEnergyPerSampleJ: costing.energyByEventJ.synapticUpdates ?? 0,
    profile: costing.profile,
    seed: args.seed,
    ...(args.timing ? { seconds: (performance.now() - started) / 1000 } : {}),
    output: args.output ?? null,
    float,
  };
}

function floatReference(
  modelFile: string,
  rule: string,
  learningRate: number,
  reset: boolean,
  train: ImageSet,
  test: ImageSet,
  quiet: boolean,
  timing: boolean,
): LearnReport['float'] {
  if (!(FLOAT_RULES as readonly string[]).includes(rule)) throw new UsageFailure(`--float runs the presets ${FLOAT_RULES.join(', ')} in float; '${rule}' has no float form here`);
  const { model } = loadModel(modelFile, {});
  const bar = progressBar('float reference', !quiet);
  const result = learnLastLayerFloat(model, imageSamples(train, model), imageSamples(test, model), {
    rule: rule as FloatRule,
    learningRate,
    reset,
    onProgress: (done, total) => bar.update(done, total),
  });
  bar.stop();
  return { accuracyBefore: result.accuracyBefore, accuracyAfter: result.accuracyAfter, ...(timing ? { seconds: result.seconds } : {}) };
}

function formatLearn(r: LearnReport): string {
  return [
    `on-chip learning on ${r.chip}: ${r.rule} (${args(r)}) on ${r.layers.join(', ')}${r.reset ? ', reset to zero first' : ''}`,
    `training: ${r.trainingSamples.toLocaleString('en-US')} samples (${percent(r.accuracyWhileLearning)} predicted right during their own learning steps)`,
    `test accuracy (${r.testSamples.toLocaleString('en-US')} images): before ${percent(r.accuracyBefore)}, after ${percent(r.accuracyAfter)}`,
    `learning energy per sample: ${(r.learningEnergyPerSampleJ * 1e6).toFixed(3)} uJ (of which synaptic updates ${(r.synapticUpdateEnergyPerSampleJ * 1e6).toFixed(3)} uJ; profile ${r.profile})`,
    `synaptic updates: ${r.synapticUpdates.toLocaleString('en-US')} (${r.synapticUpdatesPerSample.toFixed(0)} per sample)`,
    r.float
      ? `float reference (same rule, layer and samples): before ${percent(r.float.accuracyBefore)}, after ${percent(r.float.accuracyAfter)}; chip - float ${((r.accuracyAfter - r.float.accuracyAfter) * 100).toFixed(2)} points`
      : '',
    r.output ? `wrote ${r.output}` : '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

function args(r: LearnReport): string {
  return `learning rate ${r.learningRate}, seed ${r.seed}`;
}

export function registerLearn(yargs: Argv): Argv {
  return yargs.command<LearnArgs>(
    'learn <program>',
    'Learn on chip over the training images (ottt, ottt-accumulated, rate or a rule in Lava grammar); report test accuracy before and after, learning energy and synaptic updates',
    (y) =>
      y
        .positional('program', { type: 'string', demandOption: true, describe: 'the compiled .chip.pb' })
        .option('data', {
          type: 'string',
          describe:
            'training and test images: a Fashion-MNIST directory (default: Debian dataset-fashion-mnist, else the bundled subset), or any 8-bit image set --data reads (CIFAR, .npy/.npz)',
        })
        .option('rule', {
          type: 'string',
          describe:
            "ottt | ottt-accumulated | rate | rules in Lava's grammar, e.g. 'dw = -2^-7*u0*x1*y2' or 'dw = ...; dt = ...' (default: the program's own, from compile --learning)",
        })
        .option('layers', { type: 'string', default: 'last', describe: "learning layers: 'last' or comma-separated names" })
        .option('learning-rate', { type: 'number', coerce: numberIn('learning-rate', 0, Infinity, true), describe: 'learning rate in model units (default per preset)' })
        .option('reset', { type: 'boolean', default: false, describe: 'zero the learning layers first (learn them from scratch)' })
        .option('samples', { type: 'number', coerce: count('samples'), describe: 'learn on the first N training images (default: all)' })
        .option('test-limit', { type: 'number', coerce: count('test-limit'), describe: 'evaluate on the first N test images (default: all)' })
        .option('seed', { type: 'number', default: 1, coerce: seed(), describe: 'seed of the stochastic rounding generator' })
        .option('profile', { type: 'string', describe: 'energy cost profile of the chip' })
        .option('workers', { type: 'number', coerce: threads('workers'), describe: 'worker threads for the test runs (default: one per CPU core)' })
        .option('queue', { type: 'string', describe: 'run the test evaluations as jobs on a Redis queue served by `spikechip worker`s: redis://[user:password@]host:port[/db]' })
        .option('chip', { type: 'string', coerce: text('chip'), describe: 'chip spec JSON for a program compiled for a user chip' })
        .option('feedback', {
          choices: ['transposed', 'random'] as const,
          describe: 'error of a hidden learning layer: the next layer weights transposed, or fixed random feedback',
        })
        .option('float', { type: 'string', describe: 'the model file (.snnmodel) the program was compiled from: also run the same rule in float on the same layer' })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
        .option('timing', { type: 'boolean', default: false, describe: 'include wall-clock seconds (without it the output is byte-reproducible)' })
        .option('output', { alias: 'o', type: 'string', coerce: text('output'), describe: 'write the learned program (.chip.pb)' }) as Argv<LearnArgs>,
    async (a) => {
      const report = await learnFile(a);
      emit(a.json, report, () => formatLearn(report));
    },
  );
}
