import { constants, crc32, deflateRawSync } from 'node:zlib';

/*
 * Builders of hostile inputs: a zip archive whose directory can lie, and a torch checkpoint pickle whose storages
 * and views say what the test wants. Bytes are written here by hand (the zip and pickle formats are small), so
 * every lie is explicit in the test that tells it.
 */

export interface ZipRecord {
  readonly name: string;
  /** The bytes stored in the archive (compressed already when method is 8). */
  readonly data: Uint8Array;
  readonly method: 0 | 8;
  /** The uncompressed size the directory declares. */
  readonly declaredSize: number;
}

export function storedRecord(name: string, content: Uint8Array): ZipRecord {
  return { name, data: content, method: 0, declaredSize: content.length };
}

const ZEROS_CHUNK_BYTES = 64 * 2 ** 20;
let zerosChunk: Uint8Array | undefined;

/**
 * A raw deflate stream of `totalBytes` zeros, about a thousandth of that long, made without holding the zeros:
 * 64 MiB of them deflated once and ended by a sync flush (byte-aligned, not final) are repeated, then a final
 * empty block closes the stream. 2 GiB of zeros take 2 MB.
 */
export function deflatedZeros(totalBytes: number): Uint8Array {
  zerosChunk ??= new Uint8Array(deflateRawSync(new Uint8Array(ZEROS_CHUNK_BYTES), { level: 9, finishFlush: constants.Z_SYNC_FLUSH }));
  const whole = Math.floor(totalBytes / ZEROS_CHUNK_BYTES);
  const rest = totalBytes % ZEROS_CHUNK_BYTES;
  const tail = rest > 0 ? new Uint8Array(deflateRawSync(new Uint8Array(rest), { finishFlush: constants.Z_SYNC_FLUSH })) : new Uint8Array(0);
  const finalEmptyBlock = Uint8Array.of(0x03, 0x00);
  return concat([...new Array<Uint8Array>(whole).fill(zerosChunk), tail, finalEmptyBlock]);
}

/** A zip archive (no ZIP64) whose local headers and central directory state each record's declared sizes. */
export function zipArchive(records: readonly ZipRecord[]): Uint8Array {
  const pieces: Uint8Array[] = [];
  const directory: Uint8Array[] = [];
  let offset = 0;
  for (const record of records) {
    const name = new TextEncoder().encode(record.name);
    const crc = record.method === 0 ? crc32(record.data) : 0;
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(8, record.method, true);
    local.setUint32(14, crc, true);
    local.setUint32(18, record.data.length, true);
    local.setUint32(22, record.declaredSize, true);
    local.setUint16(26, name.length, true);
    const central = new DataView(new ArrayBuffer(46));
    central.setUint32(0, 0x02014b50, true);
    central.setUint16(4, 20, true);
    central.setUint16(6, 20, true);
    central.setUint16(10, record.method, true);
    central.setUint32(16, crc, true);
    central.setUint32(20, record.data.length, true);
    central.setUint32(24, record.declaredSize, true);
    central.setUint16(28, name.length, true);
    central.setUint32(42, offset, true);
    pieces.push(new Uint8Array(local.buffer), name, record.data);
    directory.push(new Uint8Array(central.buffer), name);
    offset += 30 + name.length + record.data.length;
  }
  const directoryBytes = directory.reduce((n, piece) => n + piece.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, records.length, true);
  end.setUint16(10, records.length, true);
  end.setUint32(12, directoryBytes, true);
  end.setUint32(16, offset, true);
  return concat([...pieces, ...directory, new Uint8Array(end.buffer)]);
}

export interface TensorView {
  readonly name: string;
  /** The key of the storage record (`<root>/data/<key>`). */
  readonly storage: string;
  /** torch's storage class name, e.g. FloatStorage, ByteStorage. */
  readonly storageType: string;
  readonly storageNumel: number;
  readonly offset: number;
  readonly size: readonly number[];
  readonly stride: readonly number[];
}

/** A torch.save data.pkl of a plain dict {name: tensor}, each tensor rebuilt with _rebuild_tensor_v2. */
export function stateDictPickle(views: readonly TensorView[]): Uint8Array {
  const out: number[] = [0x80, 2, 0x7d, 0x28]; // PROTO 2, EMPTY_DICT, MARK
  const text = (s: string) => {
    const bytes = new TextEncoder().encode(s);
    out.push(0x8c, bytes.length, ...bytes); // SHORT_BINUNICODE
  };
  const int = (n: number) => {
    if (n < 2 ** 31) {
      out.push(0x4a, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff); // BININT
      return;
    }
    const bytes: number[] = [];
    for (let v = BigInt(n), i = 0; i < 8; i += 1, v >>= 8n) bytes.push(Number(v & 0xffn));
    out.push(0x8a, 8, ...bytes); // LONG1
  };
  const global = (module: string, name: string) => out.push(0x63, ...new TextEncoder().encode(`${module}\n${name}\n`));
  const tuple = (items: readonly number[]) => {
    out.push(0x28);
    items.forEach(int);
    out.push(0x74); // TUPLE
  };
  for (const view of views) {
    text(view.name);
    global('torch._utils', '_rebuild_tensor_v2');
    out.push(0x28); // MARK: the arguments
    out.push(0x28); // MARK: the persistent id
    text('storage');
    global('torch', view.storageType);
    text(view.storage);
    text('cpu');
    int(view.storageNumel);
    out.push(0x74, 0x51); // TUPLE, BINPERSID
    int(view.offset);
    tuple(view.size);
    tuple(view.stride);
    out.push(0x89, 0x7d, 0x74, 0x52); // False, {} (backward hooks), TUPLE, REDUCE
  }
  out.push(0x75, 0x2e); // SETITEMS, STOP
  return Uint8Array.from(out);
}

/** A checkpoint archive `archive/data.pkl` + `archive/data/<key>` records. */
export function torchCheckpoint(pickle: Uint8Array, storages: readonly ZipRecord[]): Uint8Array {
  return zipArchive([storedRecord('archive/data.pkl', pickle), ...storages]);
}

function concat(pieces: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, piece) => n + piece.length, 0));
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
