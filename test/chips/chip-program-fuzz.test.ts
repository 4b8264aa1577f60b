import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChipProgramError } from '../../chips/errors.js';
import {
  CHIP_FAMILY_VALUES,
  IR_VERSION,
  SOURCE_KINDS,
  THRESHOLD_POLICIES,
  type ChipProgram,
  type Core,
  type Layer,
  type LearningRuleKind,
  type ProbeVariable,
  type Range,
} from '../../chips/ir/chip-program.js';
import { learningRuleKindOf } from '../../chips/ir/ir-enum-text.js';
import { decodeChipProgram, encodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { printChipProgram } from '../../chips/ir/print-chip-program.js';
import { getChip } from '../../chips/registry.js';
import { emptyCoresBomb } from '../helpers/hostile-programs.js';
import { allowedGrowth, memoryGrowthDuring, withBudget } from '../helpers/memory-growth.js';

const NUM_RUNS = 300;

/** The only acceptable outcomes: a program that re-encodes and decodes to itself, or a ChipProgramError. */
function decodesOrRejectsCleanly(bytes: Uint8Array): void {
  let program: ChipProgram;
  try {
    program = decodeChipProgram(bytes, 'fuzz.chip.pb');
  } catch (error) {
    if (!(error instanceof ChipProgramError)) throw error;
    expect(error.file).toBe('fuzz.chip.pb');
    return;
  }
  expect(decodeChipProgram(encodeChipProgram(program), 'again.chip.pb')).toStrictEqual(program);
}

// --- Valid programs: layers chained shape to shape, cores with ranges inside their layer ---

interface LayerPlan {
  conv: boolean;
  pooling: { kernel: number; stride: number; adaptive: boolean } | null;
  outputs: number;
  kernel: number;
  stride: number;
  pad: number;
  spiking: boolean;
  subtract: boolean;
  constantThreshold: boolean;
}

const layerPlan: fc.Arbitrary<LayerPlan> = fc.record({
  conv: fc.boolean(),
  pooling: fc.option(fc.record({ kernel: fc.integer({ min: 1, max: 2 }), stride: fc.integer({ min: 1, max: 2 }), adaptive: fc.boolean() }), { nil: null }),
  outputs: fc.integer({ min: 1, max: 3 }),
  kernel: fc.integer({ min: 1, max: 3 }),
  stride: fc.integer({ min: 1, max: 2 }),
  pad: fc.integer({ min: 0, max: 1 }),
  spiking: fc.boolean(),
  subtract: fc.boolean(),
  constantThreshold: fc.boolean(),
});

const windows = (size: number, kernel: number, stride: number, pad = 0) => (size + 2 * pad < kernel ? 0 : Math.floor((size + 2 * pad - kernel) / stride) + 1);

/** Layer i with its arrays empty; geometry that would not fit the grid falls back to a 1x1 window. */
function layerSkeleton(plan: LayerPlan, source: number[], timesteps: number, index: number): Layer {
  let grid = source;
  const connection: Layer['connection'] = { weightExponent: 0, weightBits: 8 };
  const { pooling } = plan;
  if (pooling && source.length === 3) {
    const [channels = 1, height = 1, width = 1] = source;
    const fits = windows(height, pooling.kernel, pooling.stride) > 0 && windows(width, pooling.kernel, pooling.stride) > 0;
    const pooledShape = pooling.adaptive
      ? [channels, Math.ceil(height / 2), Math.ceil(width / 2)]
      : [channels, windows(height, pooling.kernel, pooling.stride), windows(width, pooling.kernel, pooling.stride)];
    if (pooling.adaptive || fits) {
      connection.pooling = { kernelH: pooling.kernel, kernelW: pooling.kernel, strideH: pooling.stride, strideW: pooling.stride, pooledShape, adaptive: pooling.adaptive };
      grid = pooledShape;
    }
  }
  let shape: number[];
  if (plan.conv && grid.length === 3) {
    const [inChannels = 1, height = 1, width = 1] = grid;
    const fits = windows(height, plan.kernel, plan.stride, plan.pad) > 0 && windows(width, plan.kernel, plan.stride, plan.pad) > 0;
    const [kernel, stride, pad] = fits ? [plan.kernel, plan.stride, plan.pad] : [1, 1, 0];
    shape = [plan.outputs, windows(height, kernel, stride, pad), windows(width, kernel, stride, pad)];
    connection.conv = {
      inChannels,
      outChannels: plan.outputs,
      kernelH: kernel,
      kernelW: kernel,
      strideH: stride,
      strideW: stride,
      padH: pad,
      padW: pad,
      weights: new Int32Array(0),
    };
  } else {
    shape = [plan.outputs, 1, 1];
    connection.dense = { inFeatures: grid.reduce((n, size) => n * size, 1), outFeatures: plan.outputs, weights: new Int32Array(0) };
  }
  return {
    name: `layer${index}`,
    kind: plan.spiking ? 'LAYER_SPIKING' : 'LAYER_OUTPUT',
    shape,
    sourceShape: source,
    connection,
    neuron: {
      du: 0,
      dv: 0,
      thresholdMantissa: new Array<number>(plan.constantThreshold ? 1 : timesteps).fill(0),
      reset: plan.subtract ? 'RESET_SUBTRACT' : 'RESET_ZERO',
      biasMantissa: new Int32Array(0),
      biasExponent: [],
    },
    startStep: index,
    scale: 1,
    quantization: { weightMaxError: 0, weightRmsError: 0, thresholdMaxError: 0, biasMaxError: 0, decayFloat: 0, decayChip: 0, thresholdPolicy: 'THRESHOLD_NONE' },
  };
}

const int32Values = (length: number) => fc.int32Array({ minLength: length, maxLength: length });
const text = fc.string({ unit: 'binary', maxLength: 12 });
const anyDouble = fc.double();

/** Fill a skeleton layer's arrays and free numbers with arbitrary values of the right lengths. */
function filledLayer(skeleton: Layer): fc.Arbitrary<Layer> {
  const outputs = skeleton.connection.conv?.outChannels ?? skeleton.connection.dense!.outFeatures;
  return fc
    .record({
      name: text,
      weights: int32Values(weightCount(skeleton)),
      weightExponent: fc.integer({ min: -8, max: 8 }),
      du: fc.integer({ min: 0, max: 4095 }),
      dv: fc.integer({ min: 0, max: 4095 }),
      thresholds: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), {
        minLength: skeleton.neuron.thresholdMantissa.length,
        maxLength: skeleton.neuron.thresholdMantissa.length,
      }),
      biasMantissa: int32Values(outputs),
      biasExponent: fc.array(fc.nat(7), { minLength: outputs, maxLength: outputs }),
      scale: anyDouble,
      errors: fc.array(anyDouble, { minLength: 6, maxLength: 6 }),
      policy: fc.constantFrom(...THRESHOLD_POLICIES),
    })
    .map((v) => {
      const layer = structuredClone(skeleton);
      Object.assign(layer.connection.conv ?? layer.connection.dense!, { weights: v.weights });
      layer.name = v.name;
      layer.connection.weightExponent = v.weightExponent;
      Object.assign(layer.neuron, { du: v.du, dv: v.dv, thresholdMantissa: v.thresholds, biasMantissa: v.biasMantissa, biasExponent: v.biasExponent });
      layer.scale = v.scale;
      const [weightMaxError, weightRmsError, thresholdMaxError, biasMaxError, decayFloat, decayChip] = v.errors as [number, number, number, number, number, number];
      layer.quantization = { weightMaxError, weightRmsError, thresholdMaxError, biasMaxError, decayFloat, decayChip, thresholdPolicy: v.policy };
      return layer;
    });
}

