/**
 * Fashion-MNIST (Zalando, MIT) read from its idx files: either the full set of the Debian package
 * `dataset-fashion-mnist` or the small subset bundled with spikechip so evaluation works offline.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { ModelError } from '../errors.js';
import { readIdxFile, type IdxArray } from './idx.js';

export interface ImageSet {
  /** `count` images of 28x28 unsigned-byte pixels, row-major, back to back. */
  readonly images: Uint8Array;
  /** Class indices 0..9, one per image. */
  readonly labels: Uint8Array;
  readonly count: number;
  /** [C, H, W] of one image: [1, 28, 28] for Fashion-MNIST; other 8-bit image sets (CIFAR) reuse the type. */
  readonly shape: readonly [number, number, number];
  /** The directory the set was read from. */
  readonly source: string;
}

export type Split = 'train' | 'test';

export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const SIDE = 28;
const PIXELS_PER_IMAGE = SIDE * SIDE;
const CLASS_COUNT = 10;

/** File names without the optional `.gz`, as Zalando publishes them (the test split is called t10k). */
export const FASHION_MNIST_FILES: Readonly<Record<Split, { readonly images: string; readonly labels: string }>> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

export function bundledFashionMnistDir(): string {
  return join(packageRoot(), 'models', 'datasets', 'bundled', 'fashion-mnist');
}

export function defaultFashionMnistDir(): string {
  const debianIsComplete = (['train', 'test'] as const).every((split) =>
    Object.values(FASHION_MNIST_FILES[split]).every((stem) => findIdxFile(DEBIAN_FASHION_MNIST_DIR, stem) !== undefined),
  );
  return debianIsComplete ? DEBIAN_FASHION_MNIST_DIR : bundledFashionMnistDir();
}

/** Reads one split from `dir`; `limit` keeps only the first `limit` images. */
export function loadFashionMnist(dir: string, split: Split, limit?: number): ImageSet {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  }
  const { images: imagesStem, labels: labelsStem } = FASHION_MNIST_FILES[split];
  const imagesPath = findIdxFile(dir, imagesStem);
  const labelsPath = findIdxFile(dir, labelsStem);
  if (imagesPath === undefined || labelsPath === undefined) {
    const missing = [imagesPath === undefined ? imagesStem : undefined, labelsPath === undefined ? labelsStem : undefined]
      .filter((stem) => stem !== undefined)
      .map((stem) => `${stem}[.gz]`);
    throw new ModelError(
      dir,
      `Fashion-MNIST ${split} split not found: looked for ${imagesStem}[.gz] and ${labelsStem}[.gz], missing ${missing.join(' and ')}. ` +
        `Install the full dataset with \`apt-get install dataset-fashion-mnist\` (it goes to ${DEBIAN_FASHION_MNIST_DIR}) ` +
        `or use the subset bundled with spikechip in ${bundledFashionMnistDir()}.`,
    );
  }
  const images = readIdxFile(imagesPath);
  const labels = readIdxFile(labelsPath);
  const imageCount = checkImageDims(images, imagesPath);
  checkLabels(labels, labelsPath, imageCount, imagesPath);

  const count = limit === undefined ? imageCount : Math.min(limit, imageCount);
  // slice (not subarray) when limiting, so the full decompressed set does not stay reachable.
  const keepAll = count === imageCount;
  return {
    images: keepAll ? images.data : images.data.slice(0, count * PIXELS_PER_IMAGE),
    labels: keepAll ? labels.data : labels.data.slice(0, count),
    count,
    shape: [1, SIDE, SIDE],
    source: dir,
  };
}

/** out[i] = images[offset + i] / 255 in float32, exactly as torchvision's ToTensor divides (not multiplies by 1/255). */
export function pixelsToFloat(images: Uint8Array, offset: number, count: number, out: Float32Array): void {
  if (offset < 0 || count < 0 || offset + count > images.length || count > out.length) {
    throw new RangeError(`cannot convert ${count} pixels at offset ${offset} from ${images.length} into ${out.length}`);
  }
  for (let i = 0; i < count; i++) out[i] = images[offset + i]! / 255;
}

/** Raw first: someone who unpacked the archive did so to skip decompression. */
function findIdxFile(dir: string, stem: string): string | undefined {
  return [join(dir, stem), join(dir, `${stem}.gz`)].find((path) => existsSync(path));
}

function checkImageDims(images: IdxArray, path: string): number {
  const [count, height, width, ...rest] = images.dims;
  if (count === undefined || height !== SIDE || width !== SIDE || rest.length > 0) {
    throw new ModelError(path, `expected images of shape [N, ${SIDE}, ${SIDE}], found dims [${images.dims.join(', ')}]`);
  }
  return count;
}

function checkLabels(labels: IdxArray, path: string, imageCount: number, imagesPath: string): void {
  const [count, ...rest] = labels.dims;
  if (count === undefined || rest.length > 0) {
    throw new ModelError(path, `expected labels of shape [N], found dims [${labels.dims.join(', ')}]`);
  }
  if (count !== imageCount) {
    throw new ModelError(path, `holds ${count} labels, but ${imagesPath} holds ${imageCount} images; the counts must match`);
  }
  const badIndex = labels.data.findIndex((label) => label >= CLASS_COUNT);
  if (badIndex >= 0) {
    throw new ModelError(path, `label ${labels.data[badIndex]} at index ${badIndex} is not a class index 0..${CLASS_COUNT - 1}`);
  }
}
