// Reference: the chip program reader as it was before chips/ir/chip-program-decoder.ts (protobufjs's decode and
// toObject, then a reflective walk into the program's form), kept here so tests can hold the new decoder to it.
import protobuf from 'protobufjs';
import { ChipProgramError } from '../../chips/errors.js';
import type { ChipProgram } from '../../chips/ir/chip-program.js';
import { FIRST_VERSION_WITH_ENUMS, TEXT_FIELDS, addVersion3Fields } from '../../chips/ir/chip-program-version-2.js';
import {
  OMITTED_AT_DEFAULT,
  elementLocation,
  enumOf,
  fail,
  fieldLocation,
  mayBeAbsent,
  messageTypeOf,
  protoName,
  TYPED_ARRAYS,
  withArticle,
  type Fields,
  type Location,
} from '../../chips/ir/wire-fields.js';

let programType: protobuf.Type | undefined;

function chipProgramType(): protobuf.Type {
  if (programType) return programType;
  const root = new protobuf.Root().loadSync('chips/ir/chip_program.proto', { keepCase: false });
  root.resolveAll();
  programType = root.lookupType('spikechip.ir.ChipProgram');
  return programType;
}

/** The program protobufjs reads from `bytes`, as the codec returned it before validation (no budget, no validation). */
export function protobufjsChipProgram(bytes: Uint8Array, file: string): ChipProgram {
  const type = chipProgramType();
  let wire: Fields;
  try {
    wire = type.toObject(type.decode(bytes), { longs: Number, defaults: true, arrays: true });
  } catch (error) {
    throw new ChipProgramError(file, `truncated or corrupt chip program (${error instanceof Error ? error.message : String(error)})`);
  }
  return fromWire(type, wire, { owner: '', path: '' }, file, wire.irVersion as number) as unknown as ChipProgram;
}

function isDefault(value: unknown): boolean {
  return value === false || value === 0 || value === '' || (Array.isArray(value) && value.length === 0);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** protobufjs's plain object (defaults filled, enums as numbers) -> program record, refusing what it cannot hold. */
function fromWire(type: protobuf.Type, wire: Fields, at: Location, file: string, version: number): Fields {
  const record: Fields = {};
  for (const field of type.fieldsArray) {
    const value = wire[field.name];
    if (OMITTED_AT_DEFAULT.has(`${type.name}.${field.name}`) && isDefault(value)) continue;
    if (Object.hasOwn(TEXT_FIELDS, `${type.name}.${field.name}`)) continue; // read after the loop, into its enum
    const here = fieldLocation(at, field);
    const messageType = messageTypeOf(field);
    const enumType = enumOf(field);
    if (field.repeated) {
      const list = value as unknown[];
      const typedArray = TYPED_ARRAYS[field.type];
      if (messageType) {
        record[field.name] = list.map((element, index) => fromWire(messageType, element as Fields, elementLocation(at, field, index, element), file, version));
      } else if (typedArray) {
        record[field.name] = typedArray.from(list as number[]);
      } else {
        if (enumType) fail(file, here, 'is a repeated enum, which this codec does not handle');
        record[field.name] = list;
      }
    } else if (messageType) {
      if (value === null || value === undefined) {
        if (mayBeAbsent(field)) continue;
        fail(file, here, 'is missing');
      }
      record[field.name] = fromWire(messageType, value as Fields, here, file, version);
    } else if (enumType) {
      const name = enumType.valuesById[value as number];
      if (name === undefined) fail(file, here, `has value ${String(value)}, which is not ${withArticle(enumType.name)}`);
      record[field.name] = name;
    } else {
      if (field.type === 'uint64' && !Number.isSafeInteger(value)) fail(file, here, `${String(value)} is beyond 2^53`);
      record[field.name] = value;
    }
  }
  readTextFields(type, wire, record, at, file, version);
  return record;
}

/** Version 1 and 2 text into the enums that replaced it (an empty text leaves the enum as read); refused in version 3. */
function readTextFields(type: protobuf.Type, wire: Fields, record: Fields, at: Location, file: string, version: number): void {
  for (const field of type.fieldsArray) {
    const textField = TEXT_FIELDS[`${type.name}.${field.name}`];
    const text = wire[field.name];
    if (!textField || text === '') continue;
    const here = fieldLocation(at, field);
    if (version >= FIRST_VERSION_WITH_ENUMS) fail(file, here, `is a field of IR versions 1 and 2; version ${version} has the enum ${protoName(type.fields[textField.field]!)}`);
    const value = Object.keys(textField.text).find((name) => textField.text[name] === text);
    if (value === undefined) {
      const known = Object.values(textField.text).filter((t) => t !== '');
      fail(file, here, `${describe(text)} is none of ${known.map((t) => JSON.stringify(t)).join(', ')}`);
    }
    record[textField.field] = value;
  }
  if (version < FIRST_VERSION_WITH_ENUMS) addVersion3Fields(type.name, record);
}
