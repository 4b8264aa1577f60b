import { describe, expect, it } from 'vitest';
import { ChipSpecError } from '../../chips/errors.js';
import { builtinChips } from '../../chips/registry.js';
import { parseChipSpec } from '../../chips/spec/read-chip-spec.js';
import { validateChipSpec } from '../../chips/spec/validate-chip-spec.js';

/** Specs are mutated as untyped JSON here, exactly as a user's file could be. */
type Json = any;

/** A plain, mutable JSON copy of a builtin spec. */
function copyOf(name: keyof typeof builtinChips): Json {
  return JSON.parse(JSON.stringify(builtinChips[name]));
}

function errorFrom(document: unknown): ChipSpecError {
  try {
    validateChipSpec(document, 'user.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ChipSpecError);
    return error as ChipSpecError;
  }
  throw new Error('expected a ChipSpecError, but the spec validated');
}

/** Apply `mutate` to a copy of `base` and expect an error at `path` whose `expected` matches `expected`. */
function expectRejected(mutate: (spec: Json) => void, path: string, expected: RegExp, base: keyof typeof builtinChips = 'loihi') {
  const spec = copyOf(base);
  mutate(spec);
  const error = errorFrom(spec);
  expect(error.jsonPath).toBe(path);
  expect(error.expected).toMatch(expected);
  expect(error.file).toBe('user.json');
  return error;
}

describe('ChipSpecError', () => {
  it('names the file, the JSON path, what was expected and what was found', () => {
    const error = expectRejected((s) => (s.core.maxNeurons = 1.5), '$.core.maxNeurons', /integer/);
    expect(error.found).toBe('the number 1.5');
    expect(error.message).toBe('user.json: $.core.maxNeurons: expected an integer in 1..1048576, found the number 1.5');
    expect(error.name).toBe('ChipSpecError');
    expect(error).toBeInstanceOf(Error);
  });
});

describe('the document and top-level fields', () => {
  it.each([[null], [[]], ['loihi'], [42]])('rejects a non-object document %j', (document) => {
    const error = errorFrom(document);
    expect(error.jsonPath).toBe('$');
    expect(error.expected).toBe('an object');
  });

  it('rejects an unknown field, naming the allowed ones', () => {
    const error = expectRejected((s) => (s.extra = 1), '$.extra', /no such field/);
    expect(error.expected).toMatch(/defaultCostProfile/);
  });
  it('rejects a missing field', () => {
    const error = expectRejected((s) => delete s.mesh, '$.mesh', /a value/);
    expect(error.found).toBe('nothing (field missing)');
  });
  it('rejects another format version', () => expectRejected((s) => (s.format = 'spikechip-chip/2'), '$.format', /spikechip-chip\/1/));
  it('rejects a name with a dot or an empty name', () => {
    expectRejected((s) => (s.name = 'my.chip'), '$.name', /matching/);
    expectRejected((s) => (s.name = ''), '$.name', /non-empty string/);
  });
  it('rejects an unknown family', () => expectRejected((s) => (s.family = 'truenorth'), '$.family', /"loihi1", "loihi2", "tianjic"/));
  it('rejects an empty reference', () => expectRejected((s) => (s.reference = ''), '$.reference', /non-empty string/));
});

describe('unconfirmed', () => {
  it('must be an array of strings', () => {
    expectRejected((s) => (s.unconfirmed = 'core'), '$.unconfirmed', /an array/);
    expectRejected((s) => (s.unconfirmed = [3]), '$.unconfirmed[0]', /non-empty string/);
  });
  it('every path must name a field of the spec', () => {
    expectRejected((s) => (s.unconfirmed = ['core.maxNeurons', 'core.maxNeuronz']), '$.unconfirmed[1]', /dotted path/);
    expectRejected((s) => (s.unconfirmed = ['core.maxNeurons.deeper']), '$.unconfirmed[0]', /dotted path/);
    expectRejected((s) => (s.unconfirmed = ['neuron.resetModes.0']), '$.unconfirmed[0]', /dotted path/);
    expectRejected((s) => (s.unconfirmed = ['toString']), '$.unconfirmed[0]', /dotted path/);
  });
});

describe('mesh', () => {
  it('cores per chip must equal the mesh', () => {
    const error = expectRejected((s) => (s.mesh.coresPerChip = 100), '$.mesh.coresPerChip', /= 128/);
    expect(error.found).toBe('the number 100');
  });
  it('dimensions are positive integers', () => expectRejected((s) => (s.mesh.widthTiles = 0), '$.mesh.widthTiles', /integer in 1\.\./));
  it('multicast is a boolean', () => expectRejected((s) => (s.mesh.multicast = 'yes'), '$.mesh.multicast', /true or false/));
});

describe('core', () => {
  it('counts are positive integers', () => {
    expectRejected((s) => (s.core.maxNeurons = -1), '$.core.maxNeurons', /integer/);
    expectRejected((s) => (s.core.maxInputAxons = '4096'), '$.core.maxInputAxons', /integer/);
    expectRejected((s) => (s.core.maxFanIn = 0), '$.core.maxFanIn', /null or an integer/);
    expectRejected((s) => (s.core.sramBytes = 'lots'), '$.core.sramBytes', /null or an integer/);
    expectRejected((s) => (s.core.maxThresholdProfiles = 2.5), '$.core.maxThresholdProfiles', /null or an integer/);
  });
  it('synapse memory has a known kind and exactly its fields', () => {
    expectRejected((s) => (s.core.synapseMemory = 5), '$.core.synapseMemory', /an object/);
    expectRejected((s) => (s.core.synapseMemory.kind = 'dram'), '$.core.synapseMemory.kind', /grouped-words/);
    expectRejected((s) => delete s.core.synapseMemory.wordBits, '$.core.synapseMemory.wordBits', /a value/);
    expectRejected((s) => (s.core.synapseMemory.weightBits = 8), '$.core.synapseMemory.weightBits', /no such field/);
    expectRejected((s) => (s.core.synapseMemory.totalBits = 0), '$.core.synapseMemory.totalBits', /integer/);
  });
  it('a crossbar core needs its SRAM size', () => {
    expectRejected((s) => (s.core.sramBytes = null), '$.core.sramBytes', /SRAM size/, 'tianjic');
    expectRejected((s) => (s.core.synapseMemory.bitsPerCell = 8), '$.core.synapseMemory.bitsPerCell', /no such field/, 'tianjic');
  });
});

describe('numberFormat', () => {
  it('weight mantissa choices are ascending, within and ending at mantissaBits', () => {
    expectRejected((s) => (s.numberFormat.weight.mantissaBitsChoices = []), '$.numberFormat.weight.mantissaBitsChoices', /at least one/);
    expectRejected((s) => (s.numberFormat.weight.mantissaBitsChoices = [1, 4, 4, 8]), '$.numberFormat.weight.mantissaBitsChoices[2]', /ascending/);
    expectRejected((s) => (s.numberFormat.weight.mantissaBitsChoices = [1, 9]), '$.numberFormat.weight.mantissaBitsChoices[1]', /1\.\.8/);
    expectRejected((s) => (s.numberFormat.weight.mantissaBitsChoices = [1, 6]), '$.numberFormat.weight.mantissaBitsChoices[1]', /widest/);
    expectRejected((s) => (s.numberFormat.weight.mantissaBitsChoices = 'all'), '$.numberFormat.weight.mantissaBitsChoices', /an array/);
  });
  it('weight exponent range is ordered', () => {
    expectRejected((s) => (s.numberFormat.weight.exponentMax = -8), '$.numberFormat.weight.exponentMax', />= exponentMin/);
    expectRejected((s) => (s.numberFormat.weight.signed = 1), '$.numberFormat.weight.signed', /true or false/);
  });
  it('state formats are 2..32 bits with a known overflow, or null', () => {
    expectRejected((s) => (s.numberFormat.current.bits = 33), '$.numberFormat.current.bits', /2\.\.32/, 'tianjic');
    expectRejected((s) => (s.numberFormat.voltage.overflow = 'clip'), '$.numberFormat.voltage.overflow', /"wrap", "saturate"/, 'tianjic');
  });
  it('decay, threshold, bias and input shift have their own ranges', () => {
    expectRejected((s) => (s.numberFormat.decay = { bits: 0, currentDecayOffset: 0, voltageDecayOffset: 0 }), '$.numberFormat.decay.bits', /1\.\./, 'tianjic');
    expectRejected((s) => (s.numberFormat.decay.currentDecayOffset = 5000), '$.numberFormat.decay.currentDecayOffset', /0\.\.4096/);
    expectRejected((s) => (s.numberFormat.threshold.shift = -1), '$.numberFormat.threshold.shift', /0\.\.31/, 'tianjic');
    expectRejected((s) => (s.numberFormat.bias = { mantissaBits: 13 }), '$.numberFormat.bias.exponentMax', /a value/, 'tianjic');
    expectRejected((s) => (s.numberFormat.inputShift = 1.5), '$.numberFormat.inputShift', /null or an integer/, 'tianjic');
  });
});

describe('family arithmetic: a Loihi-family spec must describe the kernel it runs', () => {
  it.each([
    ['current.bits', (s: Json) => (s.numberFormat.current.bits = 16), '$.numberFormat.current.bits'],
    ['current.overflow', (s: Json) => (s.numberFormat.current.overflow = 'saturate'), '$.numberFormat.current.overflow'],
    ['voltage.bits', (s: Json) => (s.numberFormat.voltage.bits = 32), '$.numberFormat.voltage.bits'],
    ['voltage.overflow', (s: Json) => (s.numberFormat.voltage.overflow = null), '$.numberFormat.voltage.overflow'],
    ['decay', (s: Json) => (s.numberFormat.decay = null), '$.numberFormat.decay'],
    ['decay.bits', (s: Json) => (s.numberFormat.decay.bits = 16), '$.numberFormat.decay.bits'],
    ['decay offsets', (s: Json) => (s.numberFormat.decay.currentDecayOffset = 0), '$.numberFormat.decay.currentDecayOffset'],
    ['voltage decay offset', (s: Json) => (s.numberFormat.decay.voltageDecayOffset = 1), '$.numberFormat.decay.voltageDecayOffset'],
    ['threshold mantissa', (s: Json) => (s.numberFormat.threshold.mantissaBits = 20), '$.numberFormat.threshold.mantissaBits'],
    ['threshold shift', (s: Json) => (s.numberFormat.threshold.shift = 0), '$.numberFormat.threshold.shift'],
    ['input shift', (s: Json) => (s.numberFormat.inputShift = null), '$.numberFormat.inputShift'],
    ['spike condition', (s: Json) => (s.neuron.spikeCondition = 'greater-or-equal'), '$.neuron.spikeCondition'],
  ])('%s', (_, mutate, path) => {
    expectRejected(mutate, path, /Lava's bit-accurate LIF/);
  });

  it('loihi1 has no soft reset; loihi2 may', () => {
    expectRejected((s) => (s.neuron.resetModes = ['zero', 'subtract']), '$.neuron.resetModes', /only "zero"/);
    const loihi2 = copyOf('loihi2');
    expect(validateChipSpec(loihi2, 'x').neuron.resetModes).toEqual(['zero', 'subtract']);
  });

  it('a tianjic-family spec may leave the arithmetic unpublished', () => {
    expect(() => validateChipSpec(copyOf('tianjic'), 'x')).not.toThrow();
  });
});

describe('neuron', () => {
  it('reset modes: known, at least one, no repeats', () => {
    expectRejected((s) => (s.neuron.resetModes = []), '$.neuron.resetModes', /at least one/);
    expectRejected((s) => (s.neuron.resetModes = ['zero', 'zero']), '$.neuron.resetModes[1]', /once/);
    expectRejected((s) => (s.neuron.resetModes = ['hard']), '$.neuron.resetModes[0]', /"zero", "subtract"/);
  });
  it('graded spike payload agrees with gradedSpikes', () => {
    expectRejected((s) => (s.neuron.gradedSpikePayloadBits = 8), '$.neuron.gradedSpikePayloadBits', /0\.\.0/);
    expectRejected((s) => (s.neuron.gradedSpikePayloadBits = 0), '$.neuron.gradedSpikePayloadBits', /1\.\.32/, 'loihi2');
  });
  it('spike condition, flags and delays', () => {
    expectRejected((s) => (s.neuron.spikeCondition = 'gt'), '$.neuron.spikeCondition', /"greater"/, 'tianjic');
    expectRejected((s) => (s.neuron.thresholdSchedule = null), '$.neuron.thresholdSchedule', /true or false/);
    expectRejected((s) => (s.neuron.maxDelaySteps = -1), '$.neuron.maxDelaySteps', /integer/);
  });
});

describe('learning', () => {
  it('a path in unconfirmed that no longer exists is reported', () => {
    expectRejected((s) => (s.learning = null), '$.unconfirmed[1]', /dotted path/);
  });
  it('may be null', () => {
    const spec = copyOf('loihi');
    spec.learning = null;
    spec.unconfirmed = spec.unconfirmed.filter((path: string) => !path.startsWith('learning'));
    expect(validateChipSpec(spec, 'x').learning).toBeNull();
  });
  it('traces are distinct names; widths and epochs have ranges; the rule is known', () => {
    expectRejected((s) => (s.learning.traces = ['x1', 'x1']), '$.learning.traces[1]', /once/);
    expectRejected((s) => (s.learning.traces = ['x 1']), '$.learning.traces[0]', /matching/);
    expectRejected((s) => (s.learning.traceBits = 0), '$.learning.traceBits', /1\.\.32/);
    expectRejected((s) => (s.learning.maxEpochSteps = 0), '$.learning.maxEpochSteps', /integer/);
    expectRejected((s) => (s.learning.rule = 'stdp'), '$.learning.rule', /sum-of-products/);
    expectRejected((s) => (s.learning = 'yes'), '$.learning', /an object/);
  });
  it('the tag width is 0 (no tag) or 2..32 bits, and a file written before it existed reads as having no tag', () => {
    expect(validateChipSpec(copyOf('loihi'), 'x').learning!.tagBits).toBe(9);
    const old = copyOf('loihi');
    delete old.learning.tagBits;
    expect(validateChipSpec(old, 'x').learning!.tagBits).toBe(0);
    expectRejected((s) => (s.learning.tagBits = 1), '$.learning.tagBits', /0 \(no tag\) or an integer in 2\.\.32/);
    expectRejected((s) => (s.learning.tagBit = 9), '$.learning.tagBit', /no such field .*tagBits/);
  });
});

describe('timing', () => {
  it('clock is null or positive; synchronization has a known kind and its fields', () => {
    expectRejected((s) => (s.timing.clockHz = 0), '$.timing.clockHz', /null or a finite number/);
    expectRejected((s) => (s.timing.synchronization = { kind: 'lockstep' }), '$.timing.synchronization.kind', /"barrier", "fixed-round"/);
    expectRejected((s) => (s.timing.synchronization.cyclesPerRound = 5), '$.timing.synchronization.cyclesPerRound', /no such field/);
    expectRejected((s) => delete s.timing.synchronization.cyclesPerRound, '$.timing.synchronization.cyclesPerRound', /a value/, 'tianjic');
  });
  it('a fixed-round chip needs a clock', () => {
    expectRejected((s) => (s.timing.clockHz = null), '$.timing.clockHz', /clock in Hz/, 'tianjic');
  });
});

describe('cost profiles', () => {
  it('at least one, with valid names', () => {
    expectRejected((s) => (s.costProfiles = {}), '$.costProfiles', /at least one/);
    expectRejected((s) => (s.costProfiles['a.b'] = s.costProfiles.sanafe), '$.costProfiles["a.b"]', /profile name/);
  });
  it('a profile named __proto__ is refused, not merged into a prototype', () => {
    const text = JSON.stringify(copyOf('loihi')).replace('"sanafe":', '"__proto__":');
    const error = (() => {
      try {
        parseChipSpec(text, 'user.json');
      } catch (e) {
        return e as ChipSpecError;
      }
      throw new Error('expected a ChipSpecError');
    })();
    expect(error).toBeInstanceOf(ChipSpecError);
    expect(error.jsonPath).toBe('$.costProfiles.__proto__');
  });
  it('profile fields: all present, estimate needs a derivation', () => {
    expectRejected((s) => delete s.costProfiles.sanafe.estimate, '$.costProfiles.sanafe.estimate', /a value/);
    expectRejected((s) => (s.costProfiles.sanafe.estimate = true), '$.costProfiles.sanafe.derivation', /how the estimate was derived/);
    expectRejected((s) => (s.costProfiles.sanafe.derivation = ''), '$.costProfiles.sanafe.derivation', /non-empty string/);
    expectRejected((s) => (s.costProfiles.sanafe.unconfirmed = 'no'), '$.costProfiles.sanafe.unconfirmed', /true or false/);
  });
  it('events: known names, non-negative finite numbers, not both null', () => {
    expectRejected((s) => (s.costProfiles.sanafe.events.teleport = { energyPJ: 1, latencyNs: 1 }), '$.costProfiles.sanafe.events.teleport', /an event name/);
    expectRejected((s) => (s.costProfiles.sanafe.events.spikeOut.energyPJ = -1), '$.costProfiles.sanafe.events.spikeOut.energyPJ', /finite number/);
    expectRejected((s) => (s.costProfiles.sanafe.events.spikeOut = { energyPJ: null, latencyNs: null }), '$.costProfiles.sanafe.events.spikeOut', /not both null/);
    expectRejected((s) => (s.costProfiles.sanafe.events.spikeOut = { energyPJ: 1 }), '$.costProfiles.sanafe.events.spikeOut.latencyNs', /a value/);
    expectRejected((s) => (s.costProfiles.sanafe.events = []), '$.costProfiles.sanafe.events', /an object/);
  });
  it('rejects an infinite cost (1e999 in the JSON text)', () => {
    const text = JSON.stringify(copyOf('loihi')).replace('"energyPJ":51.2', '"energyPJ":1e999');
    expect(() => parseChipSpec(text, 'user.json')).toThrow(/neuronAccess\.energyPJ: expected null or a finite number/);
  });
  it('barrier points ascend in tiles', () => {
    expectRejected((s) => s.costProfiles.sanafe.barrierPerStep.reverse(), '$.costProfiles.sanafe.barrierPerStep[1].tiles', /more than 29/);
    expectRejected((s) => (s.costProfiles.sanafe.barrierPerStep[0].tiles = 0), '$.costProfiles.sanafe.barrierPerStep[0].tiles', /integer/);
    expectRejected((s) => (s.costProfiles.sanafe.barrierPerStep[0].latencyNs = null), '$.costProfiles.sanafe.barrierPerStep[0].latencyNs', /finite number/);
  });
  it('the default profile must exist', () => {
    expectRejected((s) => (s.defaultCostProfile = 'fastest'), '$.defaultCostProfile', /davies2018, sanafe/);
    expectRejected((s) => (s.defaultCostProfile = 'toString'), '$.defaultCostProfile', /the name of a cost profile/);
  });
});

describe('what validation returns', () => {
  it('is a fresh object, not the input', () => {
    const input = copyOf('loihi');
    const spec = validateChipSpec(input, 'x');
    expect(spec).toEqual(input);
    expect(spec).not.toBe(input);
    expect(spec.core).not.toBe(input.core);
  });
  it('normalises -0 to 0', () => {
    const input = copyOf('tianjic');
    input.numberFormat.weight.exponentMin = -0;
    expect(Object.is(validateChipSpec(input, 'x').numberFormat.weight.exponentMin, 0)).toBe(true);
  });
});
