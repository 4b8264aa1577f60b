import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { standaloneConv2d } from '../../models/reference/kernels/conv2d-wasm.js';
import { conv2dSample, convTaps, reorderConvWeights } from '../../models/reference/kernels/conv2d.js';
import { convCase, seededRandom, squareConv } from '../helpers/conv-cases.js';

/**
 * conv2d.wat sums 16 output channels per pass (float64 or float32 sums), the last block padded with zero weights and
 * only its real channels written: channel counts from 1 to 75 reach every fill of the last block. Spike inputs take the
 * add-only path, any other value the multiply-add one; up to 48 input channels of a 3 x 3 kernel span several
 * chunks of input channels in either accumulation (their partial sums wait between chunks).
 */
describe('the float reference convolution in WebAssembly SIMD, wide layers', () => {
  const geometry = fc.record({
    inChannels: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 20, max: 48 })),
    outChannels: fc.integer({ min: 1, max: 75 }),
    size: fc.integer({ min: 2, max: 6 }),
    kernel: fc.constantFrom(1, 3),
    stride: fc.integer({ min: 1, max: 2 }),
    bias: fc.boolean(),
    spikes: fc.boolean(),
    accumulation: fc.constantFrom('float32' as const, 'float64' as const),
  });

  it("gives conv2dSample's (float32 or float64 sums) float32 outputs bit for bit for 1 to 75 output channels, spikes and values", () => {
    fc.assert(
      fc.property(geometry, fc.integer({ min: 1, max: 2 ** 31 - 1 }), (r, seed) => {
        const g = squareConv({ ...r, pad: r.kernel === 3 ? 1 : 0 });
        const outSide = g.outHeight;
        const random = seededRandom(seed);
        const inSize = r.inChannels * r.size * r.size;
        const outSize = r.outChannels * outSide * outSide;
        const input = Float32Array.from({ length: 2 * inSize }, () => (random() < 0.6 ? 0 : r.spikes ? 1 : Math.fround(random() * 4 - 2)));
        const weight = Float32Array.from({ length: r.outChannels * r.inChannels * r.kernel * r.kernel }, () => Math.fround(random() * 2 - 1));
        const bias = r.bias ? Float32Array.from({ length: r.outChannels }, () => Math.fround(random() - 0.5)) : null;
        const taps = convTaps(g);
        const expected = new Float32Array(2 * outSize);
        const reordered = reorderConvWeights(weight, g);
        if (r.accumulation === 'float64') {
          const acc = new Float64Array(outSize);
          for (let b = 0; b < 2; b++) conv2dSample(input, b * inSize, reordered, taps, bias, g, acc, expected, b * outSize);
        } else {
          const acc = new Float32Array(outSize);
          for (let b = 0; b < 2; b++) conv2dSample(input, b * inSize, reordered, taps, bias, g, acc, expected, b * outSize);
        }
        const got = new Float32Array(2 * outSize);
        const simd = standaloneConv2d(weight, taps, bias, g, r.accumulation)!;
        for (let b = 0; b < 2; b++) simd.run(input, b * inSize, got, b * outSize);
        expect(Buffer.from(got.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

/** Planes up to 40 columns wide and 12 rows high, kernels of 1 and 3, strides 1 and 2, padding 0 and 1. */
describe('the float reference convolution in WebAssembly SIMD, wide planes', () => {
  it("gives conv2dSample's (float32 or float64 sums) outputs bit for bit", () => {
    fc.assert(
      fc.property(
        fc.record({
          inChannels: fc.integer({ min: 1, max: 3 }),
          outChannels: fc.integer({ min: 1, max: 20 }),
          height: fc.integer({ min: 1, max: 12 }),
          width: fc.integer({ min: 1, max: 40 }),
          kernel: fc.constantFrom(1, 3),
          stride: fc.integer({ min: 1, max: 2 }),
          pad: fc.integer({ min: 0, max: 1 }),
          spikes: fc.boolean(),
          accumulation: fc.constantFrom('float32' as const, 'float64' as const),
        }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (r, seed) => {
          const g = convCase({ ...r, inHeight: r.height, inWidth: r.width });
          fc.pre(g.outHeight > 0 && g.outWidth > 0);
          const random = seededRandom(seed);
          const inSize = r.inChannels * r.height * r.width;
          const outSize = r.outChannels * g.outHeight * g.outWidth;
          const input = Float32Array.from({ length: 2 * inSize }, () => (random() < 0.7 ? 0 : r.spikes ? 1 : Math.fround(random() * 4 - 2)));
          const weight = Float32Array.from({ length: r.outChannels * r.inChannels * r.kernel * r.kernel }, () => Math.fround(random() * 2 - 1));
          const taps = convTaps(g);
          const reordered = reorderConvWeights(weight, g);
          const expected = new Float32Array(2 * outSize);
          for (let b = 0; b < 2; b++) {
            if (r.accumulation === 'float64') conv2dSample(input, b * inSize, reordered, taps, null, g, new Float64Array(outSize), expected, b * outSize);
            else conv2dSample(input, b * inSize, reordered, taps, null, g, new Float32Array(outSize), expected, b * outSize);
          }
          const got = new Float32Array(2 * outSize);
          const simd = standaloneConv2d(weight, taps, null, g, r.accumulation)!;
          for (let b = 0; b < 2; b++) simd.run(input, b * inSize, got, b * outSize);
          expect(Buffer.from(got.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
