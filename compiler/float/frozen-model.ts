import { builtinChips } from '../../chips/registry.js';
import type { Model } from '../../models/graph/model.js';
import { fixThresholds, type ThresholdFix } from '../../models/nir/fix-thresholds.js';
import { foldNorm } from '../passes/fold-norm.js';
import { freezeThresholds, type FreezeOptions } from '../passes/freeze-thresholds.js';
import { foldedAsModel } from './as-model.js';

/**
 * The model as the compiler's first two passes leave it (fold-norm, freeze-thresholds), as a plain Model whose
 * every LIF threshold is one fixed value (`fix` says how a per-step table becomes one): what `export` writes.
 * A model with nothing to fold or freeze (no norm, no dropout, no OTS; e.g. one read from NIR) is taken as it is,
 * so that what fold-norm cannot lower for a chip (CubaLIF, recurrence) can still be written.
 */
export function frozenFloatModel(model: Model, fix: ThresholdFix, calibration?: FreezeOptions['calibration']): { model: Model; notes: string[] } {
  if (model.nodes.every((n) => n.kind !== 'norm' && n.kind !== 'dropout' && (n.kind !== 'lif' || n.threshold.kind === 'fixed'))) {
    return { model, notes: [] };
  }
  const folded = foldNorm(model, '');
  // 'schedule' keeps each table as calibrated; the chip only matters for 'auto' and 'mean'.
  const frozen = freezeThresholds(folded, builtinChips.loihi2, { threshold: 'schedule', ...(calibration ? { calibration } : {}) });
  return fixThresholds({ ...foldedAsModel(frozen.model), ...(model.notes ? { notes: model.notes } : {}) }, fix);
}
