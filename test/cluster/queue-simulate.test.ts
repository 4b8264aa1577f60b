import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAME } from '../../cluster/shards.js';
import { bundledFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { runCli } from '../helpers/run-cli.js';
import { HAS_REDIS, startCli, startWorker, stopProcess, TestRedis, waitFor, type CliProcess } from './redis-harness.js';

/**
 * The bar for the cluster: a dataset run through BullMQ on a real Redis, served by real `spikechip worker`
 * processes, prints the same bytes as the local worker-thread run: plainly, with a worker SIGKILLed mid-run, and
 * with Redis itself killed and restarted mid-run (append-only persistence). A job that cannot run fails the run
 * with its own error.
 */
if (!HAS_REDIS) console.warn('test/cluster: redis-server is not installed (apt-get install redis-server): the queue tests are skipped');

const data = bundledFashionMnistDir();
const SHARD = '100';

describe.skipIf(!HAS_REDIS)('simulate --queue on a real Redis with worker processes', () => {
  let redis: TestRedis;
  let program: string;
  let local: string;
  const workers: CliProcess[] = [];

  beforeAll(async () => {
    program = join(mkdtempSync(join(tmpdir(), 'spikechip-cluster-')), 'loihi2.chip.pb');
    const compiled = runCli(['compile', 'models/bundled/osr-fmnist-conv.snnmodel', '--chip', 'loihi2', '-o', program]);
    expect(compiled.status, compiled.stderr).toBe(0);
    const [run] = await Promise.all([startCli(['simulate', program, '--data', data, '--json']).done, TestRedis.start().then((r) => (redis = r))]);
    expect(run.status, run.stderr).toBe(0);
    local = run.stdout;
    expect(JSON.parse(local).samples).toBe(1000);
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map(stopProcess));
    const client = redis.client();
    await client.flushall();
    client.disconnect();
  });

  afterAll(async () => {
    await Promise.all(workers.map(stopProcess));
    await redis?.kill();
  });

  const simulate = () => startCli(['simulate', program, '--data', data, '--json', '--queue', redis.url, '--shard-size', SHARD]);
  const addWorkers = async (n: number) => {
    const started = await Promise.all(Array.from({ length: n }, () => startWorker(redis.url)));
    workers.push(...started);
    return started;
  };
  const started = (worker: CliProcess) => [...worker.stderr.matchAll(/^job (shard-\S+): started/gm)].map((m) => m[1]!);
  const finished = (worker: CliProcess) => [...worker.stderr.matchAll(/^job (shard-\S+): samples/gm)].map((m) => m[1]!);
  const jobsDone = (worker: CliProcess) => finished(worker).length;

  it('prints the bytes of the local run, and queue status lists the two workers', async () => {
    await addWorkers(2);
    const status = runCli(['queue', 'status', '--queue', redis.url, '--json']);
    expect(status.status, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).workers).toHaveLength(2);
    const run = await simulate().done;
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(local);
    expect(workers.every((w) => jobsDone(w) > 0)).toBe(true);
  });

  it('prints the same bytes when a worker is SIGKILLed in the middle of a job', async () => {
    const [victim, survivor] = await addWorkers(2);
    const run = simulate();
    await waitFor('the victim to start its second shard', () => started(victim!).length >= 2);
    victim!.child.kill('SIGKILL');
    const lost = started(victim!).find((id) => !finished(victim!).includes(id));
    expect(lost, 'the victim was killed holding a job').toBeDefined();
    const result = await run.done;
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(local);
    expect(finished(survivor!)).toContain(lost); // the lost job ran again, on the survivor
    expect(finished(victim!).length + finished(survivor!).length).toBe(10); // and nothing ran to the end twice
  });

  it('prints the same bytes when Redis is killed and restarted mid-run (append-only file)', async () => {
    await addWorkers(2);
    const run = simulate();
    await waitFor('two finished shards', () => workers.reduce((n, w) => n + jobsDone(w), 0) >= 2);
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.restart();
    const result = await run.done;
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(local);
  });

  it("fails the run with the job's own error when a job is corrupt", async () => {
    const run = simulate();
    const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      await waitFor('the run to queue its jobs', async () => (await queue.getJobCounts('waiting')).waiting === 10);
      const [job] = (await queue.getWaiting(0, 0)) as Job[];
      await job!.updateData({ ...job!.data, count: -5 });
    } finally {
      await queue.close();
    }
    await addWorkers(1);
    const result = await run.done;
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const status = runCli(['queue', 'status', '--queue', redis.url, '--json']);
    expect(status.status, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ jobs: { failed: 1 }, failed: [{ tries: 1, error: expect.stringMatching(/^payload: \$\.count: expected an integer/) }] });
    expect(result.stderr).toMatch(
      /^spikechip simulate: job shard-\S+ \(samples \d+\.\.\d+\): failed after 1 of 3 tries \(no retry can fix it\): payload: \$\.count: expected an integer in 1\.\.\d+, found the number -5\n$/,
    );
  });
});
