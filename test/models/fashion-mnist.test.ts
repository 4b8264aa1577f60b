import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelError } from '../../models/errors.js';
import { bundledFashionMnistDir, DEBIAN_FASHION_MNIST_DIR, defaultFashionMnistDir, loadFashionMnist, pixelsToFloat } from '../../models/datasets/fashion-mnist.js';
import { encodeIdx } from '../../models/datasets/idx.js';

const PIXELS = 28 * 28;
const FIRST_TEST_LABELS = [9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1, 2, 4, 8, 0];
const debianInstalled = existsSync(DEBIAN_FASHION_MNIST_DIR);
const needsDebian = `(skipped unless \`apt-get install dataset-fashion-mnist\` put it in ${DEBIAN_FASHION_MNIST_DIR})`;

function modelErrorFrom(action: () => unknown): ModelError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelError);
    return error as ModelError;
  }
  throw new Error('expected a ModelError, but nothing was thrown');
}

const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A directory holding a raw (uncompressed) test split with the given dims. */
function writeTestSplit(imageDims: number[], labels: number[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'spikechip-fmnist-'));
  tempDirs.push(dir);
  const imageBytes = imageDims.reduce((n, d) => n * d, 1);
  const images = Uint8Array.from({ length: imageBytes }, (_, i) => i % 256);
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx(imageDims, images));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([labels.length], Uint8Array.from(labels)));
  return dir;
}

describe('bundled Fashion-MNIST subset', () => {
  it('lives in models/datasets/bundled/fashion-mnist of the package', () => {
    const dir = bundledFashionMnistDir();
    expect(isAbsolute(dir)).toBe(true);
    expect(dir).toMatch(/models[/\\]datasets[/\\]bundled[/\\]fashion-mnist$/);
    expect(existsSync(join(dir, '..', '..', '..', '..', 'package.json'))).toBe(true);
    expect(existsSync(join(dir, 'LICENSE'))).toBe(true);
  });

  it('holds the first 1000 test images', () => {
    const set = loadFashionMnist(bundledFashionMnistDir(), 'test');
    expect(set.count).toBe(1000);
    expect(set.images.length).toBe(1000 * PIXELS);
    expect(set.labels.length).toBe(1000);
    expect(set.shape).toEqual([1, 28, 28]);
    expect(set.source).toBe(bundledFashionMnistDir());
    expect([...set.labels.subarray(0, 20)]).toEqual(FIRST_TEST_LABELS);
  });

  it('holds the first 1024 training images', () => {
    const set = loadFashionMnist(bundledFashionMnistDir(), 'train');
    expect(set.count).toBe(1024);
    expect(set.images.length).toBe(1024 * PIXELS);
  });

  it('keeps only the first `limit` images', () => {
    const all = loadFashionMnist(bundledFashionMnistDir(), 'test');
    const five = loadFashionMnist(bundledFashionMnistDir(), 'test', 5);
    expect(five.count).toBe(5);
    expect(five.images).toEqual(all.images.subarray(0, 5 * PIXELS));
    expect([...five.labels]).toEqual(FIRST_TEST_LABELS.slice(0, 5));
    expect(loadFashionMnist(bundledFashionMnistDir(), 'test', 5000).count).toBe(1000);
    expect(() => loadFashionMnist(bundledFashionMnistDir(), 'test', -1)).toThrow(RangeError);
  });

  it.skipIf(!debianInstalled)(`is byte for byte the start of the Debian set ${needsDebian}`, () => {
    for (const [split, count] of [
      ['test', 1000],
      ['train', 1024],
    ] as const) {
      const bundled = loadFashionMnist(bundledFashionMnistDir(), split);
      const original = loadFashionMnist(DEBIAN_FASHION_MNIST_DIR, split, count);
      expect(bundled.count).toBe(count);
      expect(Buffer.from(bundled.images).equals(Buffer.from(original.images))).toBe(true);
      expect(Buffer.from(bundled.labels).equals(Buffer.from(original.labels))).toBe(true);
    }
  });
});

