/** Reference: DESIGN.md section 3 (users can pass their own spec file with the same schema) and chip-spec.ts (the
 * schema). One validator for every spec, builtin or user: field by field, then the rules that tie fields together.
 * Returns a fresh, fully typed ChipSpec or throws ChipSpecError naming the JSON path; never throws anything else.
 */
import { ChipSpecError } from '../errors.js';
import { SCHEMA_LIMITS } from '../schema-limits.js';
import { CURRENT_DECAY_OFFSET, DECAY_BITS, INPUT_SHIFT, STATE_BITS, THRESHOLD_MANTISSA_BITS, THRESHOLD_SHIFT, VOLTAGE_DECAY_OFFSET } from '../loihi/spec.js';
import {
  CHIP_FAMILIES,
  CHIP_SPEC_FORMAT,
  COST_ACCOUNTING_CHOICES,
  COST_EVENTS,
  DEFAULT_COST_ACCOUNTING,
  RESET_MODES,
  SPIKE_CONDITIONS,
  type BarrierCost,
  type ChipFamily,
  type ChipSpec,
  type CoreLimits,
  type CostAccounting,
  type CostEvent,
  type CostProfile,
  type EventCost,
  type LearningEngine,
  type MeshSpec,
  type NeuronFeatures,
  type NumberFormat,
  type ResetMode,
  type StateFormat,
  type SynapseMemoryModel,
  type Synchronization,
  type TimingSpec,
  type WeightFormat,
} from './chip-spec.js';
import {
  childPath,
  fail,
  field,
  readArray,
  readBoolean,
  readInteger,
  readLiteral,
  readMap,
  readNullableInteger,
  readNullableNumber,
  readNumber,
  readObject,
  readString,
  type JsonObject,
  type JsonSource,
} from './json-fields.js';

// Bounds of the schema itself (what the toolchain can represent), not limits of any chip.
/** Counts of cores, neurons, axons: they index Int32Arrays. */
const COUNT_MAX = 2 ** 31 - 1;
/** Widths of neuron state and weights: the kernels hold them in Int32Array. */
const WORD_BITS_MAX = 32;
/** Bit totals (synapse memory): exact integers in a double. */
const BITS_TOTAL_MAX = Number.MAX_SAFE_INTEGER;
/** Memory word and group header widths (bits): generous, only to reject absurd input. */
const MEMORY_FIELD_BITS_MAX = 2 ** 16;
/** Shifts and exponents: enough for any 32-bit datapath. */
const SHIFT_MAX = 31;
/** Per-event energy (pJ) and latency (ns): generous, only to reject absurd input. */
const COST_MAX = 1e15;
/** Clock (Hz): 1 Hz .. 1 THz. */
const CLOCK_HZ_MAX = 1e12;

/** Names of chips and cost profiles: no dots, so `unconfirmed` paths split unambiguously on '.'. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

const TOP_KEYS = [
  'format',
  'name',
  'family',
  'reference',
  'unconfirmed',
  'mesh',
  'core',
  'numberFormat',
  'neuron',
  'learning',
  'timing',
  'costProfiles',
  'defaultCostProfile',
] as const;

/** Validate `value` (parsed JSON or a builtin spec object) as a ChipSpec; `file` names it in errors. */
export function validateChipSpec(value: unknown, file: string): ChipSpec {
  const source: JsonSource = { file };
  const root = readObject(source, value, '$', TOP_KEYS);
  // Sections first, so a bad field is reported as itself and not as a stale `unconfirmed` path to it.
  const format = readLiteral(source, field(root, 'format'), '$.format', [CHIP_SPEC_FORMAT]);
  const name = readString(source, field(root, 'name'), '$.name', NAME_PATTERN);
  const family = readLiteral<ChipFamily>(source, field(root, 'family'), '$.family', CHIP_FAMILIES);
  const reference = readString(source, field(root, 'reference'), '$.reference');
  const mesh = readMesh(source, field(root, 'mesh'), '$.mesh');
  const core = readCore(source, field(root, 'core'), '$.core');
  const numberFormat = readNumberFormat(source, field(root, 'numberFormat'), '$.numberFormat');
  const neuron = readNeuron(source, field(root, 'neuron'), '$.neuron');
  const learningValue = field(root, 'learning');
  const learning = learningValue === null ? null : readLearning(source, learningValue, '$.learning');
  const timing = readTiming(source, field(root, 'timing'), '$.timing');
  const costProfiles = readCostProfiles(source, field(root, 'costProfiles'), '$.costProfiles');
  const defaultCostProfile = readDefaultCostProfile(source, field(root, 'defaultCostProfile'), costProfiles);
  const unconfirmed = readUnconfirmedPaths(source, root);
  const spec: ChipSpec = {
    format,
    name,
    family,
    reference,
    unconfirmed,
    mesh,
    core,
    numberFormat,
    neuron,
    learning,
    timing,
    costProfiles,
    defaultCostProfile,
  };
  checkFamilyArithmetic(source, spec);
  return spec;
}

