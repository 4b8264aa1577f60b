import { unzipSync, type UnzipFileInfo } from 'fflate';
import { ModelError } from '../errors.js';

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
}

const ZIP_LOCAL_HEADER_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];
const PICKLE_PROTOCOL_OPCODE = 0x80;
/** A central-directory record is at least this long, so a directory claiming more entries than fit is corrupt. */
const MIN_CENTRAL_DIRECTORY_RECORD_BYTES = 46;
/** Deflate cannot expand data by more than about 1032:1; a larger claim is a zip bomb or corruption. */
const MAX_DEFLATE_EXPANSION = 1032;
const STORED = 0;
const DEFLATED = 8;

const NEEDED_RECORD = /^[^/]+\/(?:data\.pkl|byteorder|data\/[^/]+)$/;
const PICKLE_RECORD = /^([^/]+)\/data\.pkl$/;

export function readTorchZip(bytes: Uint8Array, file: string): TorchArchive {
  refuseNonZip(bytes, file);
  const records = unzipNeededRecords(bytes, file);

  const roots = Object.keys(records).flatMap((name) => PICKLE_RECORD.exec(name)?.[1] ?? []);
  if (roots.length !== 1) {
    throw new ModelError(
      file,
      roots.length === 0
        ? 'the zip archive holds no <root>/data.pkl record: it is not a torch.save checkpoint, or its zip ' +
            'directory is corrupt'
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
 * Extracts only the records loading needs. The filter also bounds fflate's work: fflate trusts the entry
 * count and sizes in the central directory, so a corrupt directory could make it loop billions of times or
 * allocate gigabytes before any error surfaced.
 */
function unzipNeededRecords(bytes: Uint8Array, file: string): Record<string, Uint8Array> {
  const maxEntries = Math.floor(bytes.length / MIN_CENTRAL_DIRECTORY_RECORD_BYTES) + 1;
  const declaredSizes = new Map<string, number>();
  let entriesSeen = 0;

  const keepNeededRecord = (entry: UnzipFileInfo): boolean => {
    entriesSeen += 1;
    if (entriesSeen > maxEntries) {
      throw new ModelError(file, 'the zip directory claims more entries than the file can hold; the file is corrupt');
    }
    if (!NEEDED_RECORD.test(entry.name)) return false;
    checkEntryHeader(entry, file);
    if (declaredSizes.has(entry.name)) {
      throw new ModelError(file, `the zip archive holds two records named '${entry.name}'; the file is corrupt`);
    }
    declaredSizes.set(entry.name, entry.originalSize);
    return true;
  };

  let records: Record<string, Uint8Array>;
  try {
    records = unzipSync(bytes, { filter: keepNeededRecord });
  } catch (error) {
    if (error instanceof ModelError) throw error;
    const reason = error instanceof Error ? error.message : 'unknown failure';
    throw new ModelError(file, `is not a readable zip archive (${reason}); the file is truncated or corrupt`);
  }

  // fflate silently clips a record that runs past the end of the data, which is how truncation shows up.
  for (const [name, declaredSize] of declaredSizes) {
    const actualSize = records[name]?.length;
    if (actualSize !== declaredSize) {
      throw new ModelError(
        file,
        `zip record '${name}' should hold ${declaredSize} bytes but only ${actualSize ?? 0} are present; ` +
          'the file is truncated or corrupt',
      );
    }
  }
  return records;
}

function checkEntryHeader(entry: UnzipFileInfo, file: string): void {
  const corrupt = (why: string) => new ModelError(file, `zip record '${entry.name}' ${why}; the file is corrupt`);
  if (entry.compression === STORED) {
    if (entry.size !== entry.originalSize) throw corrupt('is stored uncompressed but its two sizes differ');
  } else if (entry.compression === DEFLATED) {
    if (entry.originalSize > entry.size * MAX_DEFLATE_EXPANSION + 64) {
      throw corrupt(`claims to inflate ${entry.size} bytes to ${entry.originalSize}, more than deflate can`);
    }
  } else {
    throw new ModelError(
      file,
      `zip record '${entry.name}' uses compression method ${entry.compression}; torch checkpoints are stored ` +
        'uncompressed (method 0), and only that and deflate (method 8) are supported',
    );
  }
}

function refuseBigEndian(byteorderRecord: Uint8Array | undefined, file: string): void {
  if (byteorderRecord === undefined) return; // torch before 2.0 wrote none, and only little-endian data
  const byteorder = new TextDecoder('ascii').decode(byteorderRecord).trim();
  if (byteorder === 'little') return;
  if (byteorder === 'big') {
    throw new ModelError(
      file,
      "was saved on a big-endian machine (its byteorder record says 'big'); only little-endian checkpoints " +
        'are supported',
    );
  }
  throw new ModelError(file, `has an unrecognised byteorder record '${byteorder.slice(0, 32)}'; expected 'little'`);
}
