import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCifarBinary } from '../../models/datasets/cifar-binary.js';
import { parseCifarPickle } from '../../models/datasets/cifar-python.js';
import { openDataset } from '../../models/datasets/open-dataset.js';
import { ModelError } from '../../models/errors.js';
import { unpickle } from '../../models/pth/unpickle.js';
import { cifarPickle, modelFor, scratchDir, testPixels, writeFile } from '../helpers/datasets.js';

const PIXELS = 3072;
const scratch = scratchDir('cifar');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function binaryRecords(images: Uint8Array, labels: readonly number[], coarse?: readonly number[]): Uint8Array {
  const labelBytes = coarse ? 2 : 1;
  const out = new Uint8Array(labels.length * (labelBytes + PIXELS));
  labels.forEach((label, i) => {
    const at = i * (labelBytes + PIXELS);
    if (coarse) out[at] = coarse[i]!;
    out[at + labelBytes - 1] = label;
    out.set(images.subarray(i * PIXELS, (i + 1) * PIXELS), at + labelBytes);
  });
  return out;
}

function catchModelError(run: () => unknown): ModelError {
  try {
    run();
  } catch (error) {
    if (error instanceof ModelError) return error;
    throw error;
  }
  throw new Error('expected a ModelError');
}

describe('CIFAR binary batches', () => {
  it('reads CIFAR-10 records: label byte, then CHW pixels', () => {
    const images = testPixels(3, PIXELS);
    const batch = parseCifarBinary(binaryRecords(images, [3, 0, 9]), 'cifar10', 'b.bin');
    expect(batch.count).toBe(3);
    expect([...batch.labels]).toEqual([3, 0, 9]);
    expect(batch.images).toEqual(images);
  });

  it('reads CIFAR-100 fine labels, skipping the coarse byte', () => {
    const images = testPixels(2, PIXELS, 5);
    const batch = parseCifarBinary(binaryRecords(images, [99, 42], [19, 3]), 'cifar100', 'train.bin');
    expect([...batch.labels]).toEqual([99, 42]);
    expect(batch.images).toEqual(images);
  });

  it('refuses truncated files and out-of-range labels with the file named', () => {
    const bytes = binaryRecords(testPixels(2, PIXELS), [1, 2]);
    expect(catchModelError(() => parseCifarBinary(bytes.subarray(0, bytes.length - 1), 'cifar10', 'cut.bin')).message).toMatch(
      /^cut\.bin: 6145 bytes is not a whole number of CIFAR-10 binary records \(3073 bytes each/,
    );
    const bad = bytes.slice();
    bad[3073] = 10;
    expect(catchModelError(() => parseCifarBinary(bad, 'cifar10', 'bad.bin')).message).toBe(
      'bad.bin: record 1 (byte offset 3073) has label 10, not a class 0..9; the file is not a cifar10 binary batch',
    );
  });
});

describe('CIFAR python batches through the safe unpickler', () => {
  it('reads a Python 2 pickle (byte-string keys, the array as a str) as the original files are', () => {
    const images = testPixels(3, PIXELS, 2);
    const batch = parseCifarPickle(cifarPickle({ images, labels: [7, 0, 4], labelKey: 'labels', style: 'python2' }), undefined, 'data_batch_1');
    expect(batch.variant).toBe('cifar10');
    expect([...batch.labels]).toEqual([7, 0, 4]);
    expect(batch.images).toEqual(images);
  });

  it('reads a Python 3 pickle (str keys, bytes data) and tells CIFAR-100 by its fine_labels', () => {
    const images = testPixels(2, PIXELS, 3);
    const batch = parseCifarPickle(cifarPickle({ images, labels: [99, 12], labelKey: 'fine_labels', style: 'python3' }), undefined, 'test');
    expect(batch.variant).toBe('cifar100');
    expect([...batch.labels]).toEqual([99, 12]);
    expect(batch.images).toEqual(images);
  });

  it('accepts the numpy globals only when asked: a torch checkpoint pickle may not name them', () => {
    const pickle = cifarPickle({ images: testPixels(1, PIXELS), labels: [1], labelKey: 'labels', style: 'python3' });
    expect(catchModelError(() => unpickle(pickle, 'ckpt.pkl')).message).toContain("'numpy.core.multiarray._reconstruct', which is not on the allow-list of tensor-rebuild globals");
  });

  it('refuses globals outside the numpy allow-list', () => {
    // GLOBAL os.system with the numpy allow-list.
    const pickle = Uint8Array.from([0x80, 0x02, 0x63, ...Buffer.from('os\nsystem\n'), 0x2e]);
    expect(catchModelError(() => unpickle(pickle, 'evil', undefined, 'numpy-arrays')).message).toBe(
      "evil: pickle names the global 'os.system', which is not on the allow-list of numpy-array globals; refusing to load it",
    );
  });

  it('refuses an array whose data disagree with its shape', () => {
    const pickle = cifarPickle({ images: testPixels(2, PIXELS), labels: [1], labelKey: 'labels', style: 'python2' });
    // The shape says 1 x 3072, the data hold 2 x 3072.
    expect(catchModelError(() => parseCifarPickle(pickle, 'cifar10', 'lie')).message).toMatch(
      /^lie: a numpy array of shape \[1, 3072\] and dtype u1 needs 3072 bytes, its data has 6144/,
    );
  });

  it('refuses a label list of the wrong length or range', () => {
    const images = testPixels(2, PIXELS);
    const pickle = cifarPickle({ images, labels: [1, 10], labelKey: 'labels', style: 'python2' });
    expect(catchModelError(() => parseCifarPickle(pickle, 'cifar10', 'bad')).message).toBe("bad: 'labels'[1] is 10, not a class 0..9");
  });
});

describe('CIFAR directories through openDataset', () => {
  const trainImages = [1, 2, 3, 4, 5].map((i) => testPixels(2, PIXELS, 10 + i));
  const testImages = testPixels(3, PIXELS, 99);
  const binDir = join(scratch, 'root', 'cifar-10-batches-bin');
  trainImages.forEach((images, i) => writeFile(join(binDir, `data_batch_${i + 1}.bin`), binaryRecords(images, [i, i + 1])));
  writeFile(join(binDir, 'test_batch.bin'), binaryRecords(testImages, [9, 8, 7]));
  const pyDir = join(scratch, 'cifar-100-python');
  writeFile(join(pyDir, 'train'), cifarPickle({ images: testPixels(2, PIXELS, 4), labels: [5, 6], labelKey: 'fine_labels', style: 'python2' }));
  writeFile(join(pyDir, 'test'), cifarPickle({ images: testImages, labels: [50, 60, 70], labelKey: 'fine_labels', style: 'python2' }));
  writeFile(join(pyDir, 'meta'), 'not read');

  it('finds the archive folder under the root torchvision takes and concatenates the five training batches in order', () => {
    const train = openDataset(join(scratch, 'root'), { model: modelFor([3, 32, 32]), split: 'train' });
    expect(train.format).toBe('cifar10-binary');
    expect(train.count).toBe(10);
    expect([...train.labels]).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 4, 5]);
    expect(train.pixels!.images.subarray(4 * PIXELS, 6 * PIXELS)).toEqual(trainImages[2]);
    const test = openDataset(binDir, { model: modelFor([3, 32, 32]), split: 'test', limit: 2 });
    expect([...test.labels]).toEqual([9, 8]);
    const input = new Float32Array(2 * PIXELS);
    test.toInput(0, 2, input);
    expect(input[5]).toBe(Math.fround(testImages[5]! / 255));
  });

  it("normalises as paper A's code does (CIFAR-10 statistics for CIFAR-100 too), in float32", () => {
    const images = new Uint8Array(PIXELS);
    images[0] = 255; // red
    images[1024 + 1] = 128; // green
    images[2048 + 2] = 200; // blue
    const dir = join(scratch, 'one');
    writeFile(join(dir, 'test.bin'), binaryRecords(images, [0], [0]));
    writeFile(join(dir, 'train.bin'), binaryRecords(images, [0], [0]));
    const out = new Float32Array(PIXELS);
    const paperA = openDataset(dir, { model: modelFor([3, 32, 32], 'osr-ots', { scale: 1 }), split: 'test' });
    expect(paperA.format).toBe('cifar100-binary');
    expect(paperA.pixels).toBeNull();
    paperA.toInput(0, 1, out);
    // Expected values computed with numpy float32: (np.float32(u)/255 - mean) / std.
    expect([out[0], out[1024 + 1], out[2048 + 2], out[1]]).toEqual([2.5140879154205322, 0.09910139441490173, 1.6806652545928955, -2.429065704345703]);
    const paperB = openDataset(dir, { model: modelFor([3, 32, 32], 'rate-bp', { scale: 1 }), split: 'test' });
    paperB.toInput(0, 1, out);
    expect([out[0], out[1024 + 1], out[2048 + 2], out[1]]).toEqual([1.8426167964935303, 0.059496354311704636, 1.2441641092300415, -1.8957008123397827]);
    expect(paperB.transform).toContain('Tab-ct/rate-based-backpropagation util/data.py');
  });

  it('reads the python distribution with its splits', () => {
    const test = openDataset(pyDir, { model: modelFor([3, 32, 32]), split: 'test' });
    expect(test.format).toBe('cifar100-python');
    expect([...test.labels]).toEqual([50, 60, 70]);
    expect(test.pixels!.images).toEqual(testImages);
    expect([...openDataset(pyDir, { model: modelFor([3, 32, 32]), split: 'train' }).labels]).toEqual([5, 6]);
  });

  it('reads one batch file by its name', () => {
    const single = openDataset(join(binDir, 'data_batch_3.bin'), { model: modelFor([3, 32, 32]), split: 'test' });
    expect([...single.labels]).toEqual([2, 3]);
  });

  it('names the missing batch when a split is incomplete, and refuses a model of another input shape', () => {
    const dir = join(scratch, 'partial');
    writeFile(join(dir, 'test_batch.bin'), binaryRecords(testImages, [1, 2, 3]));
    expect(catchModelError(() => openDataset(dir, { model: modelFor([3, 32, 32]), split: 'train' })).message).toBe(
      `${dir}: CIFAR-10 binary: the train split needs data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin; missing data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin`,
    );
    expect(catchModelError(() => openDataset(dir, { model: modelFor([1, 28, 28]), split: 'test' })).message).toContain(
      'images are [3, 32, 32], model test-model expects input [1, 28, 28]',
    );
  });

  it('refuses plain /255 for a model that expects other scaling', () => {
    const message = catchModelError(() => openDataset(binDir, { model: modelFor([3, 32, 32], 'other', { scale: 1 }), split: 'test' })).message;
    expect(message).toContain('expects inputs scaled by 1, 8-bit images are scaled by 1/255');
  });
});