function weightCount(layer: Layer): number {
  const { conv, dense } = layer.connection;
  return conv ? conv.outChannels * conv.inChannels * conv.kernelH * conv.kernelW : dense!.outFeatures * dense!.inFeatures;
}

/** A range inside [0, size): two picks ordered. */
function rangeWithin(size: number, a: number, b: number): Range {
  const [begin, end] = [a % (size + 1), b % (size + 1)].sort((x, y) => x - y) as [number, number];
  return { begin, end };
}

const corePlan = fc.record({
  layer: fc.nat(),
  partial: fc.boolean(),
  picks: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
  place: fc.array(fc.nat(15), { minLength: 3, maxLength: 3 }),
  usage: fc.array(fc.nat(2 ** 20), { minLength: 6, maxLength: 6 }),
  synapseBits: fc.maxSafeNat(),
  annMode: fc.boolean(),
  routes: fc.array(fc.record({ to: fc.nat(), hops: fc.array(fc.nat(20), { minLength: 4, maxLength: 4 }), multicast: fc.boolean() }), { maxLength: 3 }),
});

type CorePlan = typeof corePlan extends fc.Arbitrary<infer T> ? T : never;

function buildCores(layers: Layer[], plans: CorePlan[], ids: number[], chipCount: number): Core[] {
  const cores = plans.map((plan, i): Core => {
    const layerIndex = plan.layer % layers.length;
    const layer = layers[layerIndex]!;
    const sourceChannels = layer.connection.conv?.inChannels ?? layer.connection.dense!.inFeatures;
    const [p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0] = plan.picks;
    const [tileX = 0, tileY = 0, slot = 0] = plan.place;
    const [neurons = 0, inputAxons = 0, outputAxons = 0, synapses = 0, fanIn = 0, chip = 0] = plan.usage;
    return {
      id: ids[i]!,
      chip: chip % chipCount,
      tileX,
      tileY,
      slot,
      layer: layerIndex,
      role: 'CORE_SOMA',
      annMode: plan.annMode,
      channels: rangeWithin(layer.shape[0]!, p0, p1),
      rows: rangeWithin(layer.shape[1]!, p2, p3),
      cols: rangeWithin(layer.shape[2]!, p4, p5),
      fanIn: rangeWithin(sourceChannels, p6, p7),
      somaCore: 0,
      usage: { neurons, inputAxons, outputAxons, synapseBits: plan.synapseBits, synapses, fanIn },
      routes: plan.routes.map((route) => {
        const [hopsEastWest = 0, hopsNorthSouth = 0, chipCrossings = 0, fanOut = 0] = route.hops;
        return { destinationCore: ids[route.to % ids.length]!, hopsEastWest, hopsNorthSouth, chipCrossings, fanOut, multicast: route.multicast };
      }),
    };
  });
  // The first core of each layer stays a soma core, so that a later core of the layer can be partial and send to it.
  for (const [i, core] of cores.entries()) {
    const soma = cores.find((other) => other.layer === core.layer)!;
    if (plans[i]!.partial && soma !== core) Object.assign(core, { role: 'CORE_PARTIAL', somaCore: soma.id });
  }
  return cores;
}

