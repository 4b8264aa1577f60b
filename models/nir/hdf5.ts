import { ModelError } from '../errors.js';
import { MemoryLedger } from '../memory-budget.js';

/**
 * HDF5 through h5wasm's in-memory file system, as plain records: a group is a map of children, a dataset its
 * shape and values. h5wasm needs an asynchronous start, done once here at import so that readers stay synchronous.
 *
 * HDF5's C library prints its error stack to stderr; h5wasm binds that printer to console.error when it starts,
 * so a wrapper installed around the start lets the readers below mute it while they handle the error themselves.
 */
const originalConsoleError = console.error;
let muted = false;
console.error = (...args: unknown[]) => {
  if (!muted) originalConsoleError(...args);
};
const h5wasm = (await import('h5wasm')).default;
const { FS } = await h5wasm.ready;
console.error = originalConsoleError;

export type Hdf5Node = Hdf5Group | Hdf5Dataset;

export interface Hdf5Group {
  readonly kind: 'group';
  readonly path: string;
  readonly children: ReadonlyMap<string, Hdf5Node>;
}

export type Hdf5Values = { readonly kind: 'numbers'; readonly data: Float64Array; readonly float32: boolean } | { readonly kind: 'strings'; readonly data: readonly string[] };

export interface Hdf5Dataset {
  readonly kind: 'dataset';
  readonly path: string;
  /** [] for a scalar. */
  readonly shape: readonly number[];
  readonly values: Hdf5Values;
}

/**
 * Filters HDF5 can decode here: deflate (gzip) and shuffle. Anything else (LZF, Blosc, szip, ...) h5wasm would
 * decode into garbage without an error, so a dataset that uses one is refused before its values are read.
 * Reference: HDF5 filter ids H5Z_FILTER_DEFLATE = 1, H5Z_FILTER_SHUFFLE = 2 (H5Zpublic.h).
 */
const SUPPORTED_FILTERS: ReadonlyMap<number, string> = new Map([
  [1, 'deflate'],
  [2, 'shuffle'],
]);

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** HDF5's superblock signature sits at byte 0 or at a user block of 512, 1024, 2048, ... bytes. */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

let sequence = 0;

/**
 * Reads a whole HDF5 file from bytes into plain records; `file` names it in errors. Every dataset's size (its
 * extent and its chunk, times its element size) is charged to `ledger` before its values are read, so a dataset
 * whose extent says gigabytes is refused whether or not any of it was ever written.
 */
export function readHdf5(bytes: Uint8Array, file: string, ledger: MemoryLedger = new MemoryLedger(file)): Hdf5Group {
  if (!isHdf5(bytes)) throw new ModelError(file, 'not an HDF5 file (no HDF5 signature)');
  ledger.charge(2 * bytes.length, `the file's ${bytes.length} bytes and their copy in h5wasm's file system`);
  const name = `/spikechip-read-${process.pid}-${sequence++}.h5`;
  FS.writeFile(name, bytes);
  muted = true;
  let h5: InstanceType<typeof h5wasm.File> | null = null;
  try {
    h5 = new h5wasm.File(name, 'r');
    return readGroup(h5, '/', file, ledger);
  } catch (err) {
    if (err instanceof ModelError) throw err;
    throw new ModelError(file, `corrupt or truncated HDF5 file (${(err as Error).message ?? String(err)})`);
  } finally {
    try {
      h5?.close();
    } catch {
      // a file h5wasm could not open fully may also fail to close; the error above is the one to report
    }
    muted = false;
    FS.unlink(name);
  }
}

function readGroup(group: InstanceType<typeof h5wasm.Group>, path: string, file: string, ledger: MemoryLedger): Hdf5Group {
  const children = new Map<string, Hdf5Node>();
  for (const key of group.keys()) {
    const childPath = path === '/' ? `/${key}` : `${path}/${key}`;
    const child = group.get(key);
    if (child instanceof h5wasm.Group) children.set(key, readGroup(child, childPath, file, ledger));
    else if (child instanceof h5wasm.Dataset) children.set(key, readDataset(child, childPath, file, ledger));
    else throw new ModelError(file, `${childPath}: not a group or dataset (links and named types are not read)`);
  }
  return { kind: 'group', path, children };
}

/**
 * Bytes that reading a dataset materialises per element besides the element itself: h5wasm reads into its wasm
 * heap and copies out, and toValues widens numbers to float64 (strings become JS strings of about that size).
 */
const CONVERTED_BYTES_PER_ELEMENT = 64;

