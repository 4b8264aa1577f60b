// Reference: DESIGN.md section 6 (every reader has a memory budget); the protobuf wire format
// (protobuf.dev/programming-guides/encoding: varint, fixed64, length-delimited and fixed32 records).
/**
 * How much memory decoding a chip program will take, from its bytes alone, before anything is built: a walk of
 * the wire records guided by the schema, counting messages and repeated elements. It matters because a record can
 * cost far more decoded than encoded: an empty Core is 2 bytes on the wire and an object of 15 fields once
 * decoded, so a few megabytes of them could take hundreds of megabytes.
 */
import protobuf from 'protobufjs';

/**
 * What chip-program-decoder.ts builds (V8, 64-bit, uncompressed pointers): one object per message, a header and
 * an 8-byte slot per field, plus its slot in its parent's list and the list's growth. ResNet-19's 3.75 M routes
 * (6 fields) take 408 MiB with everything else, about 110 bytes a route; this counts 88.
 */
const MESSAGE_BASE_BYTES = 64;
const BYTES_PER_FIELD = 8;
/** A repeated field's list, made even when empty: an array, or a typed array and its buffer. */
const BYTES_PER_LIST = 48;
const BYTES_PER_TYPED_LIST = 192;
/** A message field is read once its parent ends: its byte range is held in a small list meanwhile. */
const BYTES_PER_MESSAGE_FIELD_RECORD = 64;
/** A repeated scalar held in a list: an 8-byte slot, a boxed number beyond 2^31, and the list's growth. */
const BYTES_PER_ELEMENT = 28;
/**
 * Weights and host floats go into typed arrays: a field's first packed run is counted and allocated exactly (4
 * bytes a value). Once more values come, the array grows by doubling: every capacity allocated on the way sums to
 * at most four times the values, plus the final trim, so all the field's values, the first run's too, count 20.
 */
const BYTES_PER_TYPED_ELEMENT = 4;
const BYTES_PER_GROWN_TYPED_ELEMENT = 20;
const TYPED_TYPES = new Set(['sint32', 'float']);
/** A string becomes at most two bytes a byte (UTF-16), with its header. */
const BYTES_PER_STRING_BYTE = 2;
const BYTES_PER_STRING = 32;

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;
const FIXED32_TYPES = new Set(['fixed32', 'sfixed32', 'float']);
const FIXED64_TYPES = new Set(['fixed64', 'sfixed64', 'double']);

/**
 * The estimated bytes of the decoded program. Malformed records end the walk early: the decoder then stops at the
 * same record with its own error, having built no more than was counted.
 */
export function decodedSizeEstimate(type: protobuf.Type, bytes: Uint8Array): number {
  return messageSize(type, bytes, 0, bytes.length);
}

/** A typed field's values so far in one message: its first packed run's count, or GROWN once it grew. */
type TypedRuns = Map<number, number>;
const GROWN = -1;

/** What `count` more values of a typed field cost, charging the first run again at the grown rate once it grows. */
function typedValuesSize(runs: TypedRuns, field: protobuf.Field, count: number, packed: boolean): number {
  const before = runs.get(field.id);
  if (before === undefined && packed) {
    runs.set(field.id, count);
    return BYTES_PER_TYPED_ELEMENT * count;
  }
  runs.set(field.id, GROWN);
  const regrown = before !== undefined && before !== GROWN ? (BYTES_PER_GROWN_TYPED_ELEMENT - BYTES_PER_TYPED_ELEMENT) * before : 0;
  return regrown + BYTES_PER_GROWN_TYPED_ELEMENT * count;
}

const emptyMessageBytes = new Map<protobuf.Type, number>();

/** A message with no field on the wire: its object, and the lists of its repeated fields. */
function emptyMessageSize(type: protobuf.Type): number {
  let bytes = emptyMessageBytes.get(type);
  if (bytes === undefined) {
    bytes = MESSAGE_BASE_BYTES;
    for (const field of type.fieldsArray) {
      bytes += BYTES_PER_FIELD;
      if (field.repeated) bytes += TYPED_TYPES.has(field.type) ? BYTES_PER_TYPED_LIST : BYTES_PER_LIST;
    }
    emptyMessageBytes.set(type, bytes);
  }
  return bytes;
}

function messageSize(type: protobuf.Type, bytes: Uint8Array, start: number, end: number): number {
  let total = emptyMessageSize(type);
  let typedRuns: TypedRuns | undefined;
  let at = start;
  while (at < end) {
    const tag = readVarint(bytes, at, end);
    if (tag === undefined) return total;
    at = tag.next;
    const field = type.fieldsById[Math.floor(tag.value / 8)];
    const repeatedScalar = field !== undefined && field.repeated && !(field.resolvedType instanceof protobuf.Type);
    const typed = repeatedScalar && TYPED_TYPES.has(field.type);
    switch (tag.value % 8) {
      case VARINT: {
        const value = readVarint(bytes, at, end);
        if (value === undefined) return total;
        at = value.next;
        if (typed) total += typedValuesSize((typedRuns ??= new Map()), field, 1, false);
        else if (repeatedScalar) total += BYTES_PER_ELEMENT;
        break;
      }
      case FIXED64:
        at += 8;
        if (repeatedScalar) total += BYTES_PER_ELEMENT;
        break;
      case FIXED32:
        at += 4;
        if (typed) total += typedValuesSize((typedRuns ??= new Map()), field, 1, false);
        else if (repeatedScalar) total += BYTES_PER_ELEMENT;
        break;
      case LENGTH_DELIMITED: {
        const length = readVarint(bytes, at, end);
        if (length === undefined || length.next + length.value > end) return total;
        const payloadStart = length.next;
        at = payloadStart + length.value;
        if (typed) total += typedValuesSize((typedRuns ??= new Map()), field, packedCount(field, bytes, payloadStart, at), true);
        else total += payloadSize(field, bytes, payloadStart, at);
        break;
      }
      default:
        return total; // groups and unknown wire types: the decoder refuses or skips them
    }
  }
  return total;
}

function payloadSize(field: protobuf.Field | undefined, bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (field?.resolvedType instanceof protobuf.Type) {
    if (field.repeated) return messageSize(field.resolvedType, bytes, start, end);
    // Read once its parent ends; a field sent twice is read from a joined copy of its records.
    return BYTES_PER_MESSAGE_FIELD_RECORD + length + messageSize(field.resolvedType, bytes, start, end);
  }
  if (field === undefined) return 0; // skipped
  if (field.type === 'string' || field.type === 'bytes') return BYTES_PER_STRING + BYTES_PER_STRING_BYTE * length;
  if (!field.repeated) return 0; // a scalar sent with the wrong wire type is skipped
  return BYTES_PER_ELEMENT * packedCount(field, bytes, start, end);
}

/** The values of a packed run: one per 4 or 8 bytes, or one per varint (each ends with a byte below 0x80). */
function packedCount(field: protobuf.Field, bytes: Uint8Array, start: number, end: number): number {
  if (FIXED32_TYPES.has(field.type)) return Math.ceil((end - start) / 4);
  if (FIXED64_TYPES.has(field.type)) return Math.ceil((end - start) / 8);
  let values = 0;
  for (let i = start; i < end; i += 1) if (bytes[i]! < 0x80) values += 1;
  return values;
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
