import { ModelError } from '../errors.js';

/**
 * One entry of a zip archive's central directory, with where its data starts: enough to check an entry's
 * declared sizes against the file and the memory budget before a byte of it is inflated.
 * Reference: PKWARE APPNOTE.TXT 6.3 (sections 4.3.7 local header, 4.3.12 central directory, 4.3.14-16 ZIP64).
 */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflate. */
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** Offset of the entry's (compressed) data in the archive. */
  readonly dataOffset: number;
}

const END_OF_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END_OF_DIRECTORY = 0x06064b50;
const DIRECTORY_RECORD = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const END_OF_DIRECTORY_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;
const DIRECTORY_RECORD_BYTES = 46;
const LOCAL_HEADER_BYTES = 30;
const ZIP64_EXTRA_ID = 0x0001;
const ZIP64_MARKER = 0xffffffff;
const ENCRYPTED_FLAG = 0x0001;

/** Reads the central directory; every offset and count is checked against the archive's length. */
export function readZipDirectory(bytes: Uint8Array, file: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (why: string) => new ModelError(file, `is not a readable zip archive (${why}); the file is truncated or corrupt`);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => Number(view.getBigUint64(at, true));
  const within = (at: number, length: number) => at >= 0 && length >= 0 && at + length <= bytes.length;

  let end = -1;
  for (let at = bytes.length - END_OF_DIRECTORY_BYTES; at >= 0 && at >= bytes.length - END_OF_DIRECTORY_BYTES - MAX_COMMENT_BYTES; at -= 1) {
    if (u32(at) === END_OF_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw corrupt('no end-of-central-directory record');
  let entryCount = u16(end + 10);
  let directorySize = u32(end + 12);
  let directoryOffset = u32(end + 16);
  const locator = end - 20;
  if (locator >= 0 && u32(locator) === ZIP64_END_LOCATOR) {
    const zip64End = u64(locator + 8);
    if (!within(zip64End, 56) || u32(zip64End) !== ZIP64_END_OF_DIRECTORY) throw corrupt('its ZIP64 locator points nowhere');
    entryCount = u64(zip64End + 32);
    directorySize = u64(zip64End + 40);
    directoryOffset = u64(zip64End + 48);
  }
  if (!within(directoryOffset, directorySize)) throw corrupt(`its central directory (${directorySize} bytes at ${directoryOffset}) lies outside the file`);
  if (entryCount * DIRECTORY_RECORD_BYTES > directorySize) {
    throw corrupt(`its directory claims ${entryCount} entries, more than its ${directorySize} bytes can hold`);
  }

  const entries: ZipEntry[] = [];
  let at = directoryOffset;
  for (let i = 0; i < entryCount; i += 1) {
    if (!within(at, DIRECTORY_RECORD_BYTES) || u32(at) !== DIRECTORY_RECORD) throw corrupt(`directory record ${i} is missing`);
    const flags = u16(at + 8);
    const method = u16(at + 10);
    let compressedSize = u32(at + 20);
    let uncompressedSize = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    let localOffset = u32(at + 42);
    const recordLength = DIRECTORY_RECORD_BYTES + nameLength + extraLength + commentLength;
    if (!within(at, recordLength)) throw corrupt(`directory record ${i} runs past the end of the file`);
    const name = new TextDecoder('utf-8').decode(bytes.subarray(at + DIRECTORY_RECORD_BYTES, at + DIRECTORY_RECORD_BYTES + nameLength));

    // ZIP64: each 32-bit field set to 0xffffffff is replaced, in this order, by an 8-byte value in the extra field.
    const zip64 = findExtra(view, at + DIRECTORY_RECORD_BYTES + nameLength, extraLength, ZIP64_EXTRA_ID);
    if (zip64 !== undefined) {
      let next = zip64.at;
      const take = (): number => {
        if (next + 8 > zip64.at + zip64.length) throw corrupt(`record '${name}' has a short ZIP64 extra field`);
        const value = u64(next);
        next += 8;
        return value;
      };
      if (uncompressedSize === ZIP64_MARKER) uncompressedSize = take();
      if (compressedSize === ZIP64_MARKER) compressedSize = take();
      if (localOffset === ZIP64_MARKER) localOffset = take();
    }
    if ((flags & ENCRYPTED_FLAG) !== 0) throw new ModelError(file, `zip record '${name}' is encrypted; torch checkpoints never are`);
    if (!within(localOffset, LOCAL_HEADER_BYTES) || u32(localOffset) !== LOCAL_HEADER) throw corrupt(`record '${name}' has no local header at ${localOffset}`);
    const dataOffset = localOffset + LOCAL_HEADER_BYTES + u16(localOffset + 26) + u16(localOffset + 28);
    if (!within(dataOffset, compressedSize)) {
      throw corrupt(`record '${name}' declares ${compressedSize} bytes of data at ${dataOffset}, past the end of the ${bytes.length}-byte file`);
    }
    entries.push({ name, method, compressedSize, uncompressedSize, dataOffset });
    at += recordLength;
  }
  return entries;
}

function findExtra(view: DataView, start: number, length: number, id: number): { at: number; length: number } | undefined {
  for (let at = start; at + 4 <= start + length;) {
    const fieldId = view.getUint16(at, true);
    const fieldLength = view.getUint16(at + 2, true);
    if (fieldId === id) return { at: at + 4, length: Math.min(fieldLength, start + length - at - 4) };
    at += 4 + fieldLength;
  }
  return undefined;
}
