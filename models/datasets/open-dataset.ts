/**
 * One way in for `--data`: detects the format from the path and returns samples for the model.
 *
 *   directory   Fashion-MNIST idx files; CIFAR-10/100 binary or python batches (or the folder holding the
 *               archive's folder); DVS128 Gesture (trials_to_*.txt, *.aedat, *_labels.csv); CIFAR10-DVS (class
 *               folders of .aedat, or paper B's train/ and test/ of .pt frames). These have train and test splits.
 *   file        .npy, .npz, .f32 tensors; one CIFAR batch (data_batch_N[.bin], test_batch[.bin], train.bin,
 *               test.bin, or a CIFAR python pickle). A file is one set: the split does not apply.
 *
 * 8-bit colour images get the test transform of the model's code (see image-normalisation.ts); event recordings
 * become T frames as paper A's code makes them (see dvs-frames.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ModelError } from '../errors.js';
import type { Model } from '../graph/model.js';
import { elementCount, formatShape, sameShape } from '../graph/tensor.js';
import type { LabelledSamples } from '../reference/evaluate.js';
import { CIFAR_CLASSES, CIFAR_SIDE, cifarRecordBytes, parseCifarBinary, type CifarBatch } from './cifar-binary.js';
import { parseCifarPickle } from './cifar-python.js';
import { cifarFileLayout, describeLayout, findCifar, loadCifar, readBytes, type DatasetSplit } from './cifar.js';
import { isCifar10Dvs, loadCifar10Dvs } from './cifar10-dvs.js';
import { isFramesPtDirectory, loadFramesPt } from './cifar10-dvs-frames-pt.js';
import { DVS_POLARITIES } from './dvs-frames.js';
import type { DvsFrameSet } from './dvs-set.js';
import { findDvsGesture, loadDvsGesture } from './dvs128-gesture.js';
import { FASHION_MNIST_FILES, loadFashionMnist } from './fashion-mnist.js';
import { CIFAR_NORMALISATION, normalisationFor, normalisePixels, type CifarVariant, type NormalisationChoice } from './image-normalisation.js';
import { imageSamples } from './image-samples.js';
import { isNpy, parseNpy, type NpyArray } from './npy.js';
import { isZip, parseNpz } from './npz.js';
import { parseF32 } from './raw-f32.js';
import { tensorSamples } from './tensor-samples.js';

export type DatasetFormat =
  | 'fashion-mnist-idx'
  | 'cifar10-binary'
  | 'cifar10-python'
  | 'cifar100-binary'
  | 'cifar100-python'
  | 'dvs128-gesture'
  | 'cifar10-dvs'
  | 'cifar10-dvs-frames-pt'
  | 'npy'
  | 'npz'
  | 'f32';

/** What openDataset recognises, for the error that says it recognised nothing. */
export const KNOWN_DATASET_FORMATS =
  'a directory with Fashion-MNIST idx files (train-images-idx3-ubyte[.gz], ...), CIFAR-10/100 binary ' +
  '(data_batch_1..5.bin, test_batch.bin / train.bin, test.bin) or python batches (data_batch_1..5, test_batch / ' +
  'train, test, meta), DVS128 Gesture (trials_to_train.txt, trials_to_test.txt, userXX_<lighting>.aedat, ' +
  "*_labels.csv), CIFAR10-DVS (class folders airplane, ..., truck of .aedat files) or paper B's pre-integrated " +
  'CIFAR10-DVS frames (train/ and test/ of 0.pt, 1.pt, ...); or one file: .npy, .npz, ' +
  '.f32, a CIFAR batch';

/** The label of samples that carry none (tensors without a labels array); no class index is this large. */
export const UNLABELLED = 255;

export interface OpenDatasetOptions {
  readonly model: Model;
  readonly split: DatasetSplit;
  /** Keep only the first `limit` samples. */
  readonly limit?: number;
  /** 8-bit colour images: whose code's normalisation applies (default: the model's source; 'none' is /255). */
  readonly normalisation?: NormalisationChoice;
  /** Event recordings: frames per sample (default: the model's timesteps). */
  readonly frames?: number;
}

export interface OpenedDataset extends LabelledSamples {
  readonly format: DatasetFormat;
  /** The directory or file read. */
  readonly source: string;
  /** False when the data carry no labels: then every label is UNLABELLED. */
  readonly labelled: boolean;
  readonly classes: number | null;
  /** The per-sample shape `toInput` writes: the model's input, or [T, 2, H, W] for event frames. */
  readonly inputShape: readonly number[];
  /** How raw values became model input, for reports. */
  readonly transform: string;
  /** 8-bit CHW images whose model input is plain pixel / 255 (what a chip's input side can take as is). */
  readonly pixels: { readonly images: Uint8Array; readonly shape: readonly number[] } | null;
  /** Event recordings integrated into frames. */
  readonly frames: DvsFrameSet | null;
}

