import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { fixturePath } from '../helpers/fixtures.js';
import { runCli } from '../helpers/run-cli.js';
import { HAS_REDIS, startCli, startWorker, stopProcess, TestRedis, type CliProcess } from './redis-harness.js';

/**
 * `simulate --queue` on data of other formats than Fashion-MNIST's idx files: workers read the file at its path
 * with the readers `--data` uses, check its hash, and the run prints the local run's bytes; for a pixel program on
 * 8-bit images in an .npz, and for a real-valued program (NIR, input [2, 34, 34]) on float32 samples in an .npy.
 */
if (!HAS_REDIS) console.warn('test/cluster: redis-server is not installed (apt-get install redis-server): the queue data tests are skipped');

/** A NumPy .npy file (format version 1.0) of `descr` elements with the given shape. */
function npy(descr: string, shape: readonly number[], data: Uint8Array): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

describe.skipIf(!HAS_REDIS)('simulate --queue on data of any format --data reads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikechip-queue-data-'));
  let redis: TestRedis;
  const workers: CliProcess[] = [];

  beforeAll(async () => {
    redis = await TestRedis.start();
    workers.push(...(await Promise.all([startWorker(redis.url), startWorker(redis.url)])));
  });

  afterAll(async () => {
    await Promise.all(workers.map(stopProcess));
    await redis?.kill();
  });

  const bothWays = async (program: string, data: string, shardSize: string) => {
    const args = ['simulate', program, '--data', data, '--json', '--outputs'];
    const local = runCli(args);
    expect(local.status, local.stderr).toBe(0);
    const queued = await startCli([...args, '--queue', redis.url, '--shard-size', shardSize]).done;
    expect(queued.status, queued.stderr).toBe(0);
    return { local: local.stdout, queued: queued.stdout };
  };

  it('runs 8-bit images from an .npz for a pixel program as the local run does', async () => {
    const program = join(dir, 'osr.chip.pb');
    expect(runCli(['compile', 'models/bundled/osr-fmnist-conv.snnmodel', '--chip', 'loihi2', '-o', program]).status).toBe(0);
    const set = loadFashionMnist(bundledFashionMnistDir(), 'test', 300);
    const data = join(dir, 'images.npz');
    writeFileSync(data, zipSync({ 'x.npy': npy('|u1', [set.count, 1, 28, 28], set.images), 'labels.npy': npy('|u1', [set.count], set.labels) }));
    const { local, queued } = await bothWays(program, data, '100');
    expect(JSON.parse(local).samples).toBe(300);
    expect(queued).toBe(local);
    expect(workers.map((w) => w.stderr).join('')).toMatch(/samples 200\.\.299/);
  });

  it("runs learn's test evaluations on an .npz of 8-bit images through the queue with the local run's output", async () => {
    const program = join(dir, 'learn.chip.pb');
    expect(runCli(['compile', 'models/bundled/osr-fmnist-conv.snnmodel', '--chip', 'loihi2', '-o', program]).status).toBe(0);
    const set = loadFashionMnist(bundledFashionMnistDir(), 'test', 250);
    const data = join(dir, 'learn.npz');
    writeFileSync(data, zipSync({ 'x.npy': npy('|u1', [set.count, 1, 28, 28], set.images), 'labels.npy': npy('|u1', [set.count], set.labels) }));
    const args = ['learn', program, '--rule', 'rate', '--reset', '--data', data, '--samples', '40', '--test-limit', '250', '--json'];
    const local = runCli(args);
    expect(local.status, local.stderr).toBe(0);
    const queued = await startCli([...args, '--queue', redis.url]).done;
    expect(queued.status, queued.stderr).toBe(0);
    expect(queued.stdout).toBe(local.stdout);
  });

  it('runs float32 samples from an .npy for a real-valued program as the local run does', async () => {
    const program = join(dir, 'sinabs.chip.pb');
    expect(runCli(['compile', fixturePath('nir', 'cnn_sinabs.nir'), '--chip', 'loihi2', '-o', program]).status).toBe(0);
    const count = 12;
    const values = new Float32Array(count * 2 * 34 * 34);
    let state = 7;
    for (let i = 0; i < values.length; i++) {
      state = (state * 1103515245 + 12345) >>> 0;
      values[i] = (state >>> 16) % 3; // event counts per pixel, as N-MNIST frames hold
    }
    const data = join(dir, 'frames.npy');
    writeFileSync(data, npy('<f4', [count, 2, 34, 34], new Uint8Array(values.buffer)));
    const { local, queued } = await bothWays(program, data, '5');
    const report = JSON.parse(local) as { samples: number; spikesPerInference: number };
    expect(report.samples).toBe(count);
    expect(report.spikesPerInference).toBeGreaterThan(0);
    expect(queued).toBe(local);
  });
});
