import { readFileSync } from 'node:fs';
import { findCostProfile } from '../../chips/spec/cost-lookup.js';
import type { ChipProgram } from '../../chips/ir/chip-program.js';
import { compile } from '../../compiler/compile.js';
import type { LearningPreset } from '../../compiler/learning/presets.js';
import { configureLearning } from '../../compiler/passes/configure-learning.js';
import { loadFashionMnist, pixelsToFloat, type ImageSet } from '../../models/datasets/fashion-mnist.js';
import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import type { Model } from '../../models/graph/model.js';
import { openDataset } from '../../models/datasets/open-dataset.js';
import { elementCount, formatShape, sameShape } from '../../models/graph/tensor.js';
import { loadModel } from '../../models/load-model.js';
import { hasFrozenThresholds, usesOts } from '../../models/reference/calibrate-ots.js';
import { buildRuntime } from '../../simulator/runtime.js';
import { buildReport } from '../../simulator/report.js';
import { learnedProgram, learnImages } from '../../simulator/learning/learn.js';
import { simulateImages } from '../../simulator/simulate.js';
import { resolveChipRef } from '../chip-ref.js';
import { sha256Hex } from '../content-hash.js';
import { datasetHash, loadDatasetRef, type DatasetRef, type LoadedSamples } from '../dataset-ref.js';
import { ClusterError } from '../errors.js';
import { pointKey, type SweepConfiguration } from './configuration.js';
import type { SweepRow } from './sweep-row.js';

/** OTS calibration when a model carries no frozen table: the first images of the training split, as compile does. */
const CALIBRATION_IMAGES = 1024;

/**
 * One sweep point: compile the model for the chip, check it, simulate the dataset once, and price the run under
 * each profile. A point that does not fit, or a chip without a profile, is a row saying so; only a point that
 * cannot run at all (unreadable model, wrong input shape) throws.
 */
export function runSweepConfiguration(c: SweepConfiguration, onProgress?: (done: number) => void, onCompiled?: (program: ChipProgram) => void): SweepRow[] {
  // What this machine lacks (model, dataset) throws, so the queue retries the point elsewhere; what the point
  // itself gets wrong is the same on every machine, so it is a row.
  const spec = resolveChipRef(c.chip);
  const model = readModel(c.model.path, c.model.sha256);
  const set = loadDatasetRef(c.dataset);
  const train = c.learning ? trainingImages(c) : null;
  try {
    return measure(c, spec, model, set, train, onProgress, onCompiled);
  } catch (error) {
    return errorRows(c, error instanceof Error ? error.message : String(error));
  }
}

/** The rows of a point that could not run: its parameters and why. */
export function errorRows(c: SweepConfiguration, message: string): SweepRow[] {
  return c.profiles.map((profile) => ({
    ...parameters(c, profile),
    diagnostics: [],
    status: 'error',
    message,
    accuracy: null,
    energyPerInferenceJ: null,
    latencyPerInferenceS: null,
    coresUsed: null,
    chipsUsed: null,
    spikesPerInference: null,
    synapticOpsPerInference: null,
    weightQuantizationError: null,
    thresholdQuantizationError: null,
  }));
}

function parameters(c: SweepConfiguration, profile: string) {
  return {
    key: pointKey(c, profile),
    model: c.model.label,
    chip: c.chipLabel,
    overrides: c.overrides,
    profile,
    threshold: c.threshold,
    chipBudget: c.chips,
    encoding: c.encoding,
    seed: c.seed,
    samples: c.dataset.count,
    learningRule: c.learning?.rule ?? null,
    learningSamples: c.learning?.samples ?? null,
  };
}