export function openDataset(path: string, options: OpenDatasetOptions): OpenedDataset {
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 0)) {
    throw new RangeError(`limit must be a non-negative integer, got ${options.limit}`);
  }
  if (!existsSync(path)) throw new ModelError(path, 'no such file or directory');
  return statSync(path).isDirectory() ? openDirectory(path, options) : openFile(path, options);
}

function openDirectory(dir: string, options: OpenDatasetOptions): OpenedDataset {
  if (hasIdxFiles(dir)) return fashionMnist(dir, options);
  const cifar = findCifar(dir);
  if (cifar) {
    const set = loadCifar(cifar, options.split, options.limit);
    return cifarDataset(set, cifar.variant, `${cifar.variant}-${cifar.distribution}`, cifar.dir, options);
  }
  if (isFramesPtDirectory(dir)) return framesPtDataset(dir, options);
  const gesture = findDvsGesture(dir);
  if (gesture) return dvsDataset('dvs128-gesture', gesture, options, (frameOptions) => loadDvsGesture(gesture, options.split, frameOptions));
  if (isCifar10Dvs(dir)) return dvsDataset('cifar10-dvs', dir, options, (frameOptions) => loadCifar10Dvs(dir, options.split, frameOptions));
  throw new ModelError(dir, `cannot tell which dataset this directory holds; known: ${KNOWN_DATASET_FORMATS}`);
}

function openFile(file: string, options: OpenDatasetOptions): OpenedDataset {
  const extension = extname(file).toLowerCase();
  const limit = options.limit ?? Infinity;
  if (extension === '.npy') return tensorDataset('npy', file, parseNpy(readBytes(file), file), undefined, options);
  if (extension === '.npz') return npzDataset(file, options);
  if (extension === '.f32') return tensorDataset('f32', file, parseF32(readBytes(file), file, options.model.input.shape), undefined, options);
  const named = cifarFileLayout(file);
  const bytes = readBytes(file);
  if (named?.distribution === 'python' || (extension === '' && bytes[0] === PICKLE_PROTO)) {
    const batch = parseCifarPickle(bytes, named?.variant, file, limit);
    return cifarDataset(batch, batch.variant, `${batch.variant}-python`, file, options);
  }
  if (named !== undefined || extension === '.bin') {
    const variant = named?.variant ?? binaryVariantBySize(bytes.length, file);
    return cifarDataset(parseCifarBinary(bytes, variant, file, limit), variant, `${variant}-binary`, file, options);
  }
  if (isNpy(bytes)) return tensorDataset('npy', file, parseNpy(bytes, file), undefined, options);
  if (isZip(bytes)) return npzDataset(file, options);
  throw new ModelError(file, `cannot tell which dataset format this file is; known: ${KNOWN_DATASET_FORMATS}`);
}

const PICKLE_PROTO = 0x80;

function binaryVariantBySize(size: number, file: string): CifarVariant {
  const fits = (['cifar10', 'cifar100'] as const).filter((v) => size > 0 && size % cifarRecordBytes(v) === 0);
  if (fits.length === 1) return fits[0]!;
  throw new ModelError(
    file,
    `a .bin not named as a CIFAR batch (data_batch_N.bin, test_batch.bin, train.bin, test.bin) must be a whole number of CIFAR-10 (${cifarRecordBytes('cifar10')}-byte) ` +
      `or CIFAR-100 (${cifarRecordBytes('cifar100')}-byte) records; ${size} bytes is ${fits.length === 0 ? 'neither' : 'both'}`,
  );
}

function hasIdxFiles(dir: string): boolean {
  return Object.values(FASHION_MNIST_FILES).some((split) => Object.values(split).some((stem) => existsSync(join(dir, stem)) || existsSync(join(dir, `${stem}.gz`))));
}

function fashionMnist(dir: string, options: OpenDatasetOptions): OpenedDataset {
  const set = loadFashionMnist(dir, options.split, options.limit);
  const samples = imageSamples(set, options.model);
  return {
    ...samples,
    format: 'fashion-mnist-idx',
    source: set.source,
    labelled: true,
    classes: 10,
    inputShape: set.shape,
    transform: 'pixel / 255 (ToTensor)',
    pixels: { images: set.images, shape: set.shape },
    frames: null,
  };
}

