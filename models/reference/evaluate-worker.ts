import type { Model } from '../graph/model.js';
import { WorkloadCollector, type BatchWorkload } from '../metrics/workload-collector.js';
import { ReferenceExecutor, type ThresholdMode } from './executor.js';
import type { Accumulation } from './kernels/conv2d.js';

/** A part of a batch for a worker of evaluateParallel (evaluate-parallel.ts): its samples as model input. */
export interface EvaluateJob {
  readonly id: number;
  readonly count: number;
  readonly mode: ThresholdMode;
  readonly input: Float32Array;
  /** The input holds one frame per step ([count, T, ...input]), as ReferenceExecutor.run's `frames`. */
  readonly frames: boolean;
  /** Count NeuroBench's workload of the part (WorkloadCollector's counts of one batch, not yet averaged). */
  readonly workload: boolean;
}

export interface EvaluateJobResult {
  readonly id: number;
  readonly classes: number;
  readonly outputs: Float32Array;
  readonly lifKeys: readonly string[];
  readonly spikes: readonly number[][];
  readonly thresholds: number[][];
  readonly workload: BatchWorkload | null;
  /** This worker process's peak resident set so far (its executor, arena and model copy). */
  readonly peakRssBytes: number;
}

/** What a worker process builds its executor from: its first message. */
export interface EvaluateSetup {
  readonly model: Model;
  readonly maxBatch: number;
  readonly accumulation: Accumulation;
}

/**
 * A child process of evaluateParallel (forked with advanced serialization): one executor, built once from the first
 * message; each job after it runs its samples for T steps and sends the run back.
 */
if (process.send && process.argv[1]?.endsWith('evaluate-worker.js')) {
  const send = process.send.bind(process);
  let executor: ReferenceExecutor | null = null;
  let model: Model | null = null;
  let counted: BatchWorkload | null = null;
  const collectors = new Map<string, WorkloadCollector>();
  // One collector per threshold mode (its membrane replay depends on it); each run hands over its one batch.
  const collector = (mode: ThresholdMode) => {
    let c = collectors.get(mode);
    if (!c) collectors.set(mode, (c = new WorkloadCollector(model!, 1, mode, (batch) => (counted = batch))));
    return c;
  };
  process.on('message', (message) => {
    if (!executor) {
      const setup = message as EvaluateSetup;
      model = setup.model;
      executor = new ReferenceExecutor(setup.model, setup.maxBatch, undefined, setup.accumulation);
      return;
    }
    const job = message as EvaluateJob;
    counted = null;
    const run = executor.run(job.input, job.count, job.mode, undefined, job.workload ? collector(job.mode).observe : undefined, job.frames);
    const result: EvaluateJobResult = {
      id: job.id,
      classes: run.classes,
      outputs: run.outputs,
      lifKeys: run.lifKeys,
      spikes: run.spikesPerLayerPerStep.map((row) => [...row]),
      thresholds: run.thresholdsPerLayerPerStep.map((row) => [...row]),
      workload: counted,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    send(result);
  });
  // The parent's end is this process's end.
  process.on('disconnect', () => process.exit(0));
}
