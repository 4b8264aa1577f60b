import { createHash } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { crc32 } from 'node:zlib';
// binary-parser's exports map gives NodeNext no types; its own declaration file is beside the CommonJS build.
import { Parser } from 'binary-parser/dist/binary_parser.js';
import { ModelError } from '../errors.js';
import { refuseDeepJson } from '../json-nesting.js';
import { MemoryLedger, readFileWithinBudget } from '../memory-budget.js';
import type { Model } from '../graph/model.js';
import { validateModel } from '../graph/validate-model.js';
import { decodeModel, encodeModel, type EncodedTensor } from './model-codec.js';

/**
 * The canonical model file (`.snnmodel`): a fixed 24-byte header, a JSON description of the graph, then the
 * float32 tensors, little-endian, 8-byte aligned. Lossless: a load gives back every bit that was saved.
 *
 *   0  magic "SPKMODEL"   8  u32 version   12  u32 JSON length   16  u32 CRC-32 of everything after the header
 *   20 u32 reserved (0)   24 JSON   then padding to 8   then tensor data
 */
export const MODEL_FILE_MAGIC = 'SPKMODEL';
export const MODEL_FILE_VERSION = 1;
const HEADER_BYTES = 24;
/** JSON.parse turns a 3-byte `{},` into an object of about 60 bytes: the worst case of a document, rounded up. */
const PARSED_BYTES_PER_JSON_BYTE = 32;

const headerParser = new Parser()
  .endianness('little')
  .string('magic', { length: 8, encoding: 'latin1' })
  .uint32('version')
  .uint32('jsonLength')
  .uint32('checksum')
  .uint32('reserved');

interface FileHeader {
  magic: string;
  version: number;
  jsonLength: number;
  checksum: number;
  reserved: number;
}

export function isModelFile(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && Buffer.from(bytes.subarray(0, 8)).toString('latin1') === MODEL_FILE_MAGIC;
}

