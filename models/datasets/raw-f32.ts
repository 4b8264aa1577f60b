/**
 * Raw little-endian float32 model inputs, no header (`.f32`, as the VGG fixture's calibration input ships).
 * The size must be a whole number of the model's inputs. The file name may carry the shape, dimensions joined by
 * `x` before the extension (`inputs-4x3x32x32.f32`); then it must describe the bytes and fit the model.
 */
import { basename } from 'node:path';
import { ModelError } from '../errors.js';
import { elementCount, formatShape } from '../graph/tensor.js';
import type { NpyArray } from './npy.js';

const SHAPE_IN_NAME = /(?:^|[-_.])(\d+(?:x\d+)+)\.f32$/i;

export function shapeFromF32Name(file: string): number[] | undefined {
  const match = SHAPE_IN_NAME.exec(basename(file));
  return match ? match[1]!.split(/x/i).map(Number) : undefined;
}

export function parseF32(bytes: Uint8Array, file: string, modelShape: readonly number[]): NpyArray {
  const size = elementCount(modelShape);
  const named = shapeFromF32Name(file);
  if (named) {
    const bytesNeeded = elementCount(named) * 4;
    if (bytesNeeded !== bytes.length) {
      throw new ModelError(file, `its name gives shape ${formatShape(named)}, which is ${bytesNeeded} bytes of float32, but the file has ${bytes.length}`);
    }
    return { dtype: 'float32', shape: named, data: bytes, itemSize: 4 };
  }
  if (bytes.length === 0 || bytes.length % (4 * size) !== 0) {
    throw new ModelError(file, `${bytes.length} bytes is not a whole number of float32 inputs of shape ${formatShape(modelShape)} (${4 * size} bytes each)`);
  }
  return { dtype: 'float32', shape: [bytes.length / (4 * size), ...modelShape], data: bytes, itemSize: 4 };
}
