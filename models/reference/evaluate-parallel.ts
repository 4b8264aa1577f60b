import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Model } from '../graph/model.js';
import { mergeBatchWorkloads, type BatchWorkload, type WorkloadCollector } from '../metrics/workload-collector.js';
import { elementCount } from '../graph/tensor.js';
import { argmax, evaluate, EVALUATION_ACCUMULATION, spikingLayerSizes, type EvaluateOptions, type Evaluation, type LabelledSamples } from './evaluate.js';
import type { EvaluateJob, EvaluateJobResult, EvaluateSetup } from './evaluate-worker.js';

export interface ParallelEvaluateOptions extends EvaluateOptions {
  /** Worker processes (default: one per CPU core); 1, or running from the TypeScript sources, runs evaluate() here. */
  readonly workers?: number;
  /**
   * NeuroBench's workload counts of the run (what evaluate's onStage gives it serially): each worker counts its part
   * of a batch, the parts are merged and the batches absorbed in batch order, so the counts are those of one thread.
   */
  readonly workload?: WorkloadCollector;
  /** Told, once the run is done, the largest peak resident set of any worker process (they are not this process's). */
  readonly onWorkerPeakRss?: (bytes: number) => void;
}

/**
 * evaluate() over worker processes, with its result: in frozen mode every sample runs alone (no statistic crosses
 * samples), so each batch splits into one part per worker, and a single batch of 64 uses every core too; in dynamic
 * mode a batch's thresholds come from the whole batch, so whole batches go to the workers. Parts are handed out as
 * workers finish (at most one part in flight per worker: memory stays bounded by the batch, not by the data set);
 * outputs land at their samples' places and spike counts are integer sums, so the result is evaluate()'s.
 */
export async function evaluateParallel(model: Model, data: LabelledSamples, options: ParallelEvaluateOptions): Promise<Evaluation> {
  const batchSize = Math.max(1, Math.min(options.batch, data.count));
  const batches = Math.ceil(data.count / batchSize);
  const split = options.mode === 'frozen' ? Math.max(1, options.workers ?? availableParallelism()) : 1;
  const workers = Math.min(options.workers ?? availableParallelism(), batches * split);
  const workload = options.workload;
  if (workers <= 1 || !import.meta.url.endsWith('.js')) return evaluate(model, data, workload ? { ...options, onStage: workload.observe } : options);
  const started = performance.now();
  // Event frames bring one input per step: [T, ...input] per sample.
  const frames = data.framesPerStep === true;
  const inputSize = elementCount(model.input.shape) * (frames ? model.timesteps : 1);
  // Parts in sample order: batch k's parts are jobs [k * split, (k + 1) * split).
  const jobs: { first: number; count: number; batch: number }[] = [];
  for (let b = 0; b < batches; b++) {
    const first = b * batchSize;
    const size = Math.min(batchSize, data.count - first);
    const part = Math.ceil(size / split);
    for (let at = 0; at < size; at += part) jobs.push({ first: first + at, count: Math.min(part, size - at), batch: b });
  }
  const largest = Math.max(...jobs.map((j) => j.count));
  const workerFile = fileURLToPath(new URL('./evaluate-worker.js', import.meta.url));
  const accumulation = options.accumulation ?? EVALUATION_ACCUMULATION;
  // Processes, not threads: onnxruntime's native binding (kernels/conv2d-onnx.ts) runs in a process's main thread only.
  const setup: EvaluateSetup = { model, maxBatch: largest, accumulation };
  const pool: ChildProcess[] = Array.from({ length: workers }, () => fork(workerFile, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  for (const child of pool) child.send(setup);
  let classes = 0;
  let outputs: Float32Array | null = null;
  let correct = 0;
  let done = 0;
  let lifKeys: readonly string[] = [];
  let workerPeakRss = 0;
  let spikes: number[][] | null = null;
  const thresholdsPerBatch: number[][][] = new Array(batches);
  const samplesDone = new Int32Array(batches);
  // Each batch's parts' workload counts until the batch is whole; batches are absorbed in order.
  const batchParts: BatchWorkload[][] = Array.from({ length: workload ? batches : 0 }, () => []);
  let nextToAbsorb = 0;
  const absorbReady = () => {
    while (workload && nextToAbsorb < batches && samplesDone[nextToAbsorb] === Math.min(batchSize, data.count - nextToAbsorb * batchSize)) {
      workload.absorb(mergeBatchWorkloads(batchParts[nextToAbsorb]!));
      batchParts[nextToAbsorb++] = [];
    }
  };
  try {
    let next = 0;
    await new Promise<void>((resolve, reject) => {
      const give = (worker: ChildProcess) => {
        if (next >= jobs.length) return;
        const id = next++;
        const job = jobs[id]!;
        const input = new Float32Array(job.count * inputSize);
        data.toInput(job.first, job.count, input);
        const message: EvaluateJob = { id, count: job.count, mode: options.mode, input, frames, workload: workload !== undefined };
        worker.send(message);
      };
      for (const worker of pool) {
        worker.on('error', reject);
        worker.on('exit', (code, signal) => reject(new Error(`a float reference worker process stopped (${signal ?? `exit code ${code}`}) before its part was done`)));
        worker.on('message', (message) => {
          const result = message as EvaluateJobResult;
          const job = jobs[result.id]!;
          classes = result.classes;
          workerPeakRss = Math.max(workerPeakRss, result.peakRssBytes);
          lifKeys = result.lifKeys;
          if (options.keepOutputs) {
            outputs ??= new Float32Array(data.count * classes);
            outputs.set(result.outputs, job.first * classes);
          }
          for (let s = 0; s < job.count; s++) if (argmax(result.outputs, s * classes, classes) === data.labels[job.first + s]) correct++;
          spikes ??= result.spikes.map((row) => row.map(() => 0));
          result.spikes.forEach((row, l) => row.forEach((v, t) => (spikes![l]![t]! += v)));
          // A batch's thresholds are its first part's: frozen tables are the same for every part.
          if (job.first === job.batch * batchSize) thresholdsPerBatch[job.batch] = result.thresholds;
          if (result.workload) batchParts[job.batch]!.push(result.workload);
          samplesDone[job.batch] = samplesDone[job.batch]! + job.count;
          absorbReady();
          done += job.count;
          if (samplesDone[job.batch] === Math.min(batchSize, data.count - job.batch * batchSize)) options.onBatch?.(done, data.count);
          if (done === data.count) resolve();
          else give(worker);
        });
        give(worker);
      }
    });
  } finally {
    for (const child of pool) {
      child.removeAllListeners('exit');
      child.kill();
    }
  }
  options.onWorkerPeakRss?.(workerPeakRss);
  const neuronsPerLayer = spikingLayerSizes(model);
  return {
    samples: data.count,
    correct,
    accuracy: data.count === 0 ? 0 : correct / data.count,
    lifKeys,
    spikesPerLayerPerStep: spikes ?? [],
    neuronsPerLayer,
    thresholdsPerBatch,
    outputs: options.keepOutputs ? (outputs ?? new Float32Array(0)) : null,
    classes,
    seconds: (performance.now() - started) / 1000,
  };
}
