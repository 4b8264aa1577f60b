/**
 * Reader (and a small writer) for the idx format that MNIST-style datasets ship in:
 *
 *   bytes 0-1  zero
 *   byte  2    data type (0x08 = unsigned byte; 0x09/0x0B/0x0C/0x0D/0x0E are the other idx types)
 *   byte  3    number of dimensions
 *   then one big-endian uint32 per dimension, then the data in row-major order.
 *
 * Files may be gzip-compressed, which is how Fashion-MNIST is distributed.
 */
import { gunzipSync } from 'node:zlib';
// The package's "exports" map has no "types" condition, so under NodeNext only this path (the CommonJS build with
// its .d.ts beside it) comes with types.
import { Parser } from 'binary-parser/dist/binary_parser.js';
import { ModelError } from '../errors.js';
import { MemoryLedger, readFileWithinBudget } from '../memory-budget.js';

export interface IdxArray {
  readonly dims: number[];
  /** Row-major elements. For a raw (uncompressed) input this is a view into the caller's bytes. */
  readonly data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

/** The types idx defines; only unsigned bytes are read, the others are named so the error can say what the file is. */
const IDX_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x08, 'unsigned byte'],
  [0x09, 'signed byte'],
  [0x0b, 'int16'],
  [0x0c, 'int32'],
  [0x0d, 'float32'],
  [0x0e, 'float64'],
]);

const MAGIC_BYTES = 4;

/**
 * Nothing that fits in memory is larger than this; the check keeps a corrupt header from turning into a
 * misleading "short read" with an astronomically large (or imprecise, beyond 2^53) byte count.
 */
const MAX_ELEMENTS = 2 ** 32;

/** Deflate cannot expand its input more than ~1032:1; a gzip trailer claiming more is corrupt, not huge. */
const MAX_DEFLATE_RATIO = 1032;
const GZIP_HEADER_AND_TRAILER_BYTES = 18;

interface IdxHeader {
  zero: number;
  typeCode: number;
  dimCount: number;
  dims: number[];
}

const magicParser = new Parser().endianness('big').uint16('zero').uint8('typeCode').uint8('dimCount');
const headerParser = new Parser().endianness('big').uint16('zero').uint8('typeCode').uint8('dimCount').array('dims', { type: 'uint32be', length: 'dimCount' });

export function readIdxFile(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileWithinBudget(path);
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new ModelError(path, `cannot read idx file: ${(error as Error).message}`);
  }
  return readIdx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

/** Parses idx bytes, gzip-compressed or raw. `file` names the source in every error. */
export function readIdx(bytes: Uint8Array, file: string): IdxArray {
  const raw = isGzip(bytes) ? gunzip(bytes, file, new MemoryLedger(file)) : bytes;
  const header = parseHeader(raw, file);
  const elementCount = countElements(header.dims, file);
  const headerBytes = MAGIC_BYTES + 4 * header.dimCount;
  const expectedBytes = headerBytes + elementCount;
  if (raw.length !== expectedBytes) {
    const problem = raw.length < expectedBytes ? 'short read' : `${raw.length - expectedBytes} unexpected trailing bytes`;
    throw new ModelError(
      file,
      `${problem}: the header (dims ${formatDims(header.dims)}) promises ${headerBytes} + ${elementCount} = ` + `${expectedBytes} bytes, but there are ${raw.length}`,
    );
  }
  return { dims: header.dims, data: raw.subarray(headerBytes) };
}

/** Serialises unsigned bytes as an (uncompressed) idx file. */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (dims.length > 255) throw new RangeError(`idx allows at most 255 dimensions, got ${dims.length}`);
  const elementCount = dims.reduce((n, d) => n * d, 1);
  if (dims.some((d) => !Number.isInteger(d) || d < 0 || d > 0xffffffff) || elementCount !== data.length) {
    throw new RangeError(`dims ${formatDims(dims)} do not describe ${data.length} bytes`);
  }
  const headerBytes = MAGIC_BYTES + 4 * dims.length;
  const out = new Uint8Array(headerBytes + data.length);
  const view = new DataView(out.buffer);
  view.setUint8(2, UNSIGNED_BYTE);
  view.setUint8(3, dims.length);
  dims.forEach((d, i) => view.setUint32(MAGIC_BYTES + 4 * i, d, false));
  out.set(data, headerBytes);
  return out;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Node's zlib (several times faster than a JavaScript inflater on the 26 MB training images, which every worker
 * reads) checks the CRC and the trailer's length; its output is capped one byte past the declared size, so a
 * stream that runs longer stops there instead of filling memory. Its errors are put in the file's terms.
 */
