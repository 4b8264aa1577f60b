import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinChips } from '../../chips/registry.js';
import { CHIP_FAMILIES } from '../../chips/spec/chip-spec.js';
import { PROJECT_ROOT } from '../helpers/fixtures.js';

/**
 * DESIGN.md section 7: what a chip is lives in chips/. Outside it, code reads a spec's data: it never tests a
 * chip's family or name, and never repeats one of its limits as a literal (a fallback `?? 13`, a default in a
 * table of assumed formats, a mask like 4095). This test reads the source of every folder that consumes specs.
 */
const CONSUMERS = ['compiler', 'simulator', 'models', 'cli', 'cluster'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The code of a file with its comments blanked (line numbers kept): prose may cite a limit. */
function code(text: string): string[] {
  const withoutBlocks = text.replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, ' '));
  return withoutBlocks.split('\n').map((line) => line.replace(/(^|[^:'"`])\/\/.*$/, '$1'));
}

const NAMES = [...new Set<string>([...CHIP_FAMILIES, ...Object.keys(builtinChips)])].join('|');
/** `=== 'loihi2'`, `'tianjic' !== x`, `case 'loihi':`, and a list of chip names to test membership in. */
const FAMILY_TESTS = [
  new RegExp(`[=!]==?\\s*['"\`](?:${NAMES})['"\`]`),
  new RegExp(`['"\`](?:${NAMES})['"\`]\\s*[=!]==?`),
  new RegExp(`case\\s+['"\`](?:${NAMES})['"\`]`),
  new RegExp(`\\[\\s*['"\`](?:${NAMES})['"\`]\\s*,\\s*['"\`](?:${NAMES})['"\`]`),
];

/** The names of a spec's numeric limits and formats (leaves only: `mantissaBits`, `maxNeurons`, `tagBits`...). */
function limitNames(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value !== 'object' || value === null) return into;
  for (const [key, child] of Object.entries(value)) {
    if (typeof child === 'number' && !/^\d+$/.test(key)) into.add(key);
    limitNames(child, into);
  }
  return into;
}
const LIMITS = [...limitNames(Object.values(builtinChips).map((s) => ({ mesh: s.mesh, core: s.core, numberFormat: s.numberFormat, neuron: s.neuron, learning: s.learning })))].join(
  '|',
);
const LIMIT_LITERALS = [
  // a limit replaced by a number where a spec leaves it out: `bias?.mantissaBits ?? 13` (0 stands for "none" only)
  new RegExp(`\\b(?:${LIMITS})\\s*\\?\\?\\s*-?[1-9]`),
  // any number in place of an unpublished number format: a guess the W-UNCONFIRMED diagnostic would not name
  /\bnumberFormat\.[\w.?!]+\s*\?\?\s*-?\d/,
  // a default for a spec path: `take(f.inputShift, 'numberFormat.inputShift', 6)`
  /['"`](?:mesh|core|numberFormat|neuron|learning)\.[\w.]+['"`]\s*,\s*-?\d/,
  // the masks and memory sizes of Loihi's datapath: 12-bit decays, 17-bit thresholds, 16384 words, 2^20 bits
  /\b(?:4095|131071|16384|1048576)\b/,
];

function findings(patterns: readonly RegExp[]): string[] {
  const found: string[] = [];
  for (const folder of CONSUMERS) {
    for (const file of sourceFiles(join(PROJECT_ROOT, folder))) {
      code(readFileSync(file, 'utf8')).forEach((line, i) => {
        if (patterns.some((p) => p.test(line))) found.push(`${relative(PROJECT_ROOT, file)}:${i + 1}: ${line.trim()}`);
      });
    }
  }
  return found;
}

describe('chip knowledge stays in chips/', () => {
  it('no code outside chips/ tests a chip family or name', () => {
    expect(findings(FAMILY_TESTS)).toEqual([]);
  });

  it('no code outside chips/ repeats a chip limit as a literal', () => {
    expect(findings(LIMIT_LITERALS)).toEqual([]);
  });

  it('the patterns catch what they are for', () => {
    const hit = (patterns: readonly RegExp[], line: string) => patterns.some((p) => p.test(code(line)[0]!));
    expect(hit(FAMILY_TESTS, "if (runtime.spec.family === 'loihi2') {")).toBe(true);
    expect(hit(FAMILY_TESTS, "case 'tianjic':")).toBe(true);
    expect(hit(FAMILY_TESTS, "!['loihi', 'loihi2', 'tianjic'].includes(value)")).toBe(true);
    expect(hit(FAMILY_TESTS, 'if (program.chipFamily !== spec.family) {')).toBe(false);
    expect(hit(LIMIT_LITERALS, 'quantizeBias(x, bias?.mantissaBits ?? 13, bias?.exponentMax ?? 7)')).toBe(true);
    expect(hit(LIMIT_LITERALS, "inputShift: take(f.inputShift, 'numberFormat.inputShift', 6),")).toBe(true);
    expect(hit(LIMIT_LITERALS, 'const xLow = (x & 4095) * uKeep;')).toBe(true);
    expect(hit(LIMIT_LITERALS, 'const xLow = (x & DECAY_MASK) * uKeep; // 4095')).toBe(false);
    expect(hit(LIMIT_LITERALS, 'const shift = spec.numberFormat.threshold.shift ?? 0;')).toBe(true);
    expect(hit(LIMIT_LITERALS, 'const width = b.connection.conv?.inChannels ?? 0;')).toBe(false);
    expect(hit(LIMIT_LITERALS, 'tagBits: spec.learning?.tagBits ?? 0,')).toBe(false);
  });
});