function cifarDataset(batch: CifarBatch, variant: CifarVariant, format: DatasetFormat, source: string, options: OpenDatasetOptions): OpenedDataset {
  const shape = [3, CIFAR_SIDE, CIFAR_SIDE] as const;
  const { model } = options;
  if (!sameShape(shape, model.input.shape)) {
    throw new ModelError(
      source,
      `${describeLayout({ variant, distribution: format.endsWith('python') ? 'python' : 'binary' })} images are ${formatShape(shape)}, model ${model.name} expects input ${formatShape(model.input.shape)}`,
    );
  }
  const choice = options.normalisation ?? normalisationFor(model.source);
  const size = elementCount(shape);
  const plane = CIFAR_SIDE * CIFAR_SIDE;
  const common = { format, source, labelled: true, classes: CIFAR_CLASSES[variant], inputShape: shape, count: batch.count, labels: batch.labels, frames: null };
  if (choice === 'none') {
    checkPixelScale(model, source);
    return {
      ...common,
      transform: 'pixel / 255 (ToTensor)',
      pixels: { images: batch.images, shape },
      toInput: (first, count, out) => {
        checkSampleRange(first, count, batch.count, source);
        for (let i = 0; i < count * size; i++) out[i] = batch.images[first * size + i]! / 255;
      },
    };
  }
  const norm = CIFAR_NORMALISATION[choice][variant];
  return {
    ...common,
    transform: `ToTensor then Normalize(mean ${JSON.stringify(norm.mean)}, std ${JSON.stringify(norm.std)}) in float32, from ${norm.reference}`,
    pixels: null,
    toInput: (first, count, out) => {
      checkSampleRange(first, count, batch.count, source);
      normalisePixels(batch.images, first * size, count * size, plane, norm, out);
    },
  };
}

function checkPixelScale(model: OpenDatasetOptions['model'], source: string): void {
  if (Math.abs(model.input.scale * 255 - 1) > 1e-9) {
    throw new ModelError(
      source,
      `model ${model.name} (source '${model.source}') expects inputs scaled by ${model.input.scale}, 8-bit images are scaled by 1/255; ` +
        "name the normalisation of the model's code (osr-ots or rate-bp), or store the model's float inputs in a .npy/.f32 file",
    );
  }
}

function checkSampleRange(first: number, count: number, total: number, source: string): void {
  if (first < 0 || count < 0 || first + count > total) throw new ModelError(source, `samples ${first}..${first + count - 1} requested of ${total}`);
}

const LABEL_NAMES = ['labels', 'y', 'targets', 'label'];
const INPUT_NAMES = ['x', 'inputs', 'input', 'data', 'images', 'arr_0'];

function npzDataset(file: string, options: OpenDatasetOptions): OpenedDataset {
  const arrays = parseNpz(readBytes(file), file);
  const labelName = LABEL_NAMES.find((name) => arrays.has(name));
  const candidates = [...arrays.keys()].filter((name) => name !== labelName);
  const inputName = INPUT_NAMES.find((name) => arrays.has(name)) ?? (candidates.length === 1 ? candidates[0] : undefined);
  if (inputName === undefined) {
    throw new ModelError(
      file,
      `cannot tell which array holds the inputs among ${[...arrays.keys()].join(', ') || '(none)'}; name it one of ${INPUT_NAMES.join(', ')} (labels: ${LABEL_NAMES.join(', ')})`,
    );
  }
  const labels = labelName === undefined ? undefined : { name: labelName, array: arrays.get(labelName)! };
  return tensorDataset('npz', file, arrays.get(inputName)!, labels, options);
}

function tensorDataset(
  format: 'npy' | 'npz' | 'f32',
  file: string,
  array: NpyArray,
  labels: { name: string; array: NpyArray } | undefined,
  options: OpenDatasetOptions,
): OpenedDataset {
  const { model } = options;
  if (array.dtype === 'uint8') checkPixelScale(model, file);
  const samples = tensorSamples(array, model.input.shape, file, null);
  const count = Math.min(samples.count, options.limit ?? Infinity);
  const labelValues = labels ? labelArray(labels.array, samples.count, `${file}:${labels.name}`) : new Uint8Array(samples.count).fill(UNLABELLED);
  const size = elementCount(model.input.shape);
  return {
    format,
    source: file,
    labelled: labels !== undefined,
    classes: null,
    inputShape: model.input.shape,
    transform:
      array.dtype === 'uint8'
        ? `pixel / 255 (ToTensor), ${samples.layout}`
        : `${array.dtype} as stored${array.dtype === 'float64' ? ' (rounded to float32)' : ''}, ${samples.layout}`,
    pixels: samples.pixels ? { images: samples.pixels.subarray(0, count * size), shape: model.input.shape } : null,
    frames: null,
    count,
    labels: labelValues.subarray(0, count),
    toInput: (first, n, out) => {
      checkSampleRange(first, n, count, file);
      samples.toInput(first, n, out);
    },
  };
}

