import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrationInput } from '../../cli/calibration-input.js';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { encodeNpy } from '../../models/datasets/npy.js';
import { modelFor, scratchDir, writeFile } from '../helpers/datasets.js';

const scratch = scratchDir('calibration');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const f32 = (values: readonly number[]) => new Uint8Array(Float32Array.from(values).buffer);

describe('calibrationInput', () => {
  it('takes the first N training images of --data, 1024 by default', () => {
    const model = modelFor([1, 28, 28]);
    const batch = calibrationInput(model, { data: bundledFashionMnistDir(), count: 3 });
    const images = loadFashionMnist(bundledFashionMnistDir(), 'train', 3).images;
    expect(batch.count).toBe(3);
    expect(batch.input[100]).toBe(Math.fround(images[100]! / 255));
    expect(calibrationInput(model, { data: bundledFashionMnistDir() }).count).toBe(1024);
  });

  it('reads a calibration tensor as raw float32 whatever its extension, or as .npy', () => {
    const model = modelFor([2], 'other', { scale: 1 });
    const raw = writeFile(join(scratch, 'calibration.bin'), f32([1, 2, 3, 4, 5, 6]));
    expect(calibrationInput(model, { file: raw })).toEqual({ input: Float32Array.from([1, 2, 3, 4, 5, 6]), count: 3, source: raw });
    expect(calibrationInput(model, { file: raw, count: 2 }).count).toBe(2);
    const npy = writeFile(join(scratch, 'calibration.npy'), encodeNpy('<f4', [2, 2], f32([7, 8, 9, 10])));
    expect(calibrationInput(model, { file: npy })).toEqual({ input: Float32Array.from([7, 8, 9, 10]), count: 2, source: npy });
  });

  it('refuses a file that is not whole inputs, naming it', () => {
    const model = modelFor([4], 'other', { scale: 1 });
    const raw = writeFile(join(scratch, 'odd.f32'), f32([1, 2, 3]));
    expect(() => calibrationInput(model, { file: raw })).toThrow(`${raw}: 12 bytes is not a whole number of float32 inputs of shape [4] (16 bytes each)`);
  });
});
