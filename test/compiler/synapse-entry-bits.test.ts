import { describe, expect, it } from 'vitest';
import { LEARNING_TAG_BITS, MAX_DELAY_STEPS } from '../../chips/loihi/spec.js';
import { getChip } from '../../chips/registry.js';
import { delayFieldBits, groupedSynapseBitsForAxon } from '../../chips/spec/synapse-memory.js';
import { check } from '../../compiler/check.js';
import { compile } from '../../compiler/compile.js';
import { coreSlice, layerView } from '../../compiler/ir-view.js';
import { sliceUsage, synapseEntryBits } from '../../compiler/usage.js';
import { smallResidualModel } from '../helpers/residual-fmnist.js';
import { denseModel, withCoreLimits } from './helpers.js';

const loihi = getChip('loihi');

describe('synapse entry bits', () => {
  it("count the chip's tag for a learning set and its delay field for a delayed one", () => {
    expect(LEARNING_TAG_BITS).toBe(9);
    expect(delayFieldBits(MAX_DELAY_STEPS)).toBe(6); // 0..62 needs 6 bits
    expect(synapseEntryBits(loihi, 8, { learning: false, delay: 0 })).toBe(8);
    expect(synapseEntryBits(loihi, 8, { learning: true, delay: 0 })).toBe(8 + 9);
    expect(synapseEntryBits(loihi, 8, { learning: false, delay: 3 })).toBe(8 + 6);
    expect(synapseEntryBits(getChip('tianjic'), 8, { learning: true, delay: 3 })).toBe(8); // no engine, no delays
  });

  it('partition and check a learning layer with its tag: one core holds it without learning, two with it', () => {
    const model = denseModel({ hidden: 64, outputs: 4 });
    // fc2: 64 axons of 4 synapses each; a group costs ceil((4 * bits + 10) / 64) words: 1 word at 8 bits, 2 at 17.
    const oneWordPerAxon = 64 * groupedSynapseBitsForAxon(loihi.core.synapseMemory as never, 4, 8);
    expect(oneWordPerAxon).toBe(64 * 64);
    const chip = withCoreLimits(loihi, { synapseBits: oneWordPerAxon * 1.5 });
    const plain = compile(model, chip, { chips: 1, threshold: 'auto' });
    const learning = compile(model, chip, { chips: 1, threshold: 'auto', learning: { rule: 'ottt', layers: 'last' } });
    const coresOf = (c: typeof plain) => c.program!.cores.filter((core) => core.layer === c.program!.layers.length - 1);
    expect(coresOf(plain)).toHaveLength(1);
    expect(coresOf(learning).length).toBeGreaterThan(1);
    expect(learning.ok).toBe(true);
    for (const core of coresOf(learning)) {
      const [axons, outputs] = [core.fanIn.end - core.fanIn.begin, core.channels.end - core.channels.begin];
      expect(core.usage.synapseBits).toBe(axons * groupedSynapseBitsForAxon(loihi.core.synapseMemory as never, outputs, 8 + 9));
      expect(core.usage.synapseBits).toBeLessThanOrEqual(oneWordPerAxon * 1.5);
    }
    // check reads the learning layers from the program: the plain program's core, made a learning one, overflows
    const plainProgram = plain.program!;
    const relabelled = { ...plainProgram, learning: { ...plainProgram.learning, layers: [plainProgram.layers.length - 1] } };
    expect(check(plainProgram, chip).some((d) => d.code === 'E-SYNMEM')).toBe(false);
    expect(check(relabelled, chip).some((d) => d.code === 'E-SYNMEM')).toBe(true);
  });

  it("a residual branch's synapses store a delay field; the main synapses do not", () => {
    // 4 inputs x 16 outputs, every weight non-zero: an axon's group is 16 * bits + 10 header bits, in 64-bit words.
    const weights = new Int32Array(64).fill(1);
    const geometry = { kind: 'dense', inFeatures: 4, outFeatures: 16 } as const;
    const main = { geometry, pooling: null, sourceShape: [4, 1, 1] as const, shape: [16, 1, 1] as const, weights, weightBits: 8 };
    const slice = { layer: 1, role: 'soma', annMode: false, channels: [0, 16], rows: [0, 1], cols: [0, 1], fanIn: [0, 4] } as const;
    const words = (bits: number) => Math.ceil((16 * bits + 10) / 64) * 64;
    expect(sliceUsage(main, slice, loihi, false).synapseBits).toBe(4 * words(8)); // 3 words an axon
    const delayed = { ...main, branches: [{ geometry, pooling: null, sourceShape: [4, 1, 1] as const, weights, delay: 2 }] };
    expect(sliceUsage(delayed, slice, loihi, false).synapseBits).toBe(4 * words(8) + 4 * words(8 + 6)); // 4 words
    // learning tags the main synapses only: the branch keeps weight + delay
    expect(sliceUsage(delayed, slice, loihi, true).synapseBits).toBe(4 * words(8 + 9) + 4 * words(8 + 6));
  });

  it('every residual branch the compiler emits is accounted with its delay', () => {
    const program = compile(smallResidualModel('rate'), loihi, { chips: 1, threshold: 'auto' }).program!;
    expect(program.layers.some((l) => (l.branches ?? []).some((b) => b.delay > 0))).toBe(true);
    const views = program.layers.map(layerView);
    for (const core of program.cores) {
      expect(core.usage.synapseBits).toBe(sliceUsage(views[core.layer]!, coreSlice(core), loihi, false).synapseBits);
    }
  });
});
