import { parentPort, workerData } from 'node:worker_threads';
import type { Model } from '../graph/model.js';
import { ReferenceExecutor, type ThresholdMode } from './executor.js';

/** A part of a batch for a worker of evaluateParallel (evaluate-parallel.ts): its samples as model input. */
export interface EvaluateJob {
  readonly id: number;
  readonly count: number;
  readonly mode: ThresholdMode;
  readonly input: Float32Array;
}

export interface EvaluateJobResult {
  readonly id: number;
  readonly classes: number;
  readonly outputs: Float32Array;
  readonly lifKeys: readonly string[];
  readonly spikes: readonly number[][];
  readonly thresholds: number[][];
}

/** One executor per worker, built once; each job runs its samples for T steps and sends the run back. */
if (parentPort && workerData) {
  const { model, maxBatch } = workerData as { model: Model; maxBatch: number };
  const executor = new ReferenceExecutor(model, maxBatch);
  const port = parentPort;
  port.on('message', (job: EvaluateJob) => {
    const run = executor.run(job.input, job.count, job.mode);
    const result: EvaluateJobResult = {
      id: job.id,
      classes: run.classes,
      outputs: run.outputs,
      lifKeys: run.lifKeys,
      spikes: run.spikesPerLayerPerStep.map((row) => [...row]),
      thresholds: run.thresholdsPerLayerPerStep.map((row) => [...row]),
    };
    port.postMessage(result, [run.outputs.buffer as ArrayBuffer]);
  });
}
