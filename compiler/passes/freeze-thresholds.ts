import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import { calibrateOts } from '../../models/reference/calibrate-ots.js';
import { diagnostic, type Diagnostic } from '../diagnostics.js';
import { CompileError } from '../errors.js';
import { foldedAsModel } from '../float/as-model.js';
import type { FoldedModel, FrozenLif, FrozenModel, FrozenNode, ThresholdPolicy } from '../stages.js';

export interface FreezeOptions {
  /** `auto`: the per-step table where the chip has one, else the mean with a warning. */
  readonly threshold: 'auto' | 'schedule' | 'mean';
  /**
   * Calibration images as model input, used when an OTS layer has no frozen table (or to recalibrate). `tables`, when
   * given, are the tables calibrateOts gives on these images and the folded graph (calibrateFolded, over threads):
   * then they are taken as they are instead of calibrating again here.
   */
  readonly calibration?: { readonly input: Float32Array; readonly count: number; readonly tables?: ReadonlyMap<string, Float32Array> };
}

/**
 * freeze-thresholds: every LIF layer gets theta[0..T-1]. OTS layers take the frozen table stored in the model, or
 * one calibrated here on one batch with OTS live (DESIGN.md section 2, "Freezing"). A chip without per-step
 * threshold tables gets the mean of the table instead, and a diagnostic says so.
 */
export function freezeThresholds(folded: FoldedModel, chip: ChipSpec, options: FreezeOptions): { model: FrozenModel; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const calibration = options.calibration;
  const calibrated = calibration ? (calibration.tables ?? calibrateOts(foldedAsModel(folded), calibration.input, calibration.count)) : null;
  const T = folded.timesteps;
  const nodes = folded.nodes.map((node): FrozenNode => {
    if (node.kind !== 'lif') return node;
    let table: Float64Array;
    if (node.threshold.kind === 'fixed') {
      table = new Float64Array(T).fill(node.threshold.value);
    } else {
      const frozen = calibrated?.get(node.name) ?? node.threshold.frozen;
      if (!frozen) {
        throw new CompileError(
          `${folded.name}: layer ${node.name}`,
          'OTS thresholds are not frozen: give calibration images (--calibration N) or convert the model with a frozen table',
          'E-CALIBRATION',
          node.name,
        );
      }
      table = Float64Array.from(frozen.subarray(0, T));
    }
    const varies = table.some((v) => v !== table[0]);
    let policy: ThresholdPolicy = varies ? 'schedule' : 'constant';
    if (varies && (options.threshold === 'mean' || (!chip.neuron.thresholdSchedule && options.threshold === 'auto'))) {
      const mean = table.reduce((a, b) => a + b, 0) / T;
      diagnostics.push(
        diagnostic(
          'W-THRESHOLD-SCHEDULE',
          { layer: node.name },
          {},
          `per-step thresholds [${[...table].map((v) => v.toFixed(4)).join(', ')}] replaced by their mean ${mean.toFixed(4)}${chip.neuron.thresholdSchedule ? ' (--threshold mean)' : ` (chip ${chip.name} has no per-step threshold table)`}; simulate reports the accuracy cost`,
        ),
      );
      table = new Float64Array(T).fill(mean);
      policy = 'mean';
    }
    // A varying table kept on a chip without threshold tables is reported by check (E-THRESHOLD-SCHEDULE).
    const frozen: FrozenLif = {
      kind: 'lif',
      name: node.name,
      key: node.key,
      decay: node.decay,
      reset: node.reset,
      thresholds: table,
      policy,
      ...(node.input !== undefined ? { input: node.input } : {}),
    };
    return frozen;
  });
  return { model: { ...folded, nodes }, diagnostics };
}