function readUnconfirmedPaths(source: JsonSource, root: JsonObject): readonly string[] {
  const path = '$.unconfirmed';
  const items = readArray(source, field(root, 'unconfirmed'), path);
  return items.map((item, index) => {
    const itemPath = childPath(path, index);
    const dotted = readString(source, item, itemPath);
    // Every listed path must name a field of this spec, so the list cannot silently go stale.
    let node: unknown = root;
    for (const segment of dotted.split('.')) {
      const isObject = typeof node === 'object' && node !== null && !Array.isArray(node);
      if (!isObject || !Object.prototype.hasOwnProperty.call(node, segment)) {
        fail(source, itemPath, 'a dotted path to a field of this spec (e.g. "core.maxNeurons")', dotted);
      }
      node = (node as JsonObject)[segment];
    }
    return dotted;
  });
}

function readMesh(source: JsonSource, value: unknown, path: string): MeshSpec {
  const o = readObject(source, value, path, ['coresPerChip', 'widthTiles', 'heightTiles', 'coresPerTile', 'multicast']);
  const mesh: MeshSpec = {
    coresPerChip: readInteger(source, field(o, 'coresPerChip'), childPath(path, 'coresPerChip'), 1, SCHEMA_LIMITS.coresPerChip),
    widthTiles: readInteger(source, field(o, 'widthTiles'), childPath(path, 'widthTiles'), 1, SCHEMA_LIMITS.meshSideTiles),
    heightTiles: readInteger(source, field(o, 'heightTiles'), childPath(path, 'heightTiles'), 1, SCHEMA_LIMITS.meshSideTiles),
    coresPerTile: readInteger(source, field(o, 'coresPerTile'), childPath(path, 'coresPerTile'), 1, SCHEMA_LIMITS.coresPerTile),
    multicast: readBoolean(source, field(o, 'multicast'), childPath(path, 'multicast')),
  };
  const meshCores = mesh.widthTiles * mesh.heightTiles * mesh.coresPerTile;
  if (mesh.coresPerChip !== meshCores) {
    fail(source, childPath(path, 'coresPerChip'), `widthTiles x heightTiles x coresPerTile = ${meshCores}`, mesh.coresPerChip);
  }
  return mesh;
}

function readCore(source: JsonSource, value: unknown, path: string): CoreLimits {
  const o = readObject(source, value, path, [
    'maxNeurons',
    'maxInputAxons',
    'maxOutputAxons',
    'maxFanIn',
    'sramBytes',
    'synapseMemory',
    'maxCompartmentProfiles',
    'maxThresholdProfiles',
  ]);
  const count = (key: string, max = COUNT_MAX): number => readInteger(source, field(o, key), childPath(path, key), 1, max);
  const nullableCount = (key: string, max = COUNT_MAX): number | null => readNullableInteger(source, field(o, key), childPath(path, key), 1, max);
  const core: CoreLimits = {
    maxNeurons: count('maxNeurons', SCHEMA_LIMITS.neuronsPerCore),
    maxInputAxons: count('maxInputAxons', SCHEMA_LIMITS.axonsPerCore),
    maxOutputAxons: count('maxOutputAxons', SCHEMA_LIMITS.axonsPerCore),
    maxFanIn: nullableCount('maxFanIn', SCHEMA_LIMITS.axonsPerCore),
    sramBytes: readNullableInteger(source, field(o, 'sramBytes'), childPath(path, 'sramBytes'), 1, BITS_TOTAL_MAX),
    synapseMemory: readSynapseMemory(source, field(o, 'synapseMemory'), childPath(path, 'synapseMemory')),
    maxCompartmentProfiles: nullableCount('maxCompartmentProfiles'),
    maxThresholdProfiles: nullableCount('maxThresholdProfiles'),
  };
  if (core.synapseMemory.kind === 'crossbar' && core.sramBytes === null) {
    fail(source, childPath(path, 'sramBytes'), 'the SRAM size in bytes (a crossbar core stores its weights there)', null);
  }
  return core;
}

