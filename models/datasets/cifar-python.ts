/**
 * The python distribution of CIFAR-10 and CIFAR-100 (Krizhevsky 2009, https://www.cs.toronto.edu/~kriz/cifar.html):
 * each batch is a pickled dict (protocol 2, written by Python 2, so its keys and the array bytes are byte strings)
 *
 *   data         numpy uint8 array N x 3072 (CHW 32x32 RGB per row, as in the binary files)
 *   labels       list of N ints 0..9                       (CIFAR-10: data_batch_1..5, test_batch)
 *   fine_labels  list of N ints 0..99, and coarse_labels    (CIFAR-100: train, test)
 *
 * Read with the project's own unpickler limited to the numpy-array globals: nothing in the pickle is executed.
 */
import { unpickle } from '../pth/unpickle.js';
import { isNumpyArray, pickleText, type NumpyArrayValue } from '../pth/numpy-globals.js';
import { ModelError } from '../errors.js';
import { MemoryLedger } from '../memory-budget.js';
import { CIFAR_CLASSES, CIFAR_PIXELS, type CifarBatch } from './cifar-binary.js';
import type { CifarVariant } from './image-normalisation.js';

const LABEL_KEY: Readonly<Record<CifarVariant, string>> = { cifar10: 'labels', cifar100: 'fine_labels' };

/** `variant` undefined: told by the label key (fine_labels: CIFAR-100, labels: CIFAR-10). */
export function parseCifarPickle(bytes: Uint8Array, expected: CifarVariant | undefined, file: string, limit = Infinity): CifarBatch & { variant: CifarVariant } {
  // The file, the unpickler's screened copy of it and the images taken out of it.
  new MemoryLedger(file).charge(3 * bytes.length, 'the pickle, its screened copy and the images');
  const root = unpickle(bytes, file, undefined, 'numpy-arrays');
  if (!(root instanceof Map)) throw new ModelError(file, 'the pickle is not a dict; a CIFAR python batch is a dict with data and labels');
  const variant = expected ?? cifarPickleVariant(root);
  if (variant === undefined) throw new ModelError(file, "the pickle's dict has neither 'labels' (CIFAR-10) nor 'fine_labels' (CIFAR-100)");
  const data = entry(root, 'data');
  if (!isNumpyArray(data) || data.dtype !== 'uint8' || data.shape.length !== 2 || data.shape[1] !== CIFAR_PIXELS) {
    throw new ModelError(file, `'data' is ${describeValue(data)}, expected a numpy uint8 array of shape [N, ${CIFAR_PIXELS}]`);
  }
  const total = data.shape[0]!;
  const labelKey = LABEL_KEY[variant];
  const classes = CIFAR_CLASSES[variant];
  const labelValues = labelList(entry(root, labelKey), total, classes, `'${labelKey}'`, file);
  const count = Math.min(total, limit);
  return {
    variant,
    count,
    images: data.data.slice(0, count * CIFAR_PIXELS),
    labels: Uint8Array.from(labelValues.subarray(0, count)),
  };
}

/** The CIFAR-100 batches carry fine_labels; CIFAR-10's carry labels. Which one a pickle holds tells them apart. */
export function cifarPickleVariant(root: unknown): CifarVariant | undefined {
  if (!(root instanceof Map)) return undefined;
  if (entry(root, 'fine_labels') !== undefined) return 'cifar100';
  if (entry(root, 'labels') !== undefined) return 'cifar10';
  return undefined;
}

/** A key as Python 3 (str) or Python 2 (byte string) pickled it. */
function entry(dict: Map<unknown, unknown>, key: string): unknown {
  if (dict.has(key)) return dict.get(key);
  for (const [k, v] of dict) if (k instanceof Uint8Array && pickleText(k) === key) return v;
  return undefined;
}

function labelList(value: unknown, count: number, classes: number, what: string, file: string): Uint8Array {
  const out = new Uint8Array(count);
  if (Array.isArray(value)) {
    if (value.length !== count) throw new ModelError(file, `${what} holds ${value.length} labels for ${count} images`);
    for (let i = 0; i < count; i++) {
      const label: unknown = value[i];
      if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label >= classes) {
        throw new ModelError(file, `${what}[${i}] is ${describeValue(label)}, not a class 0..${classes - 1}`);
      }
      out[i] = label;
    }
    return out;
  }
  if (isNumpyArray(value) && value.shape.length === 1 && value.shape[0] === count && ['uint8', 'int32', 'int64'].includes(value.dtype)) {
    const view = new DataView(value.data.buffer, value.data.byteOffset, value.data.byteLength);
    for (let i = 0; i < count; i++) {
      const label = readInteger(view, value, i);
      if (label < 0 || label >= classes) throw new ModelError(file, `${what}[${i}] is ${label}, not a class 0..${classes - 1}`);
      out[i] = label;
    }
    return out;
  }
  throw new ModelError(file, `${what} is ${describeValue(value)}, expected a list of ${count} class indices`);
}

function readInteger(view: DataView, array: NumpyArrayValue, i: number): number {
  if (array.dtype === 'uint8') return view.getUint8(i);
  if (array.dtype === 'int32') return view.getInt32(4 * i, true);
  return Number(view.getBigInt64(8 * i, true));
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (isNumpyArray(value)) return `a numpy ${value.dtype} array of shape [${value.shape.join(', ')}]`;
  if (Array.isArray(value)) return `a list of ${value.length} items`;
  if (typeof value === 'number') return String(value);
  return `a value of type ${value === null ? 'None' : typeof value}`;
}
