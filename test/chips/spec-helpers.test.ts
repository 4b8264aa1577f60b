import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinChips } from '../../chips/registry.js';
import type { GroupedSynapseMemory } from '../../chips/spec/chip-spec.js';
import { barrierCostForTiles, eventCost, findCostProfile, synapticOpCost } from '../../chips/spec/cost-lookup.js';
import { bitsPerSynapse, crossbarSynapseBits, groupedSynapseBitsForAxon } from '../../chips/spec/synapse-memory.js';

const loihiMemory = builtinChips.loihi.core.synapseMemory as GroupedSynapseMemory;

/** nengo-loihi's SynapseConfig.bits_per_axon loop, transcribed for comparison (compression 3: no index bits). */
function nengoLoihiBitsPerAxon(nWeights: number, bitsPerWeight: number): number {
  let bits = 0;
  for (let i = 0; i < nWeights; i += 64) {
    const n = Math.min(nWeights - i, 64);
    const groupBits = n * bitsPerWeight + 4 + 6;
    bits += -64 * Math.floor(-groupBits / 64);
  }
  return bits;
}

describe('synapse memory accounting', () => {
  it('bits per synapse are weight + delay + tag', () => {
    expect(bitsPerSynapse({ weightBits: 8, delayBits: 6, tagBits: 2 })).toBe(16);
  });

  it('a group costs n * bits + 10-bit header, rounded up to 64-bit words', () => {
    expect(groupedSynapseBitsForAxon(loihiMemory, 0, 8)).toBe(0);
    expect(groupedSynapseBitsForAxon(loihiMemory, 1, 1)).toBe(64);
    expect(groupedSynapseBitsForAxon(loihiMemory, 6, 9)).toBe(64); // 54 + 10 = 64 exactly
    expect(groupedSynapseBitsForAxon(loihiMemory, 64, 8)).toBe(576); // 512 + 10 = 522 -> 9 words
    expect(groupedSynapseBitsForAxon(loihiMemory, 65, 8)).toBe(576 + 64); // a second group of one
  });

  it('equals nengo-loihi bits_per_axon for any axon size and synapse width', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 16 }), (n, bits) => {
        expect(groupedSynapseBitsForAxon(loihiMemory, n, bits)).toBe(nengoLoihiBitsPerAxon(n, bits));
      }),
      { seed: 10, numRuns: 500 },
    );
  });

  it('crossbar synapses cost their weight bits; a full 8-bit 256 x 256 crossbar exceeds the 22 KB SRAM', () => {
    const tianjic = builtinChips.tianjic;
    if (tianjic.core.synapseMemory.kind !== 'crossbar') throw new Error('tianjic is a crossbar chip');
    const fullCrossbar = crossbarSynapseBits(tianjic.core.synapseMemory, 256 * 256);
    expect(fullCrossbar).toBe(524_288);
    expect(fullCrossbar).toBeGreaterThan(8 * tianjic.core.sramBytes!);
  });
});

describe('cost lookup', () => {
  const loihi = builtinChips.loihi;

  it('finds the default or a named profile, only among own names', () => {
    expect(findCostProfile(loihi)).toBe(loihi.costProfiles.davies2018);
    expect(findCostProfile(loihi, 'sanafe')).toBe(loihi.costProfiles.sanafe);
    expect(findCostProfile(loihi, 'nope')).toBeUndefined();
    expect(findCostProfile(loihi, 'toString')).toBeUndefined();
  });

  it('prices a synaptic op by format, falling back to the generic op', () => {
    const davies = loihi.costProfiles.davies2018!;
    const sanafe = loihi.costProfiles.sanafe!;
    expect(synapticOpCost(sanafe, 'dense')).toEqual({ energyPJ: 35.5, latencyNs: 3.8 });
    expect(synapticOpCost(sanafe, 'conv')).toEqual({ energyPJ: 24.0, latencyNs: 3.1 });
    expect(synapticOpCost(davies, 'sparse')).toEqual({ energyPJ: 23.6, latencyNs: 3.5 });
    expect(eventCost(davies, 'spikeOut')).toBeUndefined();
  });

  it('interpolates barrier latency between published tile counts and holds it outside (interpolate accounting)', () => {
    const davies = loihi.costProfiles.davies2018!;
    expect(barrierCostForTiles(davies, 1)).toEqual({ latencyNs: 113, energyPJ: null });
    expect(barrierCostForTiles(davies, 32)).toEqual({ latencyNs: 465, energyPJ: null });
    expect(barrierCostForTiles(davies, 16)!.latencyNs).toBeCloseTo(113 + (15 / 31) * 352, 9);
    expect(barrierCostForTiles(davies, 64)!.latencyNs).toBe(465);
    const tianjic = builtinChips.tianjic;
    expect(barrierCostForTiles(tianjic.costProfiles[tianjic.defaultCostProfile]!, 10)).toBeUndefined();
  });

  it('reads the barrier table as a step function under step accounting (SANA-FE src/utils.hpp)', () => {
    const sanafe = loihi.costProfiles.sanafe!;
    expect(sanafe.accounting.barrier).toBe('step');
    // SANA-FE arch/loihi.yaml latency_sync { 1: 0.6 us, 2: 1.0 us, 4: 1.4 us, 29: 1.8 us }: the largest entry at or below n.
    expect([1, 2, 3, 4, 5, 28, 29, 32].map((n) => barrierCostForTiles(sanafe, n)!.latencyNs)).toEqual([600, 1000, 1000, 1400, 1400, 1400, 1800, 1800]);
    const below = { ...sanafe, barrierPerStep: sanafe.barrierPerStep.slice(1) };
    expect(barrierCostForTiles(below, 1)!.latencyNs).toBe(1000);
  });
});
