// Reference: the protobuf wire format (protobuf.dev/programming-guides/encoding: varints, zigzag, fixed32/64,
// length-delimited records, groups) and protobufjs 8's Reader, whose reading of each type and whose error texts
// this keeps, so that a corrupt file is refused as it was before the chip program decoder read bytes itself.
/**
 * A cursor over protobuf bytes, bounded by `limit` (the end of the message being read). Reads return plain
 * numbers; a 64-bit varint leaves its high word in `high` rather than allocating a pair.
 */

/** A record that runs past its message, a bad varint or tag: the file is corrupt. */
export class WireError extends Error {}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;
/** protoc's default nesting limit, which protobufjs also applies to groups it skips. */
const GROUP_DEPTH_LIMIT = 100;
const TWO_TO_32 = 2 ** 32;

export class WireReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos = 0;
  limit: number;
  /** The high 32 bits (unsigned) of the last `varint64`. */
  high = 0;
  private readonly text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.limit = bytes.length;
  }

  outOfRange(length = 1): WireError {
    return new WireError(`index out of range: ${this.pos} + ${length} > ${this.limit}`);
  }

  /** The low 32 bits of a varint of up to 10 bytes, unsigned. */
  uint32(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    if (pos >= this.limit) throw this.outOfRange();
    let byte = bytes[pos++]!;
    if (byte < 0x80) {
      this.pos = pos;
      return byte;
    }
    let value = byte & 0x7f;
    for (let shift = 7; shift < 70; shift += 7) {
      if (pos >= this.limit) {
        this.pos = pos;
        throw this.outOfRange();
      }
      byte = bytes[pos++]!;
      if (shift < 32) value |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    this.pos = pos;
    throw new WireError('invalid varint encoding');
  }

  int32(): number {
    return this.uint32() | 0;
  }

  sint32(): number {
    const value = this.uint32();
    return ((value >>> 1) ^ -(value & 1)) | 0;
  }

  /** A 64-bit varint: returns the low word (unsigned), leaves the high word in `high`. */
  varint64(): number {
    const bytes = this.bytes;
    let low = 0;
    let high = 0;
    let pos = this.pos;
    for (let index = 0; index < 10; index += 1) {
      if (pos >= this.limit) {
        this.pos = pos;
        throw this.outOfRange();
      }
      const bits = bytes[pos++]! & 0x7f;
      if (index < 4) low |= bits << (7 * index);
      else if (index === 4) {
        low |= bits << 28;
        high |= bits >>> 4;
      } else high |= bits << (7 * index - 32);
      if (bytes[pos - 1]! < 0x80) {
        this.pos = pos;
        this.high = high >>> 0;
        return low >>> 0;
      }
    }
    this.pos = pos;
    throw new WireError('invalid varint encoding');
  }

  /** An unsigned 64-bit varint as a number (inexact beyond 2^53, which the caller refuses). */
  uint64(): number {
    const low = this.varint64();
    return low + this.high * TWO_TO_32;
  }

  /** True when any of the varint's value bits is set, as protobufjs reads a bool. */
  bool(): boolean {
    let value = false;
    for (let index = 0; index < 10; index += 1) {
      if (this.pos >= this.limit) throw this.outOfRange();
      const byte = this.bytes[this.pos++]!;
      if ((byte & 0x7f) !== 0) value = true;
      if (byte < 0x80) return value;
    }
    throw new WireError('invalid varint encoding');
  }

  double(): number {
    if (this.pos + 8 > this.limit) throw this.outOfRange(8);
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  float(): number {
    if (this.pos + 4 > this.limit) throw this.outOfRange(4);
    const value = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return value;
  }

  /** A length prefix; returns the end of the record it announces, which must lie within the message. */
  delimitedEnd(): number {
    const length = this.uint32();
    const end = this.pos + length;
    if (end > this.limit) throw this.outOfRange(length);
    return end;
  }

  string(): string {
    const end = this.delimitedEnd();
    const start = this.pos;
    this.pos = end;
    if (start === end) return '';
    try {
      return this.text.decode(this.bytes.subarray(start, end));
    } catch {
      throw new WireError(`invalid UTF-8 in a string at offset ${start}`);
    }
  }

  /** Steps over a record of a field this reader does not keep (unknown, or sent with another wire type). */
  skip(wireType: number, fieldNumber: number, depth = 0): void {
    if (depth > GROUP_DEPTH_LIMIT) throw new WireError('max depth exceeded');
    if (fieldNumber === 0) throw new WireError('illegal tag: field number 0');
    switch (wireType) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.pos = this.delimitedEnd();
        return;
      case WIRE_START_GROUP:
        for (;;) {
          const tag = this.uint32();
          const nested = tag >>> 3;
          if (nested === 0) throw new WireError('illegal tag: field number 0');
          if ((tag & 7) === WIRE_END_GROUP) {
            if (nested !== fieldNumber) throw new WireError('invalid end group tag');
            return;
          }
          this.skip(tag & 7, nested, depth + 1);
        }
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        throw new WireError(`invalid wire type ${wireType} at offset ${this.pos}`);
    }
  }

  private advance(length: number): void {
    if (this.pos + length > this.limit) throw this.outOfRange(length);
    this.pos += length;
  }
}

export const WIRE_TYPES = { WIRE_VARINT, WIRE_FIXED64, WIRE_LENGTH_DELIMITED, WIRE_FIXED32 } as const;
