import { describe, expect, it } from 'vitest';
import { ChipSpecError } from '../../chips/errors.js';
import { getChip } from '../../chips/registry.js';
import { applyOverrides } from '../../cluster/sweep/chip-overrides.js';
import { ClusterError } from '../../cluster/errors.js';

describe('applyOverrides', () => {
  it('sets spec fields by dotted path and leaves the builtin untouched', () => {
    const spec = applyOverrides(getChip('loihi'), { 'core.maxNeurons': 256, 'core.maxInputAxons': 2048 }, 'sweep.json');
    expect(spec.core.maxNeurons).toBe(256);
    expect(spec.core.maxInputAxons).toBe(2048);
    expect(getChip('loihi').core.maxNeurons).toBe(1024);
    expect(applyOverrides(getChip('loihi'), {}, 'sweep.json')).toBe(getChip('loihi'));
  });

  it('refuses a path the chip lacks, a value of the wrong type, and a spec its validator refuses', () => {
    expect(() => applyOverrides(getChip('loihi'), { 'core.maxNeuron': 5 }, 'sweep.json')).toThrow(ClusterError);
    expect(() => applyOverrides(getChip('loihi'), { 'core.maxNeuron': 5 }, 'sweep.json')).toThrow(
      /sweep\.json: overrides "core\.maxNeuron": chip loihi has no number or boolean field/,
    );
    expect(() => applyOverrides(getChip('loihi'), { 'core.synapseMemory': 5 }, 'sweep.json')).toThrow(/no number or boolean field core\.synapseMemory/);
    expect(() => applyOverrides(getChip('loihi'), { 'mesh.multicast': 3 }, 'sweep.json')).toThrow(/mesh\.multicast of chip loihi is a boolean, the override gives a number/);
    expect(() => applyOverrides(getChip('loihi'), { 'core.maxNeurons': -1 }, 'sweep.json')).toThrow(ChipSpecError);
    expect(() => applyOverrides(getChip('loihi'), { 'core.maxNeurons': -1 }, 'sweep.json')).toThrow(/sweep\.json \(chip loihi with core\.maxNeurons=-1\): \$\.core\.maxNeurons/);
  });
});
