import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { PROJECT_ROOT } from '../helpers/fixtures.js';

/** Whether Debian's redis-server (installed by .ci/run) is on this machine; the cluster tests skip without it. */
export const HAS_REDIS = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A redis-server of our own on 127.0.0.1: a temp dir, append-only persistence fsynced at every write. */
export class TestRedis {
  private server: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'spikechip-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<TestRedis> {
    const redis = new TestRedis(await freeLoopbackPort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** (Re)starts the server on the same port and directory; it reloads its append-only file. */
  async restart(): Promise<void> {
    this.server = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--protected-mode', 'yes'],
      { stdio: 'ignore' },
    );
    const client = new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => {});
    for (let i = 0; i < 100; i++) {
      try {
        await client.connect();
        await client.ping();
        client.disconnect();
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error(`redis-server did not answer on port ${this.port}`);
  }

  /** Kills the server as a crash would (SIGKILL), and waits until it is gone. */
  async kill(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server || server.exitCode !== null) return;
    const gone = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGKILL');
    await gone;
  }

  client(): Redis {
    const client = new Redis({ port: this.port, host: '127.0.0.1' });
    client.on('error', () => {});
    return client;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A running `spikechip` process: its output so far, and a promise of its end. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly done: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function startCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): CliProcess {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'dist', 'cli', 'main.js'), ...args], { cwd: PROJECT_ROOT, env: { ...process.env, CI: 'true', ...env } });
  const run: CliProcess = {
    child,
    stdout: '',
    stderr: '',
    done: new Promise((resolve) => child.once('close', (status, signal) => resolve({ status, signal, stdout: run.stdout, stderr: run.stderr }))),
  };
  child.stdout!.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
  return run;
}

/** Waits until `test` holds, polling; fails after `timeoutMs` naming what it waited for. */
export async function waitFor(what: string, test: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A `spikechip worker` child, returned once it takes jobs. */
export async function startWorker(url: string, env: Readonly<Record<string, string>> = {}): Promise<CliProcess> {
  const worker = startCli(['worker', '--queue', url], env);
  await waitFor('a worker to take jobs', () => worker.stderr.includes('taking jobs') || worker.child.exitCode !== null);
  if (worker.child.exitCode !== null) throw new Error(`worker exited: ${worker.stderr}`);
  return worker;
}

export async function stopProcess(run: CliProcess): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  run.child.kill('SIGKILL');
  await run.done;
}
