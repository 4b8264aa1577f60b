import { describe, expect, it } from 'vitest';
import { SimulationError } from '../../simulator/errors.js';
import { eventFrames, eventGrid, type EventSamples } from '../../simulator/event-input.js';

function samples(events: readonly [number, number, number, number][], sensor = 34): EventSamples {
  return { events: Int32Array.from(events.flat()), offsets: Int32Array.from([0, events.length]), labels: null, count: 1, sensorWidth: sensor, sensorHeight: sensor };
}

const graded8 = { shape: [1, 28, 28], payloadBits: 8, valueScale: 1 / 255, placement: 'INPUT_GRADED_SPIKES' };

function frames(input: typeof graded8, events: readonly [number, number, number, number][], T = 4, sensor = 34) {
  const grid = eventGrid(input, T, 'test');
  const size = input.shape.reduce((a, b) => a * b, 1);
  const counts = new Int32Array(T * size);
  const f = eventFrames(samples(events, sensor), 0, grid, counts);
  const indices = new Int32Array(size);
  const values = new Int32Array(size);
  return Array.from({ length: T }, (_, t) => {
    const n = f.frame(t, indices, values);
    return Array.from({ length: n }, (_, i) => [indices[i]!, values[i]!]);
  });
}

describe('event input binning', () => {
  it('cuts the span first..last into T equal windows and centre-crops 34x34 to 28x28', () => {
    // span 1000..1399 us = 400 us, T = 4: windows of 100 us. (3,3) on the sensor is (0,0) of the grid.
    const out = frames(graded8, [
      [1000, 3, 3, 1],
      [1099, 4, 3, 0],
      [1100, 30, 30, 1],
      [1399, 33, 3, 1],
      [1200, 2, 10, 1],
    ]);
    expect(out).toEqual([
      [
        [0, 255],
        [1, 255],
      ],
      [[27 * 28 + 27, 255]],
      [],
      [],
    ]);
  });

  it('sums both polarities into one channel, and saturates count * 255 to the payload', () => {
    const wide = { ...graded8, payloadBits: 24 };
    const ev: [number, number, number, number][] = [
      [0, 5, 5, 1],
      [1, 5, 5, 0],
      [2, 5, 5, 1],
      [3, 6, 5, 0],
    ];
    expect(frames(wide, ev, 1)).toEqual([
      [
        [2 * 28 + 2, 3 * 255],
        [2 * 28 + 3, 255],
      ],
    ]);
    expect(frames(graded8, ev, 1)).toEqual([
      [
        [2 * 28 + 2, 255],
        [2 * 28 + 3, 255],
      ],
    ]);
    const small = { ...graded8, payloadBits: 9 };
    expect(frames(small, ev, 1)).toEqual([
      [
        [2 * 28 + 2, 511],
        [2 * 28 + 3, 255],
      ],
    ]);
  });

  it('puts each polarity in its own channel when the grid has two, and pads a smaller sensor', () => {
    const two = { ...graded8, shape: [2, 4, 4] };
    // A 2x2 sensor padded into 4x4 at offset 1.
    const out = frames(
      two,
      [
        [0, 0, 0, 0],
        [0, 1, 1, 1],
      ],
      1,
      2,
    );
    expect(out).toEqual([
      [
        [1 * 4 + 1, 255],
        [16 + 2 * 4 + 2, 255],
      ],
    ]);
  });

  it('refuses a host-computed first layer and grids that are not 1 or 2 channels', () => {
    expect(() => eventGrid({ ...graded8, placement: 'INPUT_HOST' }, 4, 'p.chip.pb')).toThrow(SimulationError);
    expect(() => eventGrid({ ...graded8, shape: [3, 28, 28] }, 4, 'p.chip.pb')).toThrow(/C = 1 .* C = 2/);
  });

  it('an empty recording gives no input events', () => {
    expect(frames(graded8, [], 2)).toEqual([[], []]);
  });
});
