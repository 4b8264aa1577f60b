import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UnknownChipError } from '../../chips/errors.js';
import { BUILTIN_CHIP_NAMES, builtinChips, getChip } from '../../chips/registry.js';
import { parseChipSpec, readChipSpec } from '../../chips/spec/read-chip-spec.js';
import { validateChipSpec } from '../../chips/spec/validate-chip-spec.js';

const scratch = mkdtempSync(join(tmpdir(), 'spikechip-chip-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('builtin chip specs', () => {
  it.each(BUILTIN_CHIP_NAMES)('%s passes the same validator user files go through, unchanged', (name) => {
    const spec = builtinChips[name];
    expect(validateChipSpec(spec, `builtin:${name}`)).toEqual(spec);
  });

  it.each(BUILTIN_CHIP_NAMES)('%s survives JSON.stringify -> parseChipSpec as an equal spec', (name) => {
    const spec = builtinChips[name];
    expect(parseChipSpec(JSON.stringify(spec, null, 2), `${name}.json`)).toEqual(spec);
  });

  it.each(BUILTIN_CHIP_NAMES)('%s survives a round trip through a file on disk', (name) => {
    const path = join(scratch, `${name}.json`);
    writeFileSync(path, JSON.stringify(builtinChips[name]));
    expect(readChipSpec(path)).toEqual(builtinChips[name]);
  });

  it('every estimate says how it was derived; every profile names its source', () => {
    for (const spec of Object.values(builtinChips)) {
      for (const profile of Object.values(spec.costProfiles)) {
        expect(profile.reference.length).toBeGreaterThan(10);
        if (profile.estimate) expect(profile.derivation).toMatch(/\w/);
      }
    }
  });

  it('builtin specs are frozen so no consumer can change them', () => {
    expect(Object.isFrozen(builtinChips.loihi)).toBe(true);
    expect(Object.isFrozen(builtinChips.loihi.core.synapseMemory)).toBe(true);
    expect(Object.isFrozen(builtinChips.tianjic.costProfiles['estimate-400mW']!.events)).toBe(true);
  });
});

describe('registry', () => {
  it('finds each builtin chip by name', () => {
    expect(getChip('loihi')).toBe(builtinChips.loihi);
    expect(getChip('loihi2')).toBe(builtinChips.loihi2);
    expect(getChip('tianjic')).toBe(builtinChips.tianjic);
    expect(BUILTIN_CHIP_NAMES).toEqual(['loihi', 'loihi2', 'tianjic']);
  });

  it('rejects unknown names, including inherited property names, listing the builtins', () => {
    expect(() => getChip('truenorth')).toThrow(UnknownChipError);
    expect(() => getChip('toString')).toThrow(UnknownChipError);
    expect(() => getChip('loihi3')).toThrow(/loihi, loihi2, tianjic/);
  });

  it('names match the spec names', () => {
    for (const name of BUILTIN_CHIP_NAMES) expect(builtinChips[name].name).toBe(name);
  });
});

// The numbers DESIGN.md section 3 fixes, pinned so a change to a spec is a deliberate change to this test.
describe('loihi matches DESIGN.md section 3', () => {
  const loihi = builtinChips.loihi;

  it('mesh and per-core limits (nengo-loihi)', () => {
    expect(loihi.family).toBe('loihi1');
    expect(loihi.mesh).toMatchObject({ coresPerChip: 128, widthTiles: 8, heightTiles: 4, coresPerTile: 4 });
    expect(loihi.core).toMatchObject({
      maxNeurons: 1024,
      maxInputAxons: 4096,
      maxOutputAxons: 4096,
      maxCompartmentProfiles: 32,
      maxThresholdProfiles: 8,
    });
    expect(loihi.core.synapseMemory).toEqual({
      kind: 'grouped-words',
      totalBits: 16384 * 64,
      wordBits: 64,
      headerBitsPerGroup: 10,
      maxSynapsesPerGroup: 64,
    });
  });

  it('number formats and neuron features', () => {
    const format = loihi.numberFormat;
    expect(format.weight).toMatchObject({ mantissaBits: 8, signed: true, exponentMin: -7, exponentMax: 7 });
    expect(format.weight.mantissaBitsChoices[0]).toBe(1);
    expect(format.current).toEqual({ bits: 24, overflow: 'wrap' });
    expect(format.voltage).toEqual({ bits: 24, overflow: 'saturate' });
    expect(format.decay).toEqual({ bits: 12, currentDecayOffset: 1, voltageDecayOffset: 0 });
    expect(format.threshold).toEqual({ mantissaBits: 17, shift: 6 });
    expect(format.inputShift).toBe(6);
    expect(loihi.neuron.resetModes).toEqual(['zero']);
    expect(loihi.neuron.spikeCondition).toBe('greater');
    expect(loihi.neuron.thresholdSchedule).toBe(false);
    expect(loihi.neuron.gradedSpikes).toBe(false);
  });

  it('learning engine', () => {
    expect(loihi.learning).toMatchObject({
      traces: ['x1', 'x2', 'y1', 'y2', 'y3'],
      traceBits: 7,
      stochasticRounding: true,
      maxEpochSteps: 63,
      accumulatorBits: 16,
      rule: 'sum-of-products',
    });
  });

  it('davies2018 profile: Table 2 numbers, marked second-hand', () => {
    const profile = loihi.costProfiles.davies2018!;
    expect(loihi.defaultCostProfile).toBe('davies2018');
    expect(profile.unconfirmed).toBe(true);
    expect(profile.estimate).toBe(false);
    expect(profile.events).toEqual({
      synapticOp: { energyPJ: 23.6, latencyNs: 3.5 },
      synapticUpdate: { energyPJ: 120, latencyNs: 6.1 },
      neuronUpdateActive: { energyPJ: 81, latencyNs: 8.4 },
      neuronUpdateInactive: { energyPJ: 52, latencyNs: 5.3 },
      spikeWithinTile: { energyPJ: 1.7, latencyNs: 2.1 },
      hopEastWest: { energyPJ: 3.0, latencyNs: 4.1 },
      hopNorthSouth: { energyPJ: 4.0, latencyNs: 6.5 },
    });
    expect(profile.barrierPerStep.map((b) => [b.tiles, b.latencyNs])).toEqual([
      [1, 113],
      [32, 465],
    ]);
  });

  it('sanafe profile: SANA-FE arch/loihi.yaml numbers', () => {
    const profile = loihi.costProfiles.sanafe!;
    expect(profile.reference).toMatch(/8951ab0/);
    expect(profile.events).toEqual({
      neuronAccess: { energyPJ: 51.2, latencyNs: 6.0 },
      neuronUpdate: { energyPJ: 21.6, latencyNs: 3.7 },
      spikeOut: { energyPJ: 69.3, latencyNs: 30 },
      synapticOpDense: { energyPJ: 35.5, latencyNs: 3.8 },
      synapticOpSparse: { energyPJ: 33.6, latencyNs: 4.7 },
      synapticOpConv: { energyPJ: 24.0, latencyNs: 3.1 },
      messageOut: { energyPJ: 111, latencyNs: 5.1 },
      messageIn: { energyPJ: null, latencyNs: 16 },
      hopEastWest: { energyPJ: 3.0, latencyNs: 4.1 },
      hopNorthSouth: { energyPJ: 4.2, latencyNs: 6.5 },
    });
    expect(profile.barrierPerStep.map((b) => [b.tiles, b.latencyNs])).toEqual([
      [1, 600],
      [2, 1000],
      [4, 1400],
      [29, 1800],
    ]);
  });

  it('timing: asynchronous, barrier per step', () => {
    expect(loihi.timing).toEqual({ clockHz: null, synchronization: { kind: 'barrier' } });
  });
});

