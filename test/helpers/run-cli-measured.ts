import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './fixtures.js';

export interface MeasuredRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak resident set of the command's process, in bytes. */
  readonly peakBytes: number;
  readonly seconds: number;
}

const GNU_TIME = '/usr/bin/time';
const PRELOAD = fileURLToPath(new URL('./peak-rss-preload.mjs', import.meta.url));
let runs = 0;

/**
 * Runs the compiled CLI as a user does and measures its peak memory: with GNU time where it exists, else with a
 * preloaded module that reports process.resourceUsage().maxRSS on exit.
 */
export function runCliMeasured(args: readonly string[], env: Readonly<Record<string, string>> = {}): MeasuredRun {
  const cli = join(PROJECT_ROOT, 'dist', 'cli', 'main.js');
  const rssFile = join(tmpdir(), `spikechip-peak-rss-${process.pid}-${runs++}`);
  const withGnuTime = existsSync(GNU_TIME);
  const [command, commandArgs] = withGnuTime
    ? [GNU_TIME, ['-o', rssFile, '-f', '%M', process.execPath, cli, ...args]]
    : [process.execPath, ['--import', pathToFileURL(PRELOAD).href, cli, ...args]];
  const started = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', SPIKECHIP_PEAK_RSS_FILE: rssFile, ...env },
    timeout: 120_000,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // GNU time adds a "Command exited with non-zero status" line before the figure.
  const lines = existsSync(rssFile) ? readFileSync(rssFile, 'utf8').trim().split('\n') : [];
  rmSync(rssFile, { force: true });
  const peakKiB = Number(lines[lines.length - 1]);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, peakBytes: peakKiB * 1024, seconds };
}
