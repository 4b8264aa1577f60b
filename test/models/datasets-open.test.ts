import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { imageSamples } from '../../models/datasets/image-samples.js';
import { KNOWN_DATASET_FORMATS, openDataset } from '../../models/datasets/open-dataset.js';
import { ModelError } from '../../models/errors.js';
import { modelFor, scratchDir, writeFile } from '../helpers/datasets.js';

const scratch = scratchDir('open');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function message(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ModelError) return error.message;
    throw error;
  }
  throw new Error('expected a ModelError');
}

describe('openDataset', () => {
  it('reads a Fashion-MNIST idx directory exactly as the image path did, with its pixels', () => {
    const model = modelFor([1, 28, 28]);
    const opened = openDataset(bundledFashionMnistDir(), { model, split: 'test', limit: 20 });
    const set = loadFashionMnist(bundledFashionMnistDir(), 'test', 20);
    const direct = imageSamples(set, model);
    expect(opened.format).toBe('fashion-mnist-idx');
    expect(opened.count).toBe(20);
    expect(opened.labels).toEqual(set.labels);
    expect(opened.pixels!.images).toEqual(set.images);
    const a = new Float32Array(20 * 784);
    const b = new Float32Array(20 * 784);
    opened.toInput(0, 20, a);
    direct.toInput(0, 20, b);
    expect(a).toEqual(b);
  });

  it('says which formats it knows when it recognises none', () => {
    const dir = join(scratch, 'empty');
    mkdirSync(dir, { recursive: true });
    expect(message(() => openDataset(dir, { model: modelFor([1]), split: 'test' }))).toBe(
      `${dir}: cannot tell which dataset this directory holds; known: ${KNOWN_DATASET_FORMATS}`,
    );
    const file = writeFile(join(scratch, 'notes.txt'), 'hello');
    expect(message(() => openDataset(file, { model: modelFor([1]), split: 'test' }))).toBe(
      `${file}: cannot tell which dataset format this file is; known: ${KNOWN_DATASET_FORMATS}`,
    );
    expect(message(() => openDataset(join(scratch, 'missing'), { model: modelFor([1]), split: 'test' }))).toBe(`${join(scratch, 'missing')}: no such file or directory`);
  });

  it('takes a .bin of whole CIFAR-10 records by its size, and refuses one that is neither CIFAR-10 nor CIFAR-100', () => {
    const file = writeFile(join(scratch, 'cifar.bin'), new Uint8Array(2 * 3073));
    expect(openDataset(file, { model: modelFor([3, 32, 32]), split: 'test' }).format).toBe('cifar10-binary');
    const odd = writeFile(join(scratch, 'odd.bin'), new Uint8Array(100));
    expect(message(() => openDataset(odd, { model: modelFor([3, 32, 32]), split: 'test' }))).toContain('100 bytes is neither');
  });
});
