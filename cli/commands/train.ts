import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Argv } from 'yargs';
import { readArchFile } from '../../models/arch/read-arch.js';
import { defaultFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { serializeModel } from '../../models/format/model-file.js';
import { lifKey, lifNodes } from '../../models/graph/model.js';
import { FIXTURE_HYPER_PARAMETERS } from '../../models/training/hyper-parameters.js';
import type { TrainingRule } from '../../models/training/network.js';
import { trainArchitecture } from '../../models/training/train-arch.js';
import { emit, percent, progressBar } from '../output.js';
import { count, integerIn, numberIn, seed, text, threads } from '../arguments.js';
import { checkOutputs, writeOutputFile } from '../output-file.js';

interface TrainArgs {
  arch: string;
  data?: string;
  rule?: TrainingRule;
  epochs?: number;
  samples?: number;
  batch?: number;
  lr?: number;
  momentum?: number;
  'weight-decay'?: number;
  'loss-lambda'?: number;
  seed?: number;
  schedule?: 'cosine-per-step' | 'cosine-per-epoch';
  threads: number;
  calibration: number;
  'test-limit'?: number;
  output?: string;
  json: boolean;
  timing: boolean;
}

export function registerTrain(yargs: Argv): Argv {
  return yargs.command<TrainArgs>(
    'train',
    "Train an SNN from scratch on Fashion-MNIST with a paper's rule (osr: online OSR + OTS; rate: rate_M), write a model file",
    (y) =>
      y
        .option('arch', { type: 'string', demandOption: true, describe: 'snn-arch/1 or /2 file (layer sizes from its fields or the checkpoint.pth beside it)' })
        .option('data', {
          type: 'string',
          describe:
            'labelled 8-bit images scaled by 1/255: any --data eval reads, e.g. a Fashion-MNIST or CIFAR directory (default: Debian dataset-fashion-mnist, else the bundled subset)',
        })
        .option('rule', { choices: ['osr', 'rate'] as const, describe: "training rule (default: from the arch's source)" })
        .option('epochs', { type: 'number', coerce: integerIn('epochs', 1, 10_000), describe: 'epochs (default: the fixture reference, osr 2, rate 1)' })
        .option('samples', { type: 'number', coerce: count('samples'), describe: 'train on the first N training images (default: osr all, rate 30000)' })
        .option('batch', { type: 'number', coerce: integerIn('batch', 1, 65_536), describe: 'batch size (default 64)' })
        .option('lr', { type: 'number', coerce: numberIn('lr', 0, Infinity, true), describe: 'initial learning rate, cosine-annealed per step (default 0.1)' })
        .option('momentum', { type: 'number', coerce: numberIn('momentum', 0, 1), describe: 'SGD momentum (default 0.9)' })
        .option('weight-decay', {
          type: 'number',
          coerce: numberIn('weight-decay', 0, Infinity),
          describe: 'weight decay (default 5e-4; osr: all parameters, rate: conv/linear weights)',
        })
        .option('loss-lambda', { type: 'number', coerce: numberIn('loss-lambda', 0, 1), describe: 'osr loss (1-l)*CE + l*MSE (default 0.05)' })
        .option('seed', { type: 'number', coerce: seed(), describe: 'seed of the initial weights and the data order (default 0)' })
        .option('schedule', {
          choices: ['cosine-per-step', 'cosine-per-epoch'] as const,
          describe: "learning-rate schedule (default cosine-per-step as the fixtures record; per-epoch is the seed codes' CosineAnnealingLR)",
        })
        .option('threads', {
          type: 'number',
          default: Math.min(2, availableParallelism()),
          coerce: threads('threads'),
          describe: 'threads sharing each batch (same seed and threads: same weights)',
        })
        .option('calibration', { type: 'number', default: 1024, coerce: count('calibration'), describe: 'freeze OTS on the first N training images' })
        .option('test-limit', { type: 'number', coerce: count('test-limit'), describe: 'evaluate on the first N test images only' })
        .option('output', { alias: 'o', type: 'string', coerce: text('output'), describe: 'the .snnmodel file to write (default: <arch name>.snnmodel)' })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
        .option('timing', { type: 'boolean', default: false, describe: 'include wall-clock seconds (without it the output is byte-reproducible)' }) as Argv<TrainArgs>,
    (args) => runTrain(args),
  );
}

async function runTrain(args: TrainArgs): Promise<void> {
  const arch = readArchFile(args.arch);
  const rule: TrainingRule = args.rule ?? (arch.source === 'rate-bp' ? 'rate' : 'osr');
  const defaults = FIXTURE_HYPER_PARAMETERS[rule];
  const positive = (name: string, value: number | undefined, fallback: number, integer: boolean): number => {
    const v = value ?? fallback;
    if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
    return v;
  };
  const output = args.output ?? `${basename(arch.name)}.snnmodel`;
  // The checkpoint.pth beside the arch file is read for layer sizes the arch leaves out (models/training/init-model.ts).
  checkOutputs('train', [{ option: 'output', path: output }], [args.arch, join(dirname(args.arch), 'checkpoint.pth'), args.data]);
  const dataDir = args.data ?? defaultFashionMnistDir();
  const hyper = {
    epochs: positive('epochs', args.epochs, defaults.epochs, true),
    samples: args.samples !== undefined ? positive('samples', args.samples, 0, true) : defaults.samples,
    batch: positive('batch', args.batch, defaults.batch, true),
    lr: positive('lr', args.lr, defaults.lr, false),
    momentum: args.momentum ?? defaults.momentum,
    weightDecay: args['weight-decay'] ?? defaults.weightDecay,
    lossLambda: args['loss-lambda'] ?? defaults.lossLambda,
    seed: args.seed ?? defaults.seed,
    schedule: args.schedule ?? defaults.schedule,
  };
  const bar = progressBar(`train ${rule}`, !args.json);
  const result = await trainArchitecture({
    ...hyper,
    archPath: args.arch,
    dataDir,
    rule,
    threads: positive('threads', args.threads, 1, true),
    calibration: positive('calibration', args.calibration, 1024, true),
    testLimit: args['test-limit'] ?? null,
    onBatch: (done, total) => bar.update(done, total),
  });
  bar.stop();
  writeOutputFile(output, serializeModel(result.model));
  const t = result.training;
  const thresholds = Object.fromEntries(lifNodes(result.model).map((n) => [lifKey(n), n.threshold.kind === 'ots' ? [...(n.threshold.frozen ?? [])] : n.threshold.value]));
  const report = {
    model: result.model.name,
    rule,
    arch: args.arch,
    data: dataDir,
    output,
    ...hyper,
    threads: args.threads,
    epochs: t.epochs,
    samples: t.samples,
    steps: t.steps,
    ...(args.timing ? { seconds: t.seconds } : {}),
    finalTrainingLoss: t.epochLoss[t.epochLoss.length - 1]!,
    epochLoss: t.epochLoss,
    trainAccuracy: t.epochAccuracy[t.epochAccuracy.length - 1]!,
    testSamples: result.testSamples,
    testAccuracy: result.testAccuracy,
    thresholdMode: 'frozen',
    calibrationImages: result.calibrationImages,
    thresholds,
  };
  emit(args.json, report, () =>
    [
      `trained ${report.model} with the ${rule} rule: ${report.epochs} epoch(s) of ${report.samples} images in ${t.seconds.toFixed(1)} s (${report.threads} threads)`,
      `final training loss ${report.finalTrainingLoss.toFixed(4)}, training accuracy ${percent(report.trainAccuracy)}`,
      `test accuracy ${percent(report.testAccuracy)} on ${report.testSamples} images${result.calibrationImages ? ` (OTS frozen on ${result.calibrationImages} training images)` : ''}`,
      `wrote ${output}`,
    ].join('\n'),
  );
}