function readSynapseMemory(source: JsonSource, value: unknown, path: string): SynapseMemoryModel {
  const kind = readLiteral(source, field(readMap(source, value, path), 'kind'), childPath(path, 'kind'), ['grouped-words', 'crossbar'] as const);
  switch (kind) {
    case 'grouped-words': {
      const o = readObject(source, value, path, ['kind', 'totalBits', 'wordBits', 'headerBitsPerGroup', 'maxSynapsesPerGroup']);
      return {
        kind,
        totalBits: readInteger(source, field(o, 'totalBits'), childPath(path, 'totalBits'), 1, BITS_TOTAL_MAX),
        wordBits: readInteger(source, field(o, 'wordBits'), childPath(path, 'wordBits'), 1, MEMORY_FIELD_BITS_MAX),
        headerBitsPerGroup: readInteger(source, field(o, 'headerBitsPerGroup'), childPath(path, 'headerBitsPerGroup'), 0, MEMORY_FIELD_BITS_MAX),
        maxSynapsesPerGroup: readInteger(source, field(o, 'maxSynapsesPerGroup'), childPath(path, 'maxSynapsesPerGroup'), 1, COUNT_MAX),
      };
    }
    case 'crossbar': {
      const o = readObject(source, value, path, ['kind', 'weightBits']);
      return { kind, weightBits: readInteger(source, field(o, 'weightBits'), childPath(path, 'weightBits'), 1, WORD_BITS_MAX) };
    }
  }
}

function readNumberFormat(source: JsonSource, value: unknown, path: string): NumberFormat {
  const o = readObject(source, value, path, ['weight', 'current', 'voltage', 'decay', 'threshold', 'bias', 'inputShift']);
  const decayPath = childPath(path, 'decay');
  const decayValue = field(o, 'decay');
  const biasPath = childPath(path, 'bias');
  const biasValue = field(o, 'bias');
  const thresholdPath = childPath(path, 'threshold');
  const threshold = readObject(source, field(o, 'threshold'), thresholdPath, ['mantissaBits', 'shift']);
  return {
    weight: readWeightFormat(source, field(o, 'weight'), childPath(path, 'weight')),
    current: readStateFormat(source, field(o, 'current'), childPath(path, 'current')),
    voltage: readStateFormat(source, field(o, 'voltage'), childPath(path, 'voltage')),
    decay: decayValue === null ? null : readDecayFormat(source, decayValue, decayPath),
    threshold: {
      mantissaBits: readNullableInteger(source, field(threshold, 'mantissaBits'), childPath(thresholdPath, 'mantissaBits'), 1, WORD_BITS_MAX),
      shift: readNullableInteger(source, field(threshold, 'shift'), childPath(thresholdPath, 'shift'), 0, SHIFT_MAX),
    },
    bias: biasValue === null ? null : readBiasFormat(source, biasValue, biasPath),
    inputShift: readNullableInteger(source, field(o, 'inputShift'), childPath(path, 'inputShift'), 0, SHIFT_MAX),
  };
}

