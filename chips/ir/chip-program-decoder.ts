// Reference: DESIGN.md section 4 (the ChipProgram); chips/ir/chip_program.proto; protobufjs 8's generated decoders,
// whose reading this keeps (wire-type checks, last value wins, a repeated message field appends, a message field
// seen twice merges as the concatenation of its records, packed and unpacked repeated scalars both accepted).
/**
 * `.chip.pb` bytes -> program record in one pass, straight into the program's own form: packed weights go from the
 * bytes into Int32Arrays and Float32Arrays, every message becomes one plain object. protobufjs built three
 * objects per message (its message, toObject's copy, the record) and a boxed number per weight, which at
 * ResNet-19's size (3.75 M routes, 13 M weights) took tens of seconds and gigabytes.
 *
 * Two passes: `decodeMessage` reads the wire (enums still numbers), then `finishMessage` names enums, reads the
 * text fields of versions 1 and 2 and refuses what a program cannot hold, in field order with the errors the
 * reflective reader gave, visiting only messages that have something to check (routes and ranges do not).
 */
import protobuf from 'protobufjs';
import { FIRST_VERSION_WITH_ENUMS, TEXT_FIELDS, addVersion3Fields } from './chip-program-version-2.js';
import { WireError, WireReader, WIRE_TYPES } from './wire-reader.js';
import {
  OMITTED_AT_DEFAULT,
  elementLocation,
  enumOf,
  fail,
  fieldKey,
  fieldLocation,
  mayBeAbsent,
  messageTypeOf,
  protoName,
  TYPED_ARRAYS,
  withArticle,
  type Fields,
  type Location,
} from './wire-fields.js';

export { WireError };

type ScalarKind = 'uint32' | 'int32' | 'sint32' | 'uint64' | 'bool' | 'double' | 'float' | 'string';
type TypedArray = Int32Array | Float32Array;

interface FieldPlan {
  readonly field: protobuf.Field;
  readonly name: string;
  readonly slot: number;
  /** Enums are read as int32, as protobufjs reads them. */
  readonly kind: ScalarKind | 'message';
  readonly repeated: boolean;
  /** The wire type of one value of this field. */
  readonly wireType: number;
  readonly packable: boolean;
  readonly typedArray: Int32ArrayConstructor | Float32ArrayConstructor | null;
  readonly message: MessagePlan | null;
  readonly enumType: protobuf.Enum | null;
  readonly omittedAtDefault: boolean;
  readonly text: boolean;
  readonly mayBeAbsent: boolean;
  readonly defaultValue: unknown;
}

interface MessagePlan {
  readonly type: protobuf.Type;
  readonly fields: FieldPlan[];
  readonly byNumber: (FieldPlan | undefined)[];
  /** Whether `finishMessage` has anything to do in a message of this type or below it. */
  needsFinish: boolean;
  /** Slot frames not in use: one per nesting level that decodes this type at once. */
  readonly spareFrames: Frame[];
  /**
   * Every field at its default, in field order, when the record always has every field (no field left out at its
   * default or absent): records are then copies of it, which keeps their fields inside the object (routes, cores).
   */
  template: Fields | null;
}

/** What one message's fields have read so far: values, ranges of message records, typed arrays and their lengths. */
interface Frame {
  values: unknown[];
  counts: number[];
}

const SCALAR_WIRE_TYPES: Readonly<Record<ScalarKind, number>> = {
  uint32: WIRE_TYPES.WIRE_VARINT,
  int32: WIRE_TYPES.WIRE_VARINT,
  sint32: WIRE_TYPES.WIRE_VARINT,
  uint64: WIRE_TYPES.WIRE_VARINT,
  bool: WIRE_TYPES.WIRE_VARINT,
  double: WIRE_TYPES.WIRE_FIXED64,
  float: WIRE_TYPES.WIRE_FIXED32,
  string: WIRE_TYPES.WIRE_LENGTH_DELIMITED,
};

