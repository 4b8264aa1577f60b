import { mkdtempSync, writeFileSync } from 'node:fs';
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

  // Alive but stuck: the process renews its lock while its job thread loops forever (the test-only hook), so no
  // stalled-job check would ever give the job back; the job's time limit does.
  it('cuts off a job whose thread never finishes at its time limit, and another try runs it', async () => {
    const local = runCli(['simulate', program, '--data', data, '--limit', '300', '--json']);
    expect(local.status, local.stderr).toBe(0);
    for (const w of workers) w.child.kill('SIGCONT');
    await Promise.all(workers.splice(0).map(stopProcess));
    const stuck = await startWorker(redis.url, { SPIKECHIP_TEST_JOB_SPIN: 'first' });
    workers.push(stuck);
    const run = startCli(['simulate', program, '--data', data, '--limit', '300', '--json', '--queue', redis.url, '--shard-size', '100', '--job-time-limit', '4']);
    await waitFor('the stuck worker to start a shard', () => /started/.test(stuck.stderr));
    workers.push(await startWorker(redis.url));
    const result = await run.done;
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(local.stdout);
    const held = /^job (shard-\S+): started/m.exec(stuck.stderr)![1]!;
    expect(stuck.stderr).toMatch(new RegExp(`^job ${held} failed \\(try 1\\): .*ran past its time limit of 4 s`, 'm'));
    expect(workers.map((w) => w.stderr).join('')).toMatch(new RegExp(`^job ${held}: samples`, 'm'));
  });

  it('fails the run with the time limit as its error when every try is stuck', async () => {
    await Promise.all(workers.splice(0).map(stopProcess));
    workers.push(await startWorker(redis.url, { SPIKECHIP_TEST_JOB_SPIN: 'every' }));
    const started = performance.now();
    const result = await startCli(['simulate', program, '--data', data, '--limit', '100', '--json', '--queue', redis.url, '--job-time-limit', '1']).done;
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/failed on every try \(3\): .*ran past its time limit of 1 s/);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('cuts off a sweep point whose thread never finishes, and the sweep gives the local table', async () => {
    for (const w of workers) w.child.kill('SIGCONT');
    await Promise.all(workers.splice(0).map(stopProcess));
    const dir = mkdtempSync(join(tmpdir(), 'spikechip-hang-sweep-'));
    const sweep = join(dir, 'sweep.json');
    writeFileSync(sweep, JSON.stringify({ models: ['bundled'], chips: ['loihi2', 'loihi'], limit: 30 }));
    const local = runCli(['sweep', sweep, '--json']);
    expect(local.status, local.stderr).toBe(0);
    const stuck = await startWorker(redis.url, { SPIKECHIP_TEST_JOB_SPIN: 'first' });
    workers.push(stuck);
    const run = startCli(['sweep', sweep, '--json', '--queue', redis.url, '--job-time-limit', '4']);
    await waitFor('the stuck worker to start a point', () => /started/.test(stuck.stderr));
    workers.push(await startWorker(redis.url));
    const result = await run.done;
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(local.stdout);
    expect(stuck.stderr).toMatch(/^job point-\S+ failed \(try 1\): .*ran past its time limit of 4 s/m);
  });
});