function readWeightFormat(source: JsonSource, value: unknown, path: string): WeightFormat {
  const o = readObject(source, value, path, ['mantissaBits', 'mantissaBitsChoices', 'signed', 'exponentMin', 'exponentMax']);
  const mantissaBits = readInteger(source, field(o, 'mantissaBits'), childPath(path, 'mantissaBits'), 1, WORD_BITS_MAX);
  const choicesPath = childPath(path, 'mantissaBitsChoices');
  const choices = readArray(source, field(o, 'mantissaBitsChoices'), choicesPath).map((item, index) => readInteger(source, item, childPath(choicesPath, index), 1, mantissaBits));
  if (choices.length === 0) fail(source, choicesPath, 'at least one width', choices);
  choices.forEach((bits, index) => {
    const previous = choices[index - 1];
    if (previous !== undefined && bits <= previous) {
      fail(source, childPath(choicesPath, index), `a width above ${previous} (ascending, no repeats)`, bits);
    }
  });
  const last = choices.length - 1;
  if (choices[last] !== mantissaBits) fail(source, childPath(choicesPath, last), `the widest width, mantissaBits = ${mantissaBits}`, choices[last]);
  const exponentMin = readInteger(source, field(o, 'exponentMin'), childPath(path, 'exponentMin'), -SHIFT_MAX, SHIFT_MAX);
  const exponentMax = readInteger(source, field(o, 'exponentMax'), childPath(path, 'exponentMax'), -SHIFT_MAX, SHIFT_MAX);
  if (exponentMax < exponentMin) fail(source, childPath(path, 'exponentMax'), `an integer >= exponentMin (${exponentMin})`, exponentMax);
  return { mantissaBits, mantissaBitsChoices: choices, signed: readBoolean(source, field(o, 'signed'), childPath(path, 'signed')), exponentMin, exponentMax };
}

function readStateFormat(source: JsonSource, value: unknown, path: string): StateFormat {
  const o = readObject(source, value, path, ['bits', 'overflow']);
  const overflow = field(o, 'overflow');
  return {
    bits: readNullableInteger(source, field(o, 'bits'), childPath(path, 'bits'), 2, WORD_BITS_MAX),
    overflow: overflow === null ? null : readLiteral(source, overflow, childPath(path, 'overflow'), ['wrap', 'saturate'] as const),
  };
}

function readDecayFormat(source: JsonSource, value: unknown, path: string): NonNullable<NumberFormat['decay']> {
  const o = readObject(source, value, path, ['bits', 'currentDecayOffset', 'voltageDecayOffset']);
  const bits = readInteger(source, field(o, 'bits'), childPath(path, 'bits'), 1, SCHEMA_LIMITS.decayBits);
  return {
    bits,
    currentDecayOffset: readInteger(source, field(o, 'currentDecayOffset'), childPath(path, 'currentDecayOffset'), 0, 2 ** bits),
    voltageDecayOffset: readInteger(source, field(o, 'voltageDecayOffset'), childPath(path, 'voltageDecayOffset'), 0, 2 ** bits),
  };
}

function readBiasFormat(source: JsonSource, value: unknown, path: string): NonNullable<NumberFormat['bias']> {
  const o = readObject(source, value, path, ['mantissaBits', 'exponentMax']);
  return {
    mantissaBits: readInteger(source, field(o, 'mantissaBits'), childPath(path, 'mantissaBits'), 2, WORD_BITS_MAX),
    exponentMax: readInteger(source, field(o, 'exponentMax'), childPath(path, 'exponentMax'), 0, SHIFT_MAX),
  };
}

function readNeuron(source: JsonSource, value: unknown, path: string): NeuronFeatures {
  const o = readObject(source, value, path, ['resetModes', 'spikeCondition', 'thresholdSchedule', 'gradedSpikes', 'gradedSpikePayloadBits', 'annModeCores', 'maxDelaySteps']);
  const modesPath = childPath(path, 'resetModes');
  const resetModes: ResetMode[] = [];
  readArray(source, field(o, 'resetModes'), modesPath).forEach((item, index) => {
    const mode = readLiteral(source, item, childPath(modesPath, index), RESET_MODES);
    if (resetModes.includes(mode)) fail(source, childPath(modesPath, index), 'each reset mode once', item);
    resetModes.push(mode);
  });
  if (resetModes.length === 0) fail(source, modesPath, 'at least one reset mode', []);
  const spikeCondition = field(o, 'spikeCondition');
  const gradedSpikes = readBoolean(source, field(o, 'gradedSpikes'), childPath(path, 'gradedSpikes'));
  const payloadPath = childPath(path, 'gradedSpikePayloadBits');
  const payloadBits = gradedSpikes
    ? readInteger(source, field(o, 'gradedSpikePayloadBits'), payloadPath, 1, WORD_BITS_MAX)
    : readInteger(source, field(o, 'gradedSpikePayloadBits'), payloadPath, 0, 0);
  return {
    resetModes,
    spikeCondition: spikeCondition === null ? null : readLiteral(source, spikeCondition, childPath(path, 'spikeCondition'), SPIKE_CONDITIONS),
    thresholdSchedule: readBoolean(source, field(o, 'thresholdSchedule'), childPath(path, 'thresholdSchedule')),
    gradedSpikes,
    gradedSpikePayloadBits: payloadBits,
    annModeCores: readBoolean(source, field(o, 'annModeCores'), childPath(path, 'annModeCores')),
    maxDelaySteps: readInteger(source, field(o, 'maxDelaySteps'), childPath(path, 'maxDelaySteps'), 0, SCHEMA_LIMITS.delaySteps),
  };
}

