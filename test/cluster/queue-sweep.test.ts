import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { runCli } from '../helpers/run-cli.js';
import { HAS_REDIS, startCli, startWorker, stopProcess, TestRedis, type CliProcess } from './redis-harness.js';
import { fixturePath } from '../helpers/fixtures.js';
import { sinabsFrames, SWEEP_18 } from './sweep-files.js';

if (!HAS_REDIS) console.warn('test/cluster: redis-server is not installed (apt-get install redis-server): the queue sweep test is skipped');

describe.skipIf(!HAS_REDIS)('sweep and learn --queue on a real Redis with worker processes', () => {
  let redis: TestRedis;
  const workers: CliProcess[] = [];

  beforeAll(async () => {
    redis = await TestRedis.start();
  });

  afterAll(async () => {
    await Promise.all(workers.map(stopProcess));
    await redis?.kill();
  });

  it('gives the table of the local run, byte for byte, each point run once by one of two workers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikechip-queue-sweep-'));
    const sweep = join(dir, 'sweep.json');
    writeFileSync(sweep, JSON.stringify(SWEEP_18));
    const [local] = await Promise.all([startCli(['sweep', sweep, '-o', join(dir, 'local.json')]).done, ...[0, 1].map(async () => workers.push(await startWorker(redis.url)))]);
    expect(local.status, local.stderr).toBe(0);
    const queued = await startCli(['sweep', sweep, '-o', join(dir, 'queued.json'), '--queue', redis.url]).done;
    expect(queued.status, queued.stderr).toBe(0);
    expect(readFileSync(join(dir, 'queued.json'), 'utf8')).toBe(readFileSync(join(dir, 'local.json'), 'utf8'));
    const points = workers.flatMap((w) => [...w.stderr.matchAll(/^job (point-\S+): point /gm)].map((m) => m[1]));
    expect(points).toHaveLength(9); // 3 chips x 3 limits; the two profiles of a point share its one simulation
    expect(new Set(points).size).toBe(9);
  });

  it('gives the local table for points that learn on the chip before their test run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikechip-queue-sweep-learning-'));
    const sweep = join(dir, 'sweep.json');
    writeFileSync(sweep, JSON.stringify({ models: ['bundled'], chips: ['loihi2'], learningRules: ['none', 'rate', 'ottt'], learningSamples: 30, limit: 40 }));
    const local = await startCli(['sweep', sweep, '-o', join(dir, 'local.json')]).done;
    expect(local.status, local.stderr).toBe(0);
    const queued = await startCli(['sweep', sweep, '-o', join(dir, 'queued.json'), '--queue', redis.url]).done;
    expect(queued.status, queued.stderr).toBe(0);
    const table = readFileSync(join(dir, 'local.json'), 'utf8');
    expect(readFileSync(join(dir, 'queued.json'), 'utf8')).toBe(table);
    expect((JSON.parse(table) as { rows: { learningRule: string | null; status: string }[] }).rows.map((r) => `${r.learningRule}: ${r.status}`)).toEqual([
      'null: ok',
      'rate: ok',
      'ottt: ok',
    ]);
  });

  it('gives the local table for a NIR model on float32 frames in an .npy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikechip-queue-sweep-data-'));
    writeFileSync(join(dir, 'frames.npy'), sinabsFrames(8));
    const sweep = join(dir, 'sweep.json');
    writeFileSync(sweep, JSON.stringify({ models: [fixturePath('nir', 'cnn_sinabs.nir')], chips: ['loihi2', 'loihi'], data: 'frames.npy', limit: 6 }));
    const local = await startCli(['sweep', sweep, '-o', join(dir, 'local.json')]).done;
    expect(local.status, local.stderr).toBe(0);
    const queued = await startCli(['sweep', sweep, '-o', join(dir, 'queued.json'), '--queue', redis.url]).done;
    expect(queued.status, queued.stderr).toBe(0);
    expect(readFileSync(join(dir, 'queued.json'), 'utf8')).toBe(readFileSync(join(dir, 'local.json'), 'utf8'));
  });

  it("runs learn's test evaluations through the queue with the local run's output", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikechip-queue-learn-'));
    const program = join(dir, 'loihi2.chip.pb');
    expect(runCli(['compile', 'models/bundled/osr-fmnist-conv.snnmodel', '--chip', 'loihi2', '-o', program]).status).toBe(0);
    const args = ['learn', program, '--rule', 'rate', '--reset', '--data', bundledFashionMnistDir(), '--samples', '50', '--test-limit', '300', '--json'];
    const [local, queued] = await Promise.all([startCli(args).done, startCli([...args, '--queue', redis.url]).done]);
    expect(local.status, local.stderr).toBe(0);
    expect(queued.status, queued.stderr).toBe(0);
    expect(queued.stdout).toBe(local.stdout);
    // Before and after learning: two programs, each 300 images in two shards (the default shard is at least 200).
    expect(workers.flatMap((w) => w.stderr.match(/^job shard-\S+: samples/gm) ?? [])).toHaveLength(4);
  });
});
