import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../models/errors.js';
import { bundledFashionMnistDir } from '../../models/datasets/fashion-mnist.js';
import { encodeIdx, readIdx, readIdxFile } from '../../models/datasets/idx.js';

function modelErrorFrom(action: () => unknown): ModelError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelError);
    return error as ModelError;
  }
  throw new Error('expected a ModelError, but nothing was thrown');
}

const sample = encodeIdx([2, 3], Uint8Array.from([0, 1, 2, 253, 254, 255]));

describe('readIdx', () => {
  it('reads a raw (uncompressed) idx file', () => {
    const { dims, data } = readIdx(sample, 'sample.idx');
    expect(dims).toEqual([2, 3]);
    expect([...data]).toEqual([0, 1, 2, 253, 254, 255]);
  });

  it('reads a gzip-compressed idx file', () => {
    const { dims, data } = readIdx(gzipSync(sample), 'sample.idx.gz');
    expect(dims).toEqual([2, 3]);
    expect([...data]).toEqual([0, 1, 2, 253, 254, 255]);
  });

  it('reads zero-dimensional and empty arrays', () => {
    expect(readIdx(encodeIdx([], Uint8Array.of(7)), 'scalar.idx')).toMatchObject({ dims: [], data: Uint8Array.of(7) });
    expect(readIdx(encodeIdx([0, 28, 28], new Uint8Array(0)), 'empty.idx').dims).toEqual([0, 28, 28]);
  });

  it('reads a file from disk', () => {
    const { dims, data } = readIdxFile(join(bundledFashionMnistDir(), 't10k-labels-idx1-ubyte.gz'));
    expect(dims).toEqual([1000]);
    expect(data.length).toBe(1000);
  });

  it('rejects a wrong magic number, saying what it found and what it expects', () => {
    const error = modelErrorFrom(() => readIdx(Uint8Array.from([0x12, 0x34, 0x08, 0x01, 0, 0, 0, 0]), 'bad.idx'));
    expect(error.source).toBe('bad.idx');
    expect(error.message).toMatch(/^bad\.idx: not an idx file: the magic number is 12 34 08 01, expected 00 00/);
  });

  it('names idx types it does not read, and rejects bytes that are no idx type', () => {
    const float32 = Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(modelErrorFrom(() => readIdx(float32, 'f.idx')).message).toMatch(/type 0x0d \(float32\) is not supported; only 0x08/);
    const unknown = Uint8Array.from([0, 0, 0x05, 1, 0, 0, 0, 0]);
    expect(modelErrorFrom(() => readIdx(unknown, 'u.idx')).message).toMatch(/data type 0x05, which is not an idx type/);
  });

  it('reports a short read with the promised and the actual byte count', () => {
    const truncated = encodeIdx([10, 28, 28], new Uint8Array(7840)).subarray(0, 7000);
    const error = modelErrorFrom(() => readIdx(truncated, 'short.idx'));
    expect(error.message).toMatch(/short read/);
    expect(error.message).toContain('7856');
    expect(error.message).toContain('7000');
  });

  it('reports a header cut short inside the dimensions or the magic number', () => {
    const error = modelErrorFrom(() => readIdx(Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1]), 'header.idx'));
    expect(error.message).toMatch(/short read: the header declares 3 dimensions, which need 16 header bytes, but there are 8/);
    expect(modelErrorFrom(() => readIdx(Uint8Array.from([0, 0]), 'tiny.idx')).message).toMatch(/short read.*only 2 bytes/);
    expect(modelErrorFrom(() => readIdx(new Uint8Array(0), 'empty.idx')).message).toMatch(/short read/);
  });

  it('rejects trailing bytes after the data', () => {
    const padded = Uint8Array.from([...sample, 0, 0]);
    expect(modelErrorFrom(() => readIdx(padded, 'long.idx')).message).toMatch(
      /2 unexpected trailing bytes: the header \(dims \[2, 3\]\) promises 12 \+ 6 = 18 bytes, but there are 20/,
    );
  });

  it('rejects dimensions that multiply to an absurd size', () => {
    const header = Uint8Array.from([0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const error = modelErrorFrom(() => readIdx(header, 'huge.idx'));
    expect(error.message).toMatch(/dims \[4294967295, 4294967295, 4294967295\] describe more than 4294967296 elements/);
  });

  describe('corrupt gzip streams', () => {
    const gzipped = gzipSync(
      encodeIdx(
        [100],
        Uint8Array.from({ length: 100 }, (_, i) => i),
      ),
    );

    it('rejects a truncated stream', () => {
      const error = modelErrorFrom(() => readIdx(gzipped.subarray(0, gzipped.length - 12), 'cut.gz'));
      expect(error.message).toMatch(/^cut\.gz: corrupt gzip stream/);
    });

    it('rejects a stream whose CRC does not match', () => {
      const damaged = gzipped.slice();
      damaged[damaged.length - 8]! ^= 0xff;
      expect(modelErrorFrom(() => readIdx(damaged, 'crc.gz')).message).toMatch(/corrupt gzip stream: CRC-32/);
    });

    it('rejects a stream whose length disagrees with the trailer', () => {
      const damaged = gzipped.slice();
      damaged[damaged.length - 4]! -= 1;
      expect(modelErrorFrom(() => readIdx(damaged, 'len.gz')).message).toMatch(/corrupt gzip stream: the data's length is not the trailer's \d+ bytes/);
    });

    it('rejects a trailer claiming more than deflate can produce, without allocating it', () => {
      const damaged = gzipped.slice();
      damaged.set([0xff, 0xff, 0xff, 0xff], damaged.length - 4);
      expect(modelErrorFrom(() => readIdx(damaged, 'big.gz')).message).toMatch(/trailer claims 4294967295 uncompressed bytes/);
    });

    it('wraps errors from the inflater', () => {
      const damaged = gzipped.slice();
      damaged[10] = 0xff; // block type 3 does not exist
      expect(modelErrorFrom(() => readIdx(damaged, 'inflate.gz')).message).toMatch(/corrupt gzip stream/);
    });
  });

  it('turns an unreadable path into a ModelError naming it', () => {
    const error = modelErrorFrom(() => readIdxFile('/nonexistent/spikechip/x-idx1-ubyte'));
    expect(error.source).toBe('/nonexistent/spikechip/x-idx1-ubyte');
    expect(error.message).toMatch(/cannot read idx file/);
  });
});

describe('encodeIdx', () => {
  it('refuses dims that do not match the data', () => {
    expect(() => encodeIdx([2, 2], new Uint8Array(3))).toThrow(RangeError);
  });
});