const plans = new Map<protobuf.Type, MessagePlan>();

/** The decoding plan of `type` and every message type below it, built once from the schema's reflection. */
export function messagePlan(type: protobuf.Type): MessagePlan {
  const known = plans.get(type);
  if (known) return known;
  const plan: MessagePlan = { type, fields: [], byNumber: [], needsFinish: false, spareFrames: [], template: null };
  plans.set(type, plan);
  type.fieldsArray.forEach((field, slot) => {
    const fieldPlan = planField(field, slot);
    plan.fields.push(fieldPlan);
    plan.byNumber[field.id] = fieldPlan;
  });
  plan.needsFinish = plan.fields.some((f) => f.enumType !== null || f.kind === 'uint64' || f.text || (f.kind === 'message' && !f.repeated) || f.message?.needsFinish === true);
  if (plan.fields.every((f) => !f.omittedAtDefault && !f.text && !f.mayBeAbsent)) {
    plan.template = {};
    for (const field of plan.fields) plan.template[field.name] = field.kind === 'message' && !field.repeated ? null : field.defaultValue;
  }
  return plan;
}

function planField(field: protobuf.Field, slot: number): FieldPlan {
  const messageType = messageTypeOf(field);
  const enumType = enumOf(field);
  if (field.repeated && enumType) throw new Error(`${fieldKey(field)} is a repeated enum, which the chip program decoder does not handle`);
  if (field.map) throw new Error(`${fieldKey(field)} is a map, which the chip program decoder does not handle`);
  const kind = messageType ? 'message' : enumType ? 'int32' : (field.type as ScalarKind);
  if (kind !== 'message' && !Object.hasOwn(SCALAR_WIRE_TYPES, kind))
    throw new Error(`${fieldKey(field)} has proto type ${field.type}, which the chip program decoder does not handle`);
  const defaults: Record<string, unknown> = { string: '', bool: false };
  return {
    field,
    name: field.name,
    slot,
    kind,
    repeated: field.repeated,
    wireType: kind === 'message' ? WIRE_TYPES.WIRE_LENGTH_DELIMITED : SCALAR_WIRE_TYPES[kind],
    packable: field.repeated && kind !== 'message' && kind !== 'string',
    typedArray: field.repeated ? (TYPED_ARRAYS[field.type] ?? null) : null,
    message: messageType ? messagePlan(messageType) : null,
    enumType,
    omittedAtDefault: OMITTED_AT_DEFAULT.has(fieldKey(field)),
    text: Object.hasOwn(TEXT_FIELDS, fieldKey(field)),
    mayBeAbsent: mayBeAbsent(field),
    defaultValue: defaults[kind] ?? 0,
  };
}

/** Text fields of versions 1 and 2 that were set, by the record that holds them (rare: only old programs). */
export type TextValues = Map<Fields, Map<string, string>>;

