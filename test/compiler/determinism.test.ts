import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeChipProgram, encodeChipProgram } from '../../chips/ir/chip-program-codec.js';
import { getChip } from '../../chips/registry.js';
import { compile, type CompileOptions } from '../../compiler/compile.js';
import { deserializeModel, serializeModel } from '../../models/format/model-file.js';
import type { Model } from '../../models/graph/model.js';
import { denseModel, syntheticModel, withCoreLimits } from './helpers.js';

/** DESIGN.md section 6: the same inputs give byte-identical results; section 4: the `.chip.pb` round-trips. */

const AUTO: CompileOptions = { chips: 'auto', threshold: 'auto' };
const CHIPS = ['loihi', 'loihi2', 'tianjic'] as const;

const models: readonly (readonly [string, () => Model])[] = [
  ['conv model', () => syntheticModel({ seed: 11 })],
  [
    'conv model with OSR norms and a frozen OTS table',
    () => syntheticModel({ seed: 12, norm: true, threshold: { kind: 'ots', initial: 1, frozen: Float32Array.of(1, 1.25, 1.5, 1.125) } }),
  ],
  ['dense model', () => denseModel({ seed: 13 })],
];

const bytesOf = (model: Model, chip: string, options: CompileOptions = AUTO) => encodeChipProgram(compile(model, getChip(chip), options).program!);
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.each(CHIPS)('on %s', (chip) => {
  it.each(models)('compiles the %s twice to byte-identical .chip.pb', (_name, make) => {
    const first = bytesOf(make(), chip);
    const second = bytesOf(make(), chip);
    expect(first.length).toBeGreaterThan(0);
    expect(sha(second)).toBe(sha(first));
    expect(same(second, first)).toBe(true);
  });

  it.each(models)('decodes and re-encodes the %s program to the same bytes', (_name, make) => {
    const bytes = bytesOf(make(), chip);
    const decoded = decodeChipProgram(bytes, `${chip}.chip.pb`);
    expect(same(encodeChipProgram(decoded), bytes)).toBe(true);
    // And the decoded program is the compiled one.
    expect(decoded).toEqual(compile(make(), getChip(chip), AUTO).program);
  });

  it('gives the same bytes for a model read back from its canonical file, and leaves the model untouched', () => {
    const model = syntheticModel({ seed: 14, norm: true });
    const before = serializeModel(model);
    const first = bytesOf(model, chip);
    expect(same(serializeModel(model), before)).toBe(true);
    const reloaded = deserializeModel(before, 'synthetic.snnmodel');
    expect(same(bytesOf(reloaded, chip), first)).toBe(true);
  });

  it('does not depend on what was compiled before', () => {
    const a = () => syntheticModel({ seed: 15 });
    const alone = bytesOf(a(), chip);
    bytesOf(syntheticModel({ seed: 16, input: [2, 10, 10], conv1Channels: 6 }), chip);
    bytesOf(denseModel(), chip);
    expect(same(bytesOf(a(), chip), alone)).toBe(true);
  });
});

describe('determinism across many cores and chips', () => {
  it('compiles a model spread over two chips to identical bytes, and round-trips them', () => {
    const tiny = withCoreLimits(getChip('loihi2'), { maxNeurons: 2 }, 'loihi2-tiny');
    const make = () => encodeChipProgram(compile(syntheticModel({ seed: 17 }), tiny, AUTO).program!);
    const first = make();
    expect(decodeChipProgram(first, 'x.chip.pb').chipCount).toBe(2);
    expect(same(make(), first)).toBe(true);
    expect(same(encodeChipProgram(decodeChipProgram(first, 'x.chip.pb')), first)).toBe(true);
  });

  it('gives different bytes for a different model (the comparison can fail)', () => {
    expect(same(bytesOf(syntheticModel({ seed: 18 }), 'loihi2'), bytesOf(syntheticModel({ seed: 19 }), 'loihi2'))).toBe(false);
  });
});
