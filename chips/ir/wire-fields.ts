// Reference: chips/ir/chip_program.proto (which fields may be absent, which were added at a default).
/**
 * What the chip program's encoder and decoder agree on about fields: which may be absent, which are left out at
 * their default, and how a value's place is named in errors (`layer 1 (conv2): connection.conv is missing`).
 */
import protobuf from 'protobufjs';
import { ChipProgramError } from '../errors.js';
import { TEXT_FIELDS } from './chip-program-version-2.js';
import { layerLabel } from './validate-chip-program.js';

export type Fields = Record<string, unknown>;

/** Message fields a program may leave out: `oneof` members are checked by validation, pooling is optional. */
const OPTIONAL_MESSAGE_FIELDS = new Set(['Connection.pooling']);
/** Fields added for recurrent networks: left out of a program at their default, so feed-forward programs read back unchanged. */
export const OMITTED_AT_DEFAULT = new Set([
  'ChipProgram.chipSpecSha256',
  'Layer.recurrent',
  'Layer.sourceSkip',
  'Layer.branches',
  'NeuronParameters.refractorySteps',
  'NeuronParameters.initialVoltage',
  'LearningConfig.layerConfigs',
  'LearningLayer.tagRule',
]);

/** Where a value sits, for errors: the layer or core that owns it and the field path inside it. */
export interface Location {
  owner: string;
  path: string;
}

export const PROGRAM_LOCATION: Location = { owner: '', path: '' };

export function fail(file: string, at: Location, detail: string): never {
  const where = [at.owner, at.path].filter((part) => part !== '').join(': ');
  throw new ChipProgramError(file, where === '' ? detail : `${where} ${detail}`);
}

/** The proto's own spelling (`fan_in`) of a protobufjs field name (`fanIn`): the .proto is the documented format. */
export function protoName(field: protobuf.Field): string {
  return field.name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export function fieldLocation(at: Location, field: protobuf.Field): Location {
  return { owner: at.owner, path: at.path === '' ? protoName(field) : `${at.path}.${protoName(field)}` };
}

/** Layers and cores are named as users know them (`layer 1 (conv2)`, `core 17`) rather than by list index. */
export function elementLocation(at: Location, field: protobuf.Field, index: number, element: unknown): Location {
  const record = isRecord(element) ? element : {};
  if (at.owner === '' && at.path === '' && field.name === 'layers') {
    return { owner: layerLabel(index, typeof record.name === 'string' ? record.name : ''), path: '' };
  }
  if (at.owner === '' && at.path === '' && field.name === 'cores') return { owner: `core ${String(record.id)}`, path: '' };
  const inner = fieldLocation(at, field);
  return { owner: inner.owner, path: `${inner.path}[${index}]` };
}

export function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function messageTypeOf(field: protobuf.Field): protobuf.Type | null {
  return field.resolvedType instanceof protobuf.Type ? field.resolvedType : null;
}

export function enumOf(field: protobuf.Field): protobuf.Enum | null {
  return field.resolvedType instanceof protobuf.Enum ? field.resolvedType : null;
}

export function fieldKey(field: protobuf.Field): string {
  return `${field.parent?.name}.${field.name}`;
}

export function mayBeAbsent(field: protobuf.Field): boolean {
  const key = fieldKey(field);
  return field.partOf !== null || OPTIONAL_MESSAGE_FIELDS.has(key) || OMITTED_AT_DEFAULT.has(key) || Object.hasOwn(TEXT_FIELDS, key);
}

/** `an int32`, `a uint32`: by the first letter's sound in these names, where a `u` sounds like `you`. */
export function withArticle(noun: string): string {
  return /^[aeio]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}

/** Repeated fields the program holds as typed arrays (hot data: weights and host-side floats). */
export const TYPED_ARRAYS: Record<string, Int32ArrayConstructor | Float32ArrayConstructor> = {
  sint32: Int32Array,
  float: Float32Array,
};
