import { Xoshiro128StarStar } from '../chips/fixed-point/prng.js';
import { EVENT_KINDS, plainSums, type EventKind } from './counters.js';
import { ChipSimulator, type InputFrames } from './engine.js';
import { SimulationError } from './errors.js';
import { directPixels, directValues, frameValues, poissonPixels } from './inputs.js';
import type { EventCounts } from './ledger.js';
import { RasterRecorder, type SpikeRaster } from './raster.js';
import type { ProgramRuntime } from './runtime.js';

export type Encoding = 'direct' | 'poisson';

export interface ImageBatch {
  /** 8-bit images back to back, each of the program's input size. */
  readonly images: Uint8Array;
  /** Or real-valued samples (model units) back to back, for a program compiled for real-valued input. */
  readonly values?: Float32Array;
  /** `values` holds one frame per time step of each sample (event frames), T frames back to back. */
  readonly framesPerStep?: boolean;
  readonly labels: Uint8Array;
  readonly count: number;
  /** Index of the first image in the whole set (seeds the Poisson generator per image, so splits agree). */
  readonly first: number;
}

export interface SimulationRun {
  readonly samples: number;
  readonly correct: number;
  readonly predictions: Uint8Array;
  /** [samples, classes] outputs in model units. */
  readonly outputs: Float64Array;
  readonly counts: EventCounts;
  readonly layerSpikes: number[];
  readonly layerSynapticOps: number[];
  /** [layer * stepsPerInference + step]: spikes summed over the samples. */
  readonly layerStepSpikes: number[];
  /** The spikes of chosen layers in the run's first sample (index 0 of the whole set), when asked for. */
  readonly raster?: SpikeRaster;
}

/**
 * Runs a batch of images through the chip, one inference each; Poisson input is seeded per image index.
 * `raster` names layers (or `all`) whose spikes to record in image 0 of the whole set, if this batch holds it.
 */
export function simulateImages(
  runtime: ProgramRuntime,
  batch: ImageBatch,
  encoding: Encoding,
  seed: number,
  onImage?: (done: number) => void,
  raster?: readonly string[],
): SimulationRun {
  const { simulator, answers, recorder } = inferImages(runtime, batch, encoding, seed, onImage, raster);
  return finishRun(runtime, simulator, answers, recorder);
}

/** What a run has when its last inference is done, before its counts are formed (finishRun, finishPackedRun). */
export interface InferredRun {
  readonly simulator: ChipSimulator;
  readonly answers: RunAnswers;
  readonly recorder: RasterRecorder | null;
}

/** The per-sample answers of a run. */
export type RunAnswers = Pick<SimulationRun, 'samples' | 'correct' | 'predictions' | 'outputs'>;

