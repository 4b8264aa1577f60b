import { inflateRawSync } from 'node:zlib';
import { ModelError } from '../errors.js';
import { MemoryLedger } from '../memory-budget.js';
import { readZipDirectory, type ZipEntry } from './zip-directory.js';

/**
 * The records of a `torch.save` zip archive that loading needs. Torch writes `<root>/data.pkl` (the pickle),
 * `<root>/data/<key>` (one record per storage) and, since torch 2, a `<root>/byteorder` record; `<root>` is
 * usually the file name without its extension.
 */
export interface TorchArchive {
  readonly root: string;
  readonly pickle: Uint8Array;
  /** The bytes of `<root>/data/<key>`, or undefined when the archive has no such record. */
  storageBytes(key: string): Uint8Array | undefined;
  /** The size of all storage records together; unpickling uses it to bound how much tensor data it builds. */
  readonly storageByteTotal: number;
  /** What this read has materialised so far; unpickling charges the tensors it builds to it. */
  readonly ledger: MemoryLedger;
}

const ZIP_LOCAL_HEADER_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];
const PICKLE_PROTOCOL_OPCODE = 0x80;
/** Deflate cannot expand data by more than about 1032:1; a larger claim is a zip bomb or corruption. */
const MAX_DEFLATE_EXPANSION = 1032;
/** zlib's default chunk size; records smaller than this inflate into one chunk anyway. */
const MIN_INFLATE_CHUNK_BYTES = 16 * 1024;
const STORED = 0;
const DEFLATED = 8;

const NEEDED_RECORD = /^[^/]+\/(?:data\.pkl|byteorder|data\/[^/]+)$/;
const PICKLE_RECORD = /^([^/]+)\/data\.pkl$/;

export function readTorchZip(bytes: Uint8Array, file: string, ledger: MemoryLedger = new MemoryLedger(file)): TorchArchive {
  refuseNonZip(bytes, file);
  // Stored records are used in place, so the file's own bytes are part of what this read holds.
  ledger.charge(bytes.length, `the checkpoint's ${bytes.length} bytes`);
  const records = unzipNeededRecords(bytes, file, ledger);

  const roots = Object.keys(records).flatMap((name) => PICKLE_RECORD.exec(name)?.[1] ?? []);
  if (roots.length !== 1) {
    throw new ModelError(
      file,
      roots.length === 0
        ? 'the zip archive holds no <root>/data.pkl record: it is not a torch.save checkpoint, or its zip ' + 'directory is corrupt'
        : `the zip archive holds ${roots.length} data.pkl records (${roots.join(', ')}); expected exactly one`,
    );
  }
  const root = roots[0]!;
  refuseBigEndian(records[`${root}/byteorder`], file);

  const storagePrefix = `${root}/data/`;
  let storageByteTotal = 0;
  for (const [name, content] of Object.entries(records)) {
    if (name.startsWith(storagePrefix)) storageByteTotal += content.length;
  }
  return {
    root,
    pickle: records[`${root}/data.pkl`]!,
    storageBytes: (key) => (Object.hasOwn(records, storagePrefix + key) ? records[storagePrefix + key] : undefined),
    storageByteTotal,
    ledger,
  };
}

function refuseNonZip(bytes: Uint8Array, file: string): void {
  if (ZIP_LOCAL_HEADER_SIGNATURE.every((byte, i) => bytes[i] === byte)) return;
  if (bytes[0] === PICKLE_PROTOCOL_OPCODE) {
    throw new ModelError(
      file,
      'is a bare pickle, the legacy torch.save format from before torch 1.6; re-save it with a current torch ' +
        '(torch.save(torch.load(path), path)) to get the zip format this reader supports',
    );
  }
  throw new ModelError(file, 'is not a torch checkpoint: it does not start with a zip signature');
}

/**
 * Extracts only the records loading needs. Every size comes from the central directory and is checked, against
 * the file and against the memory budget, before anything is inflated; an entry whose data inflates past its
 * declared size is stopped there.
 */
function unzipNeededRecords(bytes: Uint8Array, file: string, ledger: MemoryLedger): Record<string, Uint8Array> {
  const records: Record<string, Uint8Array> = Object.create(null) as Record<string, Uint8Array>;
  for (const entry of readZipDirectory(bytes, file)) {
    if (!NEEDED_RECORD.test(entry.name)) continue;
    checkEntryHeader(entry, file);
    if (Object.hasOwn(records, entry.name)) {
      throw new ModelError(file, `the zip archive holds two records named '${entry.name}'; the file is corrupt`);
    }
    const data = bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
    if (entry.method === STORED) {
      records[entry.name] = data;
      continue;
    }
    ledger.charge(entry.uncompressedSize, `zip record '${entry.name}' (inflated size from the zip directory)`);
    records[entry.name] = inflateDeclared(data, entry, file);
  }
  return records;
}

function inflateDeclared(data: Uint8Array, entry: ZipEntry, file: string): Uint8Array {
  let inflated: Uint8Array;
  try {
    // zlib stops and throws as soon as the output passes maxOutputLength (at least 1, zlib's minimum); one chunk
    // of the declared size is the output itself, where smaller chunks would be joined in a second copy.
    inflated = inflateRawSync(data, { maxOutputLength: Math.max(1, entry.uncompressedSize), chunkSize: Math.max(MIN_INFLATE_CHUNK_BYTES, entry.uncompressedSize) });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ModelError(file, `zip record '${entry.name}' inflates to more than the ${entry.uncompressedSize} bytes its zip directory declares; the file is corrupt`);
    }
    const reason = error instanceof Error ? error.message : 'unknown failure';
    throw new ModelError(file, `zip record '${entry.name}' cannot be inflated (${reason}); the file is truncated or corrupt`);
  }
  if (inflated.length !== entry.uncompressedSize) {
    throw new ModelError(
      file,
      `zip record '${entry.name}' should hold ${entry.uncompressedSize} bytes but only ${inflated.length} are present; ` + 'the file is truncated or corrupt',
    );
  }
  return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
}

function checkEntryHeader(entry: ZipEntry, file: string): void {
  const corrupt = (why: string) => new ModelError(file, `zip record '${entry.name}' ${why}; the file is corrupt`);
  if (entry.method === STORED) {
    if (entry.compressedSize !== entry.uncompressedSize) throw corrupt('is stored uncompressed but its two sizes differ');
  } else if (entry.method === DEFLATED) {
    if (entry.uncompressedSize > entry.compressedSize * MAX_DEFLATE_EXPANSION + 64) {
      throw corrupt(`claims to inflate ${entry.compressedSize} bytes to ${entry.uncompressedSize}, more than deflate can`);
    }
  } else {
    throw new ModelError(
      file,
      `zip record '${entry.name}' uses compression method ${entry.method}; torch checkpoints are stored ` +
        'uncompressed (method 0), and only that and deflate (method 8) are supported',
    );
  }
}

function refuseBigEndian(byteorderRecord: Uint8Array | undefined, file: string): void {
  if (byteorderRecord === undefined) return; // torch before 2.0 wrote none, and only little-endian data
  const byteorder = new TextDecoder('ascii').decode(byteorderRecord).trim();
  if (byteorder === 'little') return;
  if (byteorder === 'big') {
    throw new ModelError(file, "was saved on a big-endian machine (its byteorder record says 'big'); only little-endian checkpoints " + 'are supported');
  }
  throw new ModelError(file, `has an unrecognised byteorder record '${byteorder.slice(0, 32)}'; expected 'little'`);
}
