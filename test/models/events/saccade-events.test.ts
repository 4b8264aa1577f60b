import { describe, expect, it } from 'vitest';
import { summarizeEvents } from '../../../models/datasets/events/event-stream.js';
import { encodeNmnist, parseNmnist } from '../../../models/datasets/events/nmnist.js';
import { saccadeEvents } from '../../../models/datasets/events/saccade-events.js';

/** A bright square on black, 28x28. */
function square(): Uint8Array {
  const image = new Uint8Array(28 * 28);
  for (let y = 8; y < 20; y++) for (let x = 8; x < 20; x++) image[y * 28 + x] = 255;
  return image;
}

describe('saccade image-to-events converter', () => {
  it('emits ON and OFF events over three 100 ms saccades on a 34x34 sensor', () => {
    const stream = saccadeEvents(square(), 28, 1, 0);
    const s = summarizeEvents(stream);
    expect(s.events).toBeGreaterThan(100);
    expect(s.on).toBeGreaterThan(0);
    expect(s.off).toBeGreaterThan(0);
    expect(s.lastUs).toBe(300_000);
    expect(s.firstUs).toBeGreaterThan(0);
    expect(s.sensor).toEqual([34, 34]);
    expect(s.x![1]).toBeLessThan(34);
    expect(s.y![1]).toBeLessThan(34);
    for (let i = 1; i < stream.count; i++) expect(stream.t[i]!).toBeGreaterThanOrEqual(stream.t[i - 1]!);
  });

  it('a motionless scene of uniform intensity gives no events', () => {
    // An all-black image: nothing in view changes as it moves.
    expect(saccadeEvents(new Uint8Array(28 * 28), 28, 1, 0).count).toBe(0);
  });

  it('is deterministic given the seed and image index, and the seed matters', () => {
    const a = encodeNmnist(saccadeEvents(square(), 28, 7, 3));
    expect(encodeNmnist(saccadeEvents(square(), 28, 7, 3))).toEqual(a);
    expect(encodeNmnist(saccadeEvents(square(), 28, 8, 3))).not.toEqual(a);
    expect(encodeNmnist(saccadeEvents(square(), 28, 7, 4))).not.toEqual(a);
    expect(parseNmnist(a, 'sq.bin').count).toBe(saccadeEvents(square(), 28, 7, 3).count);
  });

  it('returns along the triangle: the ON and OFF counts nearly balance, as a closed path must', () => {
    const s = summarizeEvents(saccadeEvents(square(), 28, 1, 0));
    // Each pixel ends where it started, so its net level change is zero, up to one threshold per pixel.
    expect(Math.abs(s.on - s.off)).toBeLessThanOrEqual(34 * 34);
  });
});
