// Reference: DESIGN.md section 4 (the ChipProgram is protobuf, read and written with protobufjs, versioned; a reader refuses a wrong version or a corrupt file with a clear error).
/**
 * ChipProgram <-> `.chip.pb` bytes. The schema is chips/ir/chip_program.proto itself, loaded at run time, so the
 * proto stays the one statement of the format. Whatever the bytes, decoding gives a structurally valid
 * ChipProgram or a ChipProgramError, never another exception.
 *
 * Encoding walks the schema's reflection rather than naming every field: the same code maps enum names to
 * numbers, typed arrays to packed fields, and checks each value against its proto type, for every message, then
 * protobufjs writes the bytes. Decoding reads the bytes itself, from a plan built from the same reflection
 * (chip-program-decoder.ts): protobufjs's objects cost ResNet-19's program tens of seconds and gigabytes. The
 * text fields of versions 1 and 2 are read into the enums that replaced them (chip-program-version-2.ts).
 */
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { ChipProgramError } from '../errors.js';
import { chipReaderMemoryBudget, overBudget } from '../memory-budget.js';
import { READABLE_IR_VERSIONS, readableVersionsText, type ChipProgram } from './chip-program.js';
import { decodeMessage, finishMessage, messagePlan, WireError, type TextValues } from './chip-program-decoder.js';
import { decodedSizeEstimate } from './decoded-size.js';
import { validateChipProgram } from './validate-chip-program.js';
import { WireReader } from './wire-reader.js';
import {
  elementLocation,
  fail,
  fieldLocation,
  isRecord,
  mayBeAbsent,
  messageTypeOf,
  enumOf,
  protoName,
  PROGRAM_LOCATION,
  TYPED_ARRAYS,
  withArticle,
  type Fields,
  type Location,
} from './wire-fields.js';

const SCHEMA_PATH = join('chips', 'ir', 'chip_program.proto');
const PROGRAM_MESSAGE = 'spikechip.ir.ChipProgram';
let programType: protobuf.Type | undefined;

