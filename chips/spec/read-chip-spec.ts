/** Reference: DESIGN.md section 3 ("users can pass their own spec file (JSON) with the same schema").
 * Reading a user's chip spec: bytes -> text -> JSON -> validated ChipSpec. Whatever the bytes, the result is a
 * ChipSpec or a ChipSpecError, never another exception.
 */
import { readFileSync, statSync } from 'node:fs';
import { ChipSpecError } from '../errors.js';
import { chipReaderMemoryBudget, overBudget } from '../memory-budget.js';
import type { ChipSpec } from './chip-spec.js';
import { validateChipSpec } from './validate-chip-spec.js';

/** JSON.parse turns a 3-byte `{},` into an object of about 60 bytes: the worst case of a document, rounded up. */
const PARSED_BYTES_PER_JSON_BYTE = 32;

function maxSpecBytes(): number {
  return Math.floor(chipReaderMemoryBudget() / PARSED_BYTES_PER_JSON_BYTE);
}

function refuseOverBudget(length: number, file: string): never {
  const parsedBytes = length * PARSED_BYTES_PER_JSON_BYTE;
  throw new ChipSpecError(file, '$', 'a chip spec within the memory budget', overBudget(`parsing ${length} bytes of JSON`, parsedBytes, chipReaderMemoryBudget()));
}

/** Parse and validate a chip spec from its JSON text or raw bytes (UTF-8); `file` names it in errors. */
export function parseChipSpec(content: string | Uint8Array, file: string): ChipSpec {
  // JavaScript callers may pass anything; what is neither text nor bytes is refused below.
  const length = (content as Partial<Uint8Array> | undefined)?.length ?? 0;
  if (length > maxSpecBytes()) refuseOverBudget(length, file);
  let text: string;
  if (typeof content === 'string') {
    text = content.startsWith('\uFEFF') ? content.slice(1) : content; // as TextDecoder drops it from bytes
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(content);
    } catch {
      throw new ChipSpecError(file, '$', 'UTF-8 encoded JSON', 'bytes that are not valid UTF-8');
    }
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ChipSpecError(file, '$', 'a JSON document', `invalid JSON (${reason})`);
  }
  return validateChipSpec(document, file);
}

/** Read, parse and validate the chip spec JSON file at `path`. */
export function readChipSpec(path: string): ChipSpec {
  let bytes: Uint8Array | undefined;
  let size = 0;
  try {
    size = statSync(path).size;
    if (size <= maxSpecBytes()) bytes = readFileSync(path);
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : String(error);
    throw new ChipSpecError(path, '$', 'a readable chip spec file', `a file that cannot be read (${code})`);
  }
  // A file over the budget is refused without being read.
  if (bytes === undefined) refuseOverBudget(size, path);
  return parseChipSpec(bytes, path);
}
