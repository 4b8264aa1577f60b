import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tensor } from '../../models/graph/tensor.js';
import { synapticReach } from '../../models/metrics/synaptic-reach.js';

/**
 * NeuroBench's definition, done the slow way: a conv with binarised weights (w != 0 -> 1, no bias) run on the
 * binarised input (x != 0 -> 1), its outputs summed; `dense` with all-ones weights and input.
 */
function binaryConvSum(
  weight: Float32Array,
  input: Float32Array,
  s: { cout: number; cin: number; k: number; h: number; w: number; stride: number; pad: number; oh: number; ow: number },
  allOnes: boolean,
): number {
  let sum = 0;
  for (let co = 0; co < s.cout; co++)
    for (let oy = 0; oy < s.oh; oy++)
      for (let ox = 0; ox < s.ow; ox++)
        for (let ci = 0; ci < s.cin; ci++)
          for (let ky = 0; ky < s.k; ky++)
            for (let kx = 0; kx < s.k; kx++) {
              const y = oy * s.stride - s.pad + ky;
              const x = ox * s.stride - s.pad + kx;
              if (y < 0 || y >= s.h || x < 0 || x >= s.w) continue;
              const w = allOnes ? 1 : weight[((co * s.cin + ci) * s.k + ky) * s.k + kx] !== 0 ? 1 : 0;
              const v = allOnes ? 1 : input[(ci * s.h + y) * s.w + x] !== 0 ? 1 : 0;
              sum += w * v;
            }
  return sum;
}

describe("synaptic reach per input equals NeuroBench's binarised-layer count", () => {
  it('for random convs (stride, padding, sparse weights and inputs)', () => {
    const shape = fc.record({
      cout: fc.integer({ min: 1, max: 4 }),
      cin: fc.integer({ min: 1, max: 3 }),
      k: fc.integer({ min: 1, max: 4 }),
      h: fc.integer({ min: 1, max: 7 }),
      w: fc.integer({ min: 1, max: 7 }),
      stride: fc.integer({ min: 1, max: 3 }),
      pad: fc.integer({ min: 0, max: 2 }),
    });
    fc.assert(
      fc.property(shape, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (s0, seed) => {
        const oh = Math.floor((s0.h + 2 * s0.pad - s0.k) / s0.stride) + 1;
        const ow = Math.floor((s0.w + 2 * s0.pad - s0.k) / s0.stride) + 1;
        fc.pre(oh > 0 && ow > 0);
        const s = { ...s0, oh, ow };
        let state = seed;
        const next = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        const weight = Float32Array.from({ length: s.cout * s.cin * s.k * s.k }, () => (next() < 0.3 ? 0 : next() - 0.5));
        const input = Float32Array.from({ length: s.cin * s.h * s.w }, () => (next() < 0.5 ? 0 : next()));
        const node = { kind: 'conv2d', name: 'c', weight: tensor([s.cout, s.cin, s.k, s.k], weight), bias: null, stride: [s.stride, s.stride], padding: [s.pad, s.pad] } as const;
        const reach = synapticReach(node, [s.cin, s.h, s.w], [s.cout, oh, ow])!;
        let effective = 0;
        input.forEach((v, i) => (effective += v !== 0 ? reach.effective[i]! : 0));
        expect(effective).toBe(binaryConvSum(weight, input, s, false));
        expect(reach.dense).toBe(binaryConvSum(weight, input, s, true));
      }),
      { numRuns: 300 },
    );
  });
});
