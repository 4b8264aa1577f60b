import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './helpers/fixtures.js';
import { runCliAsync } from './helpers/run-cli.js';

/** Command names listed under "Commands:" in a yargs help text, e.g. `spikechip events convert ...` -> `events convert`. */
function helpCommands(help: string): string[] {
  const section = help.split('\n\n').find((block) => block.startsWith('Commands:')) ?? '';
  return [...section.matchAll(/^ {2}spikechip ((?:[a-z-]+ ?)+)/gm)].map((match) => match[1]!.trim());
}

/** The commands named in the first column of the README's command table (arguments in <> dropped). */
function readmeCommands(readme: string): string[] {
  const start = readme.indexOf('\n## Commands\n');
  const end = readme.indexOf('\n## ', start + 1);
  return readme
    .slice(start, end < 0 ? undefined : end)
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((row) => [...row.split('|')[1]!.matchAll(/`([a-z][a-z -]*?)\s*(?:<[^`]*)?`/g)].map((match) => match[1]!));
}

/** The README's command table is a user's map of the CLI: every command and sub-command of --help has its row. */
describe('README command table', () => {
  it('names every command and sub-command the CLI lists', async () => {
    const topLevel = helpCommands((await runCliAsync(['--help'])).stdout);
    expect(topLevel.length).toBeGreaterThan(10);
    const commands: string[] = [];
    for (let at = 0; at < topLevel.length; at += 4) {
      const helps = await Promise.all(topLevel.slice(at, at + 4).map((command) => runCliAsync([command, '--help'])));
      helps.forEach((help, i) => {
        const subcommands = helpCommands(help.stdout);
        commands.push(...(subcommands.length > 0 ? subcommands : [topLevel[at + i]!]));
      });
    }
    const documented = new Set(readmeCommands(readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8')));
    expect(commands.filter((command) => !documented.has(command))).toEqual([]);
  });
});
