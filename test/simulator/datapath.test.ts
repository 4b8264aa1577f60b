import { describe, expect, it } from 'vitest';
import { getChip } from '../../chips/registry.js';
import type { ChipSpec } from '../../chips/spec/chip-spec.js';
import { chooseDatapath, layerConstants } from '../../simulator/datapath.js';
import { SimulationError } from '../../simulator/errors.js';
import type { LayerRuntime } from '../../simulator/runtime.js';

const layer = (reset: 'zero' | 'subtract', thresholds: number[]) =>
  ({ spiking: true, du: 0, dv: 0, thresholds: Int32Array.from(thresholds), reset, weightExponent: 0 }) as unknown as LayerRuntime;

/** A user's chip: Loihi 2's data under another name and family, so nothing can key on either. */
const userChip = (patch: (s: ChipSpec) => ChipSpec): ChipSpec => patch({ ...getChip('loihi2'), name: 'my-chip', family: 'loihi1' });

describe('datapath', () => {
  it("follows the spec's threshold schedule and reset modes, not its family", () => {
    const table = layer('subtract', [100, 200, 300]);
    const loihi = chooseDatapath(getChip('loihi'), 'p');
    expect([layerConstants(loihi, table, 2).threshold, layerConstants(loihi, table, 2).subtractive]).toEqual([100 << 6, false]);
    const scheduled = chooseDatapath(
      userChip((s) => s),
      'p',
    );
    expect([layerConstants(scheduled, table, 1).threshold, layerConstants(scheduled, table, 1).subtractive]).toEqual([200 << 6, true]);
    // past the end of the table every caller holds its last entry
    expect(layerConstants(scheduled, table, 7).threshold).toBe(300 << 6);
    const zeroOnly = chooseDatapath(
      userChip((s) => ({ ...s, neuron: { ...s.neuron, resetModes: ['zero'], thresholdSchedule: false } })),
      'p',
    );
    expect([layerConstants(zeroOnly, table, 1).threshold, layerConstants(zeroOnly, table, 1).subtractive]).toEqual([100 << 6, false]);
  });

  it("runs a chip whose formats are unpublished (Tianjic) in Loihi's, with Loihi's bias format for the host", () => {
    const tianjic = chooseDatapath(getChip('tianjic'), 'p');
    expect(tianjic.bias).toEqual(getChip('loihi').numberFormat.bias);
    expect(tianjic.thresholdSchedule).toBe(false);
  });

  it('refuses a chip whose published widths the datapath does not compute, naming the field', () => {
    const cases: [(s: ChipSpec) => ChipSpec, RegExp][] = [
      [(s) => ({ ...s, numberFormat: { ...s.numberFormat, voltage: { bits: 16, overflow: 'saturate' } } }), /numberFormat\.voltage\.bits is 16; .* computes 24/],
      [(s) => ({ ...s, numberFormat: { ...s.numberFormat, current: { bits: 24, overflow: 'saturate' } } }), /numberFormat\.current\.overflow is saturate/],
      [(s) => ({ ...s, numberFormat: { ...s.numberFormat, decay: { bits: 8, currentDecayOffset: 1, voltageDecayOffset: 0 } } }), /numberFormat\.decay\.bits is 8/],
      [(s) => ({ ...s, numberFormat: { ...s.numberFormat, inputShift: 4 } }), /numberFormat\.inputShift is 4/],
      [(s) => ({ ...s, numberFormat: { ...s.numberFormat, threshold: { mantissaBits: 20, shift: 6 } } }), /numberFormat\.threshold\.mantissaBits is 20/],
      [(s) => ({ ...s, neuron: { ...s.neuron, spikeCondition: 'greater-or-equal' } }), /neuron\.spikeCondition is greater-or-equal/],
    ];
    for (const [patch, message] of cases) {
      expect(() => chooseDatapath(userChip(patch), 'net.chip.pb')).toThrow(SimulationError);
      expect(() => chooseDatapath(userChip(patch), 'net.chip.pb')).toThrow(message);
    }
  });
});
