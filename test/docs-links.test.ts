import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './helpers/fixtures.js';

/**
 * A user who clones the project has only the repository: every relative link of its documentation must reach a file
 * in it (and a `#heading` a heading there), and none may send the reader to the sibling `../shared` folder.
 */

interface MarkdownLink {
  readonly target: string;
  readonly line: number;
}

/** Markdown with fenced code blocks blanked (line numbers kept), so examples inside them are not read. */
function withoutFences(markdown: string): string {
  const lines = markdown.split('\n');
  let fence: string | null = null;
  return lines
    .map((line) => {
      const opener = /^\s*(```+|~~~+)/.exec(line)?.[1];
      if (fence !== null) {
        if (opener && opener[0] === fence[0] && opener.length >= fence.length) fence = null;
        return '';
      }
      if (opener) {
        fence = opener;
        return '';
      }
      return line;
    })
    .join('\n');
}

/** Inline links and images `[text](target "title")` and reference definitions `[id]: target`. */
function markdownLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  withoutFences(markdown)
    .split('\n')
    .map((line) => line.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length)))
    .forEach((text, index) => {
      for (const match of text.matchAll(/!?\[[^\]]*\]\(\s*(<[^>]*>|[^\s)]+)[^)]*\)/g)) {
        links.push({ target: match[1]!.replace(/^<|>$/g, ''), line: index + 1 });
      }
      const definition = /^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(text);
      if (definition) links.push({ target: definition[1]!.replace(/^<|>$/g, ''), line: index + 1 });
    });
  return links;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered -1, -2, ... */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(markdown).split('\n')) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = heading
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Problems of one document's links: a missing file or heading, or a path into ../shared. */
function brokenLinks(file: string, root: string): string[] {
  const markdown = readFileSync(file, 'utf8');
  const where = relative(root, file);
  const problems: string[] = [];
  for (const { target, line } of markdownLinks(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
    const path = decodeURIComponent(pathPart);
    const resolved = path === '' ? file : resolve(dirname(file), path);
    if (relative(root, resolved).startsWith('..')) {
      problems.push(`${where}:${line}: ${target} leaves the repository`);
    } else if (!existsSync(resolved)) {
      problems.push(`${where}:${line}: ${target} names no file`);
    } else if (anchor && resolved.endsWith('.md') && !headingAnchors(readFileSync(resolved, 'utf8')).has(anchor)) {
      problems.push(`${where}:${line}: ${target} names no heading of ${relative(root, resolved)}`);
    }
  }
  markdown.split('\n').forEach((text, index) => {
    if (text.includes('../shared')) problems.push(`${where}:${index + 1}: refers to ../shared, which a clone does not have`);
  });
  return problems;
}

const DOCUMENTS = [
  join(PROJECT_ROOT, 'README.md'),
  join(PROJECT_ROOT, 'bench', 'cuba', 'README.md'),
  ...readdirSync(join(PROJECT_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(PROJECT_ROOT, 'docs', name)),
];

describe('documentation links', () => {
  it('finds inline links, images and definitions, and ignores code', () => {
    const markdown = [
      'See [the design](docs/architecture.md#the-compiler "title") and ![plot](<img/a b.svg>).',
      '`[not](a-link.md)` and',
      '```sh',
      '[neither](inside-a-fence.md)',
      '```',
      '[id]: ../elsewhere.md',
    ].join('\n');
    expect(markdownLinks(markdown)).toEqual([
      { target: 'docs/architecture.md#the-compiler', line: 1 },
      { target: 'img/a b.svg', line: 1 },
      { target: '../elsewhere.md', line: 6 },
    ]);
  });

  it('makes heading anchors as GitHub does', () => {
    const anchors = headingAnchors('# Energy profiles: davies2018 vs `sanafe`\n## Layout\n## Layout\n');
    expect([...anchors]).toEqual(['energy-profiles-davies2018-vs-sanafe', 'layout', 'layout-1']);
  });

  it.each(DOCUMENTS.map((file) => [relative(PROJECT_ROOT, file), file]))('%s: every relative link resolves', (_name, file) => {
    expect(brokenLinks(file, PROJECT_ROOT)).toEqual([]);
  });
});