/** simulateImages up to its last inference: the simulator holding the counts, the answers and the raster. */
export function inferImages(
  runtime: ProgramRuntime,
  batch: ImageBatch,
  encoding: Encoding,
  seed: number,
  onImage?: (done: number) => void,
  raster?: readonly string[],
): InferredRun {
  const size = runtime.inputSize;
  const values = batch.values ?? null;
  const frames = values !== null && batch.framesPerStep === true;
  const stride = frames ? size * runtime.program.timesteps : size;
  const held = values ? values.length : batch.images.length;
  if (frames && runtime.program.input.placement === 'INPUT_HOST') {
    throw new SimulationError(
      runtime.program.chipName,
      'event frames change every step; this program computes its first layer on the host once per inference: compile for a chip with graded spikes',
    );
  }
  if (held < batch.count * stride) {
    throw new SimulationError(
      'input',
      `${held} ${values ? 'values' : 'bytes'} hold fewer than ${batch.count} inputs of ${size} values (shape [${runtime.program.input.shape.join(', ')}])`,
    );
  }
  const { valueScale, payloadBits } = runtime.program.input;
  if (values && encoding !== 'direct') throw new SimulationError('input', 'real-valued input is sent as graded values: use --encoding direct');
  if (encoding !== 'direct' && runtime.program.input.placement === 'INPUT_HOST') {
    throw new SimulationError(
      runtime.program.chipName,
      'Poisson input needs a chip that takes input events (graded spikes or ANN-mode cores); this program computes its first layer on the host from the analog image: use --encoding direct',
    );
  }
  const simulator = new ChipSimulator(runtime);
  const classes = runtime.layers[runtime.layers.length - 1]!.neurons;
  const predictions = new Uint8Array(batch.count);
  const outputs = new Float64Array(batch.count * classes);
  const analog = new Float32Array(size);
  let correct = 0;
  const recorder = raster?.length && batch.first === 0 && batch.count > 0 ? new RasterRecorder(runtime, raster, 0) : null;
  for (let i = 0; i < batch.count; i++) {
    simulator.spikeSink = i === 0 ? recorder : null;
    const input: InputFrames = values
      ? frames
        ? frameValues(values, i * stride, size, valueScale, payloadBits)
        : directValues(values, i * size, size, valueScale, payloadBits, analog)
      : encoding === 'direct'
        ? directPixels(batch.images, i * size, size, analog)
        : poissonPixels(batch.images, i * size, size, new Xoshiro128StarStar(BigInt(seed) * 1_000_003n + BigInt(batch.first + i)));
    const result = simulator.infer(input);
    predictions[i] = result.prediction;
    outputs.set(result.outputs, i * classes);
    if (result.prediction === batch.labels[i]) correct++;
    onImage?.(i + 1);
  }
  return { simulator, answers: { samples: batch.count, correct, predictions, outputs }, recorder };
}

/** A run's result: the per-sample answers with the simulator's counts and the raster, if one was recorded. */
export function finishRun(runtime: ProgramRuntime, simulator: ChipSimulator, answers: RunAnswers, recorder: RasterRecorder | null): SimulationRun {
  return runWith(simulator, answers, eventCounts(runtime, simulator), recorder);
}

/** A run's fields in the order a result lists them (its JSON, and so its hash, follows it), with `counts` in either form. */
export function runWith<Counts>(simulator: ChipSimulator, answers: RunAnswers, counts: Counts, recorder: RasterRecorder | null) {
  return {
    ...answers,
    counts,
    layerSpikes: [...simulator.layerSpikes],
    layerSynapticOps: [...simulator.layerSynapticOps],
    layerStepSpikes: [...simulator.layerStepSpikes],
    ...(recorder ? { raster: recorder.result() } : {}),
  };
}

export function eventCounts(runtime: ProgramRuntime, simulator: ChipSimulator): EventCounts {
  const cores = runtime.program.cores.length;
  const stepParts = simulator.stepParts();
  return withSums(
    countsBesideSums(runtime, simulator),
    plainSums(stepParts.flat(), cores),
    stepParts.map((parts) => plainSums(parts, cores)),
    simulator.firingStepParts().map((parts) => plainSums(parts, cores)),
  );
}

/** A run's counts other than its per-core sums (totals, per step, per firing step). */
export type CountsBesideSums = Omit<EventCounts, 'totals' | 'perStep' | 'perFiringStep'>;

type KindSums = Readonly<Record<EventKind, readonly number[]>>;

export function countsBesideSums(runtime: ProgramRuntime, simulator: ChipSimulator): CountsBesideSums {
  const { program } = runtime;
  return {
    inferences: simulator.inferences,
    timesteps: program.timesteps,
    coreIds: program.cores.map((c) => c.id),
    coreLayer: program.cores.map((c) => c.layer),
    coreConv: program.cores.map((c) => program.layers[c.layer]!.connection.conv !== undefined),
    tilesUsed: new Set(runtime.coreTile).size,
    layerNames: program.layers.map((l) => l.name),
    stepMaxHops: simulator.stepMaxHops.map((h) => [h[0]!, h[1]!] as const),
    stepPeakLinkLoad: [...simulator.stepPeakLinkLoad],
    linkTotals: [...simulator.links.total],
    meshTiles: [simulator.links.width, simulator.links.height],
  };
}