function readLearning(source: JsonSource, value: unknown, path: string): LearningEngine {
  const o = readObject(
    source,
    value,
    path,
    [
      'traces',
      'traceBits',
      'impulseFractionalBits',
      'stochasticRounding',
      'maxEpochSteps',
      'accumulatorBits',
      'rule',
      'thirdFactor',
      'scaleMantissaBits',
      'scaleExponentMin',
      'scaleExponentMax',
      'constantBits',
    ],
    ['tagBits'],
  );
  const tracesPath = childPath(path, 'traces');
  const traces: string[] = [];
  readArray(source, field(o, 'traces'), tracesPath).forEach((item, index) => {
    const name = readString(source, item, childPath(tracesPath, index), NAME_PATTERN);
    if (traces.includes(name)) fail(source, childPath(tracesPath, index), 'each trace name once', item);
    traces.push(name);
  });
  // The smallest scale is the accumulator's least significant bit (chips/learning/product-series.ts), so it is a
  // fraction of a weight step: at most 0, and no finer than the accumulator's width.
  const scaleExponentMin = readInteger(source, field(o, 'scaleExponentMin'), childPath(path, 'scaleExponentMin'), -WORD_BITS_MAX, 0);
  return {
    traces,
    traceBits: readInteger(source, field(o, 'traceBits'), childPath(path, 'traceBits'), 1, WORD_BITS_MAX),
    impulseFractionalBits: readInteger(source, field(o, 'impulseFractionalBits'), childPath(path, 'impulseFractionalBits'), 0, WORD_BITS_MAX),
    stochasticRounding: readBoolean(source, field(o, 'stochasticRounding'), childPath(path, 'stochasticRounding')),
    maxEpochSteps: readInteger(source, field(o, 'maxEpochSteps'), childPath(path, 'maxEpochSteps'), 1, COUNT_MAX),
    accumulatorBits: readInteger(source, field(o, 'accumulatorBits'), childPath(path, 'accumulatorBits'), 2, WORD_BITS_MAX),
    rule: readLiteral(source, field(o, 'rule'), childPath(path, 'rule'), ['sum-of-products'] as const),
    thirdFactor: readBoolean(source, field(o, 'thirdFactor'), childPath(path, 'thirdFactor')),
    scaleMantissaBits: readInteger(source, field(o, 'scaleMantissaBits'), childPath(path, 'scaleMantissaBits'), 2, WORD_BITS_MAX),
    scaleExponentMin,
    scaleExponentMax: readInteger(source, field(o, 'scaleExponentMax'), childPath(path, 'scaleExponentMax'), scaleExponentMin, WORD_BITS_MAX),
    constantBits: readInteger(source, field(o, 'constantBits'), childPath(path, 'constantBits'), 2, WORD_BITS_MAX),
    // A tag holds at least a sign and one magnitude bit; specs written before the tag was modelled have none.
    tagBits: field(o, 'tagBits') === undefined ? 0 : readTagBits(source, field(o, 'tagBits'), childPath(path, 'tagBits')),
  };
}

function readTagBits(source: JsonSource, value: unknown, path: string): number {
  if (value === 0 || (typeof value === 'number' && Number.isInteger(value) && value >= 2 && value <= WORD_BITS_MAX)) return value;
  fail(source, path, `0 (no tag) or an integer in 2..${WORD_BITS_MAX}`, value);
}

