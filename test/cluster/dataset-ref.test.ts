import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataFileRef, loadDatasetRef, type DataReader } from '../../cluster/dataset-ref.js';
import { readShardJob } from '../../cluster/shard-job.js';

const reader: DataReader = { inputShape: [2, 3], source: 'other', timesteps: 4, pixels: false };

/** A float32 .npy of shape [count, 2, 3] holding 0, 1, 2, ... */
function npyFile(path: string, count: number): Float32Array {
  const values = Float32Array.from({ length: count * 6 }, (_, i) => i);
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${count}, 2, 3), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(values.buffer)]));
  return values;
}

describe('a dataset named by path and hash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikechip-dataset-ref-'));

  it('reads an .npy as the submitter did, and the reference travels through the job reader', () => {
    const path = join(dir, 'samples.npy');
    const values = npyFile(path, 5);
    const ref = dataFileRef(path, reader, { images: new Uint8Array(0), values, labels: new Uint8Array(5).fill(255), count: 5 });
    const loaded = loadDatasetRef(ref);
    expect(loaded.count).toBe(5);
    expect([...loaded.values!]).toEqual([...values]);
    const job = { kind: 'shard', program: 'a'.repeat(64), programFile: 'p', chip: { builtin: 'loihi2' }, dataset: ref, first: 0, count: 5, encoding: 'direct', seed: 1 };
    expect(readShardJob(JSON.parse(JSON.stringify(job)), 'payload').dataset).toEqual(ref);
    expect(() => readShardJob({ ...job, dataset: { ...ref, reader: { ...reader, source: 'keras' } } }, 'payload')).toThrow(/\$\.dataset\.reader\.source: expected one of/);
    expect(() => readShardJob({ ...job, dataset: { ...ref, reader: undefined } }, 'payload')).toThrow(/\$\.dataset\.reader/);
  });

  it('says so when this worker lacks the file, or holds another copy', () => {
    const path = join(dir, 'original.npy');
    const values = npyFile(path, 3);
    const ref = dataFileRef(path, reader, { images: new Uint8Array(0), values, labels: new Uint8Array(3).fill(255), count: 3 });
    expect(() => loadDatasetRef({ ...ref, path: join(dir, 'elsewhere.npy') })).toThrow(
      /elsewhere\.npy: this worker lacks the dataset: no such file or directory here; the job needs the dataset of 3 samples/,
    );
    const other = join(dir, 'other.npy');
    copyFileSync(path, other);
    const bytes = readFileSync(other);
    bytes[bytes.length - 1]! ^= 0x40;
    writeFileSync(other, bytes);
    expect(() => loadDatasetRef({ ...ref, path: other })).toThrow(/other\.npy: this worker's copy differs \(sha256 [0-9a-f]{12}\)/);
  });
});
