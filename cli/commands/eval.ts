import type { Argv } from 'yargs';
import { defaultFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import type { NormalisationChoice } from '../../models/datasets/image-normalisation.js';
import { openDataset } from '../../models/datasets/open-dataset.js';
import { ModelError } from '../../models/errors.js';
import { formatShape, sameShape } from '../../models/graph/tensor.js';
import { calibrationInput } from '../calibration-input.js';
import { lifNodes, lifKey, type Model } from '../../models/graph/model.js';
import { loadModel } from '../../models/load-model.js';
import { NIR_OPTIONS, topologyOptions } from '../model-option.js';
import { hasFrozenThresholds, usesOts, withFrozenThresholds } from '../../models/reference/calibrate-ots.js';
import { calibrateOtsParallel } from '../../models/reference/calibrate-ots-parallel.js';
import { evaluateWithNeuroBenchParallel, type NeuroBenchMetrics } from '../../models/metrics/neurobench.js';
import type { ThresholdMode } from '../../models/reference/executor.js';
import { EVALUATION_ACCUMULATION } from '../../models/reference/evaluate.js';
import { ACCUMULATIONS, type Accumulation } from '../../models/reference/kernels/conv2d.js';
import { emit, percent, progressBar } from '../output.js';
import { count, integerIn, text, threads } from '../arguments.js';

interface EvalArgs {
  model: string;
  arch?: string;
  preset?: string;
  thresholds: ThresholdMode;
  calibration?: number;
  data?: string;
  'calibration-input'?: string;
  normalisation?: NormalisationChoice;
  limit?: number;
  batch: number;
  workers?: number;
  accumulation: Accumulation;
  json: boolean;
  outputs: boolean;
  timing: boolean;
}

export function registerEval(yargs: Argv): Argv {
  return yargs.command<EvalArgs>(
    'eval',
    'Run the float reference of a trained SNN on a dataset (Fashion-MNIST, CIFAR, DVS, NumPy, raw float32): accuracy, spikes per layer per step, firing rates',
    (y) =>
      y
        .option('model', { type: 'string', coerce: text('model'), describe: 'checkpoint.pth, .snnmodel or .nir file (default: the bundled model)' })
        .option('arch', { type: 'string', describe: 'snn-arch/1 file for a .pth checkpoint' })
        .option('preset', { type: 'string', describe: "seed-code architecture preset instead of --arch (e.g. 'online_spiking_vgg11_ws')" })
        .options(NIR_OPTIONS)
        .option('thresholds', {
          choices: ['frozen', 'dynamic'] as const,
          default: 'frozen' as const,
          describe: 'OTS thresholds: frozen table, or per-batch statistics as the released code does',
        })
        .option('calibration', {
          type: 'number',
          coerce: count('calibration'),
          describe: 'recalibrate OTS on the first N training images (default 1024 when the model has no table)',
        })
        .option('data', {
          type: 'string',
          describe:
            'dataset: a directory (Fashion-MNIST idx, CIFAR-10/100 binary or python, DVS128 Gesture, CIFAR10-DVS) or a .npy/.npz/.f32 file (default: Debian dataset-fashion-mnist, else the bundled subset)',
        })
        .option('calibration-input', {
          type: 'string',
          describe: 'a .f32/.npy/.npz tensor of model inputs used as the one OTS calibration batch (instead of the first N training samples)',
        })
        .option('normalisation', {
          choices: ['osr-ots', 'rate-bp', 'none'] as const,
          describe: "8-bit colour images: whose code's test transform to apply (default: the model's source; none = pixel / 255)",
        })
        .option('limit', { type: 'number', coerce: count('limit'), describe: 'evaluate only the first N test images' })
        .option('batch', { type: 'number', default: 256, coerce: integerIn('batch', 1, 65_536), describe: 'batch size (changes results only with --thresholds dynamic)' })
        .option('workers', { type: 'number', coerce: threads('workers'), describe: 'worker threads (default: one per CPU core; results do not depend on it)' })
        .option('accumulation', {
          choices: ACCUMULATIONS,
          default: EVALUATION_ACCUMULATION,
          describe: "how the convolutions keep their sums: 'float32' as PyTorch does (faster), 'float64' rounded once per output",
        })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
        .option('outputs', { type: 'boolean', default: false, describe: 'include per-sample outputs and the threshold table' })
        .option('timing', {
          type: 'boolean',
          default: false,
          describe: 'include wall-clock seconds and images per second (without it the output is byte-reproducible)',
        }) as Argv<EvalArgs>,
    (args) => runEval(args),
  );
}

export const BUNDLED_MODEL_NOTE = 'the bundled osr-fmnist-conv model';

async function runEval(args: EvalArgs): Promise<void> {
  const { bundledModelPath } = await import('../../models/bundled/bundled.js');
  const modelPath = args.model ?? bundledModelPath();
  let { model } = loadModel(modelPath, topologyOptions(args));
  const dataPath = args.data ?? defaultFashionMnistDir();
  const normalisation = args.normalisation ? { normalisation: args.normalisation } : {};
  let calibrated: { images: number; source: string } | null = null;
  if (args.thresholds === 'frozen' && usesOts(model) && (args.calibration !== undefined || args['calibration-input'] !== undefined || !hasFrozenThresholds(model))) {
    const file = args['calibration-input'];
    const count = args.calibration ?? (file ? undefined : 1024);
    const batch = calibrationInput(model, { ...(count !== undefined ? { count } : {}), ...(file ? { file } : { data: dataPath }), ...normalisation });
    model = withFrozenThresholds(model, await calibrateOtsParallel(model, batch.input, batch.count, args.workers));
    calibrated = { images: batch.count, source: batch.source };
  }
  const test = openDataset(dataPath, { model, split: 'test', ...(args.limit !== undefined ? { limit: args.limit } : {}), ...normalisation });
  // Event frames come one per time step: [T, ...input] per sample, step t reading frame t.
  const perStep = test.framesPerStep === true && test.inputShape[0] === model.timesteps && sameShape(test.inputShape.slice(1), model.input.shape);
  if (!sameShape(test.inputShape, model.input.shape) && !perStep) {
    throw new ModelError(
      test.source,
      `gives ${formatShape(test.inputShape)} per sample; model ${model.name} takes ${formatShape(model.input.shape)} at each of its ${model.timesteps} steps (event frames must number its T = ${model.timesteps})`,
    );
  }
  const bar = progressBar('eval', !args.json);
  const { evaluation: result, neurobench } = await evaluateWithNeuroBenchParallel(model, test, {
    mode: args.thresholds,
    batch: args.batch,
    accumulation: args.accumulation,
    ...(args.workers !== undefined ? { workers: args.workers } : {}),
    keepOutputs: args.outputs,
    onBatch: (done, total) => bar.update(done, total),
  });
  bar.stop();
  const spikes = Object.fromEntries(result.lifKeys.map((k, i) => [k, result.spikesPerLayerPerStep[i]!]));
  const rates = Object.fromEntries(result.lifKeys.map((k, i) => [k, result.spikesPerLayerPerStep[i]!.map((s) => s / (result.samples * result.neuronsPerLayer[i]!))]));
  const report = {
    model: model.name,
    modelFile: modelPath,
    data: test.source,
    dataFormat: test.format,
    dataTransform: test.transform,
    // Unlabelled inputs (tensors without a labels array) make correct and accuracy meaningless.
    labelled: test.labelled,
    samples: result.samples,
    correct: result.correct,
    accuracy: result.accuracy,
    thresholdMode: args.thresholds,
    accumulation: args.accumulation,
    calibration: calibrated,
    spikesPerLayerPerStep: spikes,
    firingRatePerLayerPerStep: rates,
    spikesPerSample: result.spikesPerLayerPerStep.flat().reduce((a, b) => a + b, 0) / Math.max(1, result.samples),
    // NeuroBench 2.3.0's metrics of this run, per sample; its activation sparsity and MAC/AC choice are per batch.
    neurobench,
    ...(args.timing ? { seconds: result.seconds, imagesPerSecond: result.samples / result.seconds } : {}),
    ...(args.outputs ? { thresholds: thresholdTable(model, args.thresholds, result.thresholdsPerBatch), outputs: splitOutputs(result.outputs!, result.classes) } : {}),
  };
  // The text is for a person and says how fast; the JSON has timings only with --timing, so it is reproducible.
  emit(args.json, report, () => formatEval({ ...report, imagesPerSecond: result.samples / result.seconds }, model));
}

function thresholdTable(model: Model, mode: ThresholdMode, perBatch: number[][][]): Record<string, number[] | number[][]> {
  return Object.fromEntries(
    lifNodes(model).map((node, i) => {
      const key = lifKey(node);
      if (mode === 'frozen' || node.threshold.kind === 'fixed') return [key, perBatch[0]?.[i] ?? []];
      return [key, perBatch.map((b) => b[i]!)];
    }),
  );
}

function splitOutputs(outputs: Float32Array, classes: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < outputs.length; i += classes) rows.push(Array.from(outputs.subarray(i, i + classes)));
  return rows;
}

