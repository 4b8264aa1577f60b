import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { runCli } from '../helpers/run-cli.js';
import { HAS_REDIS, startCli, startWorker, stopProcess, TestRedis, waitFor, type CliProcess } from './redis-harness.js';

if (!HAS_REDIS) console.warn('test/cluster: redis-server is not installed (apt-get install redis-server): the hung-worker test is skipped');

const data = bundledFashionMnistDir();

describe.skipIf(!HAS_REDIS)('a worker that hangs mid-job', () => {
  let redis: TestRedis;
  let program: string;
  const workers: CliProcess[] = [];

  beforeAll(async () => {
    program = join(mkdtempSync(join(tmpdir(), 'spikechip-hang-')), 'loihi2.chip.pb');
    expect(runCli(['compile', 'models/bundled/osr-fmnist-conv.snnmodel', '--chip', 'loihi2', '-o', program]).status).toBe(0);
    redis = await TestRedis.start();
  });

  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGCONT');
    await Promise.all(workers.map(stopProcess));
    await redis?.kill();
  });

  it('loses its job to another worker, and the run prints the local bytes', async () => {
    const local = runCli(['simulate', program, '--data', data, '--limit', '600', '--json']);
    expect(local.status, local.stderr).toBe(0);
    const [frozen, healthy] = await Promise.all([startWorker(redis.url), startWorker(redis.url)]);
    workers.push(frozen!, healthy!);
    const run = startCli(['simulate', program, '--data', data, '--limit', '600', '--json', '--queue', redis.url, '--shard-size', '100']);
    await waitFor('the frozen worker to start a shard', () => /started/.test(frozen!.stderr));
    frozen!.child.kill('SIGSTOP'); // hangs: no lock renewal, no progress, no exit
    const held = /^job (shard-\S+): started/m.exec(frozen!.stderr)![1]!;
    const result = await run.done;
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(local.stdout);
    expect(healthy!.stderr).toMatch(new RegExp(`^job ${held}: samples`, 'm'));
    frozen!.child.kill('SIGCONT');
  });
});
