/**
 * The binary distribution of CIFAR-10 and CIFAR-100 (Krizhevsky 2009, https://www.cs.toronto.edu/~kriz/cifar.html):
 * fixed-size records back to back, no header.
 *
 *   CIFAR-10  (data_batch_1..5.bin, test_batch.bin): 1 label byte (0..9), then 3072 pixel bytes
 *   CIFAR-100 (train.bin, test.bin): 1 coarse label byte (0..19), 1 fine label byte (0..99), then 3072 pixel bytes
 *
 * The pixels are 1024 red, 1024 green, 1024 blue values, each plane 32x32 row-major: CHW, as the model wants.
 * CIFAR-100's fine labels are the classes torchvision's CIFAR100 (and so the papers' codes) train on.
 */
import { ModelError } from '../errors.js';
import { MemoryLedger } from '../memory-budget.js';
import type { CifarVariant } from './image-normalisation.js';

export const CIFAR_SIDE = 32;
export const CIFAR_PIXELS = 3 * CIFAR_SIDE * CIFAR_SIDE;

export const CIFAR_CLASSES: Readonly<Record<CifarVariant, number>> = { cifar10: 10, cifar100: 100 };
const LABEL_BYTES: Readonly<Record<CifarVariant, number>> = { cifar10: 1, cifar100: 2 };

export function cifarRecordBytes(variant: CifarVariant): number {
  return LABEL_BYTES[variant] + CIFAR_PIXELS;
}

/** Labelled CHW 32x32 RGB images. */
export interface CifarBatch {
  readonly count: number;
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

/** Decodes one binary batch file; `limit` keeps only the first records. */
export function parseCifarBinary(bytes: Uint8Array, variant: CifarVariant, file: string, limit = Infinity): CifarBatch {
  const record = cifarRecordBytes(variant);
  if (bytes.length === 0 || bytes.length % record !== 0) {
    throw new ModelError(
      file,
      `${bytes.length} bytes is not a whole number of ${variant === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} binary records ` +
        `(${record} bytes each: ${LABEL_BYTES[variant] === 1 ? '1 label byte' : 'coarse and fine label bytes'} and ${CIFAR_PIXELS} pixels); the file is truncated or not this format`,
    );
  }
  const count = Math.min(bytes.length / record, limit);
  new MemoryLedger(file).charge(bytes.length + count * (CIFAR_PIXELS + 1), 'the file and its images');
  const images = new Uint8Array(count * CIFAR_PIXELS);
  const labels = new Uint8Array(count);
  const classes = CIFAR_CLASSES[variant];
  const labelOffset = LABEL_BYTES[variant] - 1;
  for (let i = 0; i < count; i++) {
    const at = i * record;
    const label = bytes[at + labelOffset]!;
    if (label >= classes) {
      throw new ModelError(file, `record ${i} (byte offset ${at + labelOffset}) has label ${label}, not a class 0..${classes - 1}; the file is not a ${variant} binary batch`);
    }
    if (variant === 'cifar100' && bytes[at]! >= 20) {
      throw new ModelError(file, `record ${i} (byte offset ${at}) has coarse label ${bytes[at]}, not 0..19; the file is not a CIFAR-100 binary batch`);
    }
    labels[i] = label;
    images.set(bytes.subarray(at + LABEL_BYTES[variant], at + record), i * CIFAR_PIXELS);
  }
  return { count, images, labels };
}