function readTiming(source: JsonSource, value: unknown, path: string): TimingSpec {
  const o = readObject(source, value, path, ['clockHz', 'synchronization']);
  const syncPath = childPath(path, 'synchronization');
  const syncValue = field(o, 'synchronization');
  const kind = readLiteral(source, field(readMap(source, syncValue, syncPath), 'kind'), childPath(syncPath, 'kind'), ['barrier', 'fixed-round'] as const);
  let synchronization: Synchronization;
  switch (kind) {
    case 'barrier':
      readObject(source, syncValue, syncPath, ['kind']);
      synchronization = { kind };
      break;
    case 'fixed-round': {
      const s = readObject(source, syncValue, syncPath, ['kind', 'cyclesPerRound']);
      synchronization = { kind, cyclesPerRound: readInteger(source, field(s, 'cyclesPerRound'), childPath(syncPath, 'cyclesPerRound'), 1, COUNT_MAX) };
      break;
    }
  }
  const clockHz = readNullableNumber(source, field(o, 'clockHz'), childPath(path, 'clockHz'), 1, CLOCK_HZ_MAX);
  if (synchronization.kind === 'fixed-round' && clockHz === null) {
    fail(source, childPath(path, 'clockHz'), 'a clock in Hz (a fixed-round chip counts its rounds in cycles)', null);
  }
  return { clockHz, synchronization };
}

function readCostProfiles(source: JsonSource, value: unknown, path: string): Readonly<Record<string, CostProfile>> {
  const map = readMap(source, value, path);
  const entries = Object.keys(map).map((name): [string, CostProfile] => {
    const profilePath = childPath(path, name);
    if (!NAME_PATTERN.test(name)) {
      throw new ChipSpecError(source.file, profilePath, `a profile name matching ${String(NAME_PATTERN)}`, JSON.stringify(name));
    }
    return [name, readCostProfile(source, field(map, name), profilePath)];
  });
  if (entries.length === 0) fail(source, path, 'at least one cost profile', value);
  // fromEntries defines own properties, so even a name like "__proto__" could not touch a prototype.
  return Object.fromEntries(entries);
}

function readCostProfile(source: JsonSource, value: unknown, path: string): CostProfile {
  const o = readObject(source, value, path, ['reference', 'unconfirmed', 'estimate', 'derivation', 'events', 'barrierPerStep'], ['accounting']);
  const estimate = readBoolean(source, field(o, 'estimate'), childPath(path, 'estimate'));
  const derivationPath = childPath(path, 'derivation');
  const derivationValue = field(o, 'derivation');
  const derivation = derivationValue === null ? null : readString(source, derivationValue, derivationPath);
  if (estimate && derivation === null) fail(source, derivationPath, 'how the estimate was derived (estimate is true)', null);
  return {
    reference: readString(source, field(o, 'reference'), childPath(path, 'reference')),
    unconfirmed: readBoolean(source, field(o, 'unconfirmed'), childPath(path, 'unconfirmed')),
    estimate,
    derivation,
    events: readEvents(source, field(o, 'events'), childPath(path, 'events')),
    barrierPerStep: readBarrier(source, field(o, 'barrierPerStep'), childPath(path, 'barrierPerStep')),
    accounting: field(o, 'accounting') === undefined ? DEFAULT_COST_ACCOUNTING : readAccounting(source, field(o, 'accounting'), childPath(path, 'accounting')),
  };
}

function readAccounting(source: JsonSource, value: unknown, path: string): CostAccounting {
  const c = COST_ACCOUNTING_CHOICES;
  const o = readObject(source, value, path, Object.keys(c));
  return {
    neurons: readLiteral(source, field(o, 'neurons'), childPath(path, 'neurons'), c.neurons),
    spikeTraffic: readLiteral(source, field(o, 'spikeTraffic'), childPath(path, 'spikeTraffic'), c.spikeTraffic),
    stepTime: readLiteral(source, field(o, 'stepTime'), childPath(path, 'stepTime'), c.stepTime),
    barrier: readLiteral(source, field(o, 'barrier'), childPath(path, 'barrier'), c.barrier),
  };
}

function readEvents(source: JsonSource, value: unknown, path: string): Partial<Record<CostEvent, EventCost>> {
  const map = readMap(source, value, path);
  for (const key of Object.keys(map)) {
    if (!(COST_EVENTS as readonly string[]).includes(key)) {
      throw new ChipSpecError(source.file, childPath(path, key), `an event name (one of ${COST_EVENTS.join(', ')})`, 'an unknown event');
    }
  }
  const events: Partial<Record<CostEvent, EventCost>> = {};
  for (const event of COST_EVENTS) {
    const entry = field(map, event);
    if (entry === undefined) continue;
    const eventPath = childPath(path, event);
    const o = readObject(source, entry, eventPath, ['energyPJ', 'latencyNs']);
    const cost: EventCost = {
      energyPJ: readNullableNumber(source, field(o, 'energyPJ'), childPath(eventPath, 'energyPJ'), 0, COST_MAX),
      latencyNs: readNullableNumber(source, field(o, 'latencyNs'), childPath(eventPath, 'latencyNs'), 0, COST_MAX),
    };
    if (cost.energyPJ === null && cost.latencyNs === null) fail(source, eventPath, 'an energy or a latency (not both null)', entry);
    events[event] = cost;
  }
  return events;
}

