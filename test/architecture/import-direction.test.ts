import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/fixtures.js';

/**
 * DESIGN.md section 1: data flows one way, and a folder never imports a folder downstream of it.
 * This test reads every import of every source file and fails on an arrow the table does not allow.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  chips: [],
  models: [],
  compiler: ['models', 'chips'],
  simulator: ['chips'],
  report: ['chips', 'simulator'],
  cluster: ['models', 'chips', 'compiler', 'simulator'],
  cli: ['models', 'chips', 'compiler', 'simulator', 'report', 'cluster'],
  bench: ['models', 'chips', 'compiler', 'simulator', 'cluster'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function topFolder(path: string): string {
  return relative(PROJECT_ROOT, path).split(/[\\/]/)[0]!;
}

describe('import direction', () => {
  it('every import follows the table of DESIGN.md section 1', () => {
    const violations: string[] = [];
    for (const folder of Object.keys(MAY_IMPORT)) {
      let files: string[] = [];
      try {
        files = sourceFiles(join(PROJECT_ROOT, folder));
      } catch {
        continue;
      }
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        for (const match of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
          const target = resolve(dirname(file), match[1] ?? match[2]!);
          const to = topFolder(target);
          if (to !== folder && !MAY_IMPORT[folder]!.includes(to)) {
            violations.push(`${relative(PROJECT_ROOT, file)} imports ${to}/ (${match[1] ?? match[2]})`);
          }
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
