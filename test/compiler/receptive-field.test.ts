import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { axisField, readPositions, readSourcePositions } from '../../compiler/usage.js';

/**
 * The closed forms of compiler/usage.ts that count the source positions a range of conv outputs reads, against a
 * brute force over the kernel windows, strides above and below the kernel included.
 */

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const params = { numRuns: RUNS, seed: Number(process.env.PROPERTY_SEED ?? 20_240_611) };

const axisArb = fc
  .record({
    size: fc.integer({ min: 1, max: 24 }),
    kernel: fc.integer({ min: 1, max: 5 }),
    stride: fc.integer({ min: 1, max: 6 }),
    pad: fc.integer({ min: 0, max: 3 }),
    a: fc.nat(),
    b: fc.nat(),
  })
  .filter((x) => x.size + 2 * x.pad >= x.kernel)
  .map((x) => {
    const outputs = Math.floor((x.size + 2 * x.pad - x.kernel) / x.stride) + 1;
    const [begin, end] = [x.a % (outputs + 1), x.b % (outputs + 1)].sort((p, q) => p - q) as [number, number];
    return { ...x, outputs, begin, end };
  });

/** Whether some output in [begin, end) has position q in its window. */
function read(x: { begin: number; end: number; stride: number; pad: number; kernel: number; size: number }, q: number): boolean {
  if (q < 0 || q >= x.size) return false;
  for (let o = x.begin; o < x.end; o++) {
    const tap = q - (o * x.stride - x.pad);
    if (tap >= 0 && tap < x.kernel) return true;
  }
  return false;
}

describe('source positions a range of conv outputs reads', () => {
  it('counts in any range of positions exactly the positions some window reads', () => {
    fc.assert(
      fc.property(axisArb, fc.nat(), fc.nat(), (x, u, v) => {
        const field = axisField(x.begin, x.end, x.stride, x.pad, x.kernel, x.size);
        const [from, to] = [u % (x.size + 2), v % (x.size + 2)].sort((p, q) => p - q) as [number, number];
        let expected = 0;
        for (let q = from; q < to; q++) if (read(x, q)) expected++;
        expect(readPositions(field, from, to)).toBe(expected);
        let all = 0;
        for (let q = 0; q < x.size; q++) if (read(x, q)) all++;
        expect(field.count).toBe(all);
      }),
      params,
    );
  });

  it('counts the unpooled source positions whose pooled position is read', () => {
    fc.assert(
      fc.property(axisArb, fc.integer({ min: 1, max: 4 }), fc.nat(), fc.nat(), (x, pool, u, v) => {
        const field = axisField(x.begin, x.end, x.stride, x.pad, x.kernel, x.size);
        // The unpooled axis may have rows a floor-rounding pool drops past the pooled grid.
        const unpooled = x.size * pool + pool - 1;
        const [from, to] = [u % (unpooled + 1), v % (unpooled + 1)].sort((p, q) => p - q) as [number, number];
        let expected = 0;
        for (let r = from; r < to; r++) if (read(x, Math.floor(r / pool))) expected++;
        expect(readSourcePositions(field, [from, to], pool)).toBe(expected);
      }),
      params,
    );
  });

  it('leaves out the positions between windows when the stride exceeds the kernel', () => {
    // Kernel 2, stride 5, no padding, over 12 positions: outputs 0 and 1 read 0, 1 and 5, 6.
    const field = axisField(0, 2, 5, 0, 2, 12);
    expect([field.begin, field.end, field.count]).toEqual([0, 7, 4]);
    expect(readPositions(field, 1, 6)).toBe(2);
    expect(readSourcePositions(field, [0, 14], 2)).toBe(8);
  });
});
