import type { Model } from '../graph/model.js';
import { inferShapes } from '../graph/shapes.js';
import { elementCount } from '../graph/tensor.js';
import { ReferenceExecutor, type StageObserver, type ThresholdMode } from './executor.js';
import type { Accumulation } from './kernels/conv2d.js';

/** Labelled samples as raw values; `toInput` scales them into the model's input (e.g. pixel / 255 in float32). */
export interface LabelledSamples {
  readonly count: number;
  readonly labels: Uint8Array;
  /** Writes samples [first, first+count) into `out` as float32 model input. */
  readonly toInput: (first: number, count: number, out: Float32Array) => void;
  /** True when each sample is one input per time step (event frames, [T, ...input]) rather than one input. */
  readonly framesPerStep?: boolean;
}

export interface Evaluation {
  readonly samples: number;
  readonly correct: number;
  readonly accuracy: number;
  readonly lifKeys: readonly string[];
  readonly spikesPerLayerPerStep: number[][];
  /** Neurons per spiking layer (as in lifKeys), to turn spike counts into firing rates. */
  readonly neuronsPerLayer: readonly number[];
  readonly thresholdsPerBatch: number[][][];
  /** [samples, classes] when requested. */
  readonly outputs: Float32Array | null;
  readonly classes: number;
  readonly seconds: number;
}

export interface EvaluateOptions {
  readonly mode: ThresholdMode;
  readonly batch: number;
  readonly keepOutputs?: boolean;
  readonly onBatch?: (done: number, total: number) => void;
  /** Sees every stage of every step of every batch (e.g. NeuroBench's workload metrics, models/metrics). */
  readonly onStage?: StageObserver;
  /** How the convolutions keep their sums (default EVALUATION_ACCUMULATION). */
  readonly accumulation?: Accumulation;
}

/**
 * An evaluation sums in float32, as PyTorch does: on every fixture its outputs with PyTorch's frozen thresholds are
 * as close to PyTorch's as float64 sums are (within 5e-7, the same spikes or fewer flips), at about twice the
 * speed. OTS calibration keeps float64 sums (the executor's default): a batch statistic moved by one flipped spike
 * moves every later threshold, and exact sums flip the fewest.
 */
export const EVALUATION_ACCUMULATION: Accumulation = 'float32';

/** Prediction = first index of the largest output (torch.argmax picks the first maximum too). */
export function argmax(values: Float32Array, offset: number, count: number): number {
  let best = 0;
  for (let i = 1; i < count; i++) if (values[offset + i]! > values[offset + best]!) best = i;
  return best;
}

/** Neurons of each spiking layer (LIF and NIR neurons), in model order: the divisor of a firing rate. */
export function spikingLayerSizes(model: Model): number[] {
  return inferShapes(model).flatMap((s) => (s.node.kind === 'lif' || s.node.kind === 'spiking-neuron' ? [elementCount(s.outputShape)] : []));
}

export function evaluate(model: Model, data: LabelledSamples, options: EvaluateOptions): Evaluation {
  const started = performance.now();
  const batchSize = Math.max(1, Math.min(options.batch, data.count));
  const executor = new ReferenceExecutor(model, batchSize, undefined, options.accumulation ?? EVALUATION_ACCUMULATION);
  const frames = data.framesPerStep === true;
  const input = new Float32Array(batchSize * elementCount(model.input.shape) * (frames ? model.timesteps : 1));
  const outputs = options.keepOutputs ? new Float32Array(data.count * executor.classes) : null;
  let correct = 0;
  let spikes: number[][] | null = null;
  let lifKeys: readonly string[] = [];
  const thresholdsPerBatch: number[][][] = [];
  for (let first = 0; first < data.count; first += batchSize) {
    const n = Math.min(batchSize, data.count - first);
    data.toInput(first, n, input);
    const run = executor.run(input, n, options.mode, undefined, options.onStage, frames);
    lifKeys = run.lifKeys;
    thresholdsPerBatch.push(run.thresholdsPerLayerPerStep.map((r) => [...r]));
    if (!spikes) spikes = run.spikesPerLayerPerStep.map((r) => r.map(() => 0));
    run.spikesPerLayerPerStep.forEach((row, l) => row.forEach((v, t) => (spikes![l]![t]! += v)));
    for (let s = 0; s < n; s++) {
      if (argmax(run.outputs, s * run.classes, run.classes) === data.labels[first + s]) correct++;
    }
    outputs?.set(run.outputs, first * run.classes);
    options.onBatch?.(first + n, data.count);
  }
  const neuronsPerLayer = spikingLayerSizes(model);
  return {
    samples: data.count,
    correct,
    accuracy: data.count === 0 ? 0 : correct / data.count,
    lifKeys,
    spikesPerLayerPerStep: spikes ?? [],
    neuronsPerLayer,
    thresholdsPerBatch,
    outputs,
    classes: executor.classes,
    seconds: (performance.now() - started) / 1000,
  };
}
