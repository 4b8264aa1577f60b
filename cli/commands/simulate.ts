import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { Argv } from 'yargs';
import { decodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import type { ChipProgram } from '../../chips/ir/chip-program.js';
import { defaultFashionMnistDir, loadFashionMnist, type ImageSet } from '../../models/datasets/fashion-mnist.js';
import { imageSamples } from '../../models/datasets/image-samples.js';
import { loadModel } from '../../models/load-model.js';
import { evaluateWithNeuroBench, type NeuroBenchMetrics } from '../../models/metrics/neurobench.js';
import { chipNeuroBench } from '../../simulator/neurobench-chip.js';
import { rasterLayerNames } from '../../simulator/raster.js';
import { SimulationError } from '../../simulator/errors.js';
import { simulateDataset } from '../../simulator/parallel.js';
import { parseQueueUrl } from '../../cluster/queue-url.js';
import { simulateOnQueue } from '../../cluster/queue-simulate.js';
import { datasetRef, type DatasetRef } from '../../cluster/dataset-ref.js';
import { dataQueueRef } from '../queue-dataset.js';
import { buildReport, type FloatReference, type SimulationReport } from '../../simulator/report.js';
import type { Encoding, SimulationRun } from '../../simulator/simulate.js';
import { checkProfile, programChip, runnableProgramChip } from '../program-chip.js';
import { chipSpecSha256 } from '../../chips/spec/spec-hash.js';
import { count, seed, text, threads } from '../arguments.js';
import { checkOutputs, writeOutputFile } from '../output-file.js';
import { UsageFailure } from './compile.js';
import { adaptImages } from '../adapt-images.js';
import { simulationInput, takesPixels } from '../simulation-input.js';
import { compareOutputs, outputRows } from '../output-comparison.js';
import { emit, percent, progressBar } from '../output.js';
import { simulateEventsFile, type EventSimulationReport } from '../simulate-events-file.js';
import { describeWritten, writeHtmlReport } from './report.js';

interface SimulateArgs {
  program: string;
  chip?: string;
  data?: string;
  events?: string;
  limit?: number;
  profile?: string;
  seed: number;
  encoding: Encoding;
  workers?: number;
  probe?: string;
  raster?: string;
  report?: string;
  floatReference?: string;
  json: boolean;
  output?: string;
  'adapt-input': boolean;
  queue?: string;
  shardSize?: number;
  jobTimeLimit?: number;
  outputs: boolean;
}

export async function simulateFile(args: {
  program: string;
  chip?: string | undefined;
  data?: string | undefined;
  limit?: number | undefined;
  profile?: string | undefined;
  seed: number;
  encoding: Encoding;
  workers?: number | undefined;
  quiet: boolean;
  /** Layers (or `all`) whose spikes to record in the first image, for the report's raster. */
  raster?: readonly string[] | undefined;
  /** A float model to evaluate on the same images, for the report's accuracy comparison. */
  floatReference?: string | undefined;
  adaptInput?: boolean | undefined;
  /** A Redis URL: run the images as jobs on `spikechip worker`s instead of this machine's threads. */
  queue?: string | undefined;
  /** Keep the chip's read-out per sample in the report (and the float model's, with floatReference). */
  outputs?: boolean | undefined;
  shardSize?: number | undefined;
  /** Seconds after which a worker gives up on a stuck shard (default: from the shard's work). */
  jobTimeLimit?: number | undefined;
}): Promise<SimulationReport> {
  const bytes = readFileSync(args.program);
  const program = decodeChipProgram(bytes, args.program);
  const spec = runnableProgramChip(program, args.chip, args.program);
  checkProfile(spec, args.profile);
  if (args.data !== undefined && (!takesPixels(program) || !isFashionMnistDir(args.data))) return simulateDataFile(args, bytes, program, spec);
  const test = loadFashionMnist(args.data ?? defaultFashionMnistDir(), 'test', args.limit);
  const expected = program.input.shape.join(', ');
  const fits = expected === test.shape.join(', ');
  if (!fits && !args.adaptInput) {
    throw new SimulationError(
      test.source,
      `images are [${test.shape.join(', ')}], the program ${args.program} expects input [${expected}] (--adapt-input pads and repeats them, for a run whose accuracy means nothing)`,
    );
  }
  if (!fits && program.input.shape.length !== 3) {
    throw new SimulationError(args.program, `--adapt-input fits images only to [C, H, W] inputs, the program expects [${expected}]`);
  }
  const images = fits ? test.images : adaptImages(test, program.input.shape, program.input.valueScale);
  if (!fits && !args.quiet) process.stderr.write(`note: images fitted to [${expected}] (--adapt-input); their labels are Fashion-MNIST's, so accuracy means nothing\n`);
  const float = args.floatReference ? floatEvaluation(args.floatReference, test) : undefined;
  if (args.queue && !fits) throw new UsageFailure('--adapt-input runs on this machine only: workers read the dataset as it is, without --queue');
  if (args.queue && !takesPixels(program))
    throw new UsageFailure(`the program takes real values: name the images with --data for --queue (workers read them as simulate --data does)`);
  const run = await runSamples(
    args,
    bytes,
    program,
    spec,
    // A program for real-valued input takes the images as values in [0, 1] (pixel / 255).
    { images, ...(takesPixels(program) ? {} : { values: Float32Array.from(images, (p) => p / 255) }), labels: test.labels, count: test.count },
    () => datasetRef(test),
  );
  const built = buildReport(program, spec, run, { encoding: args.encoding, seed: args.seed, ...(args.profile ? { profile: args.profile } : {}) });
  const classes = program.layers[program.layers.length - 1]!.shape.reduce((a, b) => a * b, 1);
  const report = args.outputs ? { ...built, outputs: outputRows(run.outputs, classes) } : built;
  return float ? { ...report, floatReference: float.reference, neurobench: float.neurobench } : report;
}

/** The samples through the chip, on a queue's workers or this machine's threads, under one progress bar. */
async function runSamples(
  args: Parameters<typeof simulateFile>[0],
  bytes: Uint8Array,
  program: ChipProgram,
  spec: ReturnType<typeof runnableProgramChip>,
  samples: { images: Uint8Array; values?: Float32Array; framesPerStep?: boolean; labels: Uint8Array; count: number },
  queueDataset: () => DatasetRef,
): Promise<SimulationRun> {
  const raster = args.raster?.length
    ? rasterLayerNames(
        program.layers.map((l) => ({ name: l.name, spiking: l.kind === 'LAYER_SPIKING' })),
        args.raster,
      )
    : undefined;
  const bar = progressBar('simulate', !args.quiet);
  const common = { programBytes: bytes, programFile: args.program, spec, encoding: args.encoding, seed: args.seed };
  const onProgress = (done: number) => bar.update(done, samples.count);
  const run = args.queue
    ? await simulateOnQueue({
        ...common,
        address: parseQueueUrl(args.queue),
        dataset: queueDataset(),
        raster,
        shardSize: args.shardSize,
        program,
        jobTimeLimitSeconds: args.jobTimeLimit,
        onProgress,
      })
    : await simulateDataset({ ...common, ...samples, ...(args.workers ? { workers: args.workers } : {}), ...(raster ? { raster } : {}), onProgress });
  bar.stop();
  return run;
}

/**
 * A run on data of any format `--data` knows (CIFAR, DVS frames, .npy/.npz/.f32 tensors), for a program that takes
 * pixels or real values; per-sample outputs are in the report, compared with the float model's when given.
 */
async function simulateDataFile(
  args: Parameters<typeof simulateFile>[0],
  bytes: Uint8Array,
  program: ChipProgram,
  spec: ReturnType<typeof runnableProgramChip>,
): Promise<SimulationReport> {
  if (!args.data) throw new UsageFailure(`the program takes real-valued input: give it with --data (a .f32/.npy/.npz tensor or a dataset)`);
  const input = simulationInput(program, args.data, args.limit);
  const data = args.data;
  const samples = { images: input.images, ...(input.values ? { values: input.values, framesPerStep: input.framesPerStep } : {}), labels: input.labels, count: input.count };
  const run = await runSamples(args, bytes, program, spec, samples, () => dataQueueRef(program, data, input));
  const report = buildReport(program, spec, run, { encoding: args.encoding, seed: args.seed, ...(args.profile ? { profile: args.profile } : {}) });
  const classes = program.layers[program.layers.length - 1]!.shape.reduce((a, b) => a * b, 1);
  const labelled = { ...(input.labelled ? report : { ...report, accuracy: null }), ...(args.outputs ? { outputs: outputRows(run.outputs, classes) } : {}) };
  if (!args.floatReference) return labelled;
  const { model } = loadModel(args.floatReference);
  const { evaluation: float, neurobench } = evaluateWithNeuroBench(model, input.dataset, { mode: 'frozen', batch: 64, keepOutputs: true });
  const floatReference = { model: model.name, samples: float.samples, accuracy: input.labelled ? float.accuracy : null, thresholds: 'frozen' as const };
  if (!args.outputs) return { ...labelled, floatReference, neurobench } as SimulationReport;
  return {
    ...labelled,
    floatReference,
    neurobench,
    floatOutputs: outputRows(float.outputs!, classes),
    outputComparison: compareOutputs(run.outputs, float.outputs!, classes),
  } as SimulationReport;
}

export function isFashionMnistDir(path: string): boolean {
  try {
    return statSync(path).isDirectory() && readdirSync(path).some((f) => f.startsWith('t10k-images-idx3-ubyte'));
  } catch {
    return false;
  }
}

/** The float model's accuracy on the images the chip runs, OTS thresholds frozen as the chip has them. */
export function floatAccuracy(modelFile: string, images: ImageSet): FloatReference {
  return floatEvaluation(modelFile, images).reference;
}

/** floatAccuracy with NeuroBench's metrics of the same float run. */
function floatEvaluation(modelFile: string, images: ImageSet): { reference: FloatReference; neurobench: NeuroBenchMetrics } {
  const { model } = loadModel(modelFile);
  const { evaluation, neurobench } = evaluateWithNeuroBench(model, imageSamples(images, model), { mode: 'frozen', batch: 500 });
  return { reference: { model: model.name, samples: evaluation.samples, accuracy: evaluation.accuracy, thresholds: 'frozen' }, neurobench };
}

export function writeReport(path: string, report: SimulationReport | EventSimulationReport): void {
  writeOutputFile(path, `${JSON.stringify(report)}\n`);
}

export function formatReport(r: SimulationReport | EventSimulationReport, probe?: string): string {
  const lines = [
    `chip ${r.chip}: ${r.model} on ${r.samples} ${r.encoding === 'events' ? 'event recordings' : 'images'} (${r.encoding} input, ${r.inputPlacement})`,
    `accuracy: ${r.accuracy === null ? 'n/a (the event files carry no labels)' : percent(r.accuracy)}${r.floatReference ? ` (float reference ${r.floatReference.model}: ${percent(r.floatReference.accuracy)} on ${r.floatReference.samples} images)` : ''}`,
    `energy per inference: ${(r.energyPerInferenceJ * 1e6).toFixed(3)} uJ (profile ${r.profile}${r.unpricedEvents.length ? `; not priced by it: ${r.unpricedEvents.join(', ')}` : ''})`,
    `latency per inference: ${(r.latencyPerInferenceS * 1e6).toFixed(2)} us over ${r.stepsPerInference} steps; bottleneck core ${r.bottleneckCore.id} (${r.bottleneckCore.layer})`,
    `spikes per inference: ${r.spikesPerInference.toFixed(1)}, synaptic ops per inference: ${r.synapticOpsPerInference.toFixed(0)}`,
    r.busiestLink
      ? `mesh: busiest link (${r.busiestLink.from.join(',')})-(${r.busiestLink.to.join(',')}) ${r.busiestLink.packetsPerInference.toFixed(1)} packets per inference; peak link load per step ${r.peakLinkLoadPerStep.map((p) => p.toFixed(1)).join(', ')}`
      : 'mesh: no packet left its tile',
    'per layer (per inference):',
    ...r.perLayer.map(
      (l) => `  ${l.name.padEnd(22)} spikes ${l.spikes.toFixed(1).padStart(10)}  synaptic ops ${l.synapticOps.toFixed(0).padStart(10)}  energy ${(l.energyJ * 1e6).toFixed(3)} uJ`,
    ),
  ];
  const chip = r.neurobench?.chip;
  if (chip)
    lines.push(
      `NeuroBench-style counts of the chip's events per inference: ${chip.synapticOperations.toFixed(0)} synaptic ops, ${chip.membraneUpdates.toFixed(0)} neuron updates, activation sparsity ${chip.activationSparsity.toFixed(4)}`,
    );
  if (probe) {
    const layer = r.perLayer.find((l) => l.name === probe);
    if (layer) lines.push(`probe ${probe}: spikes per global step ${layer.spikesPerStep.map((s) => s.toFixed(1)).join(', ')}`);
  }
  return lines.join('\n');
}

export function registerSimulate(yargs: Argv): Argv {
  return yargs.command<SimulateArgs>(
    'simulate <program>',
    'Run a .chip.pb on its chip, cycle by cycle in fixed point, over a dataset (any --data format): accuracy, energy, latency, spikes',
    (y) =>
      y
        .positional('program', { type: 'string', demandOption: true, describe: 'the .chip.pb to run' })
        .option('chip', { type: 'string', coerce: text('chip'), describe: 'chip spec JSON for a program compiled for a user chip' })
        .option('data', { type: 'string', describe: 'Fashion-MNIST directory (default: Debian dataset-fashion-mnist, else the bundled subset)' })
        .option('events', {
          type: 'string',
          conflicts: 'data',
          coerce: text('events'),
          describe: 'event-camera input instead of images: an N-MNIST .bin / AEDAT 3.1 file, or a folder in N-MNIST layout (<label>/<file>)',
        })
        .option('limit', { type: 'number', coerce: count('limit'), describe: 'only the first N test images (or event files)' })
        .option('profile', { type: 'string', describe: 'energy/latency cost profile of the chip (loihi: davies2018, sanafe)' })
        .option('seed', { type: 'number', default: 1, coerce: seed(), describe: 'seed of the Poisson input generator' })
        .option('encoding', { choices: ['direct', 'poisson'] as const, default: 'direct' as const, describe: 'direct analog input, or Poisson rate coding' })
        .option('workers', { type: 'number', coerce: threads('workers'), describe: 'worker threads (default: one per CPU core)' })
        .option('probe', { type: 'string', describe: 'a layer whose spikes per step to print' })
        .option('adapt-input', {
          type: 'boolean',
          default: false,
          describe: 'pad/crop and repeat the images to a program with another input shape (exercises the chip; accuracy meaningless)',
        })
        .option('raster', { type: 'string', describe: 'layers (comma-separated, or all) whose spikes in the first image to keep, for a raster plot' })
        .option('float-reference', { type: 'string', describe: 'a model file to evaluate in float on the same images, for the report' })
        .option('report', { type: 'string', coerce: text('report'), describe: 'write an HTML report of the run (records the raster of all layers unless --raster)' })
        .option('queue', {
          type: 'string',
          conflicts: 'events',
          describe: 'run the images as jobs on a Redis queue served by `spikechip worker`s: redis://[user:password@]host:port[/db]',
        })
        .option('shard-size', { type: 'number', coerce: count('shard-size'), describe: 'samples per queue job (default: a sixteenth of the set, at least 200)' })
        .option('job-time-limit', {
          type: 'number',
          coerce: count('job-time-limit'),
          describe: "seconds after which a worker terminates a shard's thread and the job is retried (default: from the shard's work, at least 60)",
        })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' })
        .option('outputs', {
          type: 'boolean',
          default: false,
          describe: "include the chip's read-out per sample in model units (with --float-reference, the float model's too and how they compare)",
        })
        .option('output', { alias: 'o', type: 'string', coerce: text('output'), describe: 'write the full result (with event counts, for recost) as JSON' }) as Argv<SimulateArgs>,
    async (args) => {
      if (args.jobTimeLimit !== undefined && !args.queue) throw new UsageFailure('--job-time-limit limits the jobs of a queue run: give it with --queue');
      if (args.events && args.encoding !== 'direct') throw new UsageFailure('--encoding encodes images; event input (--events) is binned as it is');
      if (args.events && args.floatReference) throw new UsageFailure('--float-reference runs the float model on images; event input (--events) has no float counterpart here');
      checkOutputs(
        'simulate',
        [
          { option: 'output', path: args.output },
          { option: 'report', path: args.report },
        ],
        [args.program, args.chip, args.data, args.events, args.floatReference],
      );
      const raster = args.raster
        ? args.raster
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '')
        : args.report
          ? ['all']
          : undefined;
      const simulated = args.events
        ? await simulateEventsFile({ ...args, events: args.events, raster, quiet: args.json })
        : await simulateFile({ ...args, raster, quiet: args.json, adaptInput: args['adapt-input'] });
      const program = decodeChipProgram(readFileSync(args.program), args.program);
      const spec = programChip(program, args.chip, args.program);
      // Beside the float model's NeuroBench metrics (with --float-reference), the same counted on the chip's events.
      const report = { ...simulated, neurobench: { ...simulated.neurobench, chip: chipNeuroBench(simulated) } };
      // The saved result names the spec that priced it, so recost and report tell an edited spec from the builtin.
      const saved = { ...report, chipSpecSha256: chipSpecSha256(spec) };
      if (args.output) writeReport(args.output, saved);
      const html = args.report ? writeHtmlReport({ result: report, spec, program }, args.report) : null;
      const { counts: _counts, predictions: _predictions, raster: _raster, ...summary } = report;
      emit(args.json, html ? { ...summary, report: html } : summary, () => [formatReport(report, args.probe), ...(html ? [describeWritten(html)] : [])].join('\n'));
    },
  );
}
