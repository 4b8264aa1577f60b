/**
 * Regenerates models/datasets/bundled/fashion-mnist from the full Debian copy. Not used at runtime; run after
 * a build:
 *
 *   npm run build && node dist/models/datasets/make-bundled-subset.js [sourceDir]
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'fflate';
import { encodeIdx } from './idx.js';
import { bundledFashionMnistDir, DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_FILES, loadFashionMnist, type Split } from './fashion-mnist.js';

/** Enough test images for a meaningful accuracy figure, and a power of two of training images for batching. */
export const BUNDLED_COUNTS: Readonly<Record<Split, number>> = { test: 1000, train: 1024 };

/** Writes the first images and labels of each split as gzip idx files; returns the paths written. */
export function makeBundledSubset(sourceDir: string = DEBIAN_FASHION_MNIST_DIR, targetDir: string = bundledFashionMnistDir()): string[] {
  mkdirSync(targetDir, { recursive: true });
  const written: string[] = [];
  for (const split of ['test', 'train'] as const) {
    const wanted = BUNDLED_COUNTS[split];
    const set = loadFashionMnist(sourceDir, split, wanted);
    if (set.count < wanted) throw new RangeError(`${sourceDir} has only ${set.count} ${split} images, the subset needs ${wanted}`);
    const files = FASHION_MNIST_FILES[split];
    written.push(writeGzipIdx(join(targetDir, `${files.images}.gz`), [set.count, 28, 28], set.images));
    written.push(writeGzipIdx(join(targetDir, `${files.labels}.gz`), [set.count], set.labels));
  }
  return written;
}

function writeGzipIdx(path: string, dims: number[], data: Uint8Array): string {
  // mtime 0 leaves the timestamp out, so regenerating yields byte-identical files.
  writeFileSync(path, gzipSync(encodeIdx(dims, data), { level: 9, mtime: 0 }));
  return path;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  for (const path of makeBundledSubset(process.argv[2])) console.log(`${path}  ${statSync(path).size} bytes`);
}
