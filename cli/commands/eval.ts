import type { Argv } from 'yargs';
import { defaultFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { imageSamples, imagesAsInput } from '../../models/datasets/image-samples.js';
import { lifNodes, lifKey, type Model } from '../../models/graph/model.js';
import { loadModel } from '../../models/load-model.js';
import { NIR_OPTIONS, topologyOptions } from '../model-option.js';
import { calibrateOts, hasFrozenThresholds, usesOts, withFrozenThresholds } from '../../models/reference/calibrate-ots.js';
import { evaluate } from '../../models/reference/evaluate.js';
import type { ThresholdMode } from '../../models/reference/executor.js';
import { emit, percent, progressBar } from '../output.js';

interface EvalArgs {
  model: string;
  arch?: string;
  preset?: string;
  thresholds: ThresholdMode;
  calibration?: number;
  data?: string;
  limit?: number;
  batch: number;
  json: boolean;
  outputs: boolean;
}

export function registerEval(yargs: Argv): Argv {
  return yargs.command<EvalArgs>(
    'eval',
    'Run the float reference of a trained SNN on Fashion-MNIST: accuracy, spikes per layer per step, firing rates',
    (y) =>
      y
        .option('model', { type: 'string', describe: 'checkpoint.pth, .snnmodel or .nir file (default: the bundled model)' })
        .option('arch', { type: 'string', describe: 'snn-arch/1 file for a .pth checkpoint' })
        .option('preset', { type: 'string', describe: "seed-code architecture preset instead of --arch (e.g. 'online_spiking_vgg11_ws')" })
        .options(NIR_OPTIONS)
        .option('thresholds', { choices: ['frozen', 'dynamic'] as const, default: 'frozen' as const, describe: 'OTS thresholds: frozen table, or per-batch statistics as the released code does' })
        .option('calibration', { type: 'number', describe: 'recalibrate OTS on the first N training images (default 1024 when the model has no table)' })
        .option('data', { type: 'string', describe: 'directory with the Fashion-MNIST idx files (default: Debian dataset-fashion-mnist, else the bundled subset)' })
        .option('limit', { type: 'number', describe: 'evaluate only the first N test images' })
        .option('batch', { type: 'number', default: 256, describe: 'batch size (changes results only with --thresholds dynamic)' })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
        .option('outputs', { type: 'boolean', default: false, describe: 'include per-sample outputs and the threshold table' }) as Argv<EvalArgs>,
    (args) => runEval(args),
  );
}

export const BUNDLED_MODEL_NOTE = 'the bundled osr-fmnist-conv model';

async function runEval(args: EvalArgs): Promise<void> {
  const { bundledModelPath } = await import('../../models/bundled/bundled.js');
  const modelPath = args.model ?? bundledModelPath();
  let { model } = loadModel(modelPath, topologyOptions(args));
  const dataDir = args.data ?? defaultFashionMnistDir();
  let calibrated: { images: number; source: string } | null = null;
  if (args.thresholds === 'frozen' && usesOts(model) && (args.calibration !== undefined || !hasFrozenThresholds(model))) {
    const count = args.calibration ?? 1024;
    const train = loadFashionMnist(dataDir, 'train', count);
    model = withFrozenThresholds(model, calibrateOts(model, imagesAsInput(train, model, count), train.count));
    calibrated = { images: train.count, source: train.source };
  }
  const test = loadFashionMnist(dataDir, 'test', args.limit);
  const bar = progressBar('eval', !args.json);
  const result = evaluate(model, imageSamples(test, model), {
    mode: args.thresholds,
    batch: args.batch,
    keepOutputs: args.outputs,
    onBatch: (done, total) => bar.update(done, total),
  });
  bar.stop();
  const spikes = Object.fromEntries(result.lifKeys.map((k, i) => [k, result.spikesPerLayerPerStep[i]!]));
  const rates = Object.fromEntries(
    result.lifKeys.map((k, i) => [k, result.spikesPerLayerPerStep[i]!.map((s) => s / (result.samples * result.neuronsPerLayer[i]!))]),
  );
  const report = {
    model: model.name,
    modelFile: modelPath,
    data: test.source,
    samples: result.samples,
    correct: result.correct,
    accuracy: result.accuracy,
    thresholdMode: args.thresholds,
    calibration: calibrated,
    spikesPerLayerPerStep: spikes,
    firingRatePerLayerPerStep: rates,
    spikesPerSample: result.spikesPerLayerPerStep.flat().reduce((a, b) => a + b, 0) / Math.max(1, result.samples),
    seconds: result.seconds,
    imagesPerSecond: result.samples / result.seconds,
    ...(args.outputs ? { thresholds: thresholdTable(model, args.thresholds, result.thresholdsPerBatch), outputs: splitOutputs(result.outputs!, result.classes) } : {}),
  };
  emit(args.json, report, () => formatEval(report, model));
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
  r: { model: string; data: string; samples: number; accuracy: number; thresholdMode: string; spikesPerLayerPerStep: Record<string, number[]>; firingRatePerLayerPerStep: Record<string, number[]>; spikesPerSample: number; imagesPerSecond: number; calibration: { images: number } | null },
  model: Model,
): string {
  const lines = [
    `model ${r.model} on ${r.samples} images from ${r.data}`,
    `thresholds: ${r.thresholdMode}${r.calibration ? ` (calibrated on ${r.calibration.images} training images)` : ''}`,
    `accuracy: ${percent(r.accuracy)}`,
    `spikes per image: ${r.spikesPerSample.toFixed(1)}`,
    'spikes per layer per step (all images), firing rate:',
  ];
  for (const [key, counts] of Object.entries(r.spikesPerLayerPerStep)) {
    const rates = r.firingRatePerLayerPerStep[key]!;
    lines.push(`  ${key.padEnd(20)} ${counts.map((c, t) => `t${t + 1} ${c} (${percent(rates[t]!, 1)})`).join('  ')}`);
  }
  lines.push(`speed: ${r.imagesPerSecond.toFixed(0)} images/s (float reference, T = ${model.timesteps})`);
  return lines.join('\n');
}
