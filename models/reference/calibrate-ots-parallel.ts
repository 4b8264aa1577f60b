import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { elementCount } from '../graph/tensor.js';
import type { Model } from '../graph/model.js';
import { sharedStatisticsBuffer } from './batch-statistics.js';
import { calibrateOts, thresholdTables } from './calibrate-ots.js';
import type { CalibrationPart, CalibrationPartResult } from './calibrate-worker.js';

/**
 * calibrateOts over worker threads: the calibration batch splits into one contiguous part per worker, and every OTS
 * statistic is reduced across the parts exactly as one executor reduces the whole batch (batch-statistics.ts), so
 * the tables are calibrateOts's. One worker, or running from the TypeScript sources, runs calibrateOts here.
 */
export async function calibrateOtsParallel(model: Model, calibrationInput: Float32Array, count: number, workers = availableParallelism()): Promise<Map<string, Float32Array>> {
  const parties = Math.min(workers, count);
  if (parties <= 1 || !import.meta.url.endsWith('.js')) return calibrateOts(model, calibrationInput, count);
  const size = elementCount(model.input.shape);
  const shared = sharedStatisticsBuffer(count);
  const workerFile = fileURLToPath(new URL('./calibrate-worker.js', import.meta.url));
  const per = Math.ceil(count / parties);
  const parts = Array.from({ length: parties }, (_, k) => ({ first: k * per, own: Math.max(0, Math.min(per, count - k * per)) })).filter((p) => p.own > 0);
  const pool = parts.map((p) => {
    const part: CalibrationPart = {
      model,
      input: calibrationInput.slice(p.first * size, (p.first + p.own) * size),
      first: p.first,
      own: p.own,
      total: count,
      parties: parts.length,
      shared,
    };
    return new Worker(workerFile, { workerData: part });
  });
  try {
    const results = await Promise.all(
      pool.map(
        (w) =>
          new Promise<CalibrationPartResult>((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
          }),
      ),
    );
    // Every part computed the same thresholds from the same sums: the first one's are the batch's.
    return thresholdTables(model, results[0]!.lifKeys, results[0]!.thresholds);
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