function readBarrier(source: JsonSource, value: unknown, path: string): readonly BarrierCost[] {
  const points = readArray(source, value, path).map((item, index): BarrierCost => {
    const pointPath = childPath(path, index);
    const o = readObject(source, item, pointPath, ['tiles', 'latencyNs', 'energyPJ']);
    return {
      tiles: readInteger(source, field(o, 'tiles'), childPath(pointPath, 'tiles'), 1, COUNT_MAX),
      latencyNs: readNumber(source, field(o, 'latencyNs'), childPath(pointPath, 'latencyNs'), 0, COST_MAX),
      energyPJ: readNullableNumber(source, field(o, 'energyPJ'), childPath(pointPath, 'energyPJ'), 0, COST_MAX),
    };
  });
  points.forEach((point, index) => {
    const previous = points[index - 1];
    if (previous !== undefined && point.tiles <= previous.tiles) {
      fail(source, childPath(childPath(path, index), 'tiles'), `more than ${previous.tiles} tiles (ascending, no repeats)`, point.tiles);
    }
  });
  return points;
}

function readDefaultCostProfile(source: JsonSource, value: unknown, profiles: Readonly<Record<string, CostProfile>>): string {
  const names = Object.keys(profiles);
  const name = readString(source, value, '$.defaultCostProfile');
  if (!names.includes(name)) fail(source, '$.defaultCostProfile', `the name of a cost profile (${names.join(', ')})`, name);
  return name;
}

/**
 * The Loihi families run a fixed kernel (Lava's bit-accurate LIF, chips/loihi/lif-kernel.ts); a spec of that
 * family must describe that kernel's arithmetic, or the compiler would quantize for one datapath and the
 * simulator run another.
 */
function checkFamilyArithmetic(source: JsonSource, spec: ChipSpec): void {
  if (spec.family !== 'loihi1' && spec.family !== 'loihi2') return;
  const why = `(family ${spec.family} runs Lava's bit-accurate LIF)`;
  const expectEqual = (path: string, found: unknown, wanted: unknown): void => {
    if (found !== wanted) fail(source, path, `${JSON.stringify(wanted)} ${why}`, found);
  };
  const format = spec.numberFormat;
  expectEqual('$.numberFormat.current.bits', format.current.bits, STATE_BITS);
  expectEqual('$.numberFormat.current.overflow', format.current.overflow, 'wrap');
  expectEqual('$.numberFormat.voltage.bits', format.voltage.bits, STATE_BITS);
  expectEqual('$.numberFormat.voltage.overflow', format.voltage.overflow, 'saturate');
  if (format.decay === null) fail(source, '$.numberFormat.decay', `the decay format ${why}`, null);
  expectEqual('$.numberFormat.decay.bits', format.decay.bits, DECAY_BITS);
  expectEqual('$.numberFormat.decay.currentDecayOffset', format.decay.currentDecayOffset, CURRENT_DECAY_OFFSET);
  expectEqual('$.numberFormat.decay.voltageDecayOffset', format.decay.voltageDecayOffset, VOLTAGE_DECAY_OFFSET);
  expectEqual('$.numberFormat.threshold.mantissaBits', format.threshold.mantissaBits, THRESHOLD_MANTISSA_BITS);
  expectEqual('$.numberFormat.threshold.shift', format.threshold.shift, THRESHOLD_SHIFT);
  expectEqual('$.numberFormat.inputShift', format.inputShift, INPUT_SHIFT);
  expectEqual('$.neuron.spikeCondition', spec.neuron.spikeCondition, 'greater');
  if (spec.family === 'loihi1' && spec.neuron.resetModes.includes('subtract')) {
    fail(source, '$.neuron.resetModes', `only "zero" ${why}`, 'subtract');
  }
}
