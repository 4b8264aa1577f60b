import { ModelError } from './errors.js';

/**
 * JSON readers here walk parsed documents recursively and quote values in errors with JSON.stringify, which a
 * document nested a few hundred thousand levels deep turns into a stack overflow. Spikechip's own documents
 * (model graphs, arch files) nest fewer than ten levels.
 */
export const MAX_JSON_NESTING = 100;

/** Throws a ModelError naming `file` when `text` nests arrays and objects deeper than MAX_JSON_NESTING. */
export function refuseDeepJson(text: string, file: string, what: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i += 1; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > MAX_JSON_NESTING) throw new ModelError(file, `${what} nests arrays and objects more than ${MAX_JSON_NESTING} levels deep`);
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
    }
  }
}