function gunzip(compressed: Uint8Array, file: string, ledger: MemoryLedger): Uint8Array {
  const corrupt = (detail: string) => new ModelError(file, `corrupt gzip stream: ${detail}`);
  if (compressed.length < GZIP_HEADER_AND_TRAILER_BYTES) {
    throw corrupt(`${compressed.length} bytes is shorter than the smallest gzip file (${GZIP_HEADER_AND_TRAILER_BYTES})`);
  }
  const trailer = new DataView(compressed.buffer, compressed.byteOffset + compressed.length - 8, 8);
  const declaredCrc = trailer.getUint32(0, true);
  const declaredSize = trailer.getUint32(4, true);
  if (declaredSize > compressed.length * MAX_DEFLATE_RATIO) {
    throw corrupt(`the trailer claims ${declaredSize} uncompressed bytes, more than deflate can produce from ${compressed.length}`);
  }
  ledger.charge(declaredSize + 1, `the gzip stream's inflated size from its trailer (${declaredSize} bytes)`);
  let inflated: Uint8Array;
  try {
    inflated = gunzipSync(compressed, { maxOutputLength: declaredSize + 1 });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw corrupt(`inflated to more than ${declaredSize} bytes, but the trailer says ${declaredSize}`);
    if (/incorrect data check/.test(message)) throw corrupt(`CRC-32 of the data is not the trailer's ${hex(declaredCrc, 8)}`);
    if (/incorrect length check/.test(message)) throw corrupt(`the data's length is not the trailer's ${declaredSize} bytes`);
    throw corrupt(message);
  }
  if (inflated.length !== declaredSize) throw corrupt(`inflated to ${inflated.length} bytes, but the trailer says ${declaredSize}`);
  return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length);
}

function parseHeader(raw: Uint8Array, file: string): IdxHeader {
  if (raw.length < MAGIC_BYTES) {
    throw new ModelError(file, `short read: an idx file starts with a ${MAGIC_BYTES}-byte magic number, but there are only ${raw.length} bytes`);
  }
  const magic = magicParser.parse(raw) as Omit<IdxHeader, 'dims'>;
  if (magic.zero !== 0) {
    const found = Array.from(raw.subarray(0, MAGIC_BYTES), (b) => hex(b, 2)).join(' ');
    throw new ModelError(file, `not an idx file: the magic number is ${found}, expected 00 00 <type> <dimension count> ` + `(e.g. 00 00 08 03 for unsigned-byte images)`);
  }
  if (magic.typeCode !== UNSIGNED_BYTE) {
    const name = IDX_TYPE_NAMES.get(magic.typeCode);
    throw new ModelError(
      file,
      name === undefined
        ? `magic number names data type 0x${hex(magic.typeCode, 2)}, which is not an idx type; expected 0x08 (unsigned byte)`
        : `idx data type 0x${hex(magic.typeCode, 2)} (${name}) is not supported; only 0x08 (unsigned byte) is`,
    );
  }
  const headerBytes = MAGIC_BYTES + 4 * magic.dimCount;
  if (raw.length < headerBytes) {
    throw new ModelError(file, `short read: the header declares ${magic.dimCount} dimensions, which need ${headerBytes} header bytes, but there are ${raw.length}`);
  }
  return headerParser.parse(raw) as IdxHeader;
}

function countElements(dims: readonly number[], file: string): number {
  let count = 1;
  for (const d of dims) {
    count *= d;
    if (count > MAX_ELEMENTS) {
      throw new ModelError(file, `dims ${formatDims(dims)} describe more than ${MAX_ELEMENTS} elements; the header is corrupt`);
    }
  }
  return count;
}

function formatDims(dims: readonly number[]): string {
  return `[${dims.join(', ')}]`;
}

function hex(value: number, digits: number): string {
  return value.toString(16).padStart(digits, '0');
}