export function serializeModel(model: Model): Uint8Array {
  const { json, tensors, dataStart, dataBytes } = modelFileLayout(model);
  const out = Buffer.alloc(dataStart + dataBytes);
  out.write(MODEL_FILE_MAGIC, 0, 'latin1');
  out.writeUInt32LE(MODEL_FILE_VERSION, 8);
  out.writeUInt32LE(json.length, 12);
  json.copy(out, HEADER_BYTES);
  for (const t of tensors) {
    const view = new DataView(out.buffer, out.byteOffset + dataStart + t.offset, t.data.length * 4);
    for (let i = 0; i < t.data.length; i++) view.setFloat32(i * 4, t.data[i]!, true);
  }
  out.writeUInt32LE(crc32(out.subarray(HEADER_BYTES)), 16);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/**
 * SHA-256 (hex) of serializeModel(model) without building the file: on a little-endian host the tensors' own
 * bytes are the file's, so they are checksummed and hashed in place (the compiler hashes every model it compiles;
 * VGGSNN's file is 37 MB).
 */
export function modelFileSha256(model: Model): string {
  if (endianness() !== 'LE') return createHash('sha256').update(serializeModel(model)).digest('hex');
  const { json, tensors, dataStart, dataBytes } = modelFileLayout(model);
  // Every gap in the file (after the JSON, after each tensor) is zeros, fewer than 8 of them.
  const zeros = new Uint8Array(8);
  const pieces: Uint8Array[] = [json, zeros.subarray(0, dataStart - HEADER_BYTES - json.length)];
  let end = 0;
  for (const t of tensors) {
    pieces.push(zeros.subarray(0, t.offset - end), new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    end = t.offset + t.data.byteLength;
  }
  pieces.push(zeros.subarray(0, dataBytes - end));
  let checksum = 0;
  for (const piece of pieces) checksum = crc32(piece, checksum);
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MODEL_FILE_MAGIC, 0, 'latin1');
  header.writeUInt32LE(MODEL_FILE_VERSION, 8);
  header.writeUInt32LE(json.length, 12);
  header.writeUInt32LE(checksum, 16);
  const hash = createHash('sha256').update(header);
  for (const piece of pieces) hash.update(piece);
  return hash.digest('hex');
}

/** The graph JSON and where each tensor lies in the data region (offsets relative to it, so the JSON does not move them). */
function modelFileLayout(model: Model): { json: Buffer; tensors: EncodedTensor[]; dataStart: number; dataBytes: number } {
  const tensors: EncodedTensor[] = [];
  const graph = encodeModel(model, (data) => {
    tensors.push({ data, offset: 0 });
    return tensors.length - 1;
  });
  let dataBytes = 0;
  for (const t of tensors) {
    t.offset = dataBytes;
    dataBytes += align8(t.data.length * 4);
  }
  const json = Buffer.from(JSON.stringify({ ...graph, tensors: tensors.map((t) => ({ offset: t.offset, length: t.data.length })) }), 'utf8');
  return { json, tensors, dataStart: align8(HEADER_BYTES + json.length), dataBytes };
}

export function deserializeModel(bytes: Uint8Array, file: string): Model {
  if (bytes.length < HEADER_BYTES) {
    throw new ModelError(file, `truncated model file: ${bytes.length} bytes, the header alone needs ${HEADER_BYTES}`);
  }
  const header = headerParser.parse(Buffer.from(bytes.buffer, bytes.byteOffset, HEADER_BYTES)) as FileHeader;
  if (header.magic !== MODEL_FILE_MAGIC) throw new ModelError(file, `not a spikechip model file (magic ${JSON.stringify(header.magic)})`);
  if (header.version !== MODEL_FILE_VERSION) {
    throw new ModelError(file, `model file version ${header.version}; this spikechip reads version ${MODEL_FILE_VERSION}`);
  }
  const dataStart = align8(HEADER_BYTES + header.jsonLength);
  if (dataStart > bytes.length) {
    throw new ModelError(file, `truncated model file: the header promises ${header.jsonLength} bytes of graph, ${bytes.length - HEADER_BYTES} follow`);
  }
  // JSON.parse can make objects of a few bytes of text each, and the tensors are copied out as float32.
  const ledger = new MemoryLedger(file);
  ledger.charge(header.jsonLength * PARSED_BYTES_PER_JSON_BYTE, `the graph JSON of ${header.jsonLength} bytes (parsed)`);
  ledger.charge(bytes.length - dataStart, 'the tensor data (copied out)');
  const actual = crc32(bytes.subarray(HEADER_BYTES));
  if (actual !== header.checksum) {
    throw new ModelError(file, `corrupt model file: CRC-32 is ${hex(actual)}, the header says ${hex(header.checksum)} (truncated or modified)`);
  }
  let graph: unknown;
  const graphText = Buffer.from(bytes.subarray(HEADER_BYTES, HEADER_BYTES + header.jsonLength)).toString('utf8');
  refuseDeepJson(graphText, file, 'the graph JSON');
  try {
    graph = JSON.parse(graphText);
  } catch (err) {
    throw new ModelError(file, `corrupt model graph JSON (${(err as Error).message})`);
  }
  const dataView = new DataView(bytes.buffer, bytes.byteOffset + dataStart, bytes.length - dataStart);
  const model = decodeModel(graph, file, (offset, length) => {
    if (offset % 4 !== 0 || offset + length * 4 > dataView.byteLength) {
      throw new ModelError(file, `tensor at byte ${offset} with ${length} values runs past the end of the data`);
    }
    const data = new Float32Array(length);
    for (let i = 0; i < length; i++) data[i] = dataView.getFloat32(offset + i * 4, true);
    return data;
  });
  validateModel(model, file);
  return model;
}

export function readModelFile(path: string): Model {
  let bytes: Uint8Array;
  try {
    bytes = readFileWithinBudget(path);
  } catch (err) {
    if (err instanceof ModelError) throw err;
    throw new ModelError(path, `cannot read the model file (${(err as Error).message})`);
  }
  return deserializeModel(bytes, path);
}

/** Writes through a temporary file and a rename, so a failure never leaves a partial model file behind. */
export function writeModelFile(path: string, model: Model): void {
  const bytes = serializeModel(model);
  const temporary = `${path}.partial-${process.pid}`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
