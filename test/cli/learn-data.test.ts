import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { bundledFashionMnistDir, loadFashionMnist } from '../../models/datasets/fashion-mnist.js';
import { PROJECT_ROOT } from '../helpers/fixtures.js';
import { runCli } from '../helpers/run-cli.js';

const MODEL = join(PROJECT_ROOT, 'models', 'bundled', 'osr-fmnist-conv.snnmodel');

/** A NumPy .npy file of uint8 values with the given shape (format version 1.0). */
function npyUint8(data: Uint8Array, shape: readonly number[]): Buffer {
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(data)]);
}

describe('spikechip learn --data of another format', () => {
  it('learns from uint8 images and labels in an .npz as from the idx files they came from', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikechip-learn-data-'));
    const program = join(dir, 'osr.chip.pb');
    expect(runCli(['compile', MODEL, '--chip', 'loihi2', '-o', program]).status).toBe(0);
    const set = loadFashionMnist(bundledFashionMnistDir(), 'train', 120);
    const npz = zipSync({ 'x.npy': npyUint8(set.images, [set.count, 1, 28, 28]), 'labels.npy': npyUint8(set.labels, [set.count]) });
    writeFileSync(join(dir, 'train.npz'), npz);
    // One file is one set: learning trains and tests on it (split does not apply), so compare with the same.
    const args = ['--rule', 'rate', '--reset', '--samples', '120', '--test-limit', '120', '--workers', '1', '--json'];
    const fromNpy = runCli(['learn', program, '--data', join(dir, 'train.npz'), ...args]);
    const fromIdx = runCli(['learn', program, '--data', bundledFashionMnistDir(), ...args.slice(0, 5), '--test-limit', '1', ...args.slice(7)]);
    expect(fromIdx.status, fromIdx.stderr).toBe(0);
    expect(fromNpy.status, fromNpy.stderr).toBe(0);
    const report = JSON.parse(fromNpy.stdout) as { trainingSamples: number; testSamples: number; synapticUpdates: number; accuracyWhileLearning: number };
    const idx = JSON.parse(fromIdx.stdout) as typeof report;
    expect(report.trainingSamples).toBe(120);
    expect(report.testSamples).toBe(120);
    // The same 120 training images in the same order learn the same way.
    expect(report.synapticUpdates).toBe(idx.synapticUpdates);
    expect(report.accuracyWhileLearning).toBe(idx.accuracyWhileLearning);
  });
});
