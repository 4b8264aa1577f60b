/**
 * CIFAR-10 / CIFAR-100 as distributed (binary or python), found by file names in a directory: the archive's own
 * folder (cifar-10-batches-bin, cifar-10-batches-py, cifar-100-binary, cifar-100-python) or the folder above it,
 * which is the root torchvision's CIFAR10/CIFAR100 take. The train split is the five batches in order (CIFAR-10)
 * or `train` (CIFAR-100), as torchvision concatenates them; the test split is test_batch or `test`.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ModelError } from '../errors.js';
import { MemoryLedger, readFileWithinBudget } from '../memory-budget.js';
import { CIFAR_PIXELS, cifarRecordBytes, parseCifarBinary, type CifarBatch } from './cifar-binary.js';
import { parseCifarPickle } from './cifar-python.js';
import type { CifarVariant } from './image-normalisation.js';

export type CifarDistribution = 'binary' | 'python';
export type DatasetSplit = 'train' | 'test';

export interface CifarLayout {
  readonly variant: CifarVariant;
  readonly distribution: CifarDistribution;
  readonly dir: string;
}

export interface CifarSet extends CifarBatch, CifarLayout {
  readonly files: readonly string[];
}

const SPLIT_FILES: Readonly<Record<CifarVariant, Readonly<Record<CifarDistribution, Readonly<Record<DatasetSplit, readonly string[]>>>>>> = {
  cifar10: {
    binary: { train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), test: ['test_batch.bin'] },
    python: { train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}`), test: ['test_batch'] },
  },
  cifar100: {
    binary: { train: ['train.bin'], test: ['test.bin'] },
    python: { train: ['train'], test: ['test'] },
  },
};

const ARCHIVE_FOLDERS: readonly (readonly [string, CifarVariant, CifarDistribution])[] = [
  ['cifar-10-batches-bin', 'cifar10', 'binary'],
  ['cifar-10-batches-py', 'cifar10', 'python'],
  ['cifar-100-binary', 'cifar100', 'binary'],
  ['cifar-100-python', 'cifar100', 'python'],
];

/** Which CIFAR distribution `dir` (or one archive folder in it) holds, judged by its test file. */
export function findCifar(dir: string): CifarLayout | undefined {
  const here = layoutIn(dir);
  if (here) return here;
  for (const [folder] of ARCHIVE_FOLDERS) {
    const layout = layoutIn(join(dir, folder));
    if (layout) return layout;
  }
  return undefined;
}

function layoutIn(dir: string): CifarLayout | undefined {
  for (const variant of ['cifar10', 'cifar100'] as const) {
    for (const distribution of ['binary', 'python'] as const) {
      const files = SPLIT_FILES[variant][distribution];
      const present = [...files.test, ...files.train].some((name) => isFile(join(dir, name)));
      // CIFAR-100 python's bare `train`/`test` could be anything: its `meta` file must be beside them.
      if (present && (variant === 'cifar10' || distribution === 'binary' || isFile(join(dir, 'meta')))) return { variant, distribution, dir };
    }
  }
  return undefined;
}

export function loadCifar(layout: CifarLayout, split: DatasetSplit, limit = Infinity): CifarSet {
  const names = SPLIT_FILES[layout.variant][layout.distribution][split];
  const missing = names.filter((name) => !isFile(join(layout.dir, name)));
  if (missing.length > 0) {
    throw new ModelError(layout.dir, `${describeLayout(layout)}: the ${split} split needs ${names.join(', ')}; missing ${missing.join(', ')}`);
  }
  const batches: CifarBatch[] = [];
  let remaining = limit;
  const files: string[] = [];
  for (const name of names) {
    if (remaining <= 0) break;
    const path = join(layout.dir, name);
    const batch = readCifarFile(path, layout.variant, layout.distribution, remaining);
    batches.push(batch);
    files.push(path);
    remaining -= batch.count;
  }
  return { ...layout, files, ...concatBatches(batches, layout.dir) };
}

/** One batch file named as the distribution names them (data_batch_N[.bin], test_batch[.bin], train[.bin], test[.bin]). */
export function cifarFileLayout(path: string): { variant: CifarVariant; distribution: CifarDistribution } | undefined {
  const name = basename(path);
  if (/^(data_batch_[1-5]|test_batch)\.bin$/.test(name)) return { variant: 'cifar10', distribution: 'binary' };
  if (/^(data_batch_[1-5]|test_batch)$/.test(name)) return { variant: 'cifar10', distribution: 'python' };
  if (/^(train|test)\.bin$/.test(name)) return { variant: 'cifar100', distribution: 'binary' };
  return undefined;
}

export function readCifarFile(path: string, variant: CifarVariant, distribution: CifarDistribution, limit = Infinity): CifarBatch {
  const bytes = readBytes(path);
  return distribution === 'binary' ? parseCifarBinary(bytes, variant, path, limit) : parseCifarPickle(bytes, variant, path, limit);
}

export function describeLayout(layout: Pick<CifarLayout, 'variant' | 'distribution'>): string {
  return `${layout.variant === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} ${layout.distribution}`;
}

/** The record size, so callers can tell a CIFAR-10 from a CIFAR-100 binary file by its length. */
export { cifarRecordBytes };

function concatBatches(batches: readonly CifarBatch[], dir: string): CifarBatch {
  if (batches.length === 1) return batches[0]!;
  const count = batches.reduce((n, b) => n + b.count, 0);
  new MemoryLedger(dir).charge(count * (CIFAR_PIXELS + 1), `the ${count} images of the split together`);
  const images = new Uint8Array(count * CIFAR_PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const b of batches) {
    images.set(b.images, at * CIFAR_PIXELS);
    labels.set(b.labels, at);
    at += b.count;
  }
  return { count, images, labels };
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** A dataset file's bytes, refused before reading when it is larger than the memory budget. */
export function readBytes(path: string): Uint8Array {
  try {
    const buffer = readFileWithinBudget(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new ModelError(path, `cannot read the file (${(error as Error).message})`);
  }
}