function readDataset(dataset: InstanceType<typeof h5wasm.Dataset>, path: string, file: string, ledger: MemoryLedger): Hdf5Dataset {
  for (const filter of dataset.filters) {
    if (!SUPPORTED_FILTERS.has(filter.id)) {
      throw new ModelError(file, `dataset ${path} uses HDF5 filter ${filter.id} (${filter.name || 'unnamed'}); only deflate (gzip) and shuffle can be read`);
    }
  }
  const shape = dataset.shape;
  if (shape === null) throw new ModelError(file, `dataset ${path} has no shape (null dataspace)`);
  chargeDataset(dataset, shape, path, ledger);
  const value = dataset.value;
  return { kind: 'dataset', path, shape, values: toValues(value, path, file) };
}

function chargeDataset(dataset: InstanceType<typeof h5wasm.Dataset>, shape: readonly number[], path: string, ledger: MemoryLedger): void {
  const { size: elementBytes, chunks } = dataset.metadata;
  const elements = shape.reduce((n, extent) => n * extent, 1);
  ledger.charge(elements * (2 * elementBytes + CONVERTED_BYTES_PER_ELEMENT), `dataset ${path} of extent [${shape.join(', ')}] x ${elementBytes}-byte elements`);
  // HDF5 decompresses a whole chunk to read any part of it, and a chunk may be larger than the extent.
  if (chunks) {
    const chunkElements = chunks.reduce((n, extent) => n * extent, 1);
    if (chunkElements > elements) ledger.charge(chunkElements * elementBytes, `dataset ${path}'s chunk [${chunks.join(', ')}] x ${elementBytes}-byte elements`);
  }
}

function toValues(value: unknown, path: string, file: string): Hdf5Values {
  if (typeof value === 'string') return { kind: 'strings', data: [value] };
  if (typeof value === 'number') return { kind: 'numbers', data: Float64Array.of(value), float32: false };
  if (typeof value === 'bigint') return { kind: 'numbers', data: Float64Array.of(Number(value)), float32: false };
  if (typeof value === 'boolean') return { kind: 'numbers', data: Float64Array.of(value ? 1 : 0), float32: false };
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return { kind: 'strings', data: value as string[] };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const data = new Float64Array((value as unknown as ArrayLike<number | bigint>).length);
    const source = value as unknown as ArrayLike<number | bigint>;
    for (let i = 0; i < data.length; i++) data[i] = Number(source[i]!);
    return { kind: 'numbers', data, float32: value instanceof Float32Array };
  }
  throw new ModelError(file, `dataset ${path} holds a type spikechip does not read (compound, reference or variable-length data)`);
}

export interface Hdf5WriteDataset {
  readonly strings?: readonly string[] | string;
  readonly float32?: Float32Array;
  readonly float64?: Float64Array;
  readonly int64?: readonly number[] | number;
  readonly shape?: readonly number[];
  /** gzip-compress (chunked) numeric arrays. */
  readonly gzip?: boolean;
}

export interface Hdf5WriteGroup {
  readonly [name: string]: Hdf5WriteGroup | Hdf5WriteDataset;
}

function isWriteDataset(node: Hdf5WriteGroup | Hdf5WriteDataset): node is Hdf5WriteDataset {
  return 'strings' in node || 'float32' in node || 'float64' in node || 'int64' in node;
}

/** Writes a tree of groups and datasets to HDF5 bytes (in memory). */
export function writeHdf5(tree: Hdf5WriteGroup): Uint8Array {
  const name = `/spikechip-write-${process.pid}-${sequence++}.h5`;
  const h5 = new h5wasm.File(name, 'w');
  try {
    writeGroup(h5, tree);
  } finally {
    h5.close();
  }
  const bytes = FS.readFile(name);
  FS.unlink(name);
  return bytes;
}

function writeGroup(group: InstanceType<typeof h5wasm.Group>, tree: Hdf5WriteGroup): void {
  for (const [key, node] of Object.entries(tree)) {
    if (!isWriteDataset(node)) {
      writeGroup(group.create_group(key), node);
      continue;
    }
    const shape = node.shape ? [...node.shape] : null;
    const chunked = node.gzip && shape && shape.length > 0 ? { chunks: shape, compression: 'gzip' as const, compression_opts: 4 } : {};
    if (node.strings !== undefined) {
      group.create_dataset({ name: key, data: typeof node.strings === 'string' ? node.strings : [...node.strings], shape });
    } else if (node.float32) {
      group.create_dataset({ name: key, data: node.float32, shape, dtype: '<f', ...chunked });
    } else if (node.float64) {
      group.create_dataset({ name: key, data: node.float64, shape, dtype: '<d', ...chunked });
    } else if (node.int64 !== undefined) {
      const values = typeof node.int64 === 'number' ? [node.int64] : node.int64;
      group.create_dataset({
        name: key,
        data: BigInt64Array.from(values.map((v) => BigInt(v))),
        shape: typeof node.int64 === 'number' ? [] : (shape ?? [values.length]),
        dtype: '<q',
        ...chunked,
      });
    }
  }
}
