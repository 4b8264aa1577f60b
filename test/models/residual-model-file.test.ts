import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deserializeModel, serializeModel } from '../../models/format/model-file.js';
import { isChain } from '../../models/graph/graph.js';
import type { Model } from '../../models/graph/model.js';
import { loadModel } from '../../models/load-model.js';
import { hasSharedFixture, readF32, sharedFixture } from '../helpers/fixtures.js';
import { bundledTestInput, floatRun, smallResidualModel } from '../helpers/residual-fmnist.js';

/** A residual model written as .snnmodel and read back is the same graph, byte for byte, with the same outputs. */
describe('.snnmodel round trip of residual graphs', () => {
  for (const rule of ['osr', 'rate'] as const) {
    it(`the small residual network (${rule}) reads back with its wiring and identical float outputs`, () => {
      const model = smallResidualModel(rule);
      const bytes = serializeModel(model);
      const back = deserializeModel(bytes, 'residual.snnmodel');
      expect(back).toEqual(model);
      expect(isChain(back)).toBe(false);
      expect(back.nodes.find((n) => n.kind === 'add')).toMatchObject({ name: 'block.add', from: 'sn1' });
      expect(Buffer.from(serializeModel(back)).equals(Buffer.from(bytes))).toBe(true);
      const input = bundledTestInput(model, 16);
      const before = floatRun(model, input, 16);
      // Every LIF layer fires, so equal outputs say something about the shortcut.
      for (const count of before.spikes) expect(count).toBeGreaterThan(0);
      expect(floatRun(back, input, 16)).toEqual(before);
    }, 60_000);
  }

  // The smallest fixture of each codebase (the others hold the same node kinds, only more of them).
  for (const name of ['ratebp-resnet-small-random', 'osr-sewresnet-small-random'] as const) {
    const dir = sharedFixture(name);
    it.skipIf(!hasSharedFixture(name))(
      `${name} (needs ${dir}; skipped where ../shared is absent) reads back byte for byte`,
      () => {
        const { model } = loadModel(join(dir, 'checkpoint.pth'), { arch: join(dir, 'arch.json') });
        const bytes = serializeModel(model);
        const back = deserializeModel(bytes, `${name}.snnmodel`);
        expectSameModel(back, model);
        expect(Buffer.from(serializeModel(back)).equals(Buffer.from(bytes))).toBe(true);
        if (name === 'ratebp-resnet-small-random') {
          // Fixed thresholds: the stored inputs run without calibration (the OTS fixtures' graphs are compared above).
          const input = readF32(join(dir, 'inputs-4x3x32x32.f32'));
          expect(floatRun(back, input, 4)).toEqual(floatRun(model, input, 4));
        }
      },
      300_000,
    );
  }
});

/** Deep equality with every tensor compared as bytes (vitest's element-wise toEqual takes minutes on 5 M weights). */
function expectSameModel(actual: Model, expected: Model): void {
  const tensors: [Float32Array, Float32Array][] = [];
  const strip = (value: unknown, other: unknown): unknown => {
    if (value instanceof Float32Array) {
      tensors.push([value, other as Float32Array]);
      return value.length;
    }
    if (Array.isArray(value)) return value.map((v, i) => strip(v, (other as unknown[])?.[i]));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v, (other as Record<string, unknown>)?.[k])]));
    }
    return value;
  };
  expect(strip(actual, expected)).toEqual(strip(expected, actual));
  for (const [a, b] of tensors)
    expect(b instanceof Float32Array && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(true);
}
