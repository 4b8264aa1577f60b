import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from './fixtures.js';

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the compiled CLI (npm test builds it first) the way a user does. */
export function runCli(args: readonly string[], cwd = PROJECT_ROOT): CliRun {
  const result = spawnSync(process.execPath, [join(PROJECT_ROOT, 'dist', 'cli', 'main.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    timeout: 300_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** runCli without blocking, so independent runs (each mostly Node's start-up) can overlap. */
export function runCliAsync(args: readonly string[], cwd = PROJECT_ROOT): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(PROJECT_ROOT, 'dist', 'cli', 'main.js'), ...args],
      { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 300_000 },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        done({ status, stdout, stderr });
      },
    );
  });
}