/** A host-computed first layer keeps its weights in the input map (as floats) and none on chip. */
function hostHoldsFirstLayer(program: ChipProgram): ChipProgram {
  if (program.input.placement !== 'INPUT_HOST') return program;
  const [first, ...rest] = program.layers;
  const connection = first!.connection;
  const onChip = connection.conv?.weights ?? connection.dense?.weights ?? new Int32Array(0);
  const emptied = connection.conv
    ? { ...connection, conv: { ...connection.conv, weights: new Int32Array(0) } }
    : { ...connection, dense: { ...connection.dense!, weights: new Int32Array(0) } };
  return {
    ...program,
    input: { ...program.input, hostWeights: Float32Array.from(onChip, (m) => m / 128) },
    layers: [{ ...first!, connection: emptied }, ...rest],
  };
}

const validProgram: fc.Arbitrary<ChipProgram> = fc
  .record({
    input: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })),
    timesteps: fc.integer({ min: 1, max: 6 }),
    layers: fc.array(layerPlan, { minLength: 1, maxLength: 3 }),
  })
  .chain(({ input, timesteps, layers: plans }) => {
    const skeletons: Layer[] = [];
    for (const [index, plan] of plans.entries()) {
      skeletons.push(layerSkeleton(plan, skeletons[index - 1]?.shape ?? [...input], timesteps, index));
    }
    return fc
      .record({
        chipName: fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
        chipFamily: fc.constantFrom(...CHIP_FAMILY_VALUES),
        source: fc.record({ name: text, sha256: fc.stringMatching(/^[0-9a-f]{0,64}$/), kind: fc.constantFrom(...SOURCE_KINDS) }),
        chipCount: fc.integer({ min: 1, max: 4 }),
        placement: fc.constantFrom('INPUT_GRADED_SPIKES', 'INPUT_ANN_CORE', 'INPUT_HOST') as fc.Arbitrary<ChipProgram['input']['placement']>,
        payloadBits: fc.nat(16),
        valueScale: anyDouble,
        hostWeights: fc.float32Array({ maxLength: 20 }),
        hostBias: fc.float32Array({ maxLength: 4 }),
        layers: fc.tuple(...skeletons.map(filledLayer)),
        coreIds: fc.uniqueArray(fc.nat(4096), { maxLength: 5 }),
        cores: fc.array(corePlan, { minLength: 5, maxLength: 5 }),
        probes: fc.array(fc.record({ layer: fc.nat(), variable: fc.constantFrom('PROBE_VOLTAGE', 'PROBE_SPIKES') as fc.Arbitrary<ProbeVariable> }), { maxLength: 2 }),
        learning: fc.record({ layers: fc.array(fc.nat(), { maxLength: 2 }), rule: text, epochSteps: fc.nat(63), settings: fc.array(text, { maxLength: 2 }) }),
        notes: fc.array(text, { maxLength: 3 }),
      })
      .map((v): ChipProgram =>
        hostHoldsFirstLayer({
          irVersion: IR_VERSION,
          chipName: v.chipName,
          chipFamily: v.chipFamily,
          source: { ...v.source }, // fc.record builds null-prototype objects; a program is plain records
          timesteps,
          chipCount: v.chipCount,
          input: { shape: [...input], placement: v.placement, payloadBits: v.payloadBits, valueScale: v.valueScale, hostWeights: v.hostWeights, hostBias: v.hostBias },
          layers: v.layers,
          cores: buildCores(v.layers, v.cores.slice(0, v.coreIds.length), v.coreIds, v.chipCount),
          probes: v.probes.map((probe) => ({ layer: probe.layer % v.layers.length, variable: probe.variable })),
          learning: { ...v.learning, layers: v.learning.layers.map((layer) => layer % v.layers.length), ruleKind: ruleKindFor(v.learning) },
          notes: v.notes,
        }),
      );
  });

