import { createHash } from 'node:crypto';
import type { ChipProgram } from '../chips/ir/chip-program.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import { serializeModel } from '../models/format/model-file.js';
import type { Model } from '../models/graph/model.js';
import { check } from './check.js';
import { hasErrors, type Diagnostic } from './diagnostics.js';
import { emit } from './passes/emit.js';
import { configureLearning, learningLayers, type LearningOptions } from './passes/configure-learning.js';
import { foldNorm } from './passes/fold-norm.js';
import { freezeThresholds, type FreezeOptions } from './passes/freeze-thresholds.js';
import { lowerToSynapses } from './passes/lower-to-synapses.js';
import { partition } from './passes/partition.js';
import { place, type ChipBudget } from './passes/place.js';
import { inputBoundOf, quantize } from './passes/quantize.js';
import { readOutOutput } from './passes/read-out-output.js';
import { route } from './passes/route.js';
import type { FoldedModel, FrozenModel, Partition, Placement, QuantizedNetwork } from './stages.js';

export interface CompileOptions {
  readonly chips: ChipBudget;
  readonly threshold: FreezeOptions['threshold'];
  readonly calibration?: FreezeOptions['calibration'];
  /** On-chip learning: which layers learn which rule. */
  readonly learning?: LearningOptions;
}

export interface Compilation {
  /** Null when a pass found an error that leaves nothing to emit. */
  readonly program: ChipProgram | null;
  readonly diagnostics: readonly Diagnostic[];
  readonly ok: boolean;
  /** Every pass's output, for printing and golden tests. */
  readonly stages: {
    readonly folded: FoldedModel;
    readonly frozen: FrozenModel;
    readonly quantized: QuantizedNetwork;
    readonly partition: Partition;
    readonly placement: Placement;
  };
}

/** The pass list, in order: Model -> ChipProgram, then check. */
export function compile(model: Model, chip: ChipSpec, options: CompileOptions): Compilation {
  const sha256 = createHash('sha256').update(serializeModel(model)).digest('hex');
  const readOut = readOutOutput(model);
  const folded = foldNorm(readOut.model, sha256);
  const frozen = freezeThresholds(folded, chip, { threshold: options.threshold, ...(options.calibration ? { calibration: options.calibration } : {}) });
  const quantized = quantize(frozen.model, chip, inputBoundOf(options.calibration?.input));
  const lowered = lowerToSynapses(quantized.network);
  // Learning layers are known before partitioning: their synapses store a tag each, which a core must fit.
  const learning = new Set(options.learning ? learningLayers(quantized.network, options.learning.layers) : []);
  const partitioned = partition(quantized.network, chip, learning);
  const placed = place(partitioned.partition, chip, options.chips);
  const routed = route(placed.placement, chip);
  const notes = [`threshold=${options.threshold}`, `chips=${options.chips}`];
  const emitted = emit(lowered, routed, chip, { notes, chipCount: placed.placement.chipCount, learningLayers: learning });
  const program = options.learning ? configureLearning(emitted, chip, options.learning) : emitted;
  const diagnostics = dedupe([...readOut.diagnostics, ...frozen.diagnostics, ...quantized.diagnostics, ...partitioned.diagnostics, ...placed.diagnostics, ...check(program, chip)]);
  return {
    program,
    diagnostics,
    ok: !hasErrors(diagnostics),
    stages: { folded, frozen: frozen.model, quantized: quantized.network, partition: partitioned.partition, placement: placed.placement },
  };
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => (seen.has(d.message) ? false : (seen.add(d.message), true)));
}
