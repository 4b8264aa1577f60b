import { parentPort, workerData } from 'node:worker_threads';
import type { Model } from '../graph/model.js';
import { sharedStatistics } from './batch-statistics.js';
import { ReferenceExecutor } from './executor.js';

/** One part of a calibration batch (calibrate-ots-parallel.ts): samples [first, first + own) of `total`. */
export interface CalibrationPart {
  readonly model: Model;
  readonly input: Float32Array;
  readonly first: number;
  readonly own: number;
  readonly total: number;
  readonly parties: number;
  readonly shared: SharedArrayBuffer;
}

export interface CalibrationPartResult {
  readonly lifKeys: readonly string[];
  readonly thresholds: readonly (readonly number[])[];
}

if (parentPort && workerData) {
  const part = workerData as CalibrationPart;
  const statistics = sharedStatistics(part.shared, part.parties, part.first, part.total);
  const run = new ReferenceExecutor(part.model, part.own, statistics).run(part.input, part.own, 'dynamic');
  const result: CalibrationPartResult = { lifKeys: run.lifKeys, thresholds: run.thresholdsPerLayerPerStep };
  parentPort.postMessage(result);
}
