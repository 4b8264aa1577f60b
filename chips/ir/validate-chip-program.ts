// Reference: DESIGN.md section 4 (a reader refuses a corrupt file with a clear error); the shapes and lengths the comments of chips/ir/chip_program.proto define.
/**
 * Structural validation: do the parts of a ChipProgram fit together, so that a simulator can index every array
 * without checking again? Whether the program fits a chip (neurons per core, synapse memory...) is the
 * compiler's `check`, not this. Each problem names the layer or core it concerns.
 */
import { ChipProgramError } from '../errors.js';
import { SCHEMA_LIMITS } from '../schema-limits.js';
import {
  READABLE_IR_VERSIONS,
  readableVersionsText,
  type ChipProgram,
  type ConvConnection,
  type Core,
  type DenseConnection,
  type Layer,
  type Pooling,
  type SparseConnection,
} from './chip-program.js';
import { LEARNING_RULE_KIND_TEXT } from './ir-enum-text.js';

/** Throws a ChipProgramError naming `file` and the first problem found; returns when the program is consistent. */
export function validateChipProgram(program: ChipProgram, file: string): void {
  const problem = programProblem(program);
  if (problem !== undefined) throw new ChipProgramError(file, problem);
}

/** How errors and printouts name a layer: its index, which cores and probes refer to, and its name. */
export function layerLabel(index: number, name: string): string {
  if (name === '') return `layer ${index}`;
  // A name with spaces or control characters is quoted, so a message stays on one line and its end is visible.
  return /[\s\p{C}]/u.test(name) ? `layer ${index} (${JSON.stringify(name)})` : `layer ${index} (${name})`;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function programProblem(program: ChipProgram): string | undefined {
  if (!READABLE_IR_VERSIONS.includes(program.irVersion)) return `IR version ${program.irVersion}; ${readableVersionsText()}`;
  if (program.chipSpecSha256 !== undefined && !/^[0-9a-f]{64}$/.test(program.chipSpecSha256))
    return `chip_spec_sha256 ${JSON.stringify(program.chipSpecSha256.slice(0, 80))} is not a SHA-256 in hex`;
  if (program.chipName === '') return 'chip_name is empty';
  if (program.timesteps === 0) return 'timesteps is 0; an inference runs at least one step';
  if (program.chipCount === 0) return 'chip_count is 0; a program uses at least one chip';
  const bound = sizeBound([
    ['timesteps', program.timesteps, SCHEMA_LIMITS.timesteps],
    ['chip_count', program.chipCount, SCHEMA_LIMITS.chips],
    ['input shape (values)', product(program.input.shape), SCHEMA_LIMITS.layerNeurons],
    ['cores (count)', program.cores.length, program.chipCount * SCHEMA_LIMITS.coresPerChip],
  ]);
  if (bound !== undefined) return bound;
  if (program.layers.length === 0) return 'the program has no layers';
  if (program.input.placement === 'INPUT_PLACEMENT_UNSPECIFIED') return 'input placement is unspecified';
  if (!isGrid(program.input.shape, program.input.shape.length)) return `input shape ${formatShape(program.input.shape)} has no values`;
  for (const [index, layer] of program.layers.entries()) {
    const sourceIndex = index - 1 - (layer.sourceSkip ?? 0);
    if (index > 0 && sourceIndex < 0) return `${layerLabel(index, layer.name)}: source_skip ${layer.sourceSkip} reaches before the first layer`;
    const previous = index === 0 ? undefined : program.layers[sourceIndex];
    const expectedSource = previous
      ? { shape: previous.shape, what: `the shape of ${layerLabel(sourceIndex, previous.name)}` }
      : { shape: program.input.shape, what: 'the input shape' };
    const onHost = index === 0 && program.input.placement === 'INPUT_HOST' ? program.input.hostWeights.length : null;
    const problem = layerProblem(layer, expectedSource, program.timesteps, onHost) ?? branchesProblem(program, index);
    if (problem !== undefined) return `${layerLabel(index, layer.name)}: ${problem}`;
  }
  return coresProblem(program) ?? probesProblem(program) ?? learningProblem(program);
}

/**
 * A layer's branches read earlier layers with their own synapses onto its neurons, delayed so that local steps
 * meet: the delay must be the layer's start step - 1 - the source's.
 */
function branchesProblem(program: ChipProgram, index: number): string | undefined {
  const layer = program.layers[index]!;
  const main = program.layers[index - 1 - (layer.sourceSkip ?? 0)];
  if (index > 0 && main && !layer.recurrent && layer.startStep !== main.startStep + 1) {
    return `start_step ${layer.startStep} is not one after its source's (${main.startStep}): its main synapses have no delay`;
  }
  for (const [k, branch] of (layer.branches ?? []).entries()) {
    const source = program.layers[branch.sourceLayer];
    if (branch.sourceLayer >= index || !source) return `branch ${k} reads layer ${branch.sourceLayer}, which does not come before it`;
    if (!sameShape(branch.sourceShape, source.shape))
      return `branch ${k} source_shape ${formatShape(branch.sourceShape)} differs from the shape of ${layerLabel(branch.sourceLayer, source.name)} ${formatShape(source.shape)}`;
    const delay = layer.startStep - 1 - source.startStep;
    if (branch.delay !== delay) return `branch ${k} delay ${branch.delay} does not line its source up (start steps ${source.startStep} -> ${layer.startStep} need ${delay})`;
    if (branch.connection.weightExponent !== layer.connection.weightExponent)
      return `branch ${k} weight exponent ${branch.connection.weightExponent} differs from the layer's ${layer.connection.weightExponent} (one accumulator adds them)`;
    const problem = connectionProblem({ ...layer, sourceShape: branch.sourceShape, connection: branch.connection }, null);
    if (problem !== undefined) return `branch ${k}: ${problem}`;
  }
  return undefined;
}

/** A grid of `rank` dimensions, none of them empty. */
function isGrid(shape: readonly number[], rank: number): boolean {
  return shape.length === rank && rank > 0 && shape.every((size) => size > 0);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}

function product(shape: readonly number[]): number {
  return shape.reduce((n, size) => n * size, 1);
}

function inBound(value: number, limit: number): boolean {
  return value >= 0 && value <= limit;
}

/** The first of `[field, value, limit]` whose value is outside 0..limit, as an error (int32 fields may be negative). */
function sizeBound(bounds: readonly (readonly [string, number, number])[]): string | undefined {
  const over = bounds.find(([, value, limit]) => !inBound(value, limit));
  if (over === undefined) return undefined;
  const [field, value, limit] = over;
  return value < 0 ? `${field} ${value} is outside 0..${limit}` : `${field} ${value} is over the limit of ${limit}`;
}

function layerProblem(layer: Layer, expectedSource: { shape: readonly number[]; what: string }, timesteps: number, hostWeights: number | null): string | undefined {
  if (layer.kind === 'LAYER_KIND_UNSPECIFIED') return 'kind is unspecified';
  if (!isGrid(layer.shape, 3)) return `shape ${formatShape(layer.shape)} is not a [C, H, W] grid`;
  const { neuron } = layer;
  const bound = sizeBound([
    [`shape ${formatShape(layer.shape)} (neurons)`, product(layer.shape), SCHEMA_LIMITS.layerNeurons],
    [`source_shape ${formatShape(layer.sourceShape)} (values)`, product(layer.sourceShape), SCHEMA_LIMITS.layerNeurons],
    ['start_step', layer.startStep, SCHEMA_LIMITS.timesteps + SCHEMA_LIMITS.timesteps],
    ['neuron.du', neuron.du, 2 ** SCHEMA_LIMITS.decayBits],
    ['neuron.dv', neuron.dv, 2 ** SCHEMA_LIMITS.decayBits],
    ['neuron.refractory_steps', neuron.refractorySteps ?? 0, SCHEMA_LIMITS.timesteps],
  ]);
  if (bound !== undefined) return bound;
  // A recurrent layer reads its own neurons.
  const source = layer.recurrent ? { shape: layer.shape, what: 'its own shape (recurrent)' } : expectedSource;
  if (!sameShape(layer.sourceShape, source.shape)) {
    return `source_shape ${formatShape(layer.sourceShape)} differs from ${source.what} ${formatShape(source.shape)}`;
  }
  return connectionProblem(layer, hostWeights) ?? neuronProblem(layer, timesteps);
}

function connectionProblem(layer: Layer, hostWeights: number | null): string | undefined {
  const { pooling, conv, dense, sparse } = layer.connection;
  if ([conv, dense, sparse].filter(Boolean).length > 1) return 'connection has more than one of conv, dense and sparse';
  let grid: readonly number[] = layer.sourceShape;
  if (pooling) {
    const problem = poolingProblem(pooling, grid);
    if (problem !== undefined) return problem;
    grid = pooling.pooledShape;
  }
  if (conv) return convProblem(conv, grid, layer.shape, hostWeights);
  if (dense) return denseProblem(dense, grid, layer.shape, hostWeights);
  if (sparse) return sparseProblem(sparse, grid, layer.shape);
  return 'connection has neither conv nor dense';
}

function sparseProblem(sparse: SparseConnection, grid: readonly number[], shape: readonly number[]): string | undefined {
  const { inFeatures, outFeatures, rowStart, targets, weights } = sparse;
  if (inFeatures !== product(grid)) return `sparse in_features ${inFeatures} differs from the ${product(grid)} values of ${formatShape(grid)} it reads`;
  if (outFeatures !== product(shape)) return `sparse out_features ${outFeatures} differs from the ${product(shape)} neurons of shape ${formatShape(shape)}`;
  if (rowStart.length !== inFeatures + 1) return `sparse row_start has ${rowStart.length} entries, expected in_features + 1 = ${inFeatures + 1}`;
  if (rowStart[0] !== 0 || rowStart[inFeatures] !== targets.length) return `sparse row_start must run from 0 to the ${targets.length} targets`;
  for (let i = 0; i < inFeatures; i++) if (rowStart[i + 1]! < rowStart[i]!) return `sparse row_start decreases at source ${i}`;
  if (weights.length !== targets.length) return `sparse has ${targets.length} targets and ${weights.length} weights`;
  const bad = targets.findIndex((t) => t >= outFeatures);
  if (bad >= 0) return `sparse target ${targets[bad]} at synapse ${bad} is beyond the ${outFeatures} neurons`;
  return undefined;
}

/** Windows of `kernel` every `stride` over `size` values, no padding (PyTorch's floor rule). */
function windowCount(size: number, kernel: number, stride: number, padding = 0): number {
  const span = size + 2 * padding - kernel;
  return span < 0 ? 0 : Math.floor(span / stride) + 1;
}

function poolingProblem(pooling: Pooling, source: readonly number[]): string | undefined {
  const pooled = pooling.pooledShape;
  if (!isGrid(source, 3)) return `pooling needs a [C, H, W] source, not ${formatShape(source)}`;
  if (!isGrid(pooled, 3)) return `pooling pooled_shape ${formatShape(pooled)} is not a [C, H, W] grid`;
  if (pooled[0] !== source[0]) return `pooling pooled_shape ${formatShape(pooled)} changes the ${source[0]} source channels`;
  const [, height = 0, width = 0] = source;
  if (pooling.adaptive) {
    const fits = pooled[1]! <= height && pooled[2]! <= width;
    return fits ? undefined : `adaptive pooling of ${formatShape(source)} cannot give more values (${formatShape(pooled)})`;
  }
  const { kernelH, kernelW, strideH, strideW } = pooling;
  if (Math.min(kernelH, kernelW, strideH, strideW) === 0) return `pooling kernel ${kernelH}x${kernelW} stride ${strideH}x${strideW} has a zero`;
  const expected = [source[0]!, windowCount(height, kernelH, strideH), windowCount(width, kernelW, strideW)];
  if (!sameShape(pooled, expected)) {
    return `pooling ${kernelH}x${kernelW} stride ${strideH}x${strideW} of ${formatShape(source)} gives ${formatShape(expected)}, not pooled_shape ${formatShape(pooled)}`;
  }
  return undefined;
}

function convProblem(conv: ConvConnection, grid: readonly number[], shape: readonly number[], hostWeights: number | null): string | undefined {
  const { inChannels, outChannels, kernelH, kernelW, strideH, strideW, padH, padW } = conv;
  if (!isGrid(grid, 3)) return `conv reads a [C, H, W] grid, not ${formatShape(grid)}`;
  if (inChannels !== grid[0]) return `conv in_channels ${inChannels} differs from the ${grid[0]} channels of ${formatShape(grid)} it reads`;
  if (Math.min(kernelH, kernelW, strideH, strideW) === 0) return `conv kernel ${kernelH}x${kernelW} stride ${strideH}x${strideW} has a zero`;
  const expected = [outChannels, windowCount(grid[1]!, kernelH, strideH, padH), windowCount(grid[2]!, kernelW, strideW, padW)];
  if (!sameShape(shape, expected)) {
    return `conv ${kernelH}x${kernelW} stride ${strideH}x${strideW} pad ${padH}x${padW} with ${outChannels} outputs over ${formatShape(grid)} gives ${formatShape(expected)}, not shape ${formatShape(shape)}`;
  }
  const weightCount = outChannels * inChannels * kernelH * kernelW;
  // A host-computed first layer keeps its weights in the input map, as floats.
  if (hostWeights !== null) {
    if (conv.weights.length !== 0 || hostWeights !== weightCount)
      return `host-computed layer has ${hostWeights} host weights and ${conv.weights.length} on-chip weights, expected ${weightCount} host weights`;
    return undefined;
  }
  if (conv.weights.length !== weightCount) {
    return `conv weights has ${conv.weights.length} values, expected ${outChannels}*${inChannels}*${kernelH}*${kernelW} = ${weightCount}`;
  }
  return undefined;
}

function denseProblem(dense: DenseConnection, grid: readonly number[], shape: readonly number[], hostWeights: number | null): string | undefined {
  const { inFeatures, outFeatures } = dense;
  if (inFeatures !== product(grid)) return `dense in_features ${inFeatures} differs from the ${product(grid)} values of ${formatShape(grid)} it reads`;
  if (outFeatures !== product(shape)) return `dense out_features ${outFeatures} differs from the ${product(shape)} neurons of shape ${formatShape(shape)}`;
  if (hostWeights !== null) {
    if (dense.weights.length !== 0 || hostWeights !== outFeatures * inFeatures)
      return `host-computed layer has ${hostWeights} host weights and ${dense.weights.length} on-chip weights, expected ${outFeatures * inFeatures} host weights`;
    return undefined;
  }
  if (dense.weights.length !== outFeatures * inFeatures) {
    return `dense weights has ${dense.weights.length} values, expected ${outFeatures}*${inFeatures} = ${outFeatures * inFeatures}`;
  }
  return undefined;
}

function neuronProblem(layer: Layer, timesteps: number): string | undefined {
  const { thresholdMantissa, biasMantissa, biasExponent, reset } = layer.neuron;
  // An output layer accumulates and never fires, so it has no threshold.
  const allowed = layer.kind === 'LAYER_OUTPUT' ? [0, 1, timesteps] : [1, timesteps];
  if (!allowed.includes(thresholdMantissa.length)) {
    return `threshold_mantissa has ${thresholdMantissa.length} values, expected ${layer.kind === 'LAYER_OUTPUT' ? '0, ' : ''}1 or timesteps = ${timesteps}`;
  }
  const conv = layer.connection.conv;
  const outputs = conv ? conv.outChannels : (layer.connection.dense?.outFeatures ?? layer.connection.sparse?.outFeatures ?? 0);
  const perWhat = conv ? 'output channel' : 'output feature';
  if (biasMantissa.length !== outputs) return `bias_mantissa has ${biasMantissa.length} values, expected ${outputs} (one per ${perWhat})`;
  if (biasExponent.length !== biasMantissa.length) {
    return `bias_exponent has ${biasExponent.length} values but bias_mantissa has ${biasMantissa.length}`;
  }
  if (layer.kind === 'LAYER_SPIKING' && reset === 'RESET_MODE_UNSPECIFIED') return 'a spiking layer needs a reset mode (reset is unspecified)';
  const initial = layer.neuron.initialVoltage;
  if (initial && initial.length !== 0 && initial.length !== product(layer.shape)) {
    return `initial_voltage has ${initial.length} values, expected none or one per neuron (${product(layer.shape)})`;
  }
  return undefined;
}

function coresProblem(program: ChipProgram): string | undefined {
  const coresById = new Map<number, Core>();
  for (const core of program.cores) {
    if (coresById.has(core.id)) return `core ${core.id}: two cores have this id`;
    coresById.set(core.id, core);
  }
  for (const core of program.cores) {
    const problem = coreProblem(core, program, coresById);
    if (problem !== undefined) return `core ${core.id}: ${problem}`;
  }
  return undefined;
}

function coreProblem(core: Core, program: ChipProgram, coresById: ReadonlyMap<number, Core>): string | undefined {
  if (core.chip >= program.chipCount) return `chip ${core.chip} is not below chip_count ${program.chipCount}`;
  // Positions and hops index the simulator's mesh arrays and loops; no chip spec's mesh is larger than this.
  const meshSpan = SCHEMA_LIMITS.meshSideTiles * SCHEMA_LIMITS.chips;
  const bound = sizeBound([
    ['id', core.id, program.chipCount * SCHEMA_LIMITS.coresPerChip - 1],
    ['tile_x', core.tileX, SCHEMA_LIMITS.meshSideTiles - 1],
    ['tile_y', core.tileY, SCHEMA_LIMITS.meshSideTiles - 1],
    ['slot', core.slot, SCHEMA_LIMITS.coresPerTile - 1],
    ['usage.neurons', core.usage.neurons, SCHEMA_LIMITS.neuronsPerCore],
    ['usage.input_axons', core.usage.inputAxons, SCHEMA_LIMITS.axonsPerCore],
    ['usage.output_axons', core.usage.outputAxons, SCHEMA_LIMITS.axonsPerCore],
  ]);
  if (bound !== undefined) return bound;
  // ResNet-19 has 3.75 M routes: their bounds are checked without building a list per route.
  for (let r = 0; r < core.routes.length; r += 1) {
    const { hopsEastWest, hopsNorthSouth, chipCrossings } = core.routes[r]!;
    if (inBound(hopsEastWest, meshSpan) && inBound(hopsNorthSouth, SCHEMA_LIMITS.meshSideTiles) && inBound(chipCrossings, SCHEMA_LIMITS.chips)) continue;
    return sizeBound([
      [`routes[${r}].hops_east_west`, hopsEastWest, meshSpan],
      [`routes[${r}].hops_north_south`, hopsNorthSouth, SCHEMA_LIMITS.meshSideTiles],
      [`routes[${r}].chip_crossings`, chipCrossings, SCHEMA_LIMITS.chips],
    ]);
  }
  const layer = program.layers[core.layer];
  if (!layer) return `layer ${core.layer} does not exist (the program has ${program.layers.length} layers)`;
  if (core.role === 'CORE_ROLE_UNSPECIFIED') return 'role is unspecified';
  const label = layerLabel(core.layer, layer.name);
  const { conv, dense } = layer.connection;
  const sourceChannels = conv ? conv.inChannels : (dense?.inFeatures ?? layer.connection.sparse?.inFeatures ?? 0);
  const ranges = [
    { name: 'channels', range: core.channels, size: layer.shape[0] ?? 0, of: 'channels' },
    { name: 'rows', range: core.rows, size: layer.shape[1] ?? 0, of: 'rows' },
    { name: 'cols', range: core.cols, size: layer.shape[2] ?? 0, of: 'columns' },
    { name: 'fan_in', range: core.fanIn, size: sourceChannels, of: conv ? 'source channels' : 'input features' },
  ];
  for (const { name, range, size, of } of ranges) {
    if (range.begin > range.end || range.end > size) {
      return `${name} [${range.begin}, ${range.end}) is not a range within the ${size} ${of} of ${label}`;
    }
  }
  if (core.role === 'CORE_PARTIAL') {
    const soma = coresById.get(core.somaCore);
    if (!soma) return `soma_core ${core.somaCore} is not a core of the program`;
    if (soma.role !== 'CORE_SOMA' || soma.layer !== core.layer) return `soma_core ${core.somaCore} is not a soma core of ${label}`;
  }
  for (const route of core.routes) {
    if (!coresById.has(route.destinationCore)) return `route to core ${route.destinationCore}, which is not a core of the program`;
  }
  return undefined;
}

function probesProblem(program: ChipProgram): string | undefined {
  for (const [index, probe] of program.probes.entries()) {
    if (probe.layer >= program.layers.length) return `probe ${index}: layer ${probe.layer} does not exist (the program has ${program.layers.length} layers)`;
    if (probe.variable === 'PROBE_VARIABLE_UNSPECIFIED') return `probe ${index}: variable is unspecified (PROBE_VOLTAGE or PROBE_SPIKES)`;
  }
  return undefined;
}

function learningProblem(program: ChipProgram): string | undefined {
  const missing = program.learning.layers.find((layer) => layer >= program.layers.length);
  if (missing !== undefined) return `learning: layer ${missing} does not exist (the program has ${program.layers.length} layers)`;
  const learns = program.learning.layers.length > 0;
  if (learns !== (program.learning.ruleKind !== 'LEARNING_NONE')) {
    return learns ? 'learning: rule_kind is LEARNING_NONE, yet layers learn' : `learning: rule_kind is ${program.learning.ruleKind}, yet no layer learns`;
  }
  const preset = LEARNING_RULE_KIND_TEXT[program.learning.ruleKind];
  if (learns && program.learning.ruleKind !== 'LEARNING_WRITTEN' && program.learning.rule !== preset) {
    return `learning: rule ${JSON.stringify(program.learning.rule.slice(0, 80))} is not the preset ${JSON.stringify(preset)} its rule_kind ${program.learning.ruleKind} names`;
  }
  for (const [index, config] of (program.learning.layerConfigs ?? []).entries()) {
    const at = `learning: layer config ${index}`;
    if (!program.learning.layers.includes(config.layer)) return `${at}: layer ${config.layer} is not among the learning layers [${program.learning.layers.join(', ')}]`;
    if (config.epochSteps === 0) return `${at}: epoch_steps is 0; an epoch is at least one step`;
    if (!(Number.isFinite(config.errorScale) && config.errorScale >= 0)) return `${at}: error_scale ${config.errorScale} is not a finite non-negative number`;
    if (config.errorTiming === 'ERROR_TIMING_UNSPECIFIED') return `${at}: error_timing is unspecified (ERROR_PER_STEP or ERROR_PER_EPOCH)`;
    if (config.errorSource === 'ERROR_SOURCE_UNSPECIFIED') return `${at}: error_source is unspecified`;
    if (config.errorSource === 'ERROR_FEEDBACK') {
      const from = program.layers[config.feedbackFrom];
      const layer = program.layers[config.layer]!;
      if (!from) return `${at}: feedback_from ${config.feedbackFrom} does not exist`;
      if (config.feedbackKind === 'FEEDBACK_NONE') return `${at}: error_source is ERROR_FEEDBACK, yet feedback_kind is FEEDBACK_NONE`;
      const expected = gridSize(from.shape) * gridSize(layer.shape);
      if (config.feedbackWeights.length !== expected)
        return `${at}: ${config.feedbackWeights.length} feedback weights, expected ${expected} (${gridSize(from.shape)} x ${gridSize(layer.shape)})`;
    }
  }
  return undefined;
}

function gridSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