function measure(
  c: SweepConfiguration,
  spec: ChipSpec,
  model: Model,
  set: LoadedSamples,
  train: ImageSet | null,
  onProgress?: (done: number) => void,
  onCompiled?: (program: ChipProgram) => void,
): SweepRow[] {
  const calibration = usesOts(model) && !hasFrozenThresholds(model) ? calibrationImages(c.dataset, model) : undefined;
  const compiled = compile(model, spec, { chips: c.chips, threshold: c.threshold, ...(calibration ? { calibration } : {}) });
  const diagnostics = compiled.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.severity} ${d.message}`);
  const base = (profile: string) => ({ ...parameters(c, profile), diagnostics });
  const program = compiled.program;
  if (!compiled.ok || !program) {
    const first = compiled.diagnostics.find((d) => d.severity === 'error');
    return c.profiles.map((profile) => ({
      ...base(profile),
      status: 'does-not-fit',
      message: first?.message ?? 'the compiler refused the model',
      accuracy: null,
      energyPerInferenceJ: null,
      latencyPerInferenceS: null,
      coresUsed: program?.cores.length ?? null,
      chipsUsed: program?.chipCount ?? null,
      spikesPerInference: null,
      synapticOpsPerInference: null,
      weightQuantizationError: null,
      thresholdQuantizationError: null,
    }));
  }
  onCompiled?.(program);
  const expected = program.input.shape.join(', ');
  const given = (c.dataset.format === 'data' ? c.dataset.reader.inputShape : [1, 28, 28]).join(', ');
  if (expected !== given) throw new ClusterError(c.model.label, `takes input [${expected}]; the sweep's data are [${given}]`);
  const takesPixels = Math.abs(program.input.valueScale * 255 - 1) < 1e-9;
  if (takesPixels !== (set.values === null))
    throw new ClusterError(c.model.label, takesPixels ? "takes 8-bit pixels; the sweep's data give it real values" : "takes real values; the sweep's data give it 8-bit pixels");
  const tested = c.learning && train ? learnOnChip(program, spec, c.learning.rule, train, c.seed, c.model.label) : program;
  const runtime = buildRuntime(tested, spec, c.model.label);
  const batch = { images: set.images, labels: set.labels, count: set.count, first: 0, ...(set.values ? { values: set.values, framesPerStep: set.framesPerStep } : {}) };
  const run = simulateImages(runtime, batch, c.encoding, c.seed, onProgress);
  const quantization = program.layers.map((l) => l.quantization);
  return c.profiles.map((profile) => {
    const priced = findCostProfile(spec, profile) !== undefined;
    const report = buildReport(program, spec, run, { encoding: c.encoding, seed: c.seed, ...(priced ? { profile } : {}) });
    return {
      ...base(profile),
      status: priced ? 'ok' : 'no-profile',
      message: priced ? null : `chip ${spec.name} has no cost profile '${profile}' (it has: ${Object.keys(spec.costProfiles).join(', ')})`,
      accuracy: report.accuracy,
      energyPerInferenceJ: priced ? report.energyPerInferenceJ : null,
      latencyPerInferenceS: priced ? report.latencyPerInferenceS : null,
      coresUsed: program.cores.length,
      chipsUsed: program.chipCount,
      spikesPerInference: report.spikesPerInference,
      synapticOpsPerInference: report.synapticOpsPerInference,
      weightQuantizationError: Math.max(0, ...quantization.map((q) => q.weightMaxError)),
      thresholdQuantizationError: Math.max(0, ...quantization.map((q) => q.thresholdMaxError)),
    };
  });
}

/** The program after its last layer learned on the chip from the training images, as `spikechip learn` does. */
function learnOnChip(program: ChipProgram, spec: ChipSpec, rule: LearningPreset, train: ImageSet, seed: number, label: string): ChipProgram {
  const runtime = buildRuntime(configureLearning(program, spec, { rule, layers: 'last' }), spec, label);
  learnImages(runtime, { images: train.images, labels: train.labels, count: train.count, first: 0 }, seed);
  return learnedProgram(runtime);
}

/** The training images a learning point learns from, checked against the hash the submitter saw. */
function trainingImages(c: SweepConfiguration): ImageSet {
  const { samples, trainSha256 } = c.learning!;
  let train: ImageSet;
  try {
    train = loadFashionMnist(c.dataset.path, 'train', samples);
  } catch (error) {
    throw new ClusterError(c.dataset.path, `this worker cannot read the training images the point learns from: ${error instanceof Error ? error.message : String(error)}`);
  }
  const actual = datasetHash(train);
  if (train.count !== samples || actual !== trainSha256)
    throw new ClusterError(
      c.dataset.path,
      `this worker's training images differ (${train.count} images, sha256 ${actual.slice(0, 12)}; the point needs ${samples}, ${trainSha256.slice(0, 12)})`,
    );
  return train;
}

/** The model file, checked against the hash the submitter saw, so every worker compiles the same model. */
function readModel(path: string, sha256: string): Model {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new ClusterError(path, `this worker lacks the model the point needs (sha256 ${sha256.slice(0, 12)}): no such file here`);
  }
  const actual = sha256Hex(bytes);
  if (actual !== sha256) throw new ClusterError(path, `this worker's copy of the model differs (sha256 ${actual.slice(0, 12)}, the point needs ${sha256.slice(0, 12)})`);
  return loadModel(path).model;
}

function calibrationImages(dataset: DatasetRef, model: Model): { input: Float32Array; count: number } {
  if (dataset.format === 'data') {
    // As compile --data calibrates: the first images of the training split, transformed as the model's code does.
    const train = openDataset(dataset.path, { model, split: 'train', limit: CALIBRATION_IMAGES });
    if (!sameShape(train.inputShape, model.input.shape))
      throw new ClusterError(model.name, `takes input ${formatShape(model.input.shape)}; OTS calibration reads ${formatShape(train.inputShape)} from ${dataset.path}`);
    const input = new Float32Array(train.count * elementCount(model.input.shape));
    train.toInput(0, train.count, input);
    return { input, count: train.count };
  }
  const train = loadFashionMnist(dataset.path, 'train', CALIBRATION_IMAGES);
  if (model.input.shape.join(',') !== '1,28,28')
    throw new ClusterError(model.name, `takes input [${model.input.shape.join(', ')}]; sweeps calibrate on Fashion-MNIST images [1, 28, 28]`);
  const input = new Float32Array(train.images.length);
  pixelsToFloat(train.images, 0, train.images.length, input);
  return { input, count: train.count };
}
