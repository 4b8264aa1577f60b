import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChipSpecError } from '../../chips/errors.js';
import { getChip } from '../../chips/registry.js';
import { readShardJob, type ShardJob } from '../../cluster/shard-job.js';
import { splitIntoRanges } from '../../cluster/shards.js';

const valid: ShardJob = {
  kind: 'shard',
  program: 'a'.repeat(64),
  programFile: 'net.chip.pb',
  chip: { builtin: 'loihi2' },
  dataset: { format: 'fashion-mnist-test', path: '/usr/share/datasets/fashion-mnist', count: 1000, sha256: 'b'.repeat(64) },
  first: 900,
  count: 100,
  encoding: 'direct',
  seed: 1,
};

describe('readShardJob', () => {
  it('reads a valid payload, and a user chip spec given as data', () => {
    expect(readShardJob(JSON.parse(JSON.stringify(valid)), 'payload')).toEqual(valid);
    expect(readShardJob({ ...valid, timeLimitSeconds: 90 }, 'payload').timeLimitSeconds).toBe(90);
    const spec = JSON.parse(JSON.stringify(getChip('loihi')));
    expect(readShardJob({ ...valid, chip: { spec } }, 'payload').chip).toEqual({ spec: getChip('loihi') });
  });

  it.each([
    [{ ...valid, count: 101 }, /\$\.count: expected an integer in 1\.\.100/],
    [{ ...valid, first: 1000 }, /\$\.first: expected an integer in 0\.\.999/],
    [{ ...valid, program: 'abc' }, /\$\.program: expected a string matching/],
    [{ ...valid, dataset: { ...valid.dataset, path: 'relative/dir' } }, /\$\.dataset\.path/],
    [{ ...valid, encoding: 'spikes' }, /\$\.encoding: expected one of "direct", "poisson"/],
    [{ ...valid, code: 'process.exit()' }, /\$\.code: expected no such field/],
    [{ ...valid, chip: { spec: { name: 'x' } } }, /payload \$\.chip\.spec/],
    [{ ...valid, timeLimitSeconds: 0 }, /\$\.timeLimitSeconds: expected an integer in 1\.\.604800/],
    [{ ...valid, timeLimitSeconds: 1.5 }, /\$\.timeLimitSeconds: expected an integer/],
    [{ ...valid, raster: Array.from({ length: 300 }, () => 'conv1') }, /\$\.raster\.length: expected an integer in 0\.\.256/],
  ])('refuses a corrupt payload with the path of its field (%#)', (payload, message) => {
    expect(() => readShardJob(payload, 'payload')).toThrow(message);
  });

  it('never throws anything but ChipSpecError on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          readShardJob(value, 'payload');
        } catch (error) {
          expect(error).toBeInstanceOf(ChipSpecError);
        }
      }),
    );
  });
});

describe('splitIntoRanges', () => {
  it('covers every sample once, in order, in ranges of at most the shard size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 700 }), (count, size) => {
        const ranges = splitIntoRanges(count, size);
        let next = 0;
        for (const r of ranges) {
          expect(r.first).toBe(next);
          expect(r.count).toBeGreaterThan(0);
          expect(r.count).toBeLessThanOrEqual(size);
          next += r.count;
        }
        expect(next).toBe(count);
      }),
    );
  });
});