describe('loihi2 matches DESIGN.md section 3 and says what is unconfirmed', () => {
  const loihi2 = builtinChips.loihi2;

  it('features from the wiki/press sources', () => {
    expect(loihi2.family).toBe('loihi2');
    expect(loihi2.mesh.coresPerChip).toBe(128);
    expect(loihi2.core.maxNeurons).toBe(4096);
    expect(loihi2.neuron.resetModes).toContain('subtract');
    expect(loihi2.neuron.thresholdSchedule).toBe(true);
    expect(loihi2.neuron.gradedSpikes).toBe(true);
    expect(loihi2.neuron.gradedSpikePayloadBits).toBe(24);
    expect(loihi2.neuron.maxDelaySteps).toBe(63);
    expect(loihi2.learning?.thirdFactor).toBe(true);
  });

  it('marks every section unconfirmed and reuses Loihi 1 energy, labelled as such', () => {
    for (const section of ['mesh', 'core', 'numberFormat', 'neuron', 'learning', 'timing']) {
      expect(loihi2.unconfirmed).toContain(section);
    }
    const profile = loihi2.costProfiles.davies2018!;
    expect(profile.unconfirmed).toBe(true);
    expect(profile.reference).toMatch(/Loihi 1 numbers reused/);
    expect(profile.events).toEqual(builtinChips.loihi.costProfiles.davies2018!.events);
  });
});

describe('tianjic matches DESIGN.md section 3', () => {
  const tianjic = builtinChips.tianjic;

  it('mesh, crossbar cores, clock and round', () => {
    expect(tianjic.mesh).toMatchObject({ coresPerChip: 156, widthTiles: 12, heightTiles: 13, coresPerTile: 1, multicast: true });
    expect(tianjic.core).toMatchObject({ maxNeurons: 256, maxInputAxons: 256, maxFanIn: 256, sramBytes: 22 * 1024 });
    expect(tianjic.core.synapseMemory).toEqual({ kind: 'crossbar', weightBits: 8 });
    expect(tianjic.numberFormat.weight.mantissaBits).toBe(8);
    expect(tianjic.neuron.annModeCores).toBe(true);
    expect(tianjic.timing).toEqual({ clockHz: 300e6, synchronization: { kind: 'fixed-round', cyclesPerRound: 5050 } });
  });

  it('leaves unpublished arithmetic null rather than guessing', () => {
    expect(tianjic.numberFormat.current.bits).toBeNull();
    expect(tianjic.numberFormat.voltage.bits).toBeNull();
    expect(tianjic.numberFormat.decay).toBeNull();
    expect(tianjic.numberFormat.threshold).toEqual({ mantissaBits: null, shift: null });
    expect(tianjic.neuron.spikeCondition).toBeNull();
    expect(tianjic.learning).toBeNull();
  });

  it('ships an energy estimate labelled as one, derived from 400 mW and the 5,050-cycle round', () => {
    const profile = tianjic.costProfiles[tianjic.defaultCostProfile]!;
    expect(profile.estimate).toBe(true);
    expect(profile.unconfirmed).toBe(true);
    expect(profile.derivation).toMatch(/400 mW/);
    expect(profile.derivation).toMatch(/5,050 cycles/);
    const exactPJ = ((0.4 * 5050) / 300e6 / 156) * 1e12; // 43,162 pJ
    const shipped = profile.events.coreRound!.energyPJ!;
    expect(shipped).toBe(43_000); // two significant figures, no more
    expect(Math.abs(shipped - exactPJ) / exactPJ).toBeLessThan(0.01);
  });
});
