import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadFashionMnist, type ImageSet } from '../models/datasets/fashion-mnist.js';
import { sha256Hex } from './content-hash.js';
import { ClusterError } from './errors.js';

/**
 * A dataset named by where it lives and what it holds: every worker reads it from its own disk (the same path on
 * every machine: a package such as dataset-fashion-mnist, or a shared mount) and runs only if the content hashes
 * to what the submitter saw. Images never travel through the queue.
 */
export interface DatasetRef {
  readonly format: 'fashion-mnist-test';
  /** Absolute directory of the idx files. */
  readonly path: string;
  /** The first `count` test images, as the submitter read them. */
  readonly count: number;
  /** SHA-256 of those images' bytes followed by their labels. */
  readonly sha256: string;
}

export function datasetRef(set: ImageSet): DatasetRef {
  return { format: 'fashion-mnist-test', path: resolve(set.source), count: set.count, sha256: datasetHash(set) };
}

export function datasetHash(set: Pick<ImageSet, 'images' | 'labels'>): string {
  return sha256Hex(set.images, set.labels);
}

/** Loaded datasets by path, count and hash: a worker reads and checks each set once, whatever the number of jobs. */
const loaded = new Map<string, ImageSet>();

/** The dataset a job names, from this machine's disk; says which and why when this worker lacks it. */
export function loadDatasetRef(ref: DatasetRef): ImageSet {
  const key = `${ref.path}\n${ref.count}\n${ref.sha256}`;
  const cached = loaded.get(key);
  if (cached) return cached;
  const wanted = `Fashion-MNIST test set (${ref.count} images, sha256 ${ref.sha256.slice(0, 12)})`;
  if (!existsSync(ref.path)) throw new ClusterError(ref.path, `this worker lacks the dataset: no such directory here; the job needs the ${wanted}`);
  let set: ImageSet;
  try {
    set = loadFashionMnist(ref.path, 'test', ref.count);
  } catch (error) {
    throw new ClusterError(ref.path, `this worker cannot read the dataset the job needs (${wanted}): ${error instanceof Error ? error.message : String(error)}`);
  }
  if (set.count !== ref.count) throw new ClusterError(ref.path, `this worker's copy holds ${set.count} test images; the job needs the ${wanted}`);
  const actual = datasetHash(set);
  if (actual !== ref.sha256) throw new ClusterError(ref.path, `this worker's copy differs (sha256 ${actual.slice(0, 12)}); the job needs the ${wanted}`);
  loaded.set(key, set);
  return set;
}