function formatEval(
  r: {
    model: string;
    data: string;
    labelled: boolean;
    samples: number;
    accuracy: number;
    thresholdMode: string;
    spikesPerLayerPerStep: Record<string, number[]>;
    firingRatePerLayerPerStep: Record<string, number[]>;
    spikesPerSample: number;
    imagesPerSecond?: number;
    calibration: { images: number } | null;
    accumulation: Accumulation;
    neurobench: NeuroBenchMetrics;
  },
  model: Model,
): string {
  const lines = [
    `model ${r.model} on ${r.samples} images from ${r.data}`,
    `thresholds: ${r.thresholdMode}${r.calibration ? ` (calibrated on ${r.calibration.images} training images)` : ''}; sums in ${r.accumulation}`,
    `accuracy: ${r.labelled ? percent(r.accuracy) : 'n/a (the data carry no labels)'}`,
    `spikes per image: ${r.spikesPerSample.toFixed(1)}`,
    'spikes per layer per step (all images), firing rate:',
  ];
  for (const [key, counts] of Object.entries(r.spikesPerLayerPerStep)) {
    const rates = r.firingRatePerLayerPerStep[key]!;
    lines.push(`  ${key.padEnd(20)} ${counts.map((c, t) => `t${t + 1} ${c} (${percent(rates[t]!, 1)})`).join('  ')}`);
  }
  const nb = r.neurobench;
  lines.push(
    `NeuroBench ${nb.version} per image: ${nb.synapticOperations.effectiveMACs.toFixed(0)} MACs, ${nb.synapticOperations.effectiveACs.toFixed(0)} ACs (dense ${nb.synapticOperations.dense}), ` +
      `activation sparsity ${nb.activationSparsity.toFixed(4)}, membrane updates ${nb.membraneUpdates === null ? 'n/a (dynamic thresholds)' : nb.membraneUpdates.toFixed(0)}; ${nb.parameterCount} parameters, ${nb.footprintBytes} bytes`,
  );
  if (r.imagesPerSecond !== undefined) lines.push(`speed: ${r.imagesPerSecond.toFixed(0)} images/s (float reference, T = ${model.timesteps})`);
  return lines.join('\n');
}
