/**
 * NumPy's `.npy` array file (numpy/lib/format.py, "NEP 1"):
 *
 *   bytes 0-5  \x93NUMPY   byte 6 major version (1, 2 or 3)   byte 7 minor version
 *   then the header length: uint16 little-endian (version 1) or uint32 (versions 2, 3)
 *   then that many bytes of a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (4, 3, 32, 32), }
 *   padded with spaces and ended by \n, then the array's bytes.
 *
 * Read: C-order arrays of float32, float64, uint8 and (for labels) the integer types, little-endian or
 * single-byte; the data view shares the caller's bytes.
 */
import { ModelError } from '../errors.js';

export type NpyDtype = 'float32' | 'float64' | 'uint8' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint16' | 'uint32' | 'uint64' | 'bool';

export interface NpyArray {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  /** Elements in C order, little-endian, `itemSize` bytes each. */
  readonly data: Uint8Array;
  readonly itemSize: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DESCRS: Readonly<Record<string, { dtype: NpyDtype; itemSize: number }>> = {
  '<f4': { dtype: 'float32', itemSize: 4 },
  '<f8': { dtype: 'float64', itemSize: 8 },
  '|u1': { dtype: 'uint8', itemSize: 1 },
  '<u1': { dtype: 'uint8', itemSize: 1 },
  '|i1': { dtype: 'int8', itemSize: 1 },
  '|b1': { dtype: 'bool', itemSize: 1 },
  '<i2': { dtype: 'int16', itemSize: 2 },
  '<u2': { dtype: 'uint16', itemSize: 2 },
  '<i4': { dtype: 'int32', itemSize: 4 },
  '<u4': { dtype: 'uint32', itemSize: 4 },
  '<i8': { dtype: 'int64', itemSize: 8 },
  '<u8': { dtype: 'uint64', itemSize: 8 },
};
/** numpy itself refuses headers over 10000 bytes (format.py _MAX_HEADER_SIZE) unless told otherwise. */
const MAX_HEADER_BYTES = 10_000;
const MAX_RANK = 32;

export function isNpy(bytes: Uint8Array): boolean {
  return MAGIC.every((b, i) => bytes[i] === b);
}

export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  const bad = (detail: string) => new ModelError(file, `not a readable .npy array: ${detail}`);
  if (!isNpy(bytes)) throw bad('it does not start with the magic \\x93NUMPY');
  if (bytes.length < 10) throw bad(`${bytes.length} bytes is shorter than the smallest header`);
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw bad(`format version ${major}.${bytes[7]} is not 1, 2 or 3`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw bad('the file ends inside the header length');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lengthBytes;
  if (headerLength > MAX_HEADER_BYTES) throw bad(`the header claims ${headerLength} bytes, more than numpy's limit of ${MAX_HEADER_BYTES}`);
  if (headerStart + headerLength > bytes.length) throw bad(`the header claims ${headerLength} bytes, only ${bytes.length - headerStart} follow`);
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + headerStart, headerLength).toString(major === 3 ? 'utf8' : 'latin1');

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw bad(`the header ${JSON.stringify(header.trim().slice(0, 120))} lacks descr, fortran_order or shape`);
  }
  const type = DESCRS[descr];
  if (type === undefined) throw bad(`dtype '${descr.slice(0, 20)}' is not supported; float32 (<f4), float64 (<f8), uint8 (|u1) and little-endian integers are`);
  const dims = shapeText
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  if (dims.length > MAX_RANK || !dims.every((d) => /^\d{1,15}$/.test(d))) throw bad(`shape (${shapeText.slice(0, 60)}) is not a tuple of non-negative integers`);
  const shape = dims.map(Number);
  if (fortran === 'True' && shape.filter((d) => d > 1).length > 1) throw bad('the array is in Fortran order; save it in C order (np.ascontiguousarray)');

  const dataStart = headerStart + headerLength;
  let expected = type.itemSize;
  for (const d of shape) {
    expected *= d;
    if (expected > bytes.length) break;
  }
  const actual = bytes.length - dataStart;
  if (expected !== actual) {
    throw bad(
      `shape (${shape.join(', ')}) of ${type.dtype} needs ${expected > bytes.length ? 'more than the file holds' : `${expected} data bytes`}, the file has ${actual}; it is truncated or its header is wrong`,
    );
  }
  return { dtype: type.dtype, shape, data: bytes.subarray(dataStart), itemSize: type.itemSize };
}

/** Element i as a number (int64 through Number: exact up to 2^53). */
export function npyElementReader(array: NpyArray): (i: number) => number {
  const view = new DataView(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  switch (array.dtype) {
    case 'float32':
      return (i) => view.getFloat32(4 * i, true);
    case 'float64':
      return (i) => view.getFloat64(8 * i, true);
    case 'uint8':
    case 'bool':
      return (i) => view.getUint8(i);
    case 'int8':
      return (i) => view.getInt8(i);
    case 'int16':
      return (i) => view.getInt16(2 * i, true);
    case 'uint16':
      return (i) => view.getUint16(2 * i, true);
    case 'int32':
      return (i) => view.getInt32(4 * i, true);
    case 'uint32':
      return (i) => view.getUint32(4 * i, true);
    case 'int64':
      return (i) => Number(view.getBigInt64(8 * i, true));
    case 'uint64':
      return (i) => Number(view.getBigUint64(8 * i, true));
  }
}

/** Writes a C-order little-endian .npy (version 1), for tests and exports. */
export function encodeNpy(descr: keyof typeof DESCRS, shape: readonly number[], data: Uint8Array): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(data, 10 + header.length);
  return out;
}