/** The ChipProgram message type, parsed once from the .proto found above this file (sources or dist/). */
function chipProgramType(): protobuf.Type {
  if (programType) return programType;
  const here = dirname(fileURLToPath(import.meta.url));
  let dir = here;
  while (!existsSync(join(dir, SCHEMA_PATH))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${SCHEMA_PATH} not found in any folder above ${here}; the package is incomplete`);
    dir = parent;
  }
  const root = new protobuf.Root().loadSync(join(dir, SCHEMA_PATH), { keepCase: false });
  root.resolveAll();
  programType = root.lookupType(PROGRAM_MESSAGE);
  return programType;
}

/** Program -> bytes. Deterministic (fields in number order, no maps); refuses values the proto types cannot hold. */
export function encodeChipProgram(program: ChipProgram): Uint8Array {
  return encodeChecked(program, 'chip program');
}

/** Bytes -> program. `file` names the source in errors. */
export function decodeChipProgram(bytes: Uint8Array, file: string): ChipProgram {
  if (bytes.length === 0) throw new ChipProgramError(file, 'empty file; not a chip program');
  const type = chipProgramType();
  const budget = chipReaderMemoryBudget();
  const decodedBytes = decodedSizeEstimate(type, bytes);
  if (decodedBytes > budget) throw new ChipProgramError(file, overBudget(`decoding its ${bytes.length} bytes`, decodedBytes, budget));
  const texts: TextValues = new Map();
  let record: Fields;
  try {
    const reader = new WireReader(bytes);
    record = decodeMessage(messagePlan(type), reader, bytes.length, texts);
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    throw new ChipProgramError(file, `truncated or corrupt chip program (${error.message})`);
  }
  // The version decides how to read everything else, so it is checked before any other field.
  if (!READABLE_IR_VERSIONS.includes(record.irVersion as number)) {
    throw new ChipProgramError(file, `IR version ${String(record.irVersion)}; ${readableVersionsText()}`);
  }
  finishMessage(messagePlan(type), record, PROGRAM_LOCATION, file, record.irVersion as number, texts);
  const program = record as unknown as ChipProgram;
  validateChipProgram(program, file);
  return program;
}

/** Validate, then write through a temporary file and a rename, so a failure never leaves a partial file at `path`. */
export function writeChipProgramFile(path: string, program: ChipProgram): void {
  const bytes = encodeChecked(program, path);
  validateChipProgram(program, path);
  const temporary = `${path}.partial-${process.pid}`;
  try {
    writeFileSync(temporary, bytes);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

export function readChipProgramFile(path: string): ChipProgram {
  let bytes: Uint8Array;
  try {
    const size = statSync(path).size;
    const budget = chipReaderMemoryBudget();
    if (size > budget) throw new ChipProgramError(path, overBudget(`the file itself (${size} bytes)`, size, budget));
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof ChipProgramError) throw error;
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : String(error);
    throw new ChipProgramError(path, `cannot be read (${code})`);
  }
  return decodeChipProgram(bytes, path);
}

function encodeChecked(program: ChipProgram, file: string): Uint8Array {
  const type = chipProgramType();
  const wire = toWire(type, program as unknown as Fields, { owner: '', path: '' }, file);
  // A copy, so callers get a plain Uint8Array that does not share Node's Buffer pool.
  return new Uint8Array(type.encode(wire).finish());
}

const INTEGER_RANGES: Record<string, readonly [number, number]> = {
  uint32: [0, 2 ** 32 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  sint32: [-(2 ** 31), 2 ** 31 - 1],
  // uint64 is held as a number: only values a double represents exactly survive a round trip.
  uint64: [0, Number.MAX_SAFE_INTEGER],
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with `value` as a proto scalar of `type`, or null; the value must come back unchanged. */
function scalarProblem(type: string, value: unknown): string | null {
  const range = INTEGER_RANGES[type];
  if (range) {
    return typeof value === 'number' && Number.isInteger(value) && value >= range[0] && value <= range[1] ? null : `${describe(value)} is not ${withArticle(type)}`;
  }
  switch (type) {
    case 'double':
    case 'float':
      return typeof value === 'number' ? null : `${describe(value)} is not a number`;
    case 'bool':
      return typeof value === 'boolean' ? null : `${describe(value)} is not a boolean`;
    case 'string':
      if (typeof value !== 'string') return `${describe(value)} is not a string`;
      return LONE_SURROGATE.test(value) ? 'is not well-formed Unicode (a lone surrogate)' : null;
    default:
      return `has proto type ${type}, which this codec does not handle`;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  return value === null || typeof value !== 'object' ? String(value) : withArticle(value.constructor?.name ?? 'object');
}

/** Program record -> the plain object protobufjs encodes (enums as numbers), checking every value's type. */
function toWire(type: protobuf.Type, record: Fields, at: Location, file: string): Fields {
  for (const oneof of type.oneofsArray) {
    const set = oneof.fieldsArray.filter((member) => record[member.name] !== undefined);
    // The wire keeps only the last member written, so two would not survive a round trip.
    if (set.length > 1) fail(file, at, `sets ${set.map(protoName).join(' and ')}, which are alternatives (oneof ${oneof.name})`);
  }
  const wire: Fields = {};
  for (const field of type.fieldsArray) {
    const value = record[field.name];
    const here = fieldLocation(at, field);
    const messageType = messageTypeOf(field);
    if (value === undefined && mayBeAbsent(field)) continue;
    if (field.repeated) {
      wire[field.name] = repeatedToWire(field, value, at, file);
    } else if (messageType) {
      if (!isRecord(value)) fail(file, here, 'is missing');
      wire[field.name] = toWire(messageType, value, here, file);
    } else {
      const enumType = enumOf(field);
      if (enumType) {
        const number = typeof value === 'string' && Object.hasOwn(enumType.values, value) ? enumType.values[value] : undefined;
        if (number === undefined) fail(file, here, `${describe(value)} is not ${withArticle(enumType.name)} value`);
        wire[field.name] = number;
      } else {
        const problem = scalarProblem(field.type, value);
        if (problem) fail(file, here, problem);
        wire[field.name] = value;
      }
    }
  }
  return wire;
}

function repeatedToWire(field: protobuf.Field, value: unknown, at: Location, file: string): unknown {
  const here = fieldLocation(at, field);
  const typedArray = TYPED_ARRAYS[field.type];
  if (typedArray) {
    if (!(value instanceof typedArray)) fail(file, here, `is ${describe(value)}, not ${withArticle(typedArray.name)}`);
    return value; // protobufjs's packed writers index any array-like
  }
  if (!Array.isArray(value)) fail(file, here, `is ${describe(value)}, not a list`);
  const messageType = messageTypeOf(field);
  if (messageType) {
    return value.map((element: unknown, index) => {
      const location = elementLocation(at, field, index, element);
      if (!isRecord(element)) fail(file, location, 'is missing');
      return toWire(messageType, element, location, file);
    });
  }
  value.forEach((element: unknown, index) => {
    const problem = scalarProblem(field.type, element);
    if (problem) fail(file, { owner: here.owner, path: `${here.path}[${index}]` }, problem);
  });
  return value;
}
