import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../models/errors.js';
import { encodeNmnist, parseNmnist, NMNIST_OVERFLOW_STEP_US } from '../../../models/datasets/events/nmnist.js';

const event = fc.record({ x: fc.integer({ min: 0, max: 255 }), y: fc.integer({ min: 0, max: 239 }), p: fc.integer({ min: 0, max: 1 }), dt: fc.integer({ min: 0, max: 2 ** 22 }) });

function streamOf(events: readonly { x: number; y: number; p: number; dt: number }[]) {
  let t = 0;
  const times = events.map((e) => (t += e.dt));
  return {
    count: events.length,
    t: Float64Array.from(times),
    x: Uint16Array.from(events, (e) => e.x),
    y: Uint16Array.from(events, (e) => e.y),
    p: Uint8Array.from(events, (e) => e.p),
  };
}

describe('N-MNIST .bin', () => {
  it('decodes the 40-bit big-endian layout: x, y, polarity bit, 23-bit microseconds', () => {
    // x 12, y 33, ON, t = 0x012345 | polarity bit 23 -> byte 2 = 0x80 | 0x01
    const stream = parseNmnist(Uint8Array.from([12, 33, 0x81, 0x23, 0x45, 0, 1, 0x7f, 0xff, 0xff]), 'a.bin');
    expect(stream.count).toBe(2);
    expect([...stream.x]).toEqual([12, 0]);
    expect([...stream.y]).toEqual([33, 1]);
    expect([...stream.p]).toEqual([1, 0]);
    expect([...stream.t]).toEqual([0x012345, 2 ** 23 - 1]);
    expect([stream.width, stream.height]).toEqual([34, 34]);
  });

  it('skips overflow markers (y = 240) and offsets every later timestamp, as the dataset readers do', () => {
    const stream = parseNmnist(Uint8Array.from([1, 2, 0, 0, 10, 0, 240, 0, 0, 0, 3, 4, 0x80, 0, 5]), 'wrap.bin');
    expect(stream.count).toBe(2);
    expect([...stream.t]).toEqual([10, NMNIST_OVERFLOW_STEP_US + 5]);
  });

  it('round-trips any sorted stream through the writer, timestamps past 2^23 included', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const stream = streamOf(events);
        const back = parseNmnist(encodeNmnist(stream), 'rt.bin');
        expect(back.count).toBe(stream.count);
        expect(back.t).toEqual(stream.t);
        expect(back.x).toEqual(stream.x);
        expect(back.y).toEqual(stream.y);
        expect(back.p).toEqual(stream.p);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses what the format cannot hold', () => {
    expect(() => encodeNmnist(streamOf([{ x: 1, y: 240, p: 0, dt: 0 }]))).toThrow(/y 240 marks an overflow/);
    expect(() =>
      encodeNmnist({
        ...streamOf([
          { x: 1, y: 2, p: 0, dt: 5 },
          { x: 1, y: 2, p: 0, dt: 0 },
        ]),
        t: Float64Array.from([5, 4]),
      }),
    ).toThrow(/not an integer >= the previous/);
  });

  it('names the file and the byte offset of a truncated event', () => {
    const bytes = encodeNmnist(
      streamOf([
        { x: 1, y: 2, p: 1, dt: 3 },
        { x: 4, y: 5, p: 0, dt: 6 },
      ]),
    );
    expect(() => parseNmnist(bytes.subarray(0, 8), 'cut.bin')).toThrow(ModelError);
    expect(() => parseNmnist(bytes.subarray(0, 8), 'cut.bin')).toThrow(/^cut\.bin: truncated N-MNIST event file: .*byte offset 5 has only 3 of its 5 bytes/);
  });

  it('parses or throws ModelError, nothing else, on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          const s = parseNmnist(bytes, 'fuzz.bin');
          expect(s.count).toBeLessThanOrEqual(bytes.length / 5);
        } catch (error) {
          expect(error).toBeInstanceOf(ModelError);
          expect((error as ModelError).message).toMatch(/^fuzz\.bin: .*byte offset \d+/);
        }
      }),
      { numRuns: 500 },
    );
  });
});