/** Reads one message from `reader.pos` to `end`; wire errors throw WireError. */
export function decodeMessage(plan: MessagePlan, reader: WireReader, end: number, texts: TextValues): Fields {
  const frame = plan.spareFrames.pop() ?? { values: new Array<unknown>(plan.fields.length), counts: new Array<number>(plan.fields.length).fill(0) };
  const { values, counts } = frame;
  const outerLimit = reader.limit;
  reader.limit = end;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const number = tag >>> 3;
    const wireType = tag & 7;
    const field = plan.byNumber[number];
    if (field === undefined) {
      reader.skip(wireType, number);
    } else if (field.packable && wireType === WIRE_TYPES.WIRE_LENGTH_DELIMITED) {
      readPacked(field, reader, frame);
    } else if (wireType !== field.wireType) {
      reader.skip(wireType, number);
    } else if (field.kind === 'message') {
      const recordEnd = reader.delimitedEnd();
      if (field.repeated) {
        const list = (values[field.slot] ??= []) as Fields[];
        list.push(decodeMessage(field.message!, reader, recordEnd, texts));
      } else {
        // Merged when the field comes again, as protobufjs does: read later as one concatenated message.
        const ranges = (values[field.slot] ??= []) as number[];
        ranges.push(reader.pos, recordEnd);
        reader.pos = recordEnd;
      }
    } else if (field.typedArray) {
      const array = reserve(field, frame, 1);
      array[counts[field.slot]!++] = readScalar(field.kind as ScalarKind, reader) as number;
    } else if (field.repeated) {
      ((values[field.slot] ??= []) as unknown[]).push(readScalar(field.kind as ScalarKind, reader));
    } else {
      values[field.slot] = readScalar(field.kind as ScalarKind, reader);
    }
  }
  const record = buildRecord(plan, reader, frame, texts);
  reader.pos = end;
  reader.limit = outerLimit;
  values.fill(undefined);
  counts.fill(0);
  plan.spareFrames.push(frame);
  return record;
}

function readScalar(kind: ScalarKind, reader: WireReader): unknown {
  switch (kind) {
    case 'uint32':
      return reader.uint32();
    case 'int32':
      return reader.int32();
    case 'sint32':
      return reader.sint32();
    case 'uint64':
      return reader.uint64();
    case 'bool':
      return reader.bool();
    case 'double':
      return reader.double();
    case 'float':
      return reader.float();
    case 'string':
      return reader.string();
  }
}

/** A packed run: counted first (one byte below 0x80 ends each varint), so a typed array is allocated once. */
function readPacked(field: FieldPlan, reader: WireReader, frame: Frame): void {
  const end = reader.delimitedEnd();
  const outerLimit = reader.limit;
  reader.limit = end;
  const kind = field.kind as ScalarKind;
  if (field.typedArray) {
    const bytes = reader.bytes;
    let count = 0;
    if (kind === 'float') count = (end - reader.pos) >>> 2;
    else for (let at = reader.pos; at < end; at += 1) if (bytes[at]! < 0x80) count += 1;
    const array = reserve(field, frame, count);
    let length = frame.counts[field.slot]!;
    if (kind === 'float') {
      for (let index = 0; index < count; index += 1) array[length++] = reader.float();
      if (reader.pos !== end) throw reader.outOfRange(4);
    } else {
      while (reader.pos < end) array[length++] = reader.sint32();
    }
    frame.counts[field.slot] = length;
  } else {
    const list = (frame.values[field.slot] ??= []) as unknown[];
    while (reader.pos < end) list.push(readScalar(kind, reader));
  }
  reader.limit = outerLimit;
}

/** The field's typed array with room for `more` values, doubling so that values sent one by one stay linear. */
function reserve(field: FieldPlan, frame: Frame, more: number): TypedArray {
  const current = frame.values[field.slot] as TypedArray | undefined;
  const length = frame.counts[field.slot]!;
  if (current && current.length >= length + more) return current;
  const grown = new field.typedArray!(current ? Math.max(length + more, 2 * current.length) : more);
  if (current) grown.set(current.subarray(0, length));
  frame.values[field.slot] = grown;
  return grown;
}

function buildRecord(plan: MessagePlan, reader: WireReader, frame: Frame, texts: TextValues): Fields {
  const record: Fields = plan.template ? { ...plan.template } : {};
  let setTexts: Map<string, string> | undefined;
  for (const field of plan.fields) {
    const value = frame.values[field.slot];
    if (field.text) {
      if (typeof value === 'string' && value !== '') (setTexts ??= new Map()).set(field.name, value);
      continue;
    }
    if (field.kind === 'message' && !field.repeated) {
      if (value === undefined) {
        if (!field.mayBeAbsent) record[field.name] = null;
        continue;
      }
      record[field.name] = decodeMerged(field.message!, reader, value as number[], texts);
      continue;
    }
    let result: unknown;
    if (field.typedArray) {
      const array = value as TypedArray | undefined;
      const length = frame.counts[field.slot]!;
      result = array === undefined ? new field.typedArray(0) : array.length === length ? array : array.slice(0, length);
    } else if (field.repeated) {
      result = value ?? [];
    } else {
      result = value ?? field.defaultValue;
    }
    if (field.omittedAtDefault && isDefault(result)) continue;
    record[field.name] = result;
  }
  if (setTexts) texts.set(record, setTexts);
  return record;
}

