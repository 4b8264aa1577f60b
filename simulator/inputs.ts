import type { RandomSource } from '../chips/fixed-point/prng.js';
import type { InputFrames } from './engine.js';

/**
 * Direct encoding: the same 8-bit image every step. Each non-zero pixel is one graded event whose payload is the
 * pixel value (the 1/255 is in the first layer's scale); a host-computed first layer reads the analog value.
 */
export function directPixels(images: Uint8Array, offset: number, size: number, analog: Float32Array): InputFrames {
  for (let i = 0; i < size; i++) analog[i] = images[offset + i]! / 255;
  return {
    static: true,
    analog,
    frame(_t, indices, values) {
      let n = 0;
      for (let i = 0; i < size; i++) {
        const p = images[offset + i]!;
        if (p === 0) continue;
        indices[n] = i;
        values[n++] = p;
      }
      return n;
    },
  };
}

/**
 * Real values as graded events: each non-zero value is one event whose payload is the value in steps of
 * `valueScale`, rounded to nearest (ties away from zero) and clipped to the signed payload width.
 */
function gradedEvents(values: Float32Array, base: number, size: number, valueScale: number, limit: number, indices: Int32Array, payloads: Int32Array): number {
  let n = 0;
  for (let i = 0; i < size; i++) {
    const exact = values[base + i]! / valueScale;
    const q = Math.sign(exact) * Math.floor(Math.abs(exact) + 0.5);
    if (q === 0) continue;
    indices[n] = i;
    payloads[n++] = Math.max(-limit, Math.min(limit, q));
  }
  return n;
}

/**
 * Direct encoding of real-valued input (a normalised image, any float tensor): the same graded events every step;
 * a host-computed first layer reads the values as they are.
 */
export function directValues(values: Float32Array, offset: number, size: number, valueScale: number, payloadBits: number, analog: Float32Array): InputFrames {
  const limit = 2 ** (payloadBits - 1) - 1;
  for (let i = 0; i < size; i++) analog[i] = values[offset + i]!;
  return { static: true, analog, frame: (_t, indices, payloads) => gradedEvents(values, offset, size, valueScale, limit, indices, payloads) };
}

/** Event frames: one real-valued frame per step (`values` holds the sample's T frames back to back), as graded events. */
export function frameValues(values: Float32Array, offset: number, size: number, valueScale: number, payloadBits: number): InputFrames {
  const limit = 2 ** (payloadBits - 1) - 1;
  return { static: false, analog: null, frame: (t, indices, payloads) => gradedEvents(values, offset + t * size, size, valueScale, limit, indices, payloads) };
}

/**
 * Poisson rate coding with a seeded generator: each pixel fires at a step with probability pixel/255, as a
 * full-scale event (payload 255), so its mean over steps is the analog value.
 */
export function poissonPixels(images: Uint8Array, offset: number, size: number, random: RandomSource): InputFrames {
  return {
    static: false,
    analog: null,
    frame(_t, indices, values) {
      let n = 0;
      for (let i = 0; i < size; i++) {
        const p = images[offset + i]!;
        if (p === 0 || random.nextFloat() * 255 >= p) continue;
        indices[n] = i;
        values[n++] = 255;
      }
      return n;
    },
  };
}

/** A recorded spike tensor [T][size] of 0/1: each spike is a full-scale event. */
export function recordedSpikes(tensor: Uint8Array, size: number): InputFrames {
  return {
    static: false,
    analog: null,
    frame(t, indices, values) {
      let n = 0;
      const base = t * size;
      for (let i = 0; i < size; i++) {
        if (tensor[base + i] === 0) continue;
        indices[n] = i;
        values[n++] = 255;
      }
      return n;
    },
  };
}
