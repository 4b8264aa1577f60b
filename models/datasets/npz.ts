/**
 * NumPy's `.npz` (np.savez / np.savez_compressed): a zip archive with one `<name>.npy` record per array, stored
 * (method 0) or deflated (method 8). Unzipped with fflate, bounded the way models/pth/read-zip.ts bounds torch
 * archives: fflate trusts the central directory, so entry counts and sizes are checked before it allocates.
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { ModelError } from '../errors.js';
import { MemoryLedger } from '../memory-budget.js';
import { parseNpy, type NpyArray } from './npy.js';

const ZIP_LOCAL_HEADER_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];
const ZIP_EMPTY_ARCHIVE_SIGNATURE = [0x50, 0x4b, 0x05, 0x06];
const MIN_CENTRAL_DIRECTORY_RECORD_BYTES = 46;
const MAX_DEFLATE_EXPANSION = 1032;
const STORED = 0;
const DEFLATED = 8;

export function isZip(bytes: Uint8Array): boolean {
  return [ZIP_LOCAL_HEADER_SIGNATURE, ZIP_EMPTY_ARCHIVE_SIGNATURE].some((signature) => signature.every((b, i) => bytes[i] === b));
}

/** The arrays of an .npz by name (without `.npy`). */
export function parseNpz(bytes: Uint8Array, file: string): Map<string, NpyArray> {
  if (!isZip(bytes)) throw new ModelError(file, 'not an .npz archive: it does not start with a zip signature');
  const maxEntries = Math.floor(bytes.length / MIN_CENTRAL_DIRECTORY_RECORD_BYTES) + 1;
  const declaredSizes = new Map<string, number>();
  let entries = 0;
  let declaredTotal = 0;
  const ledger = new MemoryLedger(file);
  const keep = (entry: UnzipFileInfo): boolean => {
    entries += 1;
    if (entries > maxEntries) throw new ModelError(file, 'the zip directory claims more entries than the file can hold; the file is corrupt');
    if (!entry.name.endsWith('.npy')) return false;
    const corrupt = (why: string) => new ModelError(file, `zip record '${entry.name.slice(0, 80)}' ${why}; the file is corrupt`);
    if (entry.compression === STORED) {
      if (entry.size !== entry.originalSize) throw corrupt('is stored uncompressed but its two sizes differ');
    } else if (entry.compression === DEFLATED) {
      if (entry.originalSize > entry.size * MAX_DEFLATE_EXPANSION + 64) throw corrupt(`claims to inflate ${entry.size} bytes to ${entry.originalSize}, more than deflate can`);
    } else {
      throw new ModelError(file, `zip record '${entry.name.slice(0, 80)}' uses compression method ${entry.compression}; np.savez writes stored (0) or deflated (8) records`);
    }
    if (declaredSizes.has(entry.name)) throw new ModelError(file, `the archive holds two records named '${entry.name.slice(0, 80)}'`);
    declaredTotal += entry.originalSize;
    if (declaredTotal > bytes.length * MAX_DEFLATE_EXPANSION + 64 * entries) throw corrupt('brings the archive past what its size can inflate to');
    ledger.charge(entry.originalSize, `array '${entry.name.slice(0, 80)}'`);
    declaredSizes.set(entry.name, entry.originalSize);
    return true;
  };
  let records: Record<string, Uint8Array>;
  try {
    records = unzipSync(bytes, { filter: keep });
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new ModelError(file, `is not a readable zip archive (${error instanceof Error ? error.message : 'unknown failure'}); the file is truncated or corrupt`);
  }
  const arrays = new Map<string, NpyArray>();
  for (const [name, declared] of declaredSizes) {
    const record = records[name];
    if (record?.length !== declared) {
      throw new ModelError(file, `zip record '${name.slice(0, 80)}' should hold ${declared} bytes but ${record?.length ?? 0} are present; the file is truncated or corrupt`);
    }
    arrays.set(name.slice(0, -'.npy'.length), parseNpy(record, `${file}:${name}`));
  }
  return arrays;
}