/** The kind a valid program's rule has: none without learning layers, else its preset or written rules. */
function ruleKindFor(learning: { layers: readonly number[]; rule: string }): LearningRuleKind {
  if (learning.layers.length === 0) return 'LEARNING_NONE';
  const kind = learningRuleKindOf(learning.rule);
  return kind === 'LEARNING_NONE' ? 'LEARNING_WRITTEN' : kind;
}

// --- Hostile bytes ---

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
);

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let result = Array.from(bytes);
  const indexFor = (at: number) => (result.length === 0 ? 0 : at % result.length);
  for (const m of mutations) {
    const at = indexFor(m.at);
    if (m.kind === 'flip') result[at] = (result[at] ?? 0) ^ (1 << m.bit);
    else if (m.kind === 'set') result[at] = m.value;
    else if (m.kind === 'truncate') result = result.slice(0, at);
    else if (m.kind === 'insert') result.splice(at, 0, ...m.bytes);
    else result.splice(at, 1);
  }
  return Uint8Array.from(result);
}

/** Paths to every plain number of a program (typed arrays left out), so that one can be changed. */
function numberPaths(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value === 'number') return [path];
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => numberPaths(child, [...path, Array.isArray(value) ? Number(key) : key]));
}

function withNumberChanged(program: ChipProgram, pick: number, value: number): ChipProgram {
  const changed = structuredClone(program);
  const paths = numberPaths(changed).filter((path) => path[0] !== 'irVersion');
  const path = paths[pick % paths.length]!;
  let owner = changed as unknown as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) owner = owner[key] as Record<string | number, unknown>;
  owner[path.at(-1)!] = value;
  return changed;
}

describe('decodeChipProgram on hostile bytes', () => {
  it('returns a program or throws ChipProgramError for random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), decodesOrRejectsCleanly), { numRuns: NUM_RUNS });
  });

  it('returns a program or throws ChipProgramError for random bytes behind ir_version = 1', () => {
    const versionField = [0x08, IR_VERSION];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (rest) => decodesOrRejectsCleanly(Uint8Array.from([...versionField, ...rest]))),
      { numRuns: NUM_RUNS },
    );
  });

  it('returns a program or throws ChipProgramError for mutated valid files', () => {
    fc.assert(
      fc.property(validProgram, fc.array(mutation, { minLength: 1, maxLength: 4 }), (program, mutations) => decodesOrRejectsCleanly(mutate(encodeChipProgram(program), mutations))),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('decodeChipProgram on programs with one number changed', () => {
  it('returns a valid program or throws ChipProgramError naming the problem', () => {
    fc.assert(
      fc.property(validProgram, fc.nat(), fc.oneof(fc.nat(4), fc.nat(2 ** 31 - 1)), (program, pick, value) =>
        decodesOrRejectsCleanly(encodeChipProgram(withNumberChanged(program, pick, value))),
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('valid programs', () => {
  it('decode to what was encoded, and re-encode to the same bytes', () => {
    fc.assert(
      fc.property(validProgram, (program) => {
        const bytes = encodeChipProgram(program);
        const decoded = decodeChipProgram(bytes, 'valid.chip.pb');
        expect(decoded).toStrictEqual(program);
        expect(encodeChipProgram(decoded)).toEqual(bytes);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('print without throwing, the same text each time', () => {
    fc.assert(
      fc.property(validProgram, fc.constantFrom('loihi', 'loihi2', 'tianjic'), (program, chip) => {
        const spec = getChip(chip);
        expect(printChipProgram(program, spec)).toBe(printChipProgram(structuredClone(program), spec));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('decodeChipProgram within the memory budget', () => {
  it('programs of many records (empty cores: 2 bytes each on the wire) allocate no more than the budget allows', () => {
    const budgetMiB = 8;
    withBudget(budgetMiB, () =>
      fc.assert(
        fc.property(fc.nat(200_000), (cores) => {
          const bytes = emptyCoresBomb(cores, IR_VERSION);
          return memoryGrowthDuring(() => decodesOrRejectsCleanly(bytes)) <= allowedGrowth(budgetMiB);
        }),
        { numRuns: 30 },
      ),
    );
  });
});
