import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy } from '../../models/datasets/npy.js';
import { parseNpz } from '../../models/datasets/npz.js';
import { openDataset, UNLABELLED } from '../../models/datasets/open-dataset.js';
import { shapeFromF32Name } from '../../models/datasets/raw-f32.js';
import { ModelError } from '../../models/errors.js';
import { modelFor, scratchDir, writeFile } from '../helpers/datasets.js';

const scratch = scratchDir('tensors');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const f32Bytes = (values: readonly number[]) => new Uint8Array(Float32Array.from(values).buffer);
const f64Bytes = (values: readonly number[]) => new Uint8Array(Float64Array.from(values).buffer);

function catchModelError(run: () => unknown): ModelError {
  try {
    run();
  } catch (error) {
    if (error instanceof ModelError) return error;
    throw error;
  }
  throw new Error('expected a ModelError');
}

function inputs(path: string, shape: readonly number[], count: number): Float32Array {
  const data = openDataset(path, { model: modelFor(shape, 'other', { scale: 1 }), split: 'test' });
  const out = new Float32Array(count * shape.reduce((a, b) => a * b, 1));
  data.toInput(0, count, out);
  return out;
}

describe('.npy arrays', () => {
  it('reads the header numpy writes and shares the data bytes', () => {
    const array = parseNpy(encodeNpy('<f4', [2, 3], f32Bytes([1, 2, 3, 4, 5, 6])), 'a.npy');
    expect(array.dtype).toBe('float32');
    expect(array.shape).toEqual([2, 3]);
    expect(array.data.length).toBe(24);
  });

  it('feeds NCHW float32 as is, float64 rounded to float32, and marks the samples unlabelled', () => {
    const values = Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => i / 10);
    const path = writeFile(join(scratch, 'x.npy'), encodeNpy('<f8', [2, 2, 2, 3], f64Bytes(values)));
    const data = openDataset(path, { model: modelFor([2, 2, 3], 'other', { scale: 1 }), split: 'test' });
    expect(data.labelled).toBe(false);
    expect([...data.labels]).toEqual([UNLABELLED, UNLABELLED]);
    expect([...inputs(path, [2, 2, 3], 2)]).toEqual(values.map(Math.fround));
  });

  it('transposes NHWC when the model wants CHW', () => {
    // One sample, H=1, W=2, C=3 stored HWC: pixel (0,0) = [1,2,3], pixel (0,1) = [4,5,6].
    const path = writeFile(join(scratch, 'hwc.npy'), encodeNpy('<f4', [1, 1, 2, 3], f32Bytes([1, 2, 3, 4, 5, 6])));
    expect([...inputs(path, [3, 1, 2], 1)]).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('scales uint8 images by 1/255 and exports their pixels', () => {
    const pixels = Uint8Array.from([0, 51, 255, 128]);
    const path = writeFile(join(scratch, 'u8.npy'), encodeNpy('|u1', [1, 2, 2], pixels));
    const data = openDataset(path, { model: modelFor([1, 2, 2]), split: 'test' });
    expect(data.pixels!.images).toEqual(pixels);
    const out = new Float32Array(4);
    data.toInput(0, 1, out);
    expect([...out]).toEqual([0, Math.fround(51 / 255), 1, Math.fround(128 / 255)]);
  });

  it('names the file and the shapes when the array does not fit the model', () => {
    const path = writeFile(join(scratch, 'wrong.npy'), encodeNpy('<f4', [2, 5], f32Bytes(new Array(10).fill(0))));
    expect(catchModelError(() => inputs(path, [3, 2, 2], 1)).message).toBe(
      `${path}: holds an array of shape [2, 5]; the model's input [3, 2, 2] needs [N, 3, 2, 2] or [N, 2, 2, 3]`,
    );
  });

  it('refuses lying headers before reading data', () => {
    const good = encodeNpy('<f4', [4], f32Bytes([1, 2, 3, 4]));
    expect(catchModelError(() => parseNpy(good.subarray(0, good.length - 2), 'cut.npy')).message).toMatch(
      /^cut\.npy: not a readable \.npy array: shape \(4\) of float32 needs 16 data bytes, the file has 14/,
    );
    const lying = encodeNpy('<f4', [99_999_999_999, 99_999_999_999], f32Bytes([1]));
    expect(catchModelError(() => parseNpy(lying, 'lie.npy')).message).toBe(
      'lie.npy: not a readable .npy array: shape (99999999999, 99999999999) of float32 needs more than the file holds, the file has 4; it is truncated or its header is wrong',
    );
    const fortran = Buffer.from(
      Buffer.from(encodeNpy('<f4', [2, 2], f32Bytes([1, 2, 3, 4])))
        .toString('latin1')
        .replace('False', 'True '),
      'latin1',
    );
    expect(catchModelError(() => parseNpy(fortran, 'f.npy')).message).toContain('Fortran order');
  });
});

describe('.npz archives', () => {
  it('takes the inputs and a labels array, stored or deflated', () => {
    const x = encodeNpy('<f4', [3, 2], f32Bytes([1, 2, 3, 4, 5, 6]));
    const y = encodeNpy('<i8', [3], new Uint8Array(BigInt64Array.from([2n, 0n, 1n]).buffer));
    for (const level of [0, 6] as const) {
      const path = writeFile(join(scratch, `xy${level}.npz`), zipSync({ 'x.npy': x, 'labels.npy': y }, { level }));
      const data = openDataset(path, { model: modelFor([2], 'other', { scale: 1 }), split: 'test' });
      expect(data.format).toBe('npz');
      expect(data.labelled).toBe(true);
      expect([...data.labels]).toEqual([2, 0, 1]);
      expect([...inputs(path, [2], 3)]).toEqual([1, 2, 3, 4, 5, 6]);
    }
  });

  it('says which names it looks for when it cannot tell the inputs', () => {
    const a = encodeNpy('<f4', [1], f32Bytes([1]));
    const path = writeFile(join(scratch, 'two.npz'), zipSync({ 'a.npy': a, 'b.npy': a }));
    expect(catchModelError(() => inputs(path, [1], 1)).message).toBe(
      `${path}: cannot tell which array holds the inputs among a, b; name it one of x, inputs, input, data, images, arr_0 (labels: labels, y, targets, label)`,
    );
  });

  it('refuses a labels array of the wrong length', () => {
    const x = encodeNpy('<f4', [2, 1], f32Bytes([1, 2]));
    const y = encodeNpy('|u1', [3], Uint8Array.from([0, 1, 2]));
    const path = writeFile(join(scratch, 'badlabels.npz'), zipSync({ 'x.npy': x, 'y.npy': y }));
    expect(catchModelError(() => inputs(path, [1], 2)).message).toBe(`${path}:y: labels must be a 1-D integer array of 2 class indices, found uint8 [3]`);
  });

  it('reports a truncated archive as corrupt', () => {
    const bytes = zipSync({ 'x.npy': encodeNpy('<f4', [8], f32Bytes([1, 2, 3, 4, 5, 6, 7, 8])) }, { level: 0 });
    expect(catchModelError(() => parseNpz(bytes.subarray(0, bytes.length - 30), 'cut.npz')).message).toMatch(/^cut\.npz: /);
  });
});

describe('raw .f32 files', () => {
  it('splits the file into whole inputs and checks a shape in its name', () => {
    expect(shapeFromF32Name('/a/inputs-4x3x32x32.f32')).toEqual([4, 3, 32, 32]);
    expect(shapeFromF32Name('calibration.f32')).toBeUndefined();
    const plain = writeFile(join(scratch, 'calibration.f32'), f32Bytes([1, 2, 3, 4, 5, 6]));
    expect(openDataset(plain, { model: modelFor([3], 'other', { scale: 1 }), split: 'test' }).count).toBe(2);
    const named = writeFile(join(scratch, 'inputs-2x3.f32'), f32Bytes([1, 2, 3, 4, 5, 6]));
    expect([...inputs(named, [3], 2)]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(catchModelError(() => inputs(named, [2], 3)).message).toBe(`${named}: holds an array of shape [2, 3]; the model's input [2] needs [N, 2]`);
    const lying = writeFile(join(scratch, 'inputs-3x3.f32'), f32Bytes([1, 2, 3, 4, 5, 6]));
    expect(catchModelError(() => inputs(lying, [3], 2)).message).toBe(`${lying}: its name gives shape [3, 3], which is 36 bytes of float32, but the file has 24`);
    expect(catchModelError(() => inputs(plain, [4], 1)).message).toBe(`${plain}: 24 bytes is not a whole number of float32 inputs of shape [4] (16 bytes each)`);
  });
});
