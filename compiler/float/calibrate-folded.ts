import type { Model } from '../../models/graph/model.js';
import { calibrateOtsParallel } from '../../models/reference/calibrate-ots-parallel.js';
import { foldNorm } from '../passes/fold-norm.js';
import { readOutOutput } from '../passes/read-out-output.js';
import { foldedAsModel } from './as-model.js';

/**
 * The OTS tables the freeze-thresholds pass would calibrate for `model` on these images, computed over `workers`
 * threads (calibrateOtsParallel gives calibrateOts's tables bit for bit): on the graph the pass sees, read-out
 * adapted and norms folded. Pass them to compile as `calibration.tables` with the same images.
 */
export function calibrateFolded(model: Model, input: Float32Array, count: number, workers?: number): Promise<Map<string, Float32Array>> {
  // The hash only labels the folded model; calibration never reads it.
  const folded = foldedAsModel(foldNorm(readOutOutput(model).model, ''));
  return calibrateOtsParallel(folded, input, count, workers);
}
