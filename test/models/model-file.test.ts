import { createHash } from 'node:crypto';
import { mkdtempSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundledModelPath } from '../../models/bundled/bundled.js';
import { ModelError } from '../../models/errors.js';
import { deserializeModel, modelFileSha256, readModelFile, serializeModel, writeModelFile } from '../../models/format/model-file.js';
import type { Model } from '../../models/graph/model.js';
import { printModel } from '../../models/graph/print-model.js';
import { loadModel } from '../../models/load-model.js';
import { fixturePath } from '../helpers/fixtures.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function fixtureModel(name: string): Model {
  return loadModel(fixturePath(name, 'checkpoint.pth'), { arch: fixturePath(name, 'arch.json') }).model;
}

describe('canonical model file', () => {
  it.each(['osr-fmnist-conv', 'ratebp-fmnist-conv'])('round-trips %s losslessly, byte for byte', (name) => {
    const model = fixtureModel(name);
    const bytes = serializeModel(model);
    const back = deserializeModel(bytes, 'mem.snnmodel');
    expect(back).toEqual(model);
    expect(Buffer.from(serializeModel(back)).equals(Buffer.from(bytes))).toBe(true);
  });

  it.each(['osr-fmnist-conv', 'ratebp-fmnist-conv'])('hashes %s as the SHA-256 of its serialised file, without building it', (name) => {
    const model = fixtureModel(name);
    expect(modelFileSha256(model)).toBe(sha256(serializeModel(model)));
  });

  it('hashes tensors that are views into a larger buffer, at any offset, as their serialised file', () => {
    const bundled = readModelFile(bundledModelPath());
    // Every tensor copied one float past the start of a larger buffer, so its bytes start 4 bytes into it.
    const viewed = JSON.parse(
      JSON.stringify(bundled, (_key, value: unknown) => (value instanceof Float32Array ? { view: [...value] } : value)),
      (_key, value: unknown) => {
        if (typeof value !== 'object' || value === null || !('view' in value)) return value;
        const values = (value as { view: number[] }).view;
        const backing = new Float32Array(values.length + 3).fill(Number.NaN);
        backing.set(values, 1);
        return backing.subarray(1, 1 + values.length);
      },
    ) as Model;
    expect(viewed).toEqual(bundled);
    expect(modelFileSha256(viewed)).toBe(sha256(serializeModel(bundled)));
    // A changed weight changes the hash.
    const firstWeights = Object.values(viewed.nodes)
      .flatMap((n) => Object.values(n as object))
      .find((v): v is { data: Float32Array } => typeof v === 'object' && v !== null && 'data' in v);
    firstWeights!.data[0] = firstWeights!.data[0]! + 1;
    expect(modelFileSha256(viewed)).not.toBe(sha256(serializeModel(bundled)));
  });

  it('keeps frozen threshold tables bit for bit', () => {
    const bundled = readModelFile(bundledModelPath());
    const again = deserializeModel(serializeModel(bundled), 'mem');
    const tables = (m: Model) => m.nodes.flatMap((n) => (n.kind === 'lif' && n.threshold.kind === 'ots' ? [[...n.threshold.frozen!]] : []));
    expect(tables(again)).toEqual(tables(bundled));
    expect(tables(bundled)).toHaveLength(2);
  });

  it('prints the bundled model as its golden text', async () => {
    await expect(printModel(readModelFile(bundledModelPath()))).toMatchFileSnapshot('../golden/bundled-model.txt');
  });

  it('refuses truncated, corrupt and foreign files with a ModelError naming the file', () => {
    const bytes = serializeModel(fixtureModel('osr-fmnist-conv'));
    expect(() => deserializeModel(bytes.subarray(0, 10), 'm.snnmodel')).toThrowError(/m\.snnmodel: truncated model file/);
    expect(() => deserializeModel(bytes.subarray(0, bytes.length - 100), 'm.snnmodel')).toThrowError(/m\.snnmodel: corrupt model file: CRC-32/);
    const flipped = Uint8Array.from(bytes);
    flipped[flipped.length - 3]! ^= 0x40;
    expect(() => deserializeModel(flipped, 'm.snnmodel')).toThrowError(/corrupt model file/);
    const version = Uint8Array.from(bytes);
    version[8] = 7;
    expect(() => deserializeModel(version, 'm.snnmodel')).toThrowError(/model file version 7/);
    expect(() => deserializeModel(new TextEncoder().encode('hello world, not a model file'), 'x')).toThrowError(/not a spikechip model file/);
  });

  it('writes no partial file when writing fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikechip-'));
    writeFileSync(join(dir, 'keep'), '');
    expect(() => writeModelFile(join(dir, 'missing-dir', 'm.snnmodel'), fixtureModel('osr-fmnist-conv'))).toThrow();
    expect(readdirSync(dir)).toEqual(['keep']);
    writeModelFile(join(dir, 'm.snnmodel'), fixtureModel('osr-fmnist-conv'));
    expect(existsSync(join(dir, 'm.snnmodel'))).toBe(true);
  });

  it('never crashes on mutated bytes: parses or throws ModelError', () => {
    const bytes = serializeModel(fixtureModel('osr-fmnist-conv'));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(bytes.length), (edits, cut) => {
        const mutated = Uint8Array.from(bytes.subarray(0, Math.max(cut, 1)));
        for (const [at, value] of edits) if (at < mutated.length) mutated[at] = value;
        try {
          deserializeModel(mutated, 'fuzz');
        } catch (err) {
          if (!(err instanceof ModelError)) throw err;
        }
      }),
      { numRuns: 200 },
    );
  });
});
