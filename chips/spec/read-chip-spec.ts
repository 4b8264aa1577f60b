/** Reference: DESIGN.md section 3 ("users can pass their own spec file (JSON) with the same schema").
 * Reading a user's chip spec: bytes -> text -> JSON -> validated ChipSpec. Whatever the bytes, the result is a
 * ChipSpec or a ChipSpecError, never another exception.
 */
import { readFileSync } from 'node:fs';
import { ChipSpecError } from '../errors.js';
import type { ChipSpec } from './chip-spec.js';
import { validateChipSpec } from './validate-chip-spec.js';

/** Parse and validate a chip spec from its JSON text or raw bytes (UTF-8); `file` names it in errors. */
export function parseChipSpec(content: string | Uint8Array, file: string): ChipSpec {
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
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : String(error);
    throw new ChipSpecError(path, '$', 'a readable chip spec file', `a file that cannot be read (${code})`);
  }
  return parseChipSpec(bytes, path);
}
