import { describe, expect, it } from 'vitest';
import { ModelError } from '../../models/errors.js';
import { readZipDirectory } from '../../models/pth/zip-directory.js';
import { storedRecord, zipArchive } from '../helpers/hostile-files.js';

/** The archive with its directory rewritten the way writers do past 4 GiB: 0xffffffff fields, ZIP64 records. */
function asZip64(archive: Uint8Array): Uint8Array {
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const endAt = archive.length - 22;
  const entries = view.getUint16(endAt + 10, true);
  const directoryAt = view.getUint32(endAt + 16, true);
  const records: Uint8Array[] = [];
  for (let i = 0, at = directoryAt; i < entries; i += 1) {
    const nameLength = view.getUint16(at + 28, true);
    const record = archive.slice(at, at + 46 + nameLength);
    const recordView = new DataView(record.buffer);
    const extra = new DataView(new ArrayBuffer(4 + 24));
    extra.setUint16(0, 0x0001, true);
    extra.setUint16(2, 24, true);
    extra.setBigUint64(4, BigInt(recordView.getUint32(24, true)), true); // uncompressed size
    extra.setBigUint64(12, BigInt(recordView.getUint32(20, true)), true); // compressed size
    extra.setBigUint64(20, BigInt(recordView.getUint32(42, true)), true); // local header offset
    recordView.setUint32(20, 0xffffffff, true);
    recordView.setUint32(24, 0xffffffff, true);
    recordView.setUint32(42, 0xffffffff, true);
    recordView.setUint16(30, 28, true);
    records.push(record, new Uint8Array(extra.buffer));
    at += 46 + nameLength;
  }
  const directory = concat(records);
  const zip64EndAt = directoryAt + directory.length;
  const zip64End = new DataView(new ArrayBuffer(56));
  zip64End.setUint32(0, 0x06064b50, true);
  zip64End.setBigUint64(24, BigInt(entries), true);
  zip64End.setBigUint64(32, BigInt(entries), true);
  zip64End.setBigUint64(40, BigInt(directory.length), true);
  zip64End.setBigUint64(48, BigInt(directoryAt), true);
  const locator = new DataView(new ArrayBuffer(20));
  locator.setUint32(0, 0x07064b50, true);
  locator.setBigUint64(8, BigInt(zip64EndAt), true);
  const end = archive.slice(endAt);
  const endView = new DataView(end.buffer);
  endView.setUint16(8, 0xffff, true);
  endView.setUint16(10, 0xffff, true);
  endView.setUint32(12, 0xffffffff, true);
  endView.setUint32(16, 0xffffffff, true);
  return concat([archive.subarray(0, directoryAt), directory, new Uint8Array(zip64End.buffer), new Uint8Array(locator.buffer), end]);
}

function concat(pieces: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

const archive = zipArchive([storedRecord('a/data.pkl', Uint8Array.of(1, 2, 3)), storedRecord('a/data/0', new Uint8Array(40).fill(7))]);

describe('readZipDirectory', () => {
  it('lists each entry with its sizes and where its data starts', () => {
    const entries = readZipDirectory(archive, 'x.zip');
    expect(entries.map((e) => [e.name, e.method, e.compressedSize, e.uncompressedSize])).toEqual([
      ['a/data.pkl', 0, 3, 3],
      ['a/data/0', 0, 40, 40],
    ]);
    expect([...archive.subarray(entries[1]!.dataOffset, entries[1]!.dataOffset + 40)]).toEqual(new Array(40).fill(7));
  });

  it('reads ZIP64 directories: sizes and offsets from the extra field, counts from the ZIP64 end record', () => {
    expect(readZipDirectory(asZip64(archive), 'x.zip')).toEqual(readZipDirectory(archive, 'x.zip'));
  });

  it('refuses data that runs past the end of the file, naming the record', () => {
    const cut = archive.slice();
    new DataView(cut.buffer).setUint32(cut.length - 22 - (46 + 8) + 20, 10_000, true); // the second record's compressed size
    expect(() => readZipDirectory(cut, 'x.zip')).toThrow(ModelError);
    expect(() => readZipDirectory(cut, 'x.zip')).toThrow("record 'a/data/0' declares 10000 bytes of data");
  });

  it('refuses a file with no end record', () => {
    expect(() => readZipDirectory(new Uint8Array(100), 'x.zip')).toThrow('x.zip: is not a readable zip archive (no end-of-central-directory record)');
  });
});
