// Reference: DESIGN.md section 6 (every reader has a memory budget); the protobuf wire format
// (protobuf.dev/programming-guides/encoding: varint, fixed64, length-delimited and fixed32 records).
/**
 * How much memory decoding a chip program will take, from its bytes alone, before protobufjs builds anything: a
 * walk of the wire records guided by the schema, counting messages and repeated elements. It matters because a
 * record costs far more decoded than encoded: an empty Core is 2 bytes on the wire and several objects once
 * decoded with its defaults filled in, so a few megabytes of them could take gigabytes.
 */
import protobuf from 'protobufjs';

/**
 * Bytes per decoded message (the protobufjs message, its plain-object copy with defaults, and the program record:
 * three objects of a header and a slot per field) and per repeated element. Measured through decode and toObject:
 * 100,000 empty cores (15 fields) took 282 bytes each, a million packed small integers 19 bytes each; the record
 * adds a third copy (an array of 8-byte slots, or an Int32Array for weights). Floats are boxed: 16 bytes more.
 */
const MESSAGE_BASE_BYTES = 3 * 64;
const BYTES_PER_FIELD = 3 * 16;
const BYTES_PER_ELEMENT = 28;
const BYTES_PER_FLOAT_ELEMENT = BYTES_PER_ELEMENT + 16;
/** A string is decoded to UTF-16 and copied into the plain object and the record. */
const BYTES_PER_STRING_BYTE = 6;

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;
const FIXED32_TYPES = new Set(['fixed32', 'sfixed32', 'float']);
const FIXED64_TYPES = new Set(['fixed64', 'sfixed64', 'double']);

/**
 * The estimated bytes of the decoded program. Malformed records end the walk early: protobufjs then stops at the
 * same record with its own error, having built no more than was counted.
 */
export function decodedSizeEstimate(type: protobuf.Type, bytes: Uint8Array): number {
  return messageSize(type, bytes, 0, bytes.length);
}

function messageSize(type: protobuf.Type, bytes: Uint8Array, start: number, end: number): number {
  let total = MESSAGE_BASE_BYTES + BYTES_PER_FIELD * type.fieldsArray.length;
  let at = start;
  while (at < end) {
    const tag = readVarint(bytes, at, end);
    if (tag === undefined) return total;
    at = tag.next;
    const field = type.fieldsById[Math.floor(tag.value / 8)];
    switch (tag.value % 8) {
      case VARINT: {
        const value = readVarint(bytes, at, end);
        if (value === undefined) return total;
        at = value.next;
        total += BYTES_PER_ELEMENT;
        break;
      }
      case FIXED64:
        at += 8;
        total += BYTES_PER_ELEMENT;
        break;
      case FIXED32:
        at += 4;
        total += BYTES_PER_ELEMENT;
        break;
      case LENGTH_DELIMITED: {
        const length = readVarint(bytes, at, end);
        if (length === undefined || length.next + length.value > end) return total;
        const payloadStart = length.next;
        at = payloadStart + length.value;
        total += payloadSize(field, bytes, payloadStart, at);
        break;
      }
      default:
        return total; // groups and unknown wire types: protobufjs refuses or skips them
    }
  }
  return total;
}

function payloadSize(field: protobuf.Field | undefined, bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (field?.resolvedType instanceof protobuf.Type) return messageSize(field.resolvedType, bytes, start, end);
  if (field === undefined || !field.repeated || field.type === 'string' || field.type === 'bytes') return BYTES_PER_STRING_BYTE * length;
  // A packed run of scalars.
  if (FIXED32_TYPES.has(field.type)) return BYTES_PER_FLOAT_ELEMENT * Math.ceil(length / 4);
  if (FIXED64_TYPES.has(field.type)) return BYTES_PER_FLOAT_ELEMENT * Math.ceil(length / 8);
  let values = 0;
  for (let i = start; i < end; i += 1) if (bytes[i]! < 0x80) values += 1;
  return BYTES_PER_ELEMENT * values;
}

function readVarint(bytes: Uint8Array, at: number, end: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = at; i < end && i < at + 10; i += 1) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) return { value, next: i + 1 };
  }
  return undefined;
}