/** A message field's records, read one after the other into one message. */
function decodeMerged(plan: MessagePlan, reader: WireReader, ranges: number[], texts: TextValues): Fields {
  if (ranges.length === 2) {
    reader.pos = ranges[0]!;
    return decodeMessage(plan, reader, ranges[1]!, texts);
  }
  const parts = [];
  for (let index = 0; index < ranges.length; index += 2) parts.push(reader.bytes.subarray(ranges[index]!, ranges[index + 1]!));
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  const inner = new WireReader(joined);
  return decodeMessage(plan, inner, joined.length, texts);
}

function isDefault(value: unknown): boolean {
  return value === false || value === 0 || value === '' || ((Array.isArray(value) || ArrayBuffer.isView(value)) && (value as ArrayLike<unknown>).length === 0);
}

/** Names enums, reads old text fields, refuses missing messages and inexact uint64s: the record becomes the program's. */
export function finishMessage(plan: MessagePlan, record: Fields, at: Location, file: string, version: number, texts: TextValues): void {
  for (const field of plan.fields) {
    if (field.text || !Object.hasOwn(record, field.name)) continue;
    const value = record[field.name];
    if (field.message) {
      if (!field.message.needsFinish && (field.repeated || value !== null)) continue;
      if (field.repeated) {
        (value as Fields[]).forEach((element, index) => finishMessage(field.message!, element, elementLocation(at, field.field, index, element), file, version, texts));
      } else {
        const here = fieldLocation(at, field.field);
        if (value === null) fail(file, here, 'is missing');
        finishMessage(field.message, value as Fields, here, file, version, texts);
      }
    } else if (field.enumType) {
      const name = field.enumType.valuesById[value as number];
      if (name === undefined) fail(file, fieldLocation(at, field.field), `has value ${String(value)}, which is not ${withArticle(field.enumType.name)}`);
      record[field.name] = name;
    } else if (field.kind === 'uint64' && !Number.isSafeInteger(value)) {
      fail(file, fieldLocation(at, field.field), `${String(value)} is beyond 2^53`);
    }
  }
  const setTexts = texts.get(record);
  if (setTexts) readTextFields(plan, setTexts, record, at, file, version);
  if (version < FIRST_VERSION_WITH_ENUMS) addVersion3Fields(plan.type.name, record);
}

/** Version 1 and 2 text into the enums that replaced it (an empty text leaves the enum as read); refused in version 3. */
function readTextFields(plan: MessagePlan, setTexts: Map<string, string>, record: Fields, at: Location, file: string, version: number): void {
  for (const field of plan.fields) {
    const text = setTexts.get(field.name);
    if (text === undefined) continue;
    const textField = TEXT_FIELDS[fieldKey(field.field)]!;
    const here = fieldLocation(at, field.field);
    if (version >= FIRST_VERSION_WITH_ENUMS)
      fail(file, here, `is a field of IR versions 1 and 2; version ${version} has the enum ${protoName(plan.type.fields[textField.field]!)}`);
    const value = Object.keys(textField.text).find((name) => textField.text[name] === text);
    if (value === undefined) {
      const known = Object.values(textField.text).filter((t) => t !== '');
      fail(file, here, `${JSON.stringify(text)} is none of ${known.map((t) => JSON.stringify(t)).join(', ')}`);
    }
    record[textField.field] = value;
  }
}
