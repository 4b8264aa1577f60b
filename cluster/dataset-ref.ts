import { existsSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { FASHION_MNIST_FILES, loadFashionMnist, type ImageSet } from '../models/datasets/fashion-mnist.js';
import { openDataset } from '../models/datasets/open-dataset.js';
import type { Model, ModelSource } from '../models/graph/model.js';
import { formatShape, sameShape } from '../models/graph/tensor.js';
import { sha256Hex } from './content-hash.js';
import { ClusterError } from './errors.js';

/**
 * A dataset named by where it lives and what it holds: every worker reads it from its own disk (the same path on
 * every machine: a package such as dataset-fashion-mnist, or a shared mount) and runs only if the content hashes
 * to what the submitter saw. Samples never travel through the queue.
 */
export type DatasetRef = FashionMnistRef | DataFileRef;

export interface FashionMnistRef {
  readonly format: 'fashion-mnist-test';
  /** Absolute directory of the idx files. */
  readonly path: string;
  /** The first `count` test images, as the submitter read them. */
  readonly count: number;
  /** SHA-256 of those images' bytes followed by their labels. */
  readonly sha256: string;
}

/** Any other `--data` (CIFAR, .npy/.npz/.f32, DVS recordings), read for a program as `simulate --data` reads it. */
export interface DataFileRef {
  readonly format: 'data';
  /** Absolute path of the file or directory, as `--data` named it. */
  readonly path: string;
  readonly count: number;
  /** SHA-256 of the samples as the program takes them (8-bit pixels, or float32 values), then the labels. */
  readonly sha256: string;
  readonly reader: DataReader;
}

/** What the dataset readers need to know of the program (cli/simulation-input.ts derives it from one). */
export interface DataReader {
  readonly inputShape: readonly number[];
  /** The codebase whose normalisation 8-bit colour images get. */
  readonly source: ModelSource;
  readonly timesteps: number;
  /** The program takes 8-bit pixels (scaled 1/255); otherwise real values. */
  readonly pixels: boolean;
}

/** Samples as a worker hands them to a job thread. */
export interface LoadedSamples {
  readonly images: Uint8Array;
  /** Real values for a program that takes them (then `images` is empty). */
  readonly values: Float32Array | null;
  readonly framesPerStep: boolean;
  readonly labels: Uint8Array;
  readonly count: number;
}

export function datasetRef(set: ImageSet): FashionMnistRef {
  return { format: 'fashion-mnist-test', path: resolve(set.source), count: set.count, sha256: datasetHash(set) };
}

/** The reference of samples read from `path` by openDataset for a program described by `reader`. */
export function dataFileRef(path: string, reader: DataReader, samples: Omit<LoadedSamples, 'framesPerStep'>): DataFileRef {
  return { format: 'data', path: resolve(path), count: samples.count, sha256: samplesHash(samples), reader };
}

export function datasetHash(set: Pick<ImageSet, 'images' | 'labels'>): string {
  return sha256Hex(set.images, set.labels);
}

function samplesHash(samples: Pick<LoadedSamples, 'images' | 'values' | 'labels'>): string {
  const values = samples.values;
  return values ? sha256Hex(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), samples.labels) : datasetHash(samples);
}

/** Loaded datasets by reference: a worker reads and checks each set once, whatever the number of jobs. */
const loaded = new Map<string, LoadedSamples>();

/** The dataset a job names, from this machine's disk; says which and why when this worker lacks it. */
export function loadDatasetRef(ref: FashionMnistRef): LoadedSamples & ImageSet;
export function loadDatasetRef(ref: DatasetRef): LoadedSamples;
export function loadDatasetRef(ref: DatasetRef): LoadedSamples {
  const key = JSON.stringify(ref);
  const cached = loaded.get(key);
  if (cached) return cached;
  const wanted =
    ref.format === 'fashion-mnist-test'
      ? `Fashion-MNIST test set (${ref.count} images, sha256 ${ref.sha256.slice(0, 12)})`
      : `dataset of ${ref.count} samples (sha256 ${ref.sha256.slice(0, 12)})`;
  if (!existsSync(ref.path)) throw new ClusterError(ref.path, `this worker lacks the dataset: no such file or directory here; the job needs the ${wanted}`);
  let samples: LoadedSamples;
  try {
    samples = ref.format === 'fashion-mnist-test' ? { ...loadFashionMnist(ref.path, 'test', ref.count), values: null, framesPerStep: false } : readDataFile(ref);
  } catch (error) {
    throw new ClusterError(ref.path, `this worker cannot read the dataset the job needs (${wanted}): ${error instanceof Error ? error.message : String(error)}`);
  }
  if (samples.count !== ref.count) throw new ClusterError(ref.path, `this worker's copy holds ${samples.count} samples; the job needs the ${wanted}`);
  const actual = samplesHash(samples);
  if (actual !== ref.sha256) throw new ClusterError(ref.path, `this worker's copy differs (sha256 ${actual.slice(0, 12)}); the job needs the ${wanted}`);
  loaded.set(key, samples);
  return samples;
}

/** The samples exactly as `simulate --data` hands them to the simulator (cli/simulation-input.ts), test split. */
function readDataFile(ref: DataFileRef): LoadedSamples {
  return readDataSamples(ref.path, ref.reader, ref.count);
}

/** The first `limit` test samples (all without it) of `path` for a program or model described by `reader`. */
export function readDataSamples(path: string, reader: DataReader, limit?: number): LoadedSamples {
  const model: Model = {
    name: 'queued program',
    source: reader.source,
    timesteps: reader.timesteps,
    input: { shape: [...reader.inputShape], scale: reader.pixels ? 1 / 255 : 1, encoding: 'direct' },
    nodes: [],
    output: 'mean-over-time',
  };
  const dataset = openDataset(path, { model, split: 'test', ...(limit !== undefined ? { limit } : {}) });
  const framesPerStep = dataset.framesPerStep === true && dataset.inputShape[0] === reader.timesteps && sameShape(dataset.inputShape.slice(1), reader.inputShape);
  if (!framesPerStep && !sameShape(dataset.inputShape, reader.inputShape))
    throw new ClusterError(dataset.source, `samples are ${formatShape(dataset.inputShape)}, the program expects input ${formatShape(reader.inputShape)}`);
  const common = { labels: dataset.labels, count: dataset.count, framesPerStep };
  if (reader.pixels) {
    if (!dataset.pixels) throw new ClusterError(dataset.source, `the program takes 8-bit pixels; ${dataset.transform} gives real values`);
    return { ...common, images: dataset.pixels.images, values: null };
  }
  const values = new Float32Array(dataset.count * dataset.inputShape.reduce((a, b) => a * b, 1));
  dataset.toInput(0, dataset.count, values);
  return { ...common, images: new Uint8Array(0), values };
}

/** A directory of Fashion-MNIST idx files (its test images), which sweeps read with the Fashion-MNIST reader. */
export function isFashionMnistDir(path: string): boolean {
  try {
    return statSync(path).isDirectory() && readdirSync(path).some((f) => f.startsWith(FASHION_MNIST_FILES.test.images));
  } catch {
    return false;
  }
}

/** How a model's input reads from a dataset: its shape, source codebase and steps, pixels when its scale is 1/255. */
export function modelReader(model: Pick<Model, 'input' | 'source' | 'timesteps'>): DataReader {
  return { inputShape: [...model.input.shape], source: model.source, timesteps: model.timesteps, pixels: Math.abs(model.input.scale * 255 - 1) < 1e-9 };
}
