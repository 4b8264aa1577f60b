import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ChipSpecError } from '../../chips/errors.js';
import { BUILTIN_CHIP_NAMES, builtinChips } from '../../chips/registry.js';
import { parseChipSpec, readChipSpec } from '../../chips/spec/read-chip-spec.js';

const scratch = mkdtempSync(join(tmpdir(), 'spikechip-read-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The property every input must satisfy: it loads (and reloads identically) or throws ChipSpecError. */
function loadsOrChipSpecError(content: string | Uint8Array): void {
  let spec;
  try {
    spec = parseChipSpec(content, 'fuzz.json');
  } catch (error) {
    if (!(error instanceof ChipSpecError)) throw error;
    expect(error.file).toBe('fuzz.json');
    expect(error.jsonPath.startsWith('$')).toBe(true);
    return;
  }
  expect(parseChipSpec(JSON.stringify(spec), 'again.json')).toEqual(spec);
}

describe('readChipSpec / parseChipSpec errors', () => {
  it('invalid JSON is a ChipSpecError at $', () => {
    const error = thrown(() => parseChipSpec('{"format": ', 'broken.json')) as ChipSpecError;
    expect(error).toBeInstanceOf(ChipSpecError);
    expect(error.jsonPath).toBe('$');
    expect(error.found).toMatch(/invalid JSON/);
  });

  it('bytes that are not UTF-8 are a ChipSpecError', () => {
    const error = thrown(() => parseChipSpec(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d), 'binary.json')) as ChipSpecError;
    expect(error).toBeInstanceOf(ChipSpecError);
    expect(error.found).toMatch(/not valid UTF-8/);
  });

  it('a missing file is a ChipSpecError naming the file', () => {
    const path = join(scratch, 'does-not-exist.json');
    const error = thrown(() => readChipSpec(path)) as ChipSpecError;
    expect(error).toBeInstanceOf(ChipSpecError);
    expect(error.file).toBe(path);
    expect(error.found).toMatch(/ENOENT/);
  });

  it('a directory is a ChipSpecError too', () => {
    expect(thrown(() => readChipSpec(scratch))).toBeInstanceOf(ChipSpecError);
  });

  it('reads a user file with a UTF-8 byte order mark', () => {
    const path = join(scratch, 'bom.json');
    writeFileSync(path, '\uFEFF' + JSON.stringify(builtinChips.loihi));
    expect(readChipSpec(path)).toEqual(builtinChips.loihi);
  });
});

describe('any JSON bytes load or throw ChipSpecError (fast-check)', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), loadsOrChipSpecError), { seed: 11, numRuns: 500 });
  });

  it('random JSON documents', () => {
    fc.assert(fc.property(fc.json({ maxDepth: 4 }), loadsOrChipSpecError), { seed: 12, numRuns: 500 });
  });

  // Structural mutations of a valid spec reach deep fields, which random documents never do.
  type Path = (string | number)[];
  function allPaths(node: unknown, prefix: Path = []): Path[] {
    if (typeof node !== 'object' || node === null) return [prefix];
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    return [prefix, ...keys.flatMap((key) => allPaths((node as Record<string | number, unknown>)[key], [...prefix, key]))];
  }

  const mutation = fc.record({
    pathIndex: fc.nat(),
    operation: fc.constantFrom('replace', 'delete', 'wrap-in-array', 'negate', 'nudge', 'add-field'),
    value: fc.jsonValue({ maxDepth: 2 }),
  });

  it('mutated builtin specs', () => {
    fc.assert(
      fc.property(fc.constantFrom(...BUILTIN_CHIP_NAMES), fc.array(mutation, { minLength: 1, maxLength: 3 }), (name, mutations) => {
        const root: { document: unknown } = { document: JSON.parse(JSON.stringify(builtinChips[name])) };
        for (const m of mutations) {
          const paths = allPaths(root.document);
          const path: Path = ['document', ...paths[m.pathIndex % paths.length]!];
          const key = path[path.length - 1]!;
          const parent = path.slice(0, -1).reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], root) as Record<string | number, unknown>;
          const current = parent[key];
          switch (m.operation) {
            case 'replace':
              parent[key] = m.value;
              break;
            case 'delete':
              if (Array.isArray(parent)) parent.splice(key as number, 1);
              else delete parent[key];
              break;
            case 'wrap-in-array':
              parent[key] = [current];
              break;
            case 'negate':
              parent[key] = typeof current === 'number' ? -current : typeof current === 'boolean' ? !current : null;
              break;
            case 'nudge':
              parent[key] = typeof current === 'number' ? current + 0.5 : `${String(current)}x`;
              break;
            case 'add-field':
              if (typeof current === 'object' && current !== null && !Array.isArray(current)) {
                (current as Record<string, unknown>).unexpected = m.value;
              } else parent[key] = { unexpected: m.value };
              break;
          }
        }
        loadsOrChipSpecError(JSON.stringify(root.document));
      }),
      { seed: 13, numRuns: 1000 },
    );
  });

  it('builtin spec text with random character edits', () => {
    const edit = fc.record({ position: fc.nat(), operation: fc.constantFrom('delete', 'insert', 'replace'), char: fc.string({ minLength: 1, maxLength: 1 }) });
    fc.assert(
      fc.property(fc.constantFrom(...BUILTIN_CHIP_NAMES), fc.array(edit, { minLength: 1, maxLength: 4 }), (name, edits) => {
        let text = JSON.stringify(builtinChips[name]);
        for (const e of edits) {
          const at = e.position % (text.length + 1);
          if (e.operation === 'delete') text = text.slice(0, at) + text.slice(at + 1);
          else if (e.operation === 'insert') text = text.slice(0, at) + e.char + text.slice(at);
          else text = text.slice(0, at) + e.char + text.slice(at + 1);
        }
        loadsOrChipSpecError(new TextEncoder().encode(text));
      }),
      { seed: 14, numRuns: 1000 },
    );
  });
});
