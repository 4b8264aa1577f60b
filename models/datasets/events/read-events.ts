import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { ModelError } from '../../errors.js';
import { readFileWithinBudget } from '../../memory-budget.js';
import { parseAedat3 } from './aedat3.js';
import type { EventStream } from './event-stream.js';
import { parseNmnist } from './nmnist.js';

const AEDAT3_MAGIC = '#!AER-DAT3';
export const EVENT_FILE_EXTENSIONS = ['.bin', '.aedat', '.aedat3'] as const;

/** Decodes an event file: AEDAT 3 when it opens with its version line, else N-MNIST `.bin`. */
export function parseEventFile(bytes: Uint8Array, file: string): EventStream {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, AEDAT3_MAGIC.length)).toString('latin1');
  if (head === AEDAT3_MAGIC) return parseAedat3(bytes, file);
  if (extname(file).toLowerCase() !== '.bin') {
    throw new ModelError(file, `not an event file spikechip reads: expected an N-MNIST .bin or an AEDAT 3 file starting with ${AEDAT3_MAGIC}`);
  }
  return parseNmnist(bytes, file);
}

export function readEventFile(path: string): EventStream {
  let bytes: Uint8Array;
  try {
    bytes = readFileWithinBudget(path);
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new ModelError(path, `cannot read the event file (${(error as Error).message})`);
  }
  return parseEventFile(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

export interface EventFileEntry {
  readonly path: string;
  /** The class from N-MNIST's layout (`<dir>/<label>/<file>`), or null for files not in a class folder. */
  readonly label: number | null;
}

/**
 * The event files of a dataset: one file, or a directory in N-MNIST's layout (class folders named 0..9 holding
 * the files) or a flat directory of files (unlabelled). Sorted by label, then by file name as a number where it
 * is one (N-MNIST's 00001.bin ...), so every run sees the same order.
 */
export function listEventFiles(path: string): EventFileEntry[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (error) {
    throw new ModelError(path, `cannot read the events (${(error as Error).message})`);
  }
  if (!isDir) return [{ path, label: null }];
  const entries = readdirSync(path, { withFileTypes: true });
  const classDirs = entries.filter((e) => e.isDirectory() && /^\d+$/.test(e.name));
  const files: EventFileEntry[] = [];
  if (classDirs.length > 0) {
    for (const dir of classDirs.sort((a, b) => Number(a.name) - Number(b.name))) {
      const label = Number(dir.name);
      for (const name of eventFileNames(join(path, dir.name))) files.push({ path: join(path, dir.name, name), label });
    }
  } else {
    for (const name of eventFileNames(path)) files.push({ path: join(path, name), label: null });
  }
  if (files.length === 0) {
    throw new ModelError(path, `no event files (${EVENT_FILE_EXTENSIONS.join(', ')}) here or in class folders named 0, 1, ...`);
  }
  return files;
}

function eventFileNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => (EVENT_FILE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase()))
    .sort(byNumberThenName);
}

function byNumberThenName(a: string, b: string): number {
  const na = Number(basename(a, extname(a)));
  const nb = Number(basename(b, extname(b)));
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}