describe('full Debian Fashion-MNIST', () => {
  it.skipIf(!debianInstalled)(`loads 10000 test and 60000 training images ${needsDebian}`, () => {
    const test = loadFashionMnist(DEBIAN_FASHION_MNIST_DIR, 'test');
    expect(test.count).toBe(10000);
    expect(test.images.length).toBe(10000 * PIXELS);
    expect([...test.labels.subarray(0, 20)]).toEqual(FIRST_TEST_LABELS);
    const train = loadFashionMnist(DEBIAN_FASHION_MNIST_DIR, 'train');
    expect(train.count).toBe(60000);
    expect(train.labels.length).toBe(60000);
  });

  it('is the default when installed, the bundled subset otherwise', () => {
    expect(defaultFashionMnistDir()).toBe(debianInstalled ? DEBIAN_FASHION_MNIST_DIR : bundledFashionMnistDir());
  });
});

describe('loadFashionMnist errors', () => {
  it('reads raw (uncompressed) files', () => {
    const set = loadFashionMnist(writeTestSplit([2, 28, 28], [3, 7]), 'test');
    expect(set.count).toBe(2);
    expect([...set.labels]).toEqual([3, 7]);
    expect(set.images[PIXELS + 1]).toBe((PIXELS + 1) % 256);
  });

  it('names the directory, the files it looked for, apt-get and the bundled subset when files are missing', () => {
    const dir = '/nonexistent/spikechip/fashion-mnist';
    const error = modelErrorFrom(() => loadFashionMnist(dir, 'train'));
    expect(error.source).toBe(dir);
    expect(error.message).toContain('train-images-idx3-ubyte[.gz]');
    expect(error.message).toContain('train-labels-idx1-ubyte[.gz]');
    expect(error.message).toContain('apt-get install dataset-fashion-mnist');
    expect(error.message).toContain(bundledFashionMnistDir());
  });

  it('says which file is missing when only one is', () => {
    const dir = writeTestSplit([1, 28, 28], [0]);
    rmSync(join(dir, 't10k-labels-idx1-ubyte'));
    expect(modelErrorFrom(() => loadFashionMnist(dir, 'test')).message).toMatch(/missing t10k-labels-idx1-ubyte\[\.gz\]\./);
  });

  it('rejects image and label counts that differ, naming the label file', () => {
    const dir = writeTestSplit([3, 28, 28], [1, 2]);
    const error = modelErrorFrom(() => loadFashionMnist(dir, 'test'));
    expect(error.source).toBe(join(dir, 't10k-labels-idx1-ubyte'));
    expect(error.message).toMatch(/holds 2 labels, but .*t10k-images-idx3-ubyte holds 3 images/);
  });

  it('rejects images that are not 28x28, naming the image file', () => {
    const dir = writeTestSplit([2, 28, 27], [1, 2]);
    const error = modelErrorFrom(() => loadFashionMnist(dir, 'test'));
    expect(error.source).toBe(join(dir, 't10k-images-idx3-ubyte'));
    expect(error.message).toMatch(/expected images of shape \[N, 28, 28\], found dims \[2, 28, 27\]/);
  });

  it('rejects labels outside 0..9', () => {
    const error = modelErrorFrom(() => loadFashionMnist(writeTestSplit([2, 28, 28], [1, 10]), 'test'));
    expect(error.message).toMatch(/label 10 at index 1 is not a class index 0\.\.9/);
  });
});

describe('pixelsToFloat', () => {
  it('divides by 255 in float32, as PyTorch does', () => {
    const pixels = Uint8Array.from({ length: 256 }, (_, v) => v);
    const out = new Float32Array(256);
    pixelsToFloat(pixels, 0, 256, out);
    expect(out[0]).toBe(0);
    expect(out[1]).toBe(Math.fround(1 / 255));
    expect(out[255]).toBe(1);
    for (let v = 0; v < 256; v++) expect(out[v]).toBe(Math.fround(v / 255));

    // Multiplying by the float32 reciprocal is a different (wrong) rounding for some values; make sure one is hit.
    const reciprocal = Math.fround(1 / 255);
    const differing = pixels.find((v) => Math.fround(v / 255) !== Math.fround(v * reciprocal));
    expect(differing).toBeDefined();
    expect(out[differing!]).not.toBe(Math.fround(differing! * reciprocal));
  });

  it('converts `count` pixels starting at `offset`', () => {
    const out = new Float32Array(4).fill(-1);
    pixelsToFloat(Uint8Array.from([0, 0, 255, 51, 0]), 2, 2, out);
    expect([...out]).toEqual([1, Math.fround(51 / 255), -1, -1]);
    expect(() => pixelsToFloat(new Uint8Array(3), 2, 2, out)).toThrow(RangeError);
    expect(() => pixelsToFloat(new Uint8Array(8), 0, 5, out)).toThrow(RangeError);
  });
});
