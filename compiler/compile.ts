// Reference: DESIGN.md section 4 (the passes, in order, then check) and section 7 (compile.ts shows every pass in order).
import type { ChipProgram } from '../chips/ir/chip-program.js';
import { printChipProgram } from '../chips/ir/print-chip-program.js';
import type { ChipSpec } from '../chips/spec/chip-spec.js';
import { modelFileSha256 } from '../models/format/model-file.js';
import type { Model } from '../models/graph/model.js';
import { printModel } from '../models/graph/print-model.js';
import { check } from './check.js';
import { hasErrors, type Diagnostic } from './diagnostics.js';
import { Pipeline, type CompileOptions, type Pass, type Stage } from './pass.js';
import { configureLearning, learningLayers } from './passes/configure-learning.js';
import { emit } from './passes/emit.js';
import { foldNorm } from './passes/fold-norm.js';
import { freezeThresholds } from './passes/freeze-thresholds.js';
import { lowerToSynapses, type LoweredNetwork } from './passes/lower-to-synapses.js';
import { partition } from './passes/partition.js';
import { place } from './passes/place.js';
import { inputBoundOf, quantize } from './passes/quantize.js';
import { readOutOutput } from './passes/read-out-output.js';
import { route } from './passes/route.js';
import { printFolded, printFrozen, printLowered, printPartition, printPlacement, printQuantized, printRoutes } from './print-stages.js';
import type { FoldedModel, FrozenModel, PartitionedNetwork, PlacedNetwork, QuantizedNetwork, RoutedNetwork } from './stages.js';

export type { CompileOptions } from './pass.js';

export const readOutOutputPass: Pass<Model, Model> = {
  name: 'read-out-output',
  run: (model) => {
    const { model: output, diagnostics } = readOutOutput(model);
    return { output, diagnostics };
  },
  print: (model) => `# after read-out-output\n${printModel(model)}`,
};

export const foldNormPass: Pass<Model, FoldedModel> = {
  name: 'fold-norm',
  run: (model, { modelSha256 }) => ({ output: foldNorm(model, modelSha256), diagnostics: [] }),
  print: printFolded,
};

export const freezeThresholdsPass: Pass<FoldedModel, FrozenModel> = {
  name: 'freeze-thresholds',
  run: (folded, { chip, options }) => {
    const { model, diagnostics } = freezeThresholds(folded, chip, { threshold: options.threshold, ...(options.calibration ? { calibration: options.calibration } : {}) });
    return { output: model, diagnostics };
  },
  print: printFrozen,
};

export const quantizePass: Pass<FrozenModel, QuantizedNetwork> = {
  name: 'quantize',
  run: (frozen, { chip, options }) => {
    const { network, diagnostics } = quantize(frozen, chip, inputBoundOf(options.calibration?.input));
    return { output: network, diagnostics };
  },
  print: printQuantized,
};

export const lowerToSynapsesPass: Pass<QuantizedNetwork, LoweredNetwork> = {
  name: 'lower-to-synapses',
  run: (network) => ({ output: lowerToSynapses(network), diagnostics: [] }),
  print: printLowered,
};

export const partitionPass: Pass<LoweredNetwork, PartitionedNetwork> = {
  name: 'partition',
  run: (lowered, { chip, options }) => {
    // Learning layers are known before partitioning: their synapses store a tag each, which a core must fit.
    const learning = new Set(options.learning ? learningLayers(lowered.network, options.learning.layers) : []);
    const result = partition(lowered.network, chip, learning);
    return { output: { lowered, learningLayers: learning, partition: result.partition }, diagnostics: result.diagnostics };
  },
  print: (partitioned) => printPartition(partitioned.partition),
};

export const placePass: Pass<PartitionedNetwork, PlacedNetwork> = {
  name: 'place',
  run: ({ lowered, learningLayers, partition }, { chip, options }) => {
    const { placement, diagnostics } = place(partition, chip, options.chips);
    return { output: { lowered, learningLayers, placement }, diagnostics };
  },
  print: (placed) => printPlacement(placed.placement),
};

export const routePass: Pass<PlacedNetwork, RoutedNetwork> = {
  name: 'route',
  run: (placed, { chip }) => ({ output: { ...placed, cores: route(placed.placement, chip) }, diagnostics: [] }),
  print: (routed) => printRoutes(routed),
};

export const emitPass: Pass<RoutedNetwork, ChipProgram> = {
  name: 'emit',
  run: ({ lowered, learningLayers, placement, cores }, { chip, options }) => {
    const notes = [`threshold=${options.threshold}`, `chips=${options.chips}`];
    return { output: emit(lowered, cores, chip, { notes, chipCount: placement.chipCount, learningLayers }), diagnostics: [] };
  },
  print: (program) => printChipProgram(program),
};

export const configureLearningPass: Pass<ChipProgram, ChipProgram> = {
  name: 'configure-learning',
  run: (program, { chip, options }) => ({ output: options.learning ? configureLearning(program, chip, options.learning) : program, diagnostics: [] }),
  print: (program) => printChipProgram(program),
};

/** The pass list, in order: Model -> ChipProgram. */
export const PIPELINE = Pipeline.from<Model>()
  .then(readOutOutputPass)
  .then(foldNormPass)
  .then(freezeThresholdsPass)
  .then(quantizePass)
  .then(lowerToSynapsesPass)
  .then(partitionPass)
  .then(placePass)
  .then(routePass)
  .then(emitPass)
  .then(configureLearningPass);

/** Every pass name, in order (what `compile --print-after` accepts). */
export const PASS_NAMES: readonly string[] = PIPELINE.passes.map((pass) => pass.name);

export interface Compilation {
  /** Null when a pass found an error that leaves nothing to emit. */
  readonly program: ChipProgram | null;
  readonly diagnostics: readonly Diagnostic[];
  readonly ok: boolean;
  /** Every pass's output, in pass order, for printing (pass.ts: printStage) and golden tests. */
  readonly stages: readonly Stage[];
}

/** The passes, then check. */
export function compile(model: Model, chip: ChipSpec, options: CompileOptions): Compilation {
  const modelSha256 = modelFileSha256(model);
  const { output: program, stages, diagnostics } = PIPELINE.run(model, { chip, options, modelSha256 });
  const all = dedupe([...diagnostics, ...check(program, chip)]);
  return { program, diagnostics: all, ok: !hasErrors(all), stages };
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => (seen.has(d.message) ? false : (seen.add(d.message), true)));
}