/** The counts with their sums, in the order a result lists them (its JSON, and so its hash, follows it). */
export function withSums(c: CountsBesideSums, totals: KindSums, perStep: readonly KindSums[], perFiringStep: readonly KindSums[] | undefined): EventCounts {
  return {
    inferences: c.inferences,
    timesteps: c.timesteps,
    coreIds: c.coreIds,
    coreLayer: c.coreLayer,
    coreConv: c.coreConv,
    tilesUsed: c.tilesUsed,
    layerNames: c.layerNames,
    totals,
    perStep,
    ...(perFiringStep ? { perFiringStep } : {}),
    stepMaxHops: c.stepMaxHops,
    stepPeakLinkLoad: c.stepPeakLinkLoad,
    linkTotals: c.linkTotals,
    meshTiles: c.meshTiles,
  };
}

/** Loops, not map: a worker's counts hold 12 M numbers on ResNet-19, and merging runs while a bench is timing. */
function addArrays(a: readonly number[], b: readonly number[]): number[] {
  const sum: number[] = [];
  for (let i = 0; i < a.length; i++) sum.push(a[i]! + b[i]!);
  return sum;
}

/** Sums the runs of disjoint batches (e.g. from worker threads) as if one had run them all. */
export function mergeRuns(runs: readonly SimulationRun[]): SimulationRun {
  const addKinds = (a: KindSums, b: KindSums) => Object.fromEntries(EVENT_KINDS.map((k) => [k, addArrays(a[k], b[k])])) as Record<EventKind, number[]>;
  let counts = runs[0]!.counts;
  for (const run of runs.slice(1)) {
    counts = {
      ...mergedBesideSums(counts, run.counts),
      totals: addKinds(counts.totals, run.counts.totals),
      perStep: counts.perStep.map((s, i) => addKinds(s, run.counts.perStep[i]!)),
      perFiringStep: counts.perFiringStep?.map((s, i) => addKinds(s, run.counts.perFiringStep![i]!)),
    };
  }
  return mergedAnswers(runs, counts);
}

/** `a`'s counts other than the sums merged with `b`'s (the keys keep a's order). */
export function mergedBesideSums<Counts extends CountsBesideSums>(a: Counts, b: CountsBesideSums): Counts {
  return {
    ...a,
    inferences: a.inferences + b.inferences,
    stepMaxHops: a.stepMaxHops.map((h, i) => {
      const o = b.stepMaxHops[i]!;
      return h[0] + h[1] >= o[0] + o[1] ? h : o;
    }),
    stepPeakLinkLoad: addArrays(a.stepPeakLinkLoad, b.stepPeakLinkLoad),
    linkTotals: addArrays(a.linkTotals, b.linkTotals),
  };
}

/** The merged run of disjoint batches given their merged counts: answers in batch order, layer sums added. */
export function mergedAnswers(runs: readonly Omit<SimulationRun, 'counts'>[], counts: EventCounts): SimulationRun {
  const first = runs[0]!;
  const predictions = new Uint8Array(runs.reduce((n, r) => n + r.samples, 0));
  const classes = first.outputs.length / Math.max(1, first.samples);
  const outputs = new Float64Array(predictions.length * classes);
  let at = 0;
  for (const run of runs) {
    predictions.set(run.predictions, at);
    outputs.set(run.outputs, at * classes);
    at += run.samples;
  }
  const raster = runs.find((r) => r.raster)?.raster;
  return {
    samples: predictions.length,
    correct: runs.reduce((n, r) => n + r.correct, 0),
    predictions,
    outputs,
    counts,
    layerSpikes: runs.slice(1).reduce((a, r) => addArrays(a, r.layerSpikes), first.layerSpikes),
    layerSynapticOps: runs.slice(1).reduce((a, r) => addArrays(a, r.layerSynapticOps), first.layerSynapticOps),
    layerStepSpikes: runs.slice(1).reduce((a, r) => addArrays(a, r.layerStepSpikes), first.layerStepSpikes),
    ...(raster ? { raster } : {}),
  };
}