function labelArray(array: NpyArray, count: number, source: string): Uint8Array {
  const integer = ['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'].includes(array.dtype);
  if (!integer || array.shape.length !== 1 || array.shape[0] !== count) {
    throw new ModelError(source, `labels must be a 1-D integer array of ${count} class indices, found ${array.dtype} ${formatShape(array.shape)}`);
  }
  const view = new DataView(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * array.itemSize;
    const value =
      array.itemSize === 1
        ? array.dtype === 'int8'
          ? view.getInt8(at)
          : view.getUint8(at)
        : array.itemSize === 2
          ? array.dtype === 'int16'
            ? view.getInt16(at, true)
            : view.getUint16(at, true)
          : array.itemSize === 4
            ? array.dtype === 'int32'
              ? view.getInt32(at, true)
              : view.getUint32(at, true)
            : Number(array.dtype === 'int64' ? view.getBigInt64(at, true) : view.getBigUint64(at, true));
    if (value < 0 || value >= UNLABELLED) throw new ModelError(source, `label ${value} at index ${i} is not a class index 0..${UNLABELLED - 1}`);
    out[i] = value;
  }
  return out;
}

function dvsDataset(
  format: 'dvs128-gesture' | 'cifar10-dvs',
  dir: string,
  options: OpenDatasetOptions,
  load: (frameOptions: { steps: number; height: number; width: number; limit?: number }) => DvsFrameSet,
): OpenedDataset {
  const { model } = options;
  if (model.source === 'rate-bp') {
    throw new ModelError(
      dir,
      `model ${model.name} comes from paper B's code (rate-bp), which reads CIFAR10-DVS as frames integrated beforehand and saved as .pt ` +
        '(Tab-ct/rate-based-backpropagation util/data.py); the step that made them is not in its code, so it is not reproduced from recordings. ' +
        "Give the directory of its .pt frames (train/, test/) instead, or store the model's inputs as a .npy of [N, T, 2, H, W] frames",
    );
  }
  const steps = options.frames ?? (model.input.shape.length === 4 ? model.input.shape[0]! : model.timesteps);
  const { height, width } = framePlane(model, steps, dir);
  const set = load({ steps, height, width, ...(options.limit !== undefined ? { limit: options.limit } : {}) });
  return frameDataset(
    format,
    set,
    `events integrated into ${steps} frames split by event count (spikingjelly integrate_events_by_fixed_frames_number, split_by='number')` +
      (height === 128 && width === 128 ? '' : `, resized 128x128 to ${height}x${width} bilinearly (torchvision Resize on tensors, antialias off: paper A's transform_test)`),
  );
}

/** The frame size the model takes: its input is [2, H, W] per step or [T, 2, H, W] for the whole sample. */
function framePlane(model: Model, steps: number | undefined, source: string): { height: number; width: number } {
  const shape = model.input.shape;
  const perStep = shape.length === 4 ? shape.slice(1) : shape;
  if (perStep.length !== 3 || perStep[0] !== DVS_POLARITIES || (shape.length === 4 && steps !== undefined && shape[0] !== steps)) {
    throw new ModelError(
      source,
      `event frames are [T, 2, H, W]${steps === undefined ? '' : ` (T = ${steps})`}; model ${model.name} expects input ${formatShape(shape)}, neither [2, H, W] nor [T, 2, H, W]`,
    );
  }
  return { height: perStep[1]!, width: perStep[2]! };
}

function framesPtDataset(dir: string, options: OpenDatasetOptions): OpenedDataset {
  const { height, width } = framePlane(options.model, undefined, dir);
  const set = loadFramesPt(dir, options.split, { height, width, ...(options.limit !== undefined ? { limit: options.limit } : {}) });
  const shape = options.model.input.shape;
  if (shape.length === 4 && shape[0] !== set.steps) throw new ModelError(dir, `the .pt samples hold ${set.steps} frames; model ${options.model.name} expects ${shape[0]}`);
  return frameDataset(
    'cifar10-dvs-frames-pt',
    set,
    `paper B's CIFAR10_DVS_AUG test transform per frame: ToPILImage (x 255, cast to uint8), PIL bilinear Resize to ${height}x${width}, ToTensor (Tab-ct/rate-based-backpropagation util/data.py)`,
  );
}

function frameDataset(format: DatasetFormat, set: DvsFrameSet, transform: string): OpenedDataset {
  const sampleSize = set.steps * DVS_POLARITIES * set.height * set.width;
  const dir = set.source;
  return {
    format,
    source: set.source,
    labelled: true,
    classes: set.classes,
    inputShape: [set.steps, DVS_POLARITIES, set.height, set.width],
    transform,
    pixels: null,
    frames: set,
    framesPerStep: true,
    count: set.count,
    labels: set.labels,
    toInput: (first, count, out) => {
      checkSampleRange(first, count, set.count, dir);
      out.set(set.frames.subarray(first * sampleSize, (first + count) * sampleSize));
    },
  };
}
